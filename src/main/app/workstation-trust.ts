/**
 * Use case: import a publication on a workstation or a receiver's computer (M1 filing). The
 * first snapshot is accepted only under a group root the person has compared by its SHA-256
 * fingerprint (read out by the office, e.g. by phone) and confirmed; every later one must be
 * signed by that pinned root and carry a higher sequence (SNAPSHOT_ROLLBACK otherwise). The
 * CLI's `register import` and the window's trust screen run the same function.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { HeldCrlDto, ResponseOf } from '../../shared/ipc/contract';
import { GROUP_CRL_SETTING, heldGroupCrl, importSignedSnapshot, pinnedGroupRoot, readTrustedSnapshot, storeGroupCrl, type SnapshotImport } from '../core/office/index';
import { parseCertificate, parseCrl, type CrlInfo } from '../core/pki/index';
import type { Actor } from '../core/register/index';
import type { SealRegister } from '../infra/db/index';
import { readCertificateFile, shippedFontImpressions } from '../infra/office/index';
import type { MainDialogs } from './dialogs';

/** Imports one signed snapshot (with the root to pin at the first import), drawing the filed seals' impressions (U1). */
export async function importPublication(register: SealRegister, raw: Uint8Array, options: { trustRootDer?: Uint8Array; source: string; actor: Actor; at?: Date }): Promise<SnapshotImport> {
  return importSignedSnapshot(register, raw, {
    ...(options.trustRootDer ? { trustRootDer: options.trustRootDer } : {}),
    source: options.source,
    at: options.at ?? new Date(),
    actor: options.actor,
    impressions: shippedFontImpressions(),
  });
}

/** The group CRL file an office publication puts beside its snapshot (infra/office publication-files). */
export const GROUP_CRL_FILE = 'group-seal-ca.crl';

function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
}

/**
 * Issue 16: a publication's CRL is kept for the DSS of every seal made here (B-LT). Named
 * explicitly, it must be acceptable (GROUP_CRL_REFUSED otherwise); found beside the snapshot,
 * it is kept when acceptable and an older or foreign one is left aside.
 */
export function keepGroupCrl(register: SealRegister, options: { crlPath?: string; snapshotPath: string; actor: Actor; at?: Date }): CrlInfo | undefined {
  const at = options.at ?? new Date();
  if (options.crlPath !== undefined) return storeGroupCrl(register, readInput(options.crlPath), options.actor, at);
  const beside = join(dirname(options.snapshotPath), GROUP_CRL_FILE);
  if (!existsSync(beside)) return undefined;
  try {
    return storeGroupCrl(register, readInput(beside), options.actor, at);
  } catch {
    return undefined;
  }
}

/** The CRL this computer holds and when it was imported (its SETTING_CHANGED audit row). */
export function heldCrlState(register: SealRegister): HeldCrlDto | null {
  const der = heldGroupCrl(register);
  if (der === undefined) return null;
  const crl = parseCrl(der);
  let importedAt: string | null = null;
  for (let from = 1; ; from += 1000) {
    const rows = register.audit.list(from, 1000);
    for (const row of rows) if (row.action === 'SETTING_CHANGED' && row.subject === GROUP_CRL_SETTING) importedAt = row.at;
    if (rows.length < 1000) break;
  }
  return { crlNumber: crl.crlNumber === undefined ? null : String(crl.crlNumber), issuer: crl.issuer.text, thisUpdate: crl.thisUpdate.toISOString(), nextUpdate: crl.nextUpdate?.toISOString() ?? null, revoked: crl.entries.length, importedAt };
}

/** Fingerprints compare as hex digits only: the office may read them out with or without colons. */
function hexOf(fingerprint: string): string {
  return fingerprint.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

export interface WorkstationTrustDeps {
  register(): SealRegister;
  actor(): Actor;
  dialogs?: MainDialogs;
}

export function createWorkstationTrust(deps: WorkstationTrustDeps) {
  /** The root picked in the dialog, waiting for the person's confirmation of its fingerprint. */
  let pending: { der: Uint8Array; sha256: string } | undefined;
  const dialogs = (): MainDialogs => deps.dialogs ?? (() => { throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'dialogs' }); })();

  return {
    async state(): Promise<ResponseOf<'trust.state'>> {
      const register = deps.register();
      const root = pinnedGroupRoot(register);
      let since: string | null = null;
      if (root) {
        for (let from = 1; since === null; from += 1000) {
          const rows = register.audit.list(from, 1000);
          if (rows.length === 0) break;
          const pinnedRow = rows.find((r) => r.action === 'GROUP_ROOT_PINNED');
          if (pinnedRow) since = pinnedRow.at;
        }
      }
      const latest = register.snapshots.latest();
      const snapshot = await readTrustedSnapshot(register);
      return {
        root: root ? { subject: root.subject.text, sha256: root.sha256Fingerprint, since } : null,
        snapshot: snapshot && latest ? { sequence: snapshot.sequence, issuedAt: snapshot.issuedAt, group: snapshot.group, seals: snapshot.seals.length, importedAt: latest.importedAt.toISOString() } : null,
        crl: heldCrlState(register),
      };
    },

    async pickRoot(): Promise<ResponseOf<'trust.pickRoot'>> {
      const path = await dialogs().pickFile('group-root');
      if (path === undefined) return { cancelled: true };
      const der = readCertificateFile(path);
      const certificate = parseCertificate(der);
      if (!certificate.basicConstraints?.ca) throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: basename(path) });
      pending = { der, sha256: certificate.sha256Fingerprint };
      return { cancelled: false, subject: certificate.subject.text, sha256: certificate.sha256Fingerprint };
    },

    async importSnapshot(request: { confirmedRootSha256?: string | undefined }): Promise<ResponseOf<'trust.importSnapshot'>> {
      const register = deps.register();
      const first = pinnedGroupRoot(register) === undefined;
      // The first import pins a root: only the one picked and confirmed by its fingerprint.
      if (first && (pending === undefined || request.confirmedRootSha256 === undefined || hexOf(request.confirmedRootSha256) !== hexOf(pending.sha256))) {
        throw new YinjianError('TRUST_ROOT_NOT_CONFIRMED');
      }
      const path = await dialogs().pickFile('snapshot');
      if (path === undefined) return { cancelled: true };
      const raw = readInput(path);
      const result = await importPublication(register, raw, { ...(first && pending ? { trustRootDer: pending.der } : {}), source: basename(path), actor: deps.actor() });
      pending = undefined;
      // As `yinjian register import` does: the CRL published beside the snapshot is kept too.
      keepGroupCrl(register, { snapshotPath: path, actor: deps.actor() });
      const s = result.snapshot;
      return { cancelled: false, sequence: s.sequence, group: s.group, seals: s.seals.length, rootSha256: result.root.sha256Fingerprint, pinned: result.pinned };
    },

    /** A group CRL picked in the dialog: signed by the pinned root and not older than the one held (GROUP_CRL_REFUSED). */
    async importCrl(): Promise<ResponseOf<'trust.importCrl'>> {
      const register = deps.register();
      if (pinnedGroupRoot(register) === undefined) throw new YinjianError('SNAPSHOT_ROOT_NOT_PINNED');
      const path = await dialogs().pickFile('crl');
      if (path === undefined) return { cancelled: true };
      const crl = keepGroupCrl(register, { crlPath: path, snapshotPath: path, actor: deps.actor() })!;
      return { cancelled: false, crlNumber: crl.crlNumber === undefined ? null : String(crl.crlNumber), issuer: crl.issuer.text, thisUpdate: crl.thisUpdate.toISOString(), nextUpdate: crl.nextUpdate?.toISOString() ?? null, revoked: crl.entries.length };
    },
  };
}

export type WorkstationTrust = ReturnType<typeof createWorkstationTrust>;

/**
 * Use case: import a publication on a workstation or a receiver's computer (M1 filing). The
 * first snapshot is accepted only under a group root the person has compared by its SHA-256
 * fingerprint (read out by the office, e.g. by phone) and confirmed; every later one must be
 * signed by that pinned root and carry a higher sequence (SNAPSHOT_ROLLBACK otherwise). The
 * CLI's `register import` and the window's trust screen run the same function.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { ResponseOf } from '../../shared/ipc/contract';
import { importSignedSnapshot, pinnedGroupRoot, readTrustedSnapshot, type SnapshotImport } from '../core/office/index';
import { parseCertificate } from '../core/pki/index';
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
      let raw: Uint8Array;
      try {
        raw = readFileSync(path);
      } catch (cause) {
        throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
      }
      const result = await importPublication(register, raw, { ...(first && pending ? { trustRootDer: pending.der } : {}), source: basename(path), actor: deps.actor() });
      pending = undefined;
      const s = result.snapshot;
      return { cancelled: false, sequence: s.sequence, group: s.group, seals: s.seals.length, rootSha256: result.root.sha256Fingerprint, pinned: result.pinned };
    },
  };
}

export type WorkstationTrust = ReturnType<typeof createWorkstationTrust>;

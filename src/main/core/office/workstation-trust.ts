/**
 * The workstation side of publication (M1 filing): importing the office's signed register
 * snapshot, and reading the trusted one back for the verifier and the stamping gate.
 *
 * Trust is pinned, never assumed: the first import must name the group root explicitly
 * (`register import FILE --trust group-root.pem`); from then on only snapshots signed by
 * that very certificate are accepted, and never one older than the last (rollback would bring
 * back seals revoked since, S3, S5).
 */
import { YinjianError } from '../../../shared/errors/index';
import { parseCertificate, type CertificateInfo } from '../pki/index';
import type { AuditDetails } from '../register/audit-chain';
import type { Actor, SealAppearance, UnitKind } from '../register/types';
import type { RegisterAuditPort, RegisterSettingsPort } from './ports';
import { openSignedSnapshot, type RegisterSnapshot } from './snapshot';

/** Register setting holding the pinned group root certificate (DER, base64). */
export const PINNED_GROUP_ROOT_SETTING = 'trust.groupRoot';

export interface WorkstationRegister {
  readonly settings: RegisterSettingsPort;
  readonly audit: RegisterAuditPort;
  readonly snapshots: {
    import(sequence: number, raw: Uint8Array, at: Date, actor: Actor, details?: AuditDetails): unknown;
    latest(): { readonly sequence: number; readonly raw: Uint8Array; readonly importedAt: Date } | undefined;
  };
  /**
   * The replica of the snapshot's filing in this register's own tables (infra/db/snapshot-mirror.ts),
   * so a workstation's stamping finds the seal, its revocations and delegations (M1, M3, S3, S5).
   */
  readonly mirror: {
    apply(snapshot: RegisterSnapshot, options: { at: Date; impressions?: SnapshotImpressions }): AuditDetails;
  };
  transaction<R>(fn: () => R): R;
}

/** Draws a mirrored seal's impression from its data with the shipped font (infra/office). */
export interface SnapshotImpressions {
  render(spec: { kind: UnitKind; unitName: string; sealName: string; sealCode: string }): SealAppearance;
}

export function pinnedGroupRoot(register: Pick<WorkstationRegister, 'settings'>): CertificateInfo | undefined {
  const saved = register.settings.get(PINNED_GROUP_ROOT_SETTING);
  return saved === undefined ? undefined : parseCertificate(Buffer.from(saved, 'base64'));
}

export interface SnapshotImport {
  readonly snapshot: RegisterSnapshot;
  readonly root: CertificateInfo;
  /** True when this import pinned the root (first import). */
  readonly pinned: boolean;
}

/**
 * `register import`: verifies the snapshot against the pinned root (or the root given for the
 * first import), refuses a tampered, foreign-signed or older one, and stores it with its audit
 * row (and the newly pinned root) in one transaction, together with the replica of its filing
 * in this register's tables (seals, certificates, delegations), so a later snapshot's loss or
 * cancellation reaches the stamping gate (S3, S5). A refusal changes nothing.
 */
export async function importSignedSnapshot(
  register: WorkstationRegister,
  raw: Uint8Array,
  options: { trustRootDer?: Uint8Array; source: string; at: Date; actor: Actor; impressions?: SnapshotImpressions },
): Promise<SnapshotImport> {
  const pinned = pinnedGroupRoot(register);
  let root: CertificateInfo;
  if (options.trustRootDer !== undefined) {
    const given = parseCertificate(options.trustRootDer);
    if (!given.basicConstraints?.ca) throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'the trusted root given (--trust) is not a CA' });
    if (pinned !== undefined && pinned.sha256Fingerprint !== given.sha256Fingerprint) {
      throw new YinjianError('SNAPSHOT_ROOT_PIN_MISMATCH', { given: given.sha256Fingerprint, pinned: pinned.sha256Fingerprint });
    }
    root = pinned ?? given;
  } else {
    if (pinned === undefined) throw new YinjianError('SNAPSHOT_ROOT_NOT_PINNED');
    root = pinned;
  }
  const { snapshot } = await openSignedSnapshot(raw, root.der, options.source);
  const pinning = pinned === undefined;
  // Refuse a rollback before the mirror touches any row (the store checks again, in the transaction).
  const latest = register.snapshots.latest();
  if (latest !== undefined && snapshot.sequence <= latest.sequence) {
    throw new YinjianError('SNAPSHOT_ROLLBACK', { found: snapshot.sequence, current: latest.sequence });
  }
  register.transaction(() => {
    if (pinning) {
      register.settings.set(PINNED_GROUP_ROOT_SETTING, Buffer.from(root.der).toString('base64'));
      register.audit.append({
        actor: options.actor,
        action: 'GROUP_ROOT_PINNED',
        subject: root.subject.text,
        at: options.at,
        details: { fingerprint: root.sha256Fingerprint },
      });
    }
    const mirrored = register.mirror.apply(snapshot, { at: options.at, ...(options.impressions ? { impressions: options.impressions } : {}) });
    register.snapshots.import(snapshot.sequence, raw, options.at, options.actor, { mirrored });
  });
  return { snapshot, root, pinned: pinning };
}

/**
 * The snapshot this workstation trusts now, re-verified against the pinned root on every read
 * (the register file is not itself signed), or undefined when none was imported. This is the
 * accessor the verifier and the stamping gate use.
 */
export async function readTrustedSnapshot(register: Pick<WorkstationRegister, 'settings' | 'snapshots'>): Promise<RegisterSnapshot | undefined> {
  const latest = register.snapshots.latest();
  if (latest === undefined) return undefined;
  const root = pinnedGroupRoot(register);
  if (root === undefined) throw new YinjianError('SNAPSHOT_ROOT_NOT_PINNED');
  const { snapshot } = await openSignedSnapshot(latest.raw, root.der, 'register');
  if (snapshot.sequence !== latest.sequence) throw new YinjianError('SNAPSHOT_SIGNATURE_INVALID');
  return snapshot;
}

/**
 * The workstation's replica of the office's filing (M1 备案): on `register import`, the signed
 * snapshot's units, custodians, seals, certificates (with revocation, S3/S5) and delegations
 * (M3) are written into this register's own tables, so the stamping gate and the usage
 * register (U3) find the seal on a workstation exactly as they do on the office computer.
 *
 * This is a replica, not an office action: it deliberately bypasses SealLifecycle (whose
 * transitions are the office's alone, M1) and writes rows as the snapshot states them. The
 * caller (core/office/workstation-trust.ts) runs it inside the transaction that stores the
 * verified snapshot, whose REGISTER_IMPORTED audit row carries the summary returned here.
 *
 * What a snapshot does not carry is filled with documented markers:
 *   - token_serial '' : which USB key holds the seal is unknown on a workstation; stamping
 *     finds the seal by the certificate on the key instead (core/stamp/seal-of-key.ts).
 *   - approval_ref / approver 'snapshot#N' : the filing approval stays in the office's register.
 *   - the bound workstation: the snapshot holds only SHA-256(workstation id) (M4, S1), as the
 *     certificate's seal-info extension does; it is stored as a workstation whose id and
 *     machine_id are `sha256:<hex>` (BOUND_WORKSTATION_HASH_PREFIX), which the stamping gate
 *     compares with SHA-256 of this computer's code. When the register already knows the
 *     workstation itself (the office computer, the demo), that row is used instead.
 * Rows the office wrote itself (same ids) keep what only the office knows: token serial,
 * appearance, approval.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type Database from 'better-sqlite3';
import { BOUND_WORKSTATION_HASH_PREFIX } from '../../core/policy/stamp-gate';
import type { KeyType, SealAppearance, UnitKind } from '../../core/register/index';
import { DENY_WORDS_SETTING } from '../../core/office/deny-list';
import { SCANNED_DOCUMENTS_SETTING } from '../../core/office/scanned-documents';
import { encodeSnapshotWindow, SNAPSHOT_WINDOW_SETTING, TIMESTAMP_POLICY_SETTING } from '../../core/office/timestamp-policy';
import type { RegisterSnapshot, SnapshotSeal } from '../../core/office/snapshot';
import { parseCertificate } from '../../core/pki/index';
import { YinjianError } from '../../../shared/errors/index';

/** Draws a seal's impression (infra/office shippedFontImpressions); omitted, the seal has none. */
export interface MirrorImpressions {
  render(spec: { kind: UnitKind; unitName: string; sealName: string; sealCode: string }): SealAppearance;
}

/** A type alias, not an interface, so it is an AuditDetails (the REGISTER_IMPORTED row's `mirrored`). */
export type MirrorSummary = {
  readonly seals: number;
  readonly certificates: number;
  readonly delegations: number;
  /** Seals whose state this import changed (or created), e.g. ACTIVE→LOST after a loss (S5). */
  readonly stateChanges: readonly { readonly seal: string; readonly from: string | null; readonly to: string }[];
  /** Words of the office's U2 deny list now in force here. */
  readonly denyList: number;
  /** U2: scanned documents allowed here on the custodian's confirmation. */
  readonly scannedDocumentsAllowed: boolean;
};

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The key type of a seal certificate, from its public key (the snapshot does not state it). */
export function keyTypeOfCertificate(der: Uint8Array): KeyType {
  const key = createPublicKey({ key: Buffer.from(parseCertificate(der).spki), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048) return 'RSA_2048';
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength === 3072) return 'RSA_3072';
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'EC_P256';
  throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `unsupported seal key ${key.asymmetricKeyType ?? '?'}` });
}

export class SnapshotMirror {
  constructor(private readonly db: Database.Database) {}

  /** Writes the snapshot's filed state into this register. Call inside the import transaction. */
  apply(snapshot: RegisterSnapshot, options: { at: Date; impressions?: MirrorImpressions }): MirrorSummary {
    const db = this.db;
    const marker = `snapshot#${snapshot.sequence}`;
    const at = options.at.toISOString();
    const unitRow = db.prepare<[string], { id: string }>('SELECT id FROM units WHERE id = ?');
    const insertUnit = db.prepare('INSERT INTO units (id, code, name, kind) VALUES (?, ?, ?, ?)');
    const upsertCustodian = db.prepare(
      'INSERT INTO custodians (staff_id, name, unit_id) VALUES (@staff_id, @name, @unit_id) ON CONFLICT(staff_id) DO UPDATE SET name = excluded.name, unit_id = excluded.unit_id',
    );
    const workstationIds = db.prepare<[], { id: string }>('SELECT id FROM workstations');
    const insertWorkstation = db.prepare(
      'INSERT INTO workstations (id, name, machine_id, registered_at) VALUES (@id, @name, @id, @at) ON CONFLICT(id) DO NOTHING',
    );
    const sealRow = db.prepare<[string], { state: string; appearance_svg: string | null }>('SELECT state, appearance_svg FROM seals WHERE id = ?');
    const insertSeal = db.prepare(
      `INSERT INTO seals (id, code, name, unit_id, kind, state, custodian_staff_id, workstation_id, cert_serial, cert_der, valid_from, valid_to,
                          key_type, token_serial, appearance_svg, appearance_png, approval_ref, approver, created_at, updated_at)
       VALUES (@id, @code, @name, @unit_id, @kind, @state, @custodian, @workstation, @serial, @der, @valid_from, @valid_to,
               @key_type, '', @svg, @png, @marker, @marker, @at, @at)`,
    );
    const updateSeal = db.prepare(
      `UPDATE seals SET code = @code, name = @name, unit_id = @unit_id, kind = @kind, state = @state, custodian_staff_id = @custodian,
              workstation_id = @workstation, cert_serial = @serial, cert_der = @der, valid_from = @valid_from, valid_to = @valid_to,
              key_type = @key_type, appearance_svg = coalesce(appearance_svg, @svg), appearance_png = coalesce(appearance_png, @png), updated_at = @at
       WHERE id = @id`,
    );
    const upsertCertificate = db.prepare(
      `INSERT INTO seal_certificates (serial, seal_id, der, valid_from, valid_to, key_type, token_serial, issued_at, revoked_at, revocation_reason)
       VALUES (@serial, @seal_id, @der, @valid_from, @valid_to, @key_type, '', @valid_from, @revoked_at, @reason)
       ON CONFLICT(serial) DO UPDATE SET revoked_at = excluded.revoked_at, revocation_reason = excluded.revocation_reason`,
    );
    const upsertDelegation = db.prepare(
      `INSERT INTO delegations (id, seal_id, proxy_staff_id, proxy_name, approver_name, approver_staff_id, approver_role, reason, starts_at, ends_at, created_at, revoked_at)
       VALUES (@id, @seal_id, @proxy_staff_id, @proxy_name, @approver_name, @approver_staff_id, @approver_role, @reason, @starts_at, @ends_at, @at, @revoked_at)
       ON CONFLICT(id) DO UPDATE SET revoked_at = excluded.revoked_at, ends_at = excluded.ends_at`,
    );

    const boundWorkstation = (hash: string | null): string | null => {
      if (hash === null) return null;
      const known = workstationIds.all().find((w) => sha256Hex(w.id) === hash);
      if (known) return known.id;
      const id = `${BOUND_WORKSTATION_HASH_PREFIX}${hash}`;
      insertWorkstation.run({ id, name: `${marker} bound workstation (SHA-256 only)`, at });
      return id;
    };

    // A re-issue cancels the old seal and files a new one with the same code: write the
    // cancelled ones first so the one-live-seal-per-code index never sees two live seals.
    const seals = [...snapshot.seals].sort((a, b) => Number(b.state === 'CANCELLED') - Number(a.state === 'CANCELLED'));
    const stateChanges: { seal: string; from: string | null; to: string }[] = [];
    let certificates = 0;
    for (const s of seals) {
      if (unitRow.get(s.unit) === undefined) insertUnit.run(s.unit, s.unit, s.unit, s.unitKind);
      upsertCustodian.run({ staff_id: s.custodianStaffId, name: s.custodianName, unit_id: s.unit });
      const der = Buffer.from(s.certificateDer, 'base64');
      const keyType = keyTypeOfCertificate(der);
      const existing = sealRow.get(s.sealId);
      const appearance = existing?.appearance_svg ? undefined : this.render(s, options.impressions);
      const row = {
        id: s.sealId,
        code: s.sealCode,
        name: s.sealName,
        unit_id: s.unit,
        kind: s.unitKind,
        state: s.state,
        custodian: s.custodianStaffId,
        workstation: boundWorkstation(s.boundWorkstationHash),
        serial: s.serialHex,
        der,
        valid_from: s.validFrom,
        valid_to: s.validTo,
        key_type: keyType,
        svg: appearance?.svg ?? null,
        png: appearance?.png ? Buffer.from(appearance.png) : null,
        at,
      };
      if (existing === undefined) insertSeal.run({ ...row, marker });
      else updateSeal.run(row);
      if (existing?.state !== s.state) stateChanges.push({ seal: s.sealCode, from: existing?.state ?? null, to: s.state });
      const history = s.certificates.some((c) => c.serialHex === s.serialHex) ? s.certificates : [...s.certificates, s];
      for (const c of history) {
        const cDer = c.serialHex === s.serialHex ? der : Buffer.from(c.certificateDer, 'base64');
        upsertCertificate.run({
          serial: c.serialHex,
          seal_id: s.sealId,
          der: cDer,
          valid_from: c.validFrom,
          valid_to: c.validTo,
          key_type: c.serialHex === s.serialHex ? keyType : keyTypeOfCertificate(cDer),
          revoked_at: c.revokedAt,
          reason: c.revocationReason,
        });
        certificates++;
      }
    }

    const liveSealOfCode = new Map(snapshot.seals.filter((s) => s.state !== 'CANCELLED').map((s) => [s.sealCode, s.sealId]));
    const anySealOfCode = new Map(snapshot.seals.map((s) => [s.sealCode, s.sealId]));
    let delegations = 0;
    for (const d of snapshot.delegations) {
      const sealId = liveSealOfCode.get(d.sealCode) ?? anySealOfCode.get(d.sealCode);
      if (sealId === undefined) continue; // a delegation of a seal the snapshot does not list cannot be enforced here
      upsertDelegation.run({
        id: d.id,
        seal_id: sealId,
        proxy_staff_id: d.proxyStaffId,
        proxy_name: d.proxyName,
        approver_name: d.approverName,
        approver_staff_id: d.approverStaffId,
        approver_role: d.approverRole,
        reason: d.reason,
        starts_at: d.startsAt,
        ends_at: d.endsAt,
        at,
        revoked_at: d.revokedAt,
      });
      delegations++;
    }
    // U2: the office's deny list governs this workstation's stamping from this snapshot on.
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      DENY_WORDS_SETTING,
      JSON.stringify(snapshot.denyList),
    );
    // Issue #12: the group's trusted-time policy and this snapshot's window (issued, next
    // update) govern stamping here from now on (core/stamp/time-guard.ts).
    const setting = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    if (snapshot.version >= 2) {
      if (snapshot.timestamping) setting.run(TIMESTAMP_POLICY_SETTING, JSON.stringify(snapshot.timestamping));
      else db.prepare('DELETE FROM settings WHERE key = ?').run(TIMESTAMP_POLICY_SETTING);
    }
    // U2 (issue #13): whether a page OCR cannot read needs the custodian's confirmation or
    // refuses; a snapshot before version 3 has no such setting: refused.
    setting.run(SCANNED_DOCUMENTS_SETTING, snapshot.scannedDocumentsAllowed === true ? 'true' : 'false');
    setting.run(
      SNAPSHOT_WINDOW_SETTING,
      encodeSnapshotWindow({ sequence: snapshot.sequence, issuedAt: new Date(snapshot.issuedAt), nextUpdate: snapshot.nextUpdate ? new Date(snapshot.nextUpdate) : null }),
    );
    return { seals: seals.length, certificates, delegations, stateChanges, denyList: snapshot.denyList.length, scannedDocumentsAllowed: snapshot.scannedDocumentsAllowed === true };
  }

  private render(s: SnapshotSeal, impressions: MirrorImpressions | undefined): SealAppearance | undefined {
    return impressions?.render({ kind: s.unitKind, unitName: s.unit, sealName: s.sealName, sealCode: s.sealCode });
  }
}

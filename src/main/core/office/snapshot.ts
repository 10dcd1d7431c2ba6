/**
 * The signed register snapshot (M1 filing): what the President's Office publishes to every
 * workstation, and what the verifier and the stamping gate read back.
 *
 * Container: CMS SignedData (RFC 5652) with the content encapsulated, eContentType
 * OID.registerSnapshotContentType (ARC.6), signed by the group seal CA's key on the office
 * USB key, the CA certificate in `certificates`.
 *
 * Content: UTF-8 canonical JSON (object keys sorted at every depth, no insignificant white
 * space; the same canonical form as the audit log) of this schema, version 1:
 *
 *   {
 *     "schema": "yinjian.register-snapshot",
 *     "version": 1,
 *     "sequence": 7,                       // strictly increasing per CA; workstations refuse rollback
 *     "issuedAt": "2025-07-01T08:00:00.000Z",
 *     "group": "华夏建设集团",               // O= of the CA
 *     "caFingerprint": "<sha256 hex of the CA certificate>",
 *     "denyList": ["合同", ...],            // U2 document-type deny list
 *     "seals": [{
 *       "sealId", "sealCode", "sealName", "unit", "unitKind": "company"|"department",
 *       "state": "ACTIVE"|"LOST"|"LOSS_CONFIRMED"|"LOSS_WITHDRAWN"|"CANCELLED",
 *       "custodianStaffId", "custodianName",
 *       "boundWorkstationHash": "<sha256 hex of the bound workstation id>" | null,   // M4, S1
 *       "lostAt": ISO | null,               // S5: reported loss time
 *       // the current certificate, flattened for the common question "is this seal good":
 *       "certificateDer": "<base64>", "serialHex", "validFrom", "validTo",
 *       "revokedAt": ISO | null, "revocationReason": "superseded"|"keyCompromise"|"cessationOfOperation" | null,
 *       // every certificate the seal ever had (current included), for signatures made earlier:
 *       "certificates": [{ "certificateDer", "serialHex", "validFrom", "validTo", "revokedAt", "revocationReason" }]
 *     }],
 *     "delegations": [{                    // M3
 *       "id", "sealCode", "proxyStaffId", "proxyName", "approverName", "approverStaffId",
 *       "approverRole": "general_manager"|"department_head", "reason",
 *       "startsAt", "endsAt", "revokedAt": ISO | null     // window is [startsAt, endsAt)
 *     }]
 *   }
 *
 * Version 2 (issue #12) adds, at the top level:
 *     "nextUpdate": ISO,                   // the same as the CRL's nextUpdate: after it the
 *                                          // snapshot is stale (REGISTER_STALE on workstations)
 *     "timestamping": { "required", "url", "tsaCertificates": [base64], "toleranceSeconds" } | null
 *                                          // the group's trusted-time policy (office/timestamp-policy.ts)
 *
 * Version 3 (issue #13) adds, at the top level:
 *     "scannedDocumentsAllowed": boolean   // U2: a page OCR cannot read with enough confidence
 *                                          // needs the custodian's confirmation instead of
 *                                          // refusing (office/scanned-documents.ts)
 *
 * A new field is a new version; readers refuse versions they do not know rather than guess.
 * Versions 1 and 2 are still read (nextUpdate and timestamping absent in 1; scanned documents
 * not allowed in both).
 */
import { createHash } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import { parseCertificate, verifyCmsSignature, OID, type CertificateInfo } from '../pki/index';
import { canonicalJson, type JsonValue } from '../register/audit-chain';
import type { ApproverRole, RevocationReason, SealState, UnitKind } from '../register/types';
import { checkTimestampPolicy, type TimestampPolicy } from './timestamp-policy';

export const SNAPSHOT_SCHEMA = 'yinjian.register-snapshot';
/** The version the office writes. */
export const SNAPSHOT_VERSION = 3;
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

export interface SnapshotCertificate {
  /** DER, base64. */
  readonly certificateDer: string;
  readonly serialHex: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly revokedAt: string | null;
  readonly revocationReason: RevocationReason | null;
}

export interface SnapshotSeal extends SnapshotCertificate {
  readonly sealId: string;
  readonly sealCode: string;
  readonly sealName: string;
  readonly unit: string;
  readonly unitKind: UnitKind;
  readonly state: SealState;
  readonly custodianStaffId: string;
  readonly custodianName: string;
  /** SHA-256 hex of the bound workstation id (M4, S1), as in the certificate's seal-info extension. */
  readonly boundWorkstationHash: string | null;
  readonly lostAt: string | null;
  readonly certificates: readonly SnapshotCertificate[];
}

export interface SnapshotDelegation {
  readonly id: string;
  readonly sealCode: string;
  readonly proxyStaffId: string;
  readonly proxyName: string;
  readonly approverName: string;
  readonly approverStaffId: string;
  readonly approverRole: ApproverRole;
  readonly reason: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly revokedAt: string | null;
}

export interface RegisterSnapshot {
  readonly schema: typeof SNAPSHOT_SCHEMA;
  readonly version: 1 | 2 | 3;
  readonly sequence: number;
  readonly issuedAt: string;
  /** Version 2: after this time the snapshot is stale (REGISTER_STALE). */
  readonly nextUpdate?: string;
  /** Version 2: the group's trusted-time policy; null when the office set none. */
  readonly timestamping?: TimestampPolicy | null;
  /** Version 3: U2, scanned documents allowed on the custodian's confirmation. */
  readonly scannedDocumentsAllowed?: boolean;
  readonly group: string;
  readonly caFingerprint: string;
  readonly denyList: readonly string[];
  readonly seals: readonly SnapshotSeal[];
  readonly delegations: readonly SnapshotDelegation[];
}

/** SHA-256 hex of a workstation id, as bound into seal certificates (pki/certificate.ts). */
export function workstationHash(workstationId: string): string {
  return createHash('sha256').update(workstationId, 'utf8').digest('hex');
}

/** The snapshot as the bytes that are signed. */
export function encodeRegisterSnapshot(snapshot: RegisterSnapshot): Uint8Array {
  return new TextEncoder().encode(canonicalJson(snapshot as unknown as JsonValue, 'snapshot'));
}

// ------------------------------------------------------------------ reading

function invalid(detail: string): YinjianError {
  return new YinjianError('SNAPSHOT_SCHEMA_INVALID', { schema: `${SNAPSHOT_SCHEMA} v${SNAPSHOT_VERSION}`, detail });
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${path} is not an object`);
  return value as Obj;
}

function text(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw invalid(`${path}.${key} is not a string`);
  return v;
}

function time(o: Obj, key: string, path: string): string {
  const v = text(o, key, path);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(v) || !Number.isFinite(Date.parse(v))) throw invalid(`${path}.${key} is not an ISO-8601 UTC time`);
  return v;
}

function timeOrNull(o: Obj, key: string, path: string): string | null {
  return o[key] === null ? null : time(o, key, path);
}

function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T {
  const v = text(o, key, path);
  if (!(allowed as readonly string[]).includes(v)) throw invalid(`${path}.${key} is not one of ${allowed.join(', ')}`);
  return v as T;
}

function hex(o: Obj, key: string, path: string, length?: number): string {
  const v = text(o, key, path);
  if (!/^[0-9a-f]+$/.test(v) || (length !== undefined && v.length !== length)) throw invalid(`${path}.${key} is not lower-case hex`);
  return v;
}

function array(o: Obj, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw invalid(`${path}.${key} is not an array`);
  return v;
}

const REASONS: readonly RevocationReason[] = ['superseded', 'keyCompromise', 'cessationOfOperation'];
const STATES: readonly SealState[] = ['ACTIVE', 'LOST', 'LOSS_CONFIRMED', 'LOSS_WITHDRAWN', 'CANCELLED'];

function certificateOf(o: Obj, path: string): SnapshotCertificate {
  const certificateDer = text(o, 'certificateDer', path);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(certificateDer)) throw invalid(`${path}.certificateDer is not base64`);
  return {
    certificateDer,
    serialHex: hex(o, 'serialHex', path),
    validFrom: time(o, 'validFrom', path),
    validTo: time(o, 'validTo', path),
    revokedAt: timeOrNull(o, 'revokedAt', path),
    revocationReason: o.revocationReason === null ? null : oneOf(o, 'revocationReason', path, REASONS),
  };
}

/**
 * Reads a snapshot's JSON content into typed records, checking every field. It does not check
 * the signature: use openSignedSnapshot for bytes that came from outside.
 */
export function parseRegisterSnapshot(json: string | Uint8Array): RegisterSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(typeof json === 'string' ? json : new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (cause) {
    throw new YinjianError('SNAPSHOT_SCHEMA_INVALID', { schema: SNAPSHOT_SCHEMA, detail: 'not UTF-8 JSON' }, { cause });
  }
  const root = object(value, 'snapshot');
  if (root.schema !== SNAPSHOT_SCHEMA) throw invalid('unknown schema');
  if (typeof root.version !== 'number' || !READABLE_VERSIONS.includes(root.version)) throw invalid(`unsupported version ${String(root.version)}`);
  const version = root.version as 1 | 2 | 3;
  const sequence = root.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) throw invalid('snapshot.sequence is not a positive integer');
  const denyList = array(root, 'denyList', 'snapshot').map((w, i) => {
    if (typeof w !== 'string' || w.trim() === '') throw invalid(`snapshot.denyList[${i}] is not a word`);
    return w;
  });
  const seals = array(root, 'seals', 'snapshot').map((raw, i): SnapshotSeal => {
    const path = `snapshot.seals[${i}]`;
    const o = object(raw, path);
    const boundWorkstationHash = o.boundWorkstationHash === null ? null : hex(o, 'boundWorkstationHash', path, 64);
    return {
      ...certificateOf(o, path),
      sealId: text(o, 'sealId', path),
      sealCode: text(o, 'sealCode', path),
      sealName: text(o, 'sealName', path),
      unit: text(o, 'unit', path),
      unitKind: oneOf(o, 'unitKind', path, ['company', 'department'] as const),
      state: oneOf(o, 'state', path, STATES),
      custodianStaffId: text(o, 'custodianStaffId', path),
      custodianName: text(o, 'custodianName', path),
      boundWorkstationHash,
      lostAt: timeOrNull(o, 'lostAt', path),
      certificates: array(o, 'certificates', path).map((c, k) => certificateOf(object(c, `${path}.certificates[${k}]`), `${path}.certificates[${k}]`)),
    };
  });
  const delegations = array(root, 'delegations', 'snapshot').map((raw, i): SnapshotDelegation => {
    const path = `snapshot.delegations[${i}]`;
    const o = object(raw, path);
    return {
      id: text(o, 'id', path),
      sealCode: text(o, 'sealCode', path),
      proxyStaffId: text(o, 'proxyStaffId', path),
      proxyName: text(o, 'proxyName', path),
      approverName: text(o, 'approverName', path),
      approverStaffId: text(o, 'approverStaffId', path),
      approverRole: oneOf(o, 'approverRole', path, ['general_manager', 'department_head'] as const),
      reason: text(o, 'reason', path),
      startsAt: time(o, 'startsAt', path),
      endsAt: time(o, 'endsAt', path),
      revokedAt: timeOrNull(o, 'revokedAt', path),
    };
  });
  let v2: { nextUpdate: string; timestamping: TimestampPolicy | null } | undefined;
  if (version >= 2) {
    let timestamping: TimestampPolicy | null = null;
    if (root.timestamping !== null) {
      try {
        timestamping = checkTimestampPolicy(root.timestamping);
      } catch (error) {
        throw invalid(`snapshot.timestamping: ${error instanceof YinjianError ? error.en : String(error)}`);
      }
    }
    v2 = { nextUpdate: time(root, 'nextUpdate', 'snapshot'), timestamping };
  }
  let v3: { scannedDocumentsAllowed: boolean } | undefined;
  if (version >= 3) {
    if (typeof root.scannedDocumentsAllowed !== 'boolean') throw invalid('snapshot.scannedDocumentsAllowed is not a boolean');
    v3 = { scannedDocumentsAllowed: root.scannedDocumentsAllowed };
  }
  return {
    schema: SNAPSHOT_SCHEMA,
    version,
    ...(v2 ?? {}),
    ...(v3 ?? {}),
    sequence,
    issuedAt: time(root, 'issuedAt', 'snapshot'),
    group: text(root, 'group', 'snapshot'),
    caFingerprint: hex(root, 'caFingerprint', 'snapshot', 64),
    denyList,
    seals,
    delegations,
  };
}

export interface OpenedSnapshot {
  readonly snapshot: RegisterSnapshot;
  /** The CA certificate that signed it (the pinned group root). */
  readonly signer: CertificateInfo;
}

/**
 * Verifies a signed snapshot against the pinned group root and reads it. Refuses, with a
 * typed error and no side effect: unreadable bytes (SNAPSHOT_MALFORMED), a broken signature
 * or digest, i.e. a tampered file (SNAPSHOT_SIGNATURE_INVALID), a signer other than the
 * pinned root, i.e. a foreign CA (SNAPSHOT_SIGNER_UNTRUSTED), and content that is not our
 * schema (SNAPSHOT_SCHEMA_INVALID).
 */
export async function openSignedSnapshot(raw: Uint8Array, pinnedRootDer: Uint8Array, source = 'snapshot'): Promise<OpenedSnapshot> {
  const root = parseCertificate(pinnedRootDer);
  let cms;
  try {
    cms = await verifyCmsSignature(raw);
  } catch (cause) {
    throw new YinjianError('SNAPSHOT_MALFORMED', { path: source, detail: cause instanceof Error ? cause.message : String(cause) }, { cause });
  }
  if (cms.contentType !== OID.registerSnapshotContentType || cms.encapsulatedContent === undefined) {
    throw new YinjianError('SNAPSHOT_MALFORMED', { path: source, detail: `content type ${cms.contentType} is not a register snapshot` });
  }
  const signer = cms.signers.length === 1 ? cms.signers[0] : undefined;
  if (signer === undefined || !cms.valid || !signer.valid || signer.certificate === undefined) throw new YinjianError('SNAPSHOT_SIGNATURE_INVALID');
  // The signature is intact; now whose is it. Only the pinned root itself signs snapshots
  // (the CA signs only seal certificates, CRLs and snapshots), so its certificate must be
  // the pinned one byte for byte: a foreign CA with the same name is refused here.
  if (signer.certificate.sha256Fingerprint !== root.sha256Fingerprint) {
    throw new YinjianError('SNAPSHOT_SIGNER_UNTRUSTED', { signer: signer.certificate.subject.text ?? signer.certificate.sha256Fingerprint });
  }
  const snapshot = parseRegisterSnapshot(cms.encapsulatedContent);
  if (snapshot.caFingerprint !== root.sha256Fingerprint) throw invalid('caFingerprint is not the signer');
  return { snapshot, signer: signer.certificate };
}

/** Lower-case hex SHA-256 of a certificate, as `caFingerprint` and the pinned-root messages show it. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * The tamper-evident audit log (M5): every row carries the hash of the row before it, so an
 * edited, deleted or reordered row breaks the chain. Pure: encoding, hashing and checking;
 * the register stores the rows.
 */
import { createHash } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';

/** Stable action codes. Tests, exports and the office's inspection (S6) rely on them. */
export const AUDIT_ACTIONS = [
  'LOGIN',
  'LOGOUT',
  'PIN_FAILED',
  'LOGIN_REFUSED',
  'PIN_RESET',
  'PIN_CHANGED',
  'STAMP',
  'STAMP_FAILED',
  'STAMP_REFUSED',
  // The seal was applied and the usage row is pending until its file is in place (crash window, SECURITY.md).
  'STAMP_PENDING',
  'USE_REQUEST_RECORDED',
  'SEAL_ISSUED',
  'SEAL_CHANGED',
  'SEAL_REISSUED',
  'SEAL_LOSS_REPORTED',
  'SEAL_LOSS_CONFIRMED',
  'SEAL_LOSS_WITHDRAWN',
  'SEAL_CANCELLED',
  'SEAL_REVOKED',
  'CUSTODIAN_ASSIGNED',
  'WORKSTATION_BOUND',
  'KEY_ISSUED',
  'WORKSTATION_MISMATCH',
  'DELEGATION_CREATED',
  'DELEGATION_REVOKED',
  'REGISTER_IMPORTED',
  'UNIT_REGISTERED',
  'CUSTODIAN_REGISTERED',
  'WORKSTATION_REGISTERED',
  'SETTING_CHANGED',
  'CA_SET_UP',
  'REGISTER_PUBLISHED',
  'GROUP_ROOT_PINNED',
  'SEAL_KEY_DESTROYED',
  // S6: a workstation exported its register and audit log; the office inspected an export.
  'REGISTER_EXPORTED',
  'INSPECTION_IMPORTED',
  // Issue #12: the office re-pinned a workstation's imported head (reference, approver, reason).
  'INSPECTION_HEAD_REPINNED',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };
export type AuditDetails = { readonly [key: string]: JsonValue | undefined };

export interface AuditRecord {
  readonly seq: number;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actorName: string;
  readonly actorStaffId: string;
  readonly action: AuditAction;
  readonly subject: string;
  /** Canonical JSON of the details, as hashed. */
  readonly details: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** The prev_hash of the first row. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * Architecture.md: a PIN never reaches the audit trail. Secrets arrive by accident under
 * their own name, so any key whose words include one of these is refused outright, even
 * harmless ones like `pinTriesLeft` (callers say `triesLeft`).
 */
const SECRET_WORDS = new Set(['pin', 'pins', 'pincode', 'puk', 'sopin', 'password', 'passwords', 'passwd', 'pwd', 'passphrase', 'passcode', 'secret']);
const SECRET_CJK = /密码|口令|密碼/;

function isSecretKey(key: string): boolean {
  if (SECRET_CJK.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_WORDS.has(words.join(''));
}

/**
 * JSON with object keys sorted at every depth, so the same details always hash the same.
 * Keys with `undefined` values are dropped; anything JSON cannot say exactly is refused.
 */
export function canonicalJson(value: JsonValue | undefined, path = 'details'): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new YinjianError('AUDIT_DETAILS_INVALID', { detail: `${path} is not a finite number` });
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${(value as readonly JsonValue[]).map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new YinjianError('AUDIT_DETAILS_INVALID', { detail: `${path} is not a plain object` });
      }
      const obj = value as { readonly [key: string]: JsonValue | undefined };
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (isSecretKey(key)) throw new YinjianError('AUDIT_DETAILS_SECRET', { key: `${path}.${key}` });
        const v = obj[key];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(v, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new YinjianError('AUDIT_DETAILS_INVALID', { detail: `${path} has type ${typeof value}` });
  }
}

/**
 * SHA-256 over the canonical encoding of one row: a JSON array of its fields in a fixed
 * order. JSON string escaping makes the field boundaries unambiguous, so no two different
 * rows share an encoding.
 */
export function auditRowHash(row: Omit<AuditRecord, 'hash'>): string {
  const encoding = JSON.stringify([
    row.seq,
    row.at,
    row.actorName,
    row.actorStaffId,
    row.action,
    row.subject,
    row.details,
    row.prevHash,
  ]);
  return createHash('sha256').update(encoding, 'utf8').digest('hex');
}

export type AuditBreak = 'edited' | 'deleted' | 'reordered';

export type AuditChainReport =
  | { readonly ok: true; readonly rows: number; readonly head: { readonly seq: number; readonly hash: string } | null }
  | { readonly ok: false; readonly seq: number; readonly reason: AuditBreak; readonly detail: string };

/**
 * Checks the chain over rows in ascending seq order. Returns the first broken seq and why:
 * - deleted: a seq is missing, or a row links to a hash no row has any more;
 * - reordered: a row links to a row that exists but is not the one before it;
 * - edited: a row's content no longer gives its hash, or its successor's link.
 * Rows cut from the end leave a valid chain; pass the last head recorded elsewhere
 * (an export, an office inspection, S6) as `expectedHead` to catch that too.
 */
export function verifyAuditChain(
  rows: readonly AuditRecord[],
  expectedHead?: { readonly seq: number; readonly hash: string },
): AuditChainReport {
  const knownHashes = new Set(rows.map((r) => r.hash));
  let prevHash = AUDIT_GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      if (row.seq > expectedSeq) {
        return { ok: false, seq: expectedSeq, reason: 'deleted', detail: `seq ${expectedSeq} to ${row.seq - 1} missing` };
      }
      return { ok: false, seq: row.seq, reason: 'reordered', detail: `seq ${row.seq} appears after ${expectedSeq - 1}` };
    }
    const selfConsistent = auditRowHash(row) === row.hash;
    if (row.prevHash !== prevHash) {
      if (selfConsistent && expectedSeq > 1) {
        // The row is intact but the row before it was rewritten with a fresh hash.
        return { ok: false, seq: expectedSeq - 1, reason: 'edited', detail: `seq ${row.seq} no longer links to seq ${expectedSeq - 1}` };
      }
      if (knownHashes.has(row.prevHash)) {
        return { ok: false, seq: row.seq, reason: 'reordered', detail: `seq ${row.seq} links to a row that is not its predecessor` };
      }
      return { ok: false, seq: row.seq, reason: 'deleted', detail: `seq ${row.seq} links to a row that is gone` };
    }
    if (!selfConsistent) {
      return { ok: false, seq: row.seq, reason: 'edited', detail: `seq ${row.seq} does not match its hash` };
    }
    prevHash = row.hash;
    expectedSeq += 1;
  }
  const last = rows.at(-1);
  if (expectedHead !== undefined) {
    if (last === undefined || last.seq < expectedHead.seq) {
      return { ok: false, seq: (last?.seq ?? 0) + 1, reason: 'deleted', detail: `the log ends before seq ${expectedHead.seq}` };
    }
    const anchored = rows[expectedHead.seq - 1];
    if (anchored === undefined || anchored.hash !== expectedHead.hash) {
      return { ok: false, seq: expectedHead.seq, reason: 'edited', detail: `seq ${expectedHead.seq} differs from the recorded head` };
    }
  }
  return { ok: true, rows: rows.length, head: last === undefined ? null : { seq: last.seq, hash: last.hash } };
}

/**
 * The usage record anchored outside the database (issue #12; M5, S6). Every stamping moves two
 * things the local register alone cannot rewrite:
 *   - the seal's stamping counter and its audit-chain row (the stamping's STAMP_PENDING row:
 *     seq and SHA-256) go into the seal's signed attributes (OID ARC.8, pki/cms-build.ts), so
 *     every document in circulation names its place in the usage register;
 *   - the same counter and row go onto the USB key, as a private data object that only a
 *     logged-in session on the seal's key can write (label USAGE_ANCHOR_LABEL).
 * The office's inspection holds the workstation's export against both: the export's chain must
 * contain the key's row with the key's hash and end its stampings there, the counters must have
 * no gaps, and every received document's row must be in it (core/inspection/anchor-checks.ts).
 *
 * What it does not cover (SECURITY.md): a custodian who knows the PIN can rewrite the key's
 * object with another PKCS#11 tool; documents already sent cannot be rewritten.
 */
import { canonicalJson, type JsonValue } from './audit-chain';

/** CKA_LABEL of the private data object on the USB key. */
export const USAGE_ANCHOR_LABEL = 'yinjian-usage-record';

export interface UsageAnchor {
  readonly version: 1;
  /** The seal (register id) whose stampings the counter counts. */
  readonly sealId: string;
  /** The workstation whose register holds the row. */
  readonly workstationId: string;
  /** Stampings anchored so far by this seal (1 = the first). */
  readonly counter: number;
  /** The stamping's STAMP_PENDING audit row on that workstation. */
  readonly auditSeq: number;
  readonly auditHash: string;
  /** The stamping's time (ISO-8601 UTC): the clock guard never accepts a clock before it. */
  readonly at: string;
}

const HASH = /^[0-9a-f]{64}$/;

export function encodeUsageAnchor(anchor: UsageAnchor): Uint8Array {
  return Buffer.from(canonicalJson(anchor as unknown as JsonValue, 'usage anchor'), 'utf8');
}

/** The anchor in `bytes`, or undefined when they are not one (never throws on hostile bytes). */
export function decodeUsageAnchor(bytes: Uint8Array): UsageAnchor | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (o.version !== 1 || typeof o.sealId !== 'string' || typeof o.workstationId !== 'string' || !positive(o.counter) || !positive(o.auditSeq)) return undefined;
  if (typeof o.auditHash !== 'string' || !HASH.test(o.auditHash) || typeof o.at !== 'string' || Number.isNaN(Date.parse(o.at))) return undefined;
  return { version: 1, sealId: o.sealId, workstationId: o.workstationId, counter: o.counter, auditSeq: o.auditSeq, auditHash: o.auditHash, at: o.at };
}

/**
 * The key's current anchor among the objects read (a kill inside the replacement leaves the old
 * and the new one: the counter only grows, so the highest wins).
 */
export function currentUsageAnchor(records: readonly Uint8Array[]): UsageAnchor | undefined {
  let best: UsageAnchor | undefined;
  for (const record of records) {
    const anchor = decodeUsageAnchor(record);
    if (anchor !== undefined && (best === undefined || anchor.counter > best.counter)) best = anchor;
  }
  return best;
}

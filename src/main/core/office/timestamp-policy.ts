/**
 * The group's trusted-time policy (S5, E1, M3 on a time the custodian cannot set): which
 * RFC 3161 time-stamp authority the group uses, which certificate(s) its tokens must chain to,
 * whether every seal must carry a signature timestamp (PAdES B-T), and how far the local clock
 * may stray from the TSA's time. The office keeps it in its register settings, publishes it in
 * the signed snapshot (version 2, `timestamping`), and workstations mirror it on import.
 *
 * Also the imported snapshot's publication window, which the stamping clock guard reads.
 */
import { YinjianError } from '../../../shared/errors/index';

export interface TimestampPolicy {
  /** true: a seal without a trusted timestamp is refused (TSA_UNREACHABLE etc.). */
  readonly required: boolean;
  /** The TSA's URL (http or https); null when none is configured. */
  readonly url: string | null;
  /** DER, base64: the TSA's certificate or a root it chains to; empty = any chain is refused. */
  readonly tsaCertificates: readonly string[];
  /** Largest accepted difference between the local clock and the token's time, seconds. */
  readonly toleranceSeconds: number;
}

/** Register setting (text JSON) holding the policy: the office's own, or mirrored from the snapshot. */
export const TIMESTAMP_POLICY_SETTING = 'timestampPolicy';
/** Register setting (text JSON) holding the imported snapshot's {sequence, issuedAt, nextUpdate}. */
export const SNAPSHOT_WINDOW_SETTING = 'snapshotWindow';

export const DEFAULT_TOLERANCE_SECONDS = 300;

function invalid(detail: string): YinjianError {
  return new YinjianError('TSA_SETTINGS_INVALID', { detail });
}

/** Checks a policy read from outside (a setting, a snapshot); throws TSA_SETTINGS_INVALID. */
export function checkTimestampPolicy(value: unknown): TimestampPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not an object');
  const o = value as Record<string, unknown>;
  if (typeof o.required !== 'boolean') throw invalid('required is not a boolean');
  if (o.url !== null && typeof o.url !== 'string') throw invalid('url is not a string');
  if (typeof o.url === 'string') {
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      throw invalid(`url ${o.url} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be http or https');
  }
  if (!Array.isArray(o.tsaCertificates) || !o.tsaCertificates.every((c) => typeof c === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(c))) {
    throw invalid('tsaCertificates is not a list of base64 certificates');
  }
  const tolerance = o.toleranceSeconds;
  if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > 86_400) throw invalid('toleranceSeconds must be 1 to 86400');
  if (o.required && (o.url === null || o.tsaCertificates.length === 0)) throw invalid('a required timestamp needs the TSA URL and its certificate');
  return { required: o.required, url: o.url as string | null, tsaCertificates: o.tsaCertificates as string[], toleranceSeconds: tolerance };
}

export function parseTimestampPolicy(text: string): TimestampPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  return checkTimestampPolicy(parsed);
}

/** The policy in force on this computer, if any. */
export function timestampPolicyOf(settings: { get(key: string): string | undefined }): TimestampPolicy | undefined {
  const text = settings.get(TIMESTAMP_POLICY_SETTING);
  return text === undefined ? undefined : parseTimestampPolicy(text);
}

export interface SnapshotWindow {
  readonly sequence: number;
  readonly issuedAt: Date;
  /** null: a version-1 snapshot, which has no next update. */
  readonly nextUpdate: Date | null;
}

export function encodeSnapshotWindow(window: SnapshotWindow): string {
  return JSON.stringify({ sequence: window.sequence, issuedAt: window.issuedAt.toISOString(), nextUpdate: window.nextUpdate?.toISOString() ?? null });
}

export function snapshotWindowOf(settings: { get(key: string): string | undefined }): SnapshotWindow | undefined {
  const text = settings.get(SNAPSHOT_WINDOW_SETTING);
  if (text === undefined) return undefined;
  try {
    const o = JSON.parse(text) as { sequence: number; issuedAt: string; nextUpdate: string | null };
    const issuedAt = new Date(o.issuedAt);
    const nextUpdate = o.nextUpdate === null ? null : new Date(o.nextUpdate);
    if (!Number.isSafeInteger(o.sequence) || Number.isNaN(issuedAt.getTime()) || (nextUpdate !== null && Number.isNaN(nextUpdate.getTime()))) throw new Error('bad');
    return { sequence: o.sequence, issuedAt, nextUpdate };
  } catch {
    // A window we cannot read is no window: treat the register as stale rather than fresh.
    return { sequence: 0, issuedAt: new Date(0), nextUpdate: new Date(0) };
  }
}

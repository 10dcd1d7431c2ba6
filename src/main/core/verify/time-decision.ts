/**
 * S5 on a time the signer cannot set (issue #12). A signature carries the time its signer
 * claims (/M, signing-time); a custodian who set the workstation clock back makes a seal
 * reported lost appear to have signed before the loss. As PAdES/ETSI EN 319 102-1 treats a
 * revoked certificate without proof of existence before the revocation, a signature from a
 * seal that was lost (keyCompromise) or cancelled (cessationOfOperation) is REVOKED unless a
 * trusted time (a valid signature timestamp from a trusted TSA) proves it was made before.
 * A superseded certificate (S4 re-issue, S3 change) was never compromised: its claimed time
 * is still believed.
 */
import type { FileReport, SignatureReport } from './types';

/**
 * Issue #12: a file whose signatures rest on a trusted root with revocation not checked (no
 * current CRL or register snapshot at hand). Its verdict stays VALID (the signature is intact
 * and trusted) but carries the blocking warning REVOCATION_NOT_CHECKED, and the command line
 * exits 1: it is not a plain VALID until the receiver imports the office's publication.
 */
export function revocationUnchecked(report: Pick<FileReport, 'signatures'>): boolean {
  return report.signatures.some((s) => s.findings.some((f) => f.code === 'REVOCATION_NOT_CHECKED'));
}

export type TimeSource = SignatureReport['trustedTimeSource'];

export type RevocationDecision =
  /** Revoked at or before the time the decision rests on. */
  | 'revoked'
  /** Revoked later than the claimed time, but nothing proves the claim: treated as revoked. */
  | 'revoked-unproven'
  /** Revoked after a trusted (or superseded, or user-chosen) time: the signature stands. */
  | 'later';

/** The resolution of a trusted time: one second. */
export const TIME_RESOLUTION_MS = 1000;

const COMPROMISED = new Set(['lost', 'cancelled', 'keyCompromise', 'cessationOfOperation', 'unspecified']);

/**
 * `state`: the register's state (lost, cancelled, superseded…) or the CRL's reason
 * (keyCompromise, cessationOfOperation, superseded…).
 */
export function revocationDecision(revokedAt: Date | undefined, state: string, judgedAt: Date, source: TimeSource): RevocationDecision {
  if (revokedAt === undefined || revokedAt.getTime() <= judgedAt.getTime()) return 'revoked';
  if (COMPROMISED.has(state) && (source === 'claimed' || source === 'none')) return 'revoked-unproven';
  // S5: a time-stamp token gives its time to the second (openssl ts and most TSAs truncate):
  // a seal stamped after a loss within the same second carries a time before it. Less than
  // that resolution before the loss proves nothing.
  if (COMPROMISED.has(state) && revokedAt.getTime() - judgedAt.getTime() < TIME_RESOLUTION_MS) return 'revoked';
  return 'later';
}

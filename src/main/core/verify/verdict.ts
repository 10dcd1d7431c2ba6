/**
 * Verdict precedence, worst first. A signature's verdict is the worst that applies to it; a
 * file's verdict is the worst of its signatures' (UNSIGNED when it has none).
 *
 *   INVALID          coverage or integrity failed (steps 1–2): the signature proves nothing.
 *   MODIFIED         intact, but later changes exceed what the signature allows (step 6).
 *   REVOKED          the seal was revoked before the trusted signing time (step 4, S3/S5).
 *   POLICY_VIOLATION one of our seals used against the regulation (U2, U3, M4) (step 7).
 *   UNSUPPORTED      a format we cannot check (adbe.x509.rsa_sha1, encryption): never valid.
 *   UNTRUSTED        intact, but the signer does not chain to a trust anchor (step 3).
 *   VALID_WITH_CHANGES intact and trusted; later changes are all allowed, and listed.
 *   VALID            intact, trusted, nothing changed since.
 *   UNSIGNED         (file only) no signature, or only empty signature fields.
 */
import type { Verdict } from './types';

export const VERDICT_PRECEDENCE: readonly Verdict[] = [
  'INVALID',
  'MODIFIED',
  'REVOKED',
  'POLICY_VIOLATION',
  'UNSUPPORTED',
  'UNTRUSTED',
  'UNSIGNED',
  'VALID_WITH_CHANGES',
  'VALID',
];

export function worstVerdict(verdicts: readonly Verdict[]): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const verdict of verdicts) {
    if (worst === undefined || VERDICT_PRECEDENCE.indexOf(verdict) < VERDICT_PRECEDENCE.indexOf(worst)) worst = verdict;
  }
  return worst;
}

/** Exit-code meaning of a verdict: only these two count as "valid". */
export function isAcceptable(verdict: Verdict): boolean {
  return verdict === 'VALID' || verdict === 'VALID_WITH_CHANGES';
}

/**
 * The group's trusted-time policy at stamping (issue #12; S5, E1, M3). With the policy on,
 * every seal gets a signature timestamp (PAdES B-T) from the group's TSA, and the token is
 * checked before a byte is written:
 *   - it verifies and its imprint is SHA-256 of our signature value (the TSA client checks
 *     status, signature, imprint and nonce);
 *   - its TSA certificate is one the office named, or chains to one (TSA_ANSWER_UNTRUSTED);
 *   - its time is within the office's tolerance of the local clock (CLOCK_SKEW): a clock set
 *     back or forward is caught here even when the clock guard's records cannot catch it.
 * Then the gate's time checks (seal state and revocation S3/S5, validity and rollout E1,
 * delegation window M3) are run again at the TSA's time: the time a verifier will rest on.
 */
import { YinjianError } from '../../../shared/errors/index';
import { validateCertificatePath, verifyTimestampToken } from '../pki/index';

export interface TrustedTimePolicy {
  /** The TSA's certificate or a root it chains to (DER). */
  readonly tsaCertificates: readonly Uint8Array[];
  readonly toleranceSeconds: number;
  /** For messages. */
  readonly url: string;
}

/** The token's time, once it is checked against `policy`; throws the refusal otherwise. */
export async function checkedTimestampTime(token: Uint8Array, signatureValue: Uint8Array, policy: TrustedTimePolicy, localTime: Date): Promise<Date> {
  let verified;
  try {
    verified = await verifyTimestampToken(token, signatureValue);
  } catch (error) {
    throw new YinjianError('TSA_RESPONSE_INVALID', { url: policy.url, detail: error instanceof YinjianError ? error.en : String(error) }, { cause: error });
  }
  if (!verified.valid || verified.genTime === undefined) {
    throw new YinjianError('TSA_RESPONSE_INVALID', { url: policy.url, detail: verified.findings.map((f) => f.code).join(', ') || 'no time' });
  }
  const tsa = verified.tsaCertificate;
  if (tsa === undefined) throw new YinjianError('TSA_ANSWER_UNTRUSTED', { url: policy.url, detail: 'no TSA certificate in the token' });
  const path = validateCertificatePath({
    leaf: tsa,
    intermediates: verified.token?.certificates ?? [],
    trustAnchors: [...policy.tsaCertificates],
    at: verified.genTime,
  });
  const direct = policy.tsaCertificates.some((c) => Buffer.compare(Buffer.from(c), Buffer.from(tsa.der)) === 0);
  if (!direct && !path.trusted) {
    throw new YinjianError('TSA_ANSWER_UNTRUSTED', { url: policy.url, detail: path.findings.map((f) => f.code).join(', ') || 'not the group TSA' });
  }
  const skewMs = Math.abs(verified.genTime.getTime() - localTime.getTime());
  if (skewMs > policy.toleranceSeconds * 1000) {
    throw new YinjianError('CLOCK_SKEW', {
      local: localTime.toISOString(),
      trusted: verified.genTime.toISOString(),
      seconds: Math.round(skewMs / 1000),
      tolerance: policy.toleranceSeconds,
    });
  }
  return verified.genTime;
}

/**
 * What a stamping on this computer does about time (issue #12), the same for `yinjian stamp`
 * and the window: the group's trusted-time policy (the office's own setting on its computer,
 * mirrored from the signed snapshot on a workstation) or, without a policy, the optional
 * timestamp server of the register setting `timestampUrl` / `--tsa`.
 */
import { timestampPolicyOf } from '../../core/office/timestamp-policy';
import type { SignatureTimestamper } from '../../core/stamp/signature-timestamp';
import type { TrustedTimePolicy } from '../../core/stamp/trusted-time';
import { TIMESTAMP_URL_SETTING, TsaClient } from './tsa-client';

export interface StampingTime {
  readonly timestamper?: SignatureTimestamper;
  readonly trustedTime?: TrustedTimePolicy;
  /** The TSA URL in use, if any (for messages). */
  readonly url?: string;
}

/** Throws TSA_SETTINGS_INVALID for a policy it cannot read, TSA_UNREACHABLE for a malformed URL. */
export function stampingTime(settings: { get(key: string): string | undefined }, override?: string): StampingTime {
  const policy = timestampPolicyOf(settings);
  const url = policy?.required ? (policy.url ?? undefined) : (override ?? policy?.url ?? settings.get(TIMESTAMP_URL_SETTING));
  const trustedTime: TrustedTimePolicy | undefined = policy?.required
    ? { tsaCertificates: policy.tsaCertificates.map((c) => new Uint8Array(Buffer.from(c, 'base64'))), toleranceSeconds: policy.toleranceSeconds, url: policy.url ?? '' }
    : undefined;
  return { ...(url ? { timestamper: new TsaClient(url), url } : {}), ...(trustedTime ? { trustedTime } : {}) };
}

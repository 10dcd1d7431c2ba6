/**
 * The archive chain of a PAdES B-LTA file (ETSI EN 319 102-1 §5.6.2.3 and §5.5 past signature
 * validation, issue 16). Document timestamps are walked from the newest back:
 *  - the newest must hold now (or at the time the user chose): its TSA's certificates valid
 *    at the verification time;
 *  - each earlier one must hold at the time of the nearest later timestamp that holds, which
 *    covers it (a later revision signs every byte before it), and its TSA's certificate must be
 *    in the validation data (DSS) that the later timestamp protects;
 *  - a timestamp whose imprint, token or TSA path failed (verdict not VALID) holds nothing.
 * A timestamp that holds is proof of existence at its time for everything in the revisions it
 * covers. What this does not re-check: the revocation of a TSA certificate after its own
 * timestamp's time (CRLs of the time are what the DSS carries; the path was judged at the
 * timestamp's time with them).
 */
import type { EmbeddedValidationData } from './ltv';
import type { CertificateSummary, SignatureReport } from './types';

export interface ValidationClock {
  /** The verification time. */
  readonly now: Date;
  /** A time the user chose (--at): chains are judged there, and no archive logic moves it. */
  readonly at?: Date;
}

export interface ArchiveLink {
  readonly field: string;
  readonly revision: number;
  readonly time: Date | undefined;
  /** When this timestamp's TSA certificates had to be valid. */
  readonly judgedAt: Date;
  /** 'next' when judged at a later archive timestamp's time, 'now' at the verification time. */
  readonly basis: 'next' | 'now';
  readonly holds: boolean;
  readonly reason?: string;
}

const GOOD = new Set(['VALID', 'VALID_WITH_CHANGES']);

/** The first certificate of a path not valid at `at` (its subject), or undefined when all are. */
export function certificateNotValidAt(chain: readonly CertificateSummary[], at: Date): string | undefined {
  for (const c of chain) {
    if (at.getTime() < Date.parse(c.notBefore) || at.getTime() > Date.parse(c.notAfter)) return `${c.subject} (valid ${c.notBefore.slice(0, 10)} to ${c.notAfter.slice(0, 10)})`;
  }
  return undefined;
}

/** Every document timestamp of the file, in revision order, with whether it holds. */
export function archiveChain(signatures: readonly SignatureReport[], dss: EmbeddedValidationData, clock: ValidationClock): ArchiveLink[] {
  const stamps = signatures.filter((s) => s.kind === 'document-timestamp' && s.signedRevision !== undefined).sort((a, b) => (a.signedRevision as number) - (b.signedRevision as number));
  const links: ArchiveLink[] = [];
  let later: Date | undefined;
  for (let k = stamps.length - 1; k >= 0; k--) {
    const t = stamps[k] as SignatureReport;
    const time = t.timestampTime ? new Date(t.timestampTime) : undefined;
    const judgedAt = later ?? clock.at ?? clock.now;
    let reason: string | undefined;
    if (!GOOD.has(t.verdict) || !time) reason = `${t.field} is ${t.verdict} (imprint, token or TSA path failed)`;
    else if (t.chain.length === 0) reason = `${t.field} has no trusted TSA path`;
    else {
      const bad = certificateNotValidAt(t.chain, judgedAt);
      if (bad) reason = `${t.field}: ${bad} not valid at ${judgedAt.toISOString()}${later ? ' (the next archive timestamp)' : ' (the verification time)'}`;
      else if (later && !dss.certificates.some((c) => c.sha256Fingerprint === t.chain[0]?.sha256)) reason = `${t.field}: its TSA certificate is not in the DSS the next timestamp protects`;
    }
    links.unshift({ field: t.field, revision: t.signedRevision as number, time, judgedAt, basis: later ? 'next' : 'now', holds: reason === undefined, ...(reason ? { reason } : {}) });
    if (reason === undefined) later = time;
  }
  return links;
}

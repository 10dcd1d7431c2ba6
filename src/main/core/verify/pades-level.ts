/**
 * The PAdES baseline level each signature reaches (ETSI EN 319 142-1 §6, issue 16):
 *  - B-B: a CAdES-detached signature (ETSI.CAdES.detached) whose integrity holds;
 *  - B-T: plus a trusted time: a valid signature timestamp, or a valid document timestamp
 *    over a later revision;
 *  - B-LT: plus the validation data in the file: a DSS holding the signer's certificate and a
 *    CRL from its issuer (or a VRI entry for this very signature with them);
 *  - B-LTA: plus a valid document timestamp over a revision that already had that DSS.
 * B-LTA needs the archive chain to hold (archive-chain.ts), not just a valid timestamp.
 * Also says where revocation was judged from: the CRLs the caller gave (or the register
 * snapshot), or the file's own DSS (REVOCATION_FROM_EMBEDDED_DATA).
 *
 * After the seal certificate has expired (verification time past its notAfter, no --at), the
 * signer's claimed time proves nothing: the seal stays valid only with a proof of existence
 * from before the expiry that still holds today: a signature timestamp whose TSA path is valid
 * now (or at the time of an archive timestamp that holds and covers it), or an archive
 * timestamp that holds and covers the seal. Otherwise SEAL_EXPIRED_NO_PROOF (UNTRUSTED).
 */
import type { CrlInfo } from '../pki/index';
import { archiveChain, certificateNotValidAt, type ArchiveLink, type ValidationClock } from './archive-chain';
import { finding, type VerifyFinding } from './findings';
import type { EmbeddedValidationData } from './ltv';
import { vriKeyOf } from './ltv';
import type { SignatureReport } from './types';

const INTACT = new Set(['VALID', 'VALID_WITH_CHANGES', 'UNTRUSTED', 'REVOKED', 'POLICY_VIOLATION']);
const GOOD = new Set(['VALID', 'VALID_WITH_CHANGES']);

export function withPadesLevels(
  signatures: readonly SignatureReport[],
  contentsOf: (report: SignatureReport) => Uint8Array | undefined,
  dss: EmbeddedValidationData,
  givenCrls: readonly CrlInfo[],
  clock: ValidationClock = { now: new Date() },
): SignatureReport[] {
  const docTimestamps = signatures.filter((s) => s.kind === 'document-timestamp' && GOOD.has(s.verdict) && s.signedRevision !== undefined);
  const links = archiveChain(signatures, dss, clock);
  const holding = links.filter((l) => l.holds);
  return signatures.map((sig) => {
    if (sig.kind === 'document-timestamp') {
      const link = links.find((l) => l.revision === sig.signedRevision);
      if (!link) return sig;
      const note = link.holds
        ? finding('ARCHIVE_TIMESTAMP_CHAINED', { time: link.judgedAt.toISOString(), basisZh: link.basis === 'next' ? '下一个存档时间戳的时间' : '验证时间', basis: link.basis === 'next' ? 'the next archive timestamp' : 'the verification time' })
        : finding('ARCHIVE_CHAIN_BROKEN', { detail: link.reason ?? '' });
      return { ...sig, findings: [...sig.findings, note] };
    }
    if (!INTACT.has(sig.verdict)) return sig;
    if (sig.subFilter !== 'ETSI.CAdES.detached') {
      // Legacy formats reach no PAdES level, but expire like any other signature.
      const findings = [...sig.findings];
      const { verdict, checks } = judgeExpiry(sig, sig.signedRevision ?? Number.MAX_SAFE_INTEGER, holding, clock, findings);
      return findings.length === sig.findings.length ? sig : { ...sig, verdict, checks, findings };
    }
    const revision = sig.signedRevision ?? Number.MAX_SAFE_INTEGER;
    const issuer = sig.signer?.issuer;
    const dssCrl = issuer !== undefined && dss.crls.some((c) => c.issuer.text === issuer);
    const givenCrl = issuer !== undefined && givenCrls.some((c) => c.issuer.text === issuer);
    const contents = contentsOf(sig);
    const inVri = contents !== undefined && dss.vri.has(vriKeyOf(contents));
    const signerInDss = sig.signer !== undefined && dss.certificates.some((c) => c.sha256Fingerprint === sig.signer?.sha256);
    const revocationKnown = sig.checks.revocation === 'passed' && !sig.findings.some((f) => f.code === 'REVOCATION_UNKNOWN');

    const timed = sig.timestampTime !== undefined || docTimestamps.some((t) => (t.signedRevision as number) > revision);
    const longTerm = timed && dss.firstRevision !== undefined && dss.firstRevision > revision - 1 && dssCrl && (signerInDss || inVri);
    // The archive chain must hold, not only a valid timestamp exist after the DSS.
    const archived = longTerm && holding.some((t) => t.revision > revision && t.revision >= (dss.firstRevision as number));
    const level = archived ? 'B-LTA' : longTerm ? 'B-LT' : timed ? 'B-T' : 'B-B';

    const findings = [...sig.findings, finding('PADES_LEVEL', { level })];
    const { verdict, checks } = judgeExpiry(sig, revision, holding, clock, findings);
    let revocationSource: SignatureReport['revocationSource'] = revocationKnown ? (givenCrl ? 'given' : dssCrl ? 'embedded' : 'given') : 'none';
    if (!sig.checks.trust || sig.checks.trust === 'not-checked') revocationSource = 'none';
    if (revocationSource === 'embedded') findings.push(finding('REVOCATION_FROM_EMBEDDED_DATA', { detail: `CRL of ${issuer ?? '?'}${inVri ? ', VRI entry for this signature' : ''}` }));
    return { ...sig, verdict, checks, findings, padesLevel: level, revocationSource };
  });
}

/**
 * After the signer's certificate expired (verification time past its notAfter, no --at): the
 * claimed time proves nothing, so the signature stands only on a proof of existence from
 * before the expiry that still holds (ETSI EN 319 102-1 §5.6.2.4, past signature validation).
 * Appends LONG_TERM_PROOF or SEAL_EXPIRED_NO_PROOF to `findings`.
 */
function judgeExpiry(sig: SignatureReport, revision: number, holding: readonly ArchiveLink[], clock: ValidationClock, findings: VerifyFinding[]): { verdict: SignatureReport['verdict']; checks: SignatureReport['checks'] } {
  let verdict = sig.verdict;
  let checks = sig.checks;
  const expiry = sig.signer ? new Date(sig.signer.notAfter) : undefined;
  if (clock.at === undefined && expiry !== undefined && clock.now.getTime() > expiry.getTime()) {
    // Proof of existence before the expiry that still holds (ETSI EN 319 102-1 §5.6.2.4).
    const archive = holding.find((t) => t.revision > revision && t.time !== undefined);
    const sigTime = sig.trustedTimeSource === 'timestamp' && sig.timestampTime ? new Date(sig.timestampTime) : undefined;
    const tsaJudgedAt = archive?.time ?? clock.now;
    const tsaBad = sig.timestampChain ? certificateNotValidAt(sig.timestampChain, tsaJudgedAt) : 'no trusted TSA path';
    const proofs: { time: Date; zh: string; en: string }[] = [];
    if (sigTime && sigTime.getTime() <= expiry.getTime() && tsaBad === undefined) {
      proofs.push(archive ? { time: sigTime, zh: '由存档时间戳保全的签章时间戳', en: 'the signature timestamp (kept by the archive timestamp)' } : { time: sigTime, zh: '签章时间戳', en: 'the signature timestamp' });
    }
    if (archive?.time && archive.time.getTime() <= expiry.getTime()) proofs.push({ time: archive.time, zh: '存档时间戳', en: 'the archive timestamp' });
    const proof = proofs[0];
    if (proof) findings.push(finding('LONG_TERM_PROOF', { expired: expiry.toISOString(), source: proof.zh, sourceEn: proof.en, time: proof.time.toISOString() }));
    else {
      const why = [sigTime ? `signature timestamp: ${tsaBad ?? 'after the expiry'}${tsaBad ? ` at ${tsaJudgedAt.toISOString()}` : ''}` : 'no signature timestamp', archive ? 'the archive timestamp is after the expiry' : 'no archive timestamp that holds'];
      findings.push(finding('SEAL_EXPIRED_NO_PROOF', { expired: expiry.toISOString(), detail: why.join('; ') }));
      if (GOOD.has(verdict)) verdict = 'UNTRUSTED';
      checks = { ...checks, trust: 'failed' };
    }
  }
  return { verdict, checks };
}

/**
 * The PAdES baseline level each signature reaches (ETSI EN 319 142-1 §6, issue 16):
 *  - B-B: a CAdES-detached signature (ETSI.CAdES.detached) whose integrity holds;
 *  - B-T: plus a trusted time: a valid signature timestamp, or a valid document timestamp
 *    over a later revision;
 *  - B-LT: plus the validation data in the file: a DSS holding the signer's certificate and a
 *    CRL from its issuer (or a VRI entry for this very signature with them);
 *  - B-LTA: plus a valid document timestamp over a revision that already had that DSS.
 * Also says where revocation was judged from: the CRLs the caller gave (or the register
 * snapshot), or the file's own DSS (REVOCATION_FROM_EMBEDDED_DATA).
 */
import type { CrlInfo } from '../pki/index';
import { finding } from './findings';
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
): SignatureReport[] {
  const docTimestamps = signatures.filter((s) => s.kind === 'document-timestamp' && GOOD.has(s.verdict) && s.signedRevision !== undefined);
  return signatures.map((sig) => {
    if (sig.kind === 'document-timestamp' || sig.subFilter !== 'ETSI.CAdES.detached' || !INTACT.has(sig.verdict)) return sig;
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
    const archived = longTerm && docTimestamps.some((t) => (t.signedRevision as number) >= (dss.firstRevision as number));
    const level = archived ? 'B-LTA' : longTerm ? 'B-LT' : timed ? 'B-T' : 'B-B';

    const findings = [...sig.findings, finding('PADES_LEVEL', { level })];
    let revocationSource: SignatureReport['revocationSource'] = revocationKnown ? (givenCrl ? 'given' : dssCrl ? 'embedded' : 'given') : 'none';
    if (!sig.checks.trust || sig.checks.trust === 'not-checked') revocationSource = 'none';
    if (revocationSource === 'embedded') findings.push(finding('REVOCATION_FROM_EMBEDDED_DATA', { detail: `CRL of ${issuer ?? '?'}${inVri ? ', VRI entry for this signature' : ''}` }));
    return { ...sig, findings, padesLevel: level, revocationSource };
  });
}

/**
 * The offline verifier (issue #5): bytes + TrustContext + options in, a FileReport out.
 * Pure: no file system, no clock except `new Date()` when no time is known at all.
 * A malformed or hostile file never throws: it yields a non-valid verdict with a finding.
 */
import { createHash } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import {
  PdfArray,
  PdfDict,
  PdfDocument,
  PdfRef,
  PdfString,
  type PdfBytes,
} from '../pdf/index';
import {
  OID,
  parseCertificate,
  parseCrl,
  validateCertificatePath,
  verifyCmsSignature,
  verifyDocumentTimestamp,
  type CertificateInfo,
  type CmsFinding,
  type CmsVerification,
  type CrlInfo,
  type HashName,
  type SignerVerification,
  type TimestampVerification,
} from '../pki/index';
import { ByteRangeDigests } from './byte-range-digests';
import { classifyRevision, levelRank, worstLevel } from './changes';
import { derProblem } from './cms-der';
import { finding, hasError, type VerifyFinding } from './findings';
import { hybridXrefFindings } from './hybrid-xref';
import { readEmbeddedValidationData } from './ltv';
import { withPadesLevels } from './pades-level';
import { parsePdfDate } from './pdf-date';
import { revocationDecision } from './time-decision';
import { checkStructure, locateSignatures, signedVersion, trailingUncoveredBytes, type LocatedSignature, type SignatureStructure } from './signature-structure';
import type {
  CertificateSummary,
  ChangeLevel,
  CheckStatus,
  DocumentChange,
  FileReport,
  RegisterSealEntry,
  SignatureChecks,
  SignatureReport,
  TrustContext,
  Verdict,
  VerifyOptions,
} from './types';
import { worstVerdict } from './verdict';

const SUPPORTED_SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached', 'adbe.pkcs7.sha1', 'ETSI.RFC3161']);

interface PreparedTrust {
  readonly anchors: CertificateInfo[];
  readonly extra: CertificateInfo[];
  readonly crls: CrlInfo[];
  readonly register: readonly RegisterSealEntry[];
  readonly denyList: readonly string[];
  readonly policyOid: string;
  /** Issue #12: the group's TSA certificate(s), anchors for timestamps only. */
  readonly timestampAnchors: CertificateInfo[];
  readonly registerCurrent: boolean;
}

/** Parses the trust context once per batch; unreadable entries are skipped (the CLI reports them on load). */
export function prepareTrust(trust: TrustContext): PreparedTrust {
  const certificates = (list: readonly Uint8Array[] | undefined): CertificateInfo[] => {
    const out: CertificateInfo[] = [];
    for (const der of list ?? []) {
      try {
        out.push(parseCertificate(der));
      } catch {
        // an unreadable certificate contributes nothing
      }
    }
    return out;
  };
  const crls: CrlInfo[] = [];
  for (const der of trust.crls ?? []) {
    try {
      crls.push(parseCrl(der));
    } catch {
      // an unreadable CRL contributes nothing
    }
  }
  return {
    anchors: certificates(trust.trustAnchors),
    extra: certificates(trust.extraCertificates),
    crls,
    register: trust.registerSeals ?? [],
    denyList: trust.denyList ?? [],
    policyOid: trust.sealPolicyOid ?? OID.regulationPolicy,
    timestampAnchors: certificates(trust.timestampAnchors),
    registerCurrent: trust.registerCurrent === true,
  };
}

function summary(cert: CertificateInfo): CertificateSummary {
  return {
    subject: cert.subject.text,
    issuer: cert.issuer.text,
    serialHex: cert.serialHex,
    sha256: cert.sha256Fingerprint,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

function text(value: unknown): string | undefined {
  return value instanceof PdfString ? value.text : undefined;
}

/** Findings that mean the signed bytes are not the file as signed (coverage and integrity fail). */
const BYTE_RANGE_INTEGRITY_CODES: ReadonlySet<string> = new Set([
  'BYTE_RANGE_OUTSIDE_FILE',
  'BYTE_RANGE_MALFORMED',
  'BYTE_RANGE_NOT_FROM_START',
  'BYTE_RANGE_GAP_NOT_CONTENTS',
  'BYTE_RANGE_NOT_REVISION_END',
  'BYTE_RANGES_OVERLAP',
]);

function status(findings: readonly VerifyFinding[], step: VerifyFinding['step'], checked: boolean): CheckStatus {
  // An error is a failure even when the step could not run to its end.
  if (findings.some((f) => f.step === step && f.severity === 'error')) return 'failed';
  if (!checked) return 'not-checked';
  if (findings.some((f) => f.step === step && f.severity === 'warning')) return 'warning';
  return 'passed';
}

function cmsFindings(list: readonly CmsFinding[], out: VerifyFinding[]): void {
  for (const f of list) {
    switch (f.code) {
      case 'MESSAGE_DIGEST_MISMATCH':
        out.push(finding('DIGEST_MISMATCH'));
        break;
      case 'SIGNATURE_INVALID':
        out.push(finding('SIGNATURE_INVALID', { detail: f.detail ?? '' }));
        break;
      case 'SIGNER_CERTIFICATE_NOT_FOUND':
        out.push(finding('SIGNER_CERTIFICATE_MISSING'));
        break;
      case 'SIGNING_CERTIFICATE_MISMATCH':
        out.push(finding('SIGNING_CERTIFICATE_MISMATCH', { detail: f.detail ?? '' }));
        break;
      case 'DIGEST_ALGORITHM_UNSUPPORTED':
      case 'SIGNATURE_ALGORITHM_UNSUPPORTED':
        out.push(finding('ALGORITHM_UNSUPPORTED', { detail: f.detail ?? f.code }));
        break;
      case 'WEAK_DIGEST_ALGORITHM':
        out.push(finding('WEAK_DIGEST'));
        break;
      case 'PADES_ATTRIBUTE_MISSING':
        out.push(finding('PADES_ATTRIBUTES_MISSING', { detail: f.detail ?? '' }));
        break;
      case 'TIMESTAMP_INVALID':
      case 'PADES_SIGNING_TIME_PRESENT':
      case 'CERTIFICATE_UNREADABLE':
      case 'TIMESTAMP_SIGNER_NOT_TSA':
        break;
      default:
        if (f.severity === 'error') out.push(finding('CMS_STRUCTURE_INVALID', { detail: `${f.code}${f.detail ? `: ${f.detail}` : ''}` }));
    }
  }
}

interface Mdp {
  /** DocMDP P of this signature (a certification signature), if any. */
  readonly docMdp: number | undefined;
  /** Fields locked by FieldMDP (undefined: none; 'all': every field). */
  readonly locked: ReadonlySet<string> | 'all' | undefined;
  readonly lockedExcept: ReadonlySet<string> | undefined;
}

function readMdp(sigDict: PdfDict, fieldDict: PdfDict | undefined): Mdp {
  let docMdp: number | undefined;
  let locked: Set<string> | 'all' | undefined;
  let lockedExcept: Set<string> | undefined;
  const names = (value: unknown): Set<string> => new Set((value instanceof PdfArray ? value.items : []).map((v) => text(v) ?? '').filter(Boolean));
  const apply = (params: PdfDict | undefined): void => {
    if (!params) return;
    const action = params.getName('Action');
    if (action === 'All') locked = 'all';
    else if (action === 'Include') locked = names(params.get('Fields'));
    else if (action === 'Exclude') lockedExcept = names(params.get('Fields'));
  };
  const references = sigDict.get('Reference');
  for (const reference of references instanceof PdfArray ? references.items : []) {
    if (!(reference instanceof PdfDict)) continue;
    const method = reference.getName('TransformMethod');
    const params = reference.getDict('TransformParams');
    if (method === 'DocMDP') {
      const p = params?.getInteger('P') ?? 2;
      docMdp = p >= 1 && p <= 3 ? p : 2;
    } else if (method === 'FieldMDP') apply(params);
  }
  // A signature field's /Lock dictionary (PDF 1.5) locks fields the same way.
  apply(fieldDict?.getDict('Lock'));
  return { docMdp, locked, lockedExcept };
}

function isLocked(mdp: Mdp, field: string | undefined): boolean {
  if (!field) return false;
  if (mdp.locked === 'all') return true;
  if (mdp.locked?.has(field)) return true;
  if (mdp.lockedExcept) return !mdp.lockedExcept.has(field);
  return false;
}

const FIELD_CHANGE_KINDS = new Set(['field-filled', 'field-appearance-changed']);
/** Under DocMDP P=1 only validation data may be added (ISO 32000-2 §12.8.2.2.2). */
const P1_ALLOWED_KINDS = new Set(['dss-updated', 'metadata-updated', 'extensions-updated']);
const VALIDATION_DATA_KINDS = new Set(['dss-updated']);

function allowedLevel(docMdp: number | undefined): ChangeLevel {
  if (docMdp === 1) return 'none';
  if (docMdp === 2) return 'form-filling';
  if (docMdp === 3) return 'annotations';
  // An approval seal without DocMDP allows only what a receiver may add without changing what
  // was sealed: later signatures and timestamps, validation data (DSS), metadata (issue #11).
  // Annotations, form values and appearances are changes to what the signer saw.
  return 'signatures';
}

function describeChanges(changes: readonly DocumentChange[]): string {
  const parts = changes.slice(0, 12).map((c) => `${c.kind}${c.page !== undefined ? ` p.${c.page}` : ''}${c.detail ? ` (${c.detail})` : ''} @r${c.revision}`);
  return parts.join('; ') + (changes.length > 12 ? `; … ${changes.length - 12} more` : '');
}

function registerEntryFor(register: readonly RegisterSealEntry[], cert: CertificateInfo): RegisterSealEntry | undefined {
  return register.find(
    (e) => (e.certificateSha256 && e.certificateSha256.toLowerCase() === cert.sha256Fingerprint) || (e.certificateSerialHex && e.certificateSerialHex.toLowerCase().replace(/^0+/, '') === cert.serialHex.replace(/^0+/, '')),
  );
}

function isOurs(cert: CertificateInfo | undefined, signer: SignerVerification | undefined, policyOid: string): boolean {
  if (cert?.sealInfo || cert?.policies.includes(policyOid)) return true;
  const attributes = signer?.attributes;
  return attributes?.workstationId !== undefined || attributes?.approvalReference !== undefined || attributes?.documentType !== undefined;
}

interface FileState {
  readonly doc: PdfDocument;
  readonly trust: PreparedTrust;
  readonly options: VerifyOptions;
  readonly digests: ByteRangeDigests;
  readonly revisionChanges: Map<number, DocumentChange[] | VerifyFinding>;
  readonly certification: { revision: number; p: number } | undefined;
  readonly trailingBytes: number;
}

function changesOfRevision(state: FileState, index: number): DocumentChange[] | VerifyFinding {
  let cached = state.revisionChanges.get(index);
  if (!cached) {
    try {
      cached = classifyRevision(state.doc, index);
    } catch (error) {
      // A bound hit while comparing revisions is still a change that cannot be ruled out.
      const hit = limitFinding(error);
      cached = finding('CHANGES_UNANALYSABLE', { detail: hit ? `${hit.en}` : error instanceof YinjianError ? error.en : String((error as Error).message) });
    }
    state.revisionChanges.set(index, cached);
  }
  return cached;
}

async function verifySignature(state: FileState, located: LocatedSignature, index: number, structure: SignatureStructure, version: ReturnType<typeof signedVersion>): Promise<SignatureReport> {
  const { doc, trust } = state;
  const dict = version.dict;
  const findings: VerifyFinding[] = [...structure.findings];
  const subFilter = dict.getName('SubFilter');
  const isDocTimestamp = dict.getName('Type') === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161';
  const fieldDict = located.fieldRef ? doc.atRevision(structure.signedRevision ?? doc.revisions.length - 1).resolveDict(located.fieldRef) : undefined;
  const mdp = readMdp(dict, fieldDict);
  if (!located.presentInLatest) findings.push(finding('CHANGES_NOT_ALLOWED', { detail: 'the signature was removed from its field in a later revision' }));
  if (state.trailingBytes > 0) findings.push(finding('TRAILING_BYTES_UNCOVERED', { count: state.trailingBytes }));

  const digestOf = (hash: HashName): Uint8Array => state.digests.digest(index, hash);
  let unsupported = false;
  let cms: CmsVerification | undefined;
  let signer: SignerVerification | undefined;
  let docTimestamp: TimestampVerification | undefined;
  let integrityChecked = false;

  if (!subFilter || !SUPPORTED_SUBFILTERS.has(subFilter)) {
    // adbe.x509.rsa_sha1 and unknown formats: reported as unsupported, never as valid.
    unsupported = true;
    findings.push(finding('SUBFILTER_UNSUPPORTED', { subFilter: subFilter ?? '(none)' }));
  } else if (!structure.contents || structure.contents.length === 0) {
    findings.push(finding('CMS_UNREADABLE', { detail: 'empty /Contents' }));
  } else if (!structure.digestable) {
    // Without readable ranges nothing can be checked; the structure findings say why.
  } else {
    integrityChecked = true;
    // Not DER: the unsigned envelope can be re-encoded without breaking the signature, so a
    // file can say different things to different validators (issue #11). BER forms real
    // streaming encoders write are a warning; padded integers, non-minimal or wrong lengths and
    // bytes after the object are an integrity error.
    const der = derProblem(structure.contents);
    if (der) findings.push(finding('CMS_NOT_DER', { detail: `${der.problem} at byte ${der.offset}` }, der.kind === 'ber' ? 'warning' : 'error'));
    if (subFilter === 'adbe.pkcs7.detached' || subFilter === 'adbe.pkcs7.sha1') findings.push(finding('LEGACY_SUBFILTER', { subFilter }));
    try {
      if (isDocTimestamp) {
        docTimestamp = await verifyDocumentTimestamp(structure.contents, digestOf);
        cms = docTimestamp.token;
        signer = cms?.signers[0];
        for (const f of docTimestamp.findings) {
          if (f.code === 'TIMESTAMP_IMPRINT_MISMATCH') findings.push(finding('DIGEST_MISMATCH'));
          else if (f.severity === 'error') findings.push(finding('TIMESTAMP_INVALID', { detail: `${f.code}${f.detail ? `: ${f.detail}` : ''}` }));
        }
        if (docTimestamp.findings.some((f) => f.severity === 'error' && f.code !== 'TIMESTAMP_IMPRINT_MISMATCH')) {
          findings.push(finding('SIGNATURE_INVALID', { detail: 'document timestamp token' }));
        }
      } else if (subFilter === 'adbe.pkcs7.sha1') {
        cms = await verifyCmsSignature(structure.contents, { extraCertificates: trust.extra });
        const content = cms.encapsulatedContent;
        const expected = digestOf('sha1');
        if (!content || Buffer.compare(Buffer.from(content), Buffer.from(expected)) !== 0) findings.push(finding('DIGEST_MISMATCH'));
      } else {
        cms = await verifyCmsSignature(structure.contents, { content: digestOf, extraCertificates: trust.extra });
      }
      if (cms && !isDocTimestamp) {
        cmsFindings(cms.findings, findings);
        signer = cms.signers[0];
        if (signer) cmsFindings(signer.findings, findings);
        if (cms.signers.length > 1) findings.push(finding('CMS_STRUCTURE_INVALID', { detail: `${cms.signers.length} signers; a PDF signature has one` }));
      }
    } catch (error) {
      const detail = error instanceof YinjianError ? error.en : (error as Error).message;
      findings.push(finding('CMS_UNREADABLE', { detail }));
      integrityChecked = true;
    }
  }
  const certificate = signer?.certificate;

  // Step 5 (signature timestamp) and the time the decision rests on.
  const claimed = parsePdfDate(text(dict.get('M'))) ?? signer?.attributes.signingTime;
  let timestampTime: Date | undefined;
  let timestampTrusted = false;
  let timestampChain: CertificateSummary[] | undefined;
  const sigTimestamp = isDocTimestamp ? docTimestamp : signer?.signatureTimestamp;
  if (sigTimestamp) {
    if (!sigTimestamp.valid) {
      if (!isDocTimestamp) findings.push(finding('TIMESTAMP_INVALID', { detail: sigTimestamp.findings.map((f) => f.code).join(',') }));
    } else if (sigTimestamp.genTime) {
      timestampTime = sigTimestamp.genTime;
      findings.push(finding('TIMESTAMP_VALID', { time: timestampTime.toISOString() }));
      // Issue #12: the group's TSA from the imported snapshot anchors timestamps (only them).
      const timestampAnchors = [...trust.anchors, ...trust.timestampAnchors];
      if (sigTimestamp.tsaCertificate && timestampAnchors.length > 0) {
        const tsaPath = validateCertificatePath({
          leaf: sigTimestamp.tsaCertificate,
          intermediates: [...(sigTimestamp.token?.certificates ?? []), ...trust.extra],
          trustAnchors: timestampAnchors,
          at: timestampTime,
          crls: trust.crls,
        });
        timestampTrusted = tsaPath.trusted;
        // Issue 16: the archive chain re-judges this TSA's certificates at a later time (pades-level.ts).
        if (tsaPath.trusted && !isDocTimestamp) timestampChain = tsaPath.path.map(summary);
      }
      if (!timestampTrusted && !isDocTimestamp) findings.push(finding('TIMESTAMP_UNTRUSTED'));
    }
  }
  const trustedTime = timestampTrusted ? timestampTime : isDocTimestamp ? timestampTime : claimed;
  const trustedTimeSource: SignatureReport['trustedTimeSource'] = state.options.at ? 'validation-time' : timestampTrusted ? 'timestamp' : trustedTime ? 'claimed' : 'none';
  const judgedAt = state.options.at ?? trustedTime ?? new Date();
  if (trustedTime || state.options.at) findings.push(finding('TRUSTED_TIME', { time: judgedAt.toISOString(), source: trustedTimeSource }));

  // Step 3: chain; step 4: revocation from CRLs and the register (S3, S5).
  const ours = isOurs(certificate, signer, trust.policyOid);
  let chain: CertificateSummary[] = [];
  let trustChecked = false;
  let revoked = false;
  if (certificate && !hasError(findings, 'integrity') && !hasError(findings, 'coverage') && !unsupported) {
    trustChecked = true;
    if (trust.anchors.length === 0) findings.push(finding('NO_TRUST_ANCHORS'));
    const path = validateCertificatePath({
      leaf: certificate,
      intermediates: [...(cms?.certificates ?? []), ...trust.extra],
      trustAnchors: trust.anchors,
      at: judgedAt,
      crls: trust.crls,
      ...(ours ? { requiredPolicy: trust.policyOid } : {}),
      ...(isDocTimestamp ? { leafKeyUsage: ['digitalSignature', 'nonRepudiation'] as const } : {}),
    });
    chain = path.path.map(summary);
    let revocationUnknown = false;
    for (const f of path.findings) {
      if (f.code === 'NO_PATH_TO_TRUST_ANCHOR') findings.push(finding('CHAIN_UNTRUSTED'));
      else if (f.code === 'REVOKED' || f.code === 'REVOKED_AFTER_VALIDATION_TIME') continue;
      else if (f.code === 'REVOCATION_UNKNOWN' || f.code === 'CRL_UNUSABLE') {
        if (path.trusted) {
          revocationUnknown = true;
          findings.push(finding('REVOCATION_UNKNOWN', { detail: f.subject ?? '' }));
        }
      } else if (f.severity === 'error') findings.push(finding('CHAIN_PROBLEM', { code: f.code, detail: `${f.subject ?? ''} ${f.detail ?? ''}`.trim() }));
    }
    for (const entry of path.revocation) {
      const params = { revokedAt: entry.effectiveDate.toISOString(), reason: entry.reason ?? 'unspecified', time: judgedAt.toISOString(), source: trustedTimeSource };
      // S5 on trusted time (time-decision.ts): a claimed time does not prove "before the loss".
      const decision = entry.revokedAtValidationTime ? 'revoked' : revocationDecision(entry.effectiveDate, entry.reason ?? 'unspecified', judgedAt, trustedTimeSource);
      if (decision !== 'later') {
        revoked = true;
        findings.push(finding(decision === 'revoked' ? 'SEAL_REVOKED' : 'SEAL_REVOKED_TIME_UNPROVEN', params));
      } else findings.push(finding('SEAL_REVOKED_LATER', params));
    }
    const entry = registerEntryFor(trust.register, certificate);
    if (entry && entry.state !== 'active') {
      const revokedAt = entry.revokedAt;
      const params = { revokedAt: revokedAt?.toISOString() ?? '?', reason: `${entry.state}${entry.reason ? `: ${entry.reason}` : ''}`, time: judgedAt.toISOString(), source: trustedTimeSource };
      const decision = revocationDecision(revokedAt, entry.state, judgedAt, trustedTimeSource);
      if (decision !== 'later') {
        revoked = true;
        findings.push(finding(decision === 'revoked' ? 'SEAL_REVOKED' : 'SEAL_REVOKED_TIME_UNPROVEN', params));
      } else findings.push(finding('SEAL_REVOKED_LATER', params));
    }
    if (ours && !entry && trust.register.length > 0) findings.push(finding('SEAL_NOT_IN_REGISTER'));
    // Issue #12 (S3, S5): trusted, but neither a CRL nor a current register snapshot speaks of
    // this certificate: revocation was not checked, which must not read as a plain VALID.
    if (path.trusted && !isDocTimestamp && revocationUnknown && !(entry !== undefined && trust.registerCurrent)) {
      findings.push(finding('REVOCATION_NOT_CHECKED'));
    }
  }
  const trusted = trustChecked && !hasError(findings, 'trust');

  // Step 6: changes after the signed revision.
  const changes: DocumentChange[] = [];
  let changesChecked = false;
  if (structure.signedRevision !== undefined && !hasError(findings, 'coverage')) {
    changesChecked = true;
    for (let k = structure.signedRevision + 1; k < doc.revisions.length; k++) {
      const result = changesOfRevision(state, k);
      if (Array.isArray(result)) changes.push(...result);
      else findings.push(result);
    }
    // The signed revision (or one before it) lists an object twice with different targets:
    // which one is "the signed document" depends on the viewer (issue #11, class 4).
    for (let r = 0; r <= structure.signedRevision; r++) {
      const duplicates = doc.revisions[r]?.duplicates;
      if (duplicates && duplicates.size > 0) {
        findings.push(finding('XREF_AMBIGUOUS', { revision: r, objects: [...duplicates.keys()].slice(0, 8).join(', ') }));
        break;
      }
    }
    const cert = state.certification;
    const docMdp = mdp.docMdp ?? (cert && cert.revision <= structure.signedRevision ? cert.p : undefined);
    const allowed = allowedLevel(docMdp);
    const notAllowed = changes.filter((c) => {
      if (docMdp === 1) return c.level !== 'none' && !P1_ALLOWED_KINDS.has(c.kind);
      return levelRank(c.level) > levelRank(allowed);
    });
    const lockedChanges = changes.filter((c) => FIELD_CHANGE_KINDS.has(c.kind) && isLocked(mdp, c.detail));
    for (const c of lockedChanges) findings.push(finding('FIELD_LOCKED', { field: c.detail ?? '' }));
    if (notAllowed.length > 0) {
      if (docMdp !== undefined && notAllowed.some((c) => c.level !== 'other')) findings.push(finding('DOCMDP_VIOLATED', { permission: docMdp, detail: describeChanges(notAllowed) }));
      else findings.push(finding('CHANGES_NOT_ALLOWED', { detail: describeChanges(notAllowed) }));
    } else if (changes.length > 0) findings.push(finding('CHANGES_ALLOWED', { detail: describeChanges(changes) }));
  } else if (structure.signedRevision === undefined && doc.recovered && structure.digestable && !hasError(findings, 'coverage')) {
    changesChecked = true;
    const end = (structure.byteRange?.[2] ?? 0) + (structure.byteRange?.[3] ?? 0);
    if (end < doc.reader.length) findings.push(finding('CHANGES_UNANALYSABLE', { detail: `${doc.reader.length - end} bytes after the signed part, in a file whose cross-reference is broken` }));
  }

  // Step 7: our policy (U2, U3, M4), only for our own seals.
  let policyChecked = false;
  const attributes = signer?.attributes;
  if (!ours || isDocTimestamp) {
    if (certificate && !isDocTimestamp) findings.push(finding('FOREIGN_SIGNATURE'));
  } else if (attributes && !hasError(findings, 'integrity')) {
    policyChecked = true;
    const commitment = attributes.commitmentType;
    const typeName = attributes.documentType;
    if (!commitment) findings.push(finding('DOCUMENT_TYPE_MISSING'));
    else if (!typeName) findings.push(finding('DOCUMENT_TYPE_FORBIDDEN', { type: commitment }));
    else if (trust.denyList.includes(typeName) || trust.denyList.includes(commitment)) findings.push(finding('DOCUMENT_TYPE_FORBIDDEN', { type: typeName }));
    if (!attributes.approvalReference) findings.push(finding('APPROVAL_REFERENCE_MISSING'));
    if (!attributes.workstationId) findings.push(finding('WORKSTATION_MISSING'));
    else {
      const hash = createHash('sha256').update(attributes.workstationId, 'utf8').digest();
      const certHash = certificate?.sealInfo?.workstationIdHash;
      const entry = certificate ? registerEntryFor(trust.register, certificate) : undefined;
      const mismatchCert = certHash !== undefined && Buffer.compare(Buffer.from(certHash), hash) !== 0;
      const mismatchRegister = entry?.boundWorkstationHash !== undefined && entry.boundWorkstationHash.toLowerCase() !== hash.toString('hex');
      if (mismatchCert || mismatchRegister) findings.push(finding('WORKSTATION_MISMATCH'));
    }
  }

  // The checks agree with the findings (issue #11): a step with an error finding is 'failed'
  // whether or not it ran to the end, and a byte range that does not cover the file as signed
  // (outside the file, overlapping, not from the start, not to a revision end, a gap that is
  // not /Contents) fails coverage AND integrity: the signature protects nothing identifiable.
  const rangeBroken = findings.some((f) => f.severity === 'error' && BYTE_RANGE_INTEGRITY_CODES.has(f.code));
  const checks: SignatureChecks = {
    coverage: rangeBroken ? 'failed' : status(findings, 'coverage', true),
    integrity: rangeBroken ? 'failed' : unsupported && !hasError(findings, 'integrity') ? 'not-checked' : status(findings, 'integrity', integrityChecked),
    trust: status(findings, 'trust', trustChecked),
    revocation: status(findings, 'revocation', trustChecked),
    timestamp: sigTimestamp ? status(findings, 'timestamp', true) : 'not-applicable',
    changes: status(findings, 'changes', changesChecked),
    policy: ours && !isDocTimestamp ? status(findings, 'policy', policyChecked) : 'not-applicable',
  };
  const candidates: Verdict[] = [];
  if (hasError(findings, 'coverage') || hasError(findings, 'integrity') || hasError(findings, 'format') && !unsupported) candidates.push('INVALID');
  if (unsupported) candidates.push('UNSUPPORTED');
  if (hasError(findings, 'changes')) candidates.push('MODIFIED');
  if (revoked) candidates.push('REVOKED');
  if (!unsupported && !trusted) candidates.push('UNTRUSTED');
  if (hasError(findings, 'policy')) candidates.push('POLICY_VIOLATION');
  if (hasError(findings, 'timestamp')) candidates.push('INVALID');
  // A seal followed only by validation data (the DSS/VRI update our own stamping appends for
  // B-LT, issue 16) is VALID: nothing drawn or signed changed (pyHanko's LTA updates, EU DSS).
  // The update is still listed (CHANGES_ALLOWED, info).
  candidates.push(changes.some((c) => !VALIDATION_DATA_KINDS.has(c.kind)) ? 'VALID_WITH_CHANGES' : 'VALID');
  const verdict = worstVerdict(candidates) as Verdict;

  const widget = located.widgets[0];
  let page: number | undefined;
  if (widget) {
    try {
      // The first page that is the widget or its /P, as in a full walk; the pages after it are
      // not parsed (on a 300-page file that is most of the verification's time, issue #15).
      const claimed = doc.latest.resolveDict(widget)?.getRef('P');
      const isWidgetPage = (p: PdfRef): boolean => p.equals(widget) || p.equals(claimed);
      const walked = doc.pageRefs(isWidgetPage);
      const last = walked[walked.length - 1];
      page = last && isWidgetPage(last) ? walked.length : undefined;
    } catch {
      page = undefined;
    }
  }
  return {
    field: located.field,
    kind: isDocTimestamp ? 'document-timestamp' : mdp.docMdp !== undefined ? 'certification' : 'signature',
    subFilter,
    verdict,
    checks,
    digestIntact: integrityChecked && !unsupported && !findings.some((f) => f.step === 'integrity' && f.severity === 'error' && f.code !== 'CMS_NOT_DER'),
    findings,
    signedRevision: structure.signedRevision,
    byteRange: structure.byteRange,
    coversWholeFile: structure.byteRange !== undefined && (structure.byteRange[2] ?? 0) + (structure.byteRange[3] ?? 0) >= doc.reader.length - (doc.reader.length - doc.latestRevision.endOffset) && structure.signedRevision === doc.revisions.length - 1,
    signer: certificate ? summary(certificate) : undefined,
    seal: certificate && ours ? { code: certificate.subject.serialNumber, name: certificate.subject.commonName, unit: certificate.sealInfo?.unit ?? certificate.subject.organizationalUnit, ...(certificate.sealInfo ? { kind: certificate.sealInfo.sealKind } : {}) } : undefined,
    chain,
    claimedTime: claimed?.toISOString(),
    timestampTime: timestampTime?.toISOString(),
    ...(timestampChain ? { timestampChain } : {}),
    trustedTime: trustedTime?.toISOString(),
    trustedTimeSource,
    digestAlgorithm: signer ? String(signer.digestAlgorithm) : undefined,
    signatureAlgorithm: signer ? ('scheme' in signer.signatureAlgorithm ? `${signer.signatureAlgorithm.scheme}${signer.signatureAlgorithm.hash ? `-${signer.signatureAlgorithm.hash}` : ''}` : signer.signatureAlgorithm.oid) : undefined,
    changes,
    docMdpPermission: mdp.docMdp ?? state.certification?.p,
    policy: {
      ours,
      ...(attributes?.documentType ?? attributes?.commitmentType ? { documentType: attributes?.documentType ?? attributes?.commitmentType } : {}),
      ...(attributes?.approvalReference ? { approvalReference: attributes.approvalReference } : {}),
      ...(attributes?.workstationId ? { workstationId: attributes.workstationId } : {}),
      ...(attributes?.usageRecord ? { usageRecord: attributes.usageRecord } : {}),
    },
    reason: text(dict.get('Reason')),
    location: text(dict.get('Location')),
    page,
  };
}

function fileFailure(path: string, size: number, verdict: Verdict, findings: VerifyFinding[]): FileReport {
  return { path, verdict, size, revisions: 0, signatures: [], emptySignatureFields: [], findings };
}

/** FILE_LIMIT_EXCEEDED naming the bound a reader error hit, if it was one (issue #11). */
function limitFinding(error: unknown): VerifyFinding | undefined {
  if (!(error instanceof YinjianError) || error.code !== 'PDF_LIMIT_EXCEEDED') return undefined;
  return finding('FILE_LIMIT_EXCEEDED', { limit: String(error.params?.limit ?? '?'), detail: String(error.params?.detail ?? '') });
}

function openDocument(source: Uint8Array | PdfBytes, options: VerifyOptions, fileFindings: VerifyFinding[]): PdfDocument | VerifyFinding {
  const limits = options.maxStreamBytes ? { maxStreamBytes: options.maxStreamBytes } : undefined;
  try {
    const doc = PdfDocument.open(source, limits ? { limits } : {});
    // A well-formed xref that leads to no catalog (incremental-saving attacks) is as
    // unusable as a broken one: fall through to recovery.
    doc.catalog();
    return doc;
  } catch (error) {
    if (error instanceof YinjianError && error.code === 'PDF_NOT_PDF') return finding('FILE_NOT_PDF');
    if (!(error instanceof YinjianError) && !(error instanceof RangeError)) throw error;
    // A bound hit while reading the cross-reference: said as such, then recovery tries.
    const hit = limitFinding(error);
    if (hit) fileFindings.push(hit);
  }
  try {
    const doc = PdfDocument.open(source, { recover: true, ...(limits ? { limits } : {}) });
    fileFindings.push(finding('FILE_XREF_RECOVERED', { detail: doc.recoveryReason ?? '' }));
    return doc;
  } catch (error) {
    return limitFinding(error) ?? finding('FILE_UNREADABLE', { detail: error instanceof YinjianError ? error.en : (error as Error).message });
  }
}

/**
 * Verifies every signature of one PDF. `path` is only echoed into the report.
 * Never throws for anything the file contains.
 */
export async function verifyPdf(source: Uint8Array | PdfBytes, trust: TrustContext | PreparedTrust, options: VerifyOptions = {}, path = ''): Promise<FileReport> {
  const prepared = 'anchors' in trust ? trust : prepareTrust(trust);
  const size = source.length;
  const fileFindings: VerifyFinding[] = [];
  try {
    const opened = openDocument(source, options, fileFindings);
    if (!(opened instanceof PdfDocument)) return fileFailure(path, size, 'INVALID', [...fileFindings.filter((f) => f.code !== opened.code), opened]);
    const doc = opened;
    if (doc.isEncrypted) return fileFailure(path, size, 'UNSUPPORTED', [...fileFindings, finding('FILE_ENCRYPTED')]);
    const located = locateSignatures(doc);
    fileFindings.push(...located.findings);
    fileFindings.push(...hybridXrefFindings(doc));
    const prepared2: { located: LocatedSignature; version: ReturnType<typeof signedVersion>; structure: SignatureStructure }[] = [];
    const ranges = new Map<number, (readonly [number, number])[]>();
    located.signatures.forEach((sig, index) => {
      const version = signedVersion(doc, sig);
      const structure = checkStructure(doc, version.dict, version.offset, version.compressed);
      prepared2.push({ located: sig, version, structure });
      const br = structure.byteRange;
      if (structure.digestable && br) ranges.set(index, [[br[0] as number, br[1] as number], [br[2] as number, br[3] as number]]);
    });
    // Overlapping signatures: a signature's ranges cover another signature's /Contents either
    // entirely (a later signature over an earlier one) or not at all (its own gap); a range
    // boundary inside another /Contents means the two cannot both be what was signed.
    for (let i = 0; i < prepared2.length; i++) {
      const range = ranges.get(i);
      if (!range) continue;
      for (let j = 0; j < prepared2.length; j++) {
        const span = prepared2[j]?.structure.contentsSpan;
        if (i === j || !span) continue;
        let covered = 0;
        for (const [from, length] of range) covered += Math.max(0, Math.min(from + length, span.end) - Math.max(from, span.start));
        if (covered > 0 && covered < span.end - span.start) {
          const item = prepared2[i] as (typeof prepared2)[number];
          item.structure = { ...item.structure, findings: [...item.structure.findings, finding('BYTE_RANGES_OVERLAP')] };
          break;
        }
      }
    }
    let certification: FileState['certification'];
    for (const item of prepared2) {
      const mdp = readMdp(item.version.dict, undefined);
      if (mdp.docMdp !== undefined && item.structure.signedRevision !== undefined && (!certification || item.structure.signedRevision < certification.revision)) {
        certification = { revision: item.structure.signedRevision, p: mdp.docMdp };
      }
    }
    // Issue 16: the file's own validation data (DSS) helps build paths and judge revocation.
    const embedded = readEmbeddedValidationData(doc);
    const fileTrust: PreparedTrust =
      embedded.certificates.length + embedded.crls.length === 0 ? prepared : { ...prepared, extra: [...prepared.extra, ...embedded.certificates], crls: [...prepared.crls, ...embedded.crls] };
    const state: FileState = {
      doc,
      trust: fileTrust,
      options,
      digests: new ByteRangeDigests(doc.source, ranges),
      revisionChanges: new Map(),
      certification,
      trailingBytes: trailingUncoveredBytes(doc),
    };
    const signatures: SignatureReport[] = [];
    for (let i = 0; i < prepared2.length; i++) {
      const item = prepared2[i] as (typeof prepared2)[number];
      try {
        signatures.push(await verifySignature(state, item.located, i, item.structure, item.version));
      } catch (error) {
        // A defect or an input no step foresaw: this signature is not valid, the file goes on.
        const detail = error instanceof YinjianError ? error.en : (error as Error).message;
        signatures.push(failedSignature(item.located.field, finding('SIGNATURE_UNREADABLE', { detail })));
      }
    }
    signatures.sort((a, b) => (a.signedRevision ?? Number.MAX_SAFE_INTEGER) - (b.signedRevision ?? Number.MAX_SAFE_INTEGER));
    const contentsByField = new Map(prepared2.map((item) => [item.located.field, item.structure.contents] as const));
    const leveled = withPadesLevels(signatures, (s) => contentsByField.get(s.field), embedded, prepared.crls, { now: new Date(), ...(options.at ? { at: options.at } : {}) });
    signatures.splice(0, signatures.length, ...leveled);
    const hasFileError = hasError(fileFindings, 'file');
    const verdict = worstVerdict([...signatures.map((s) => s.verdict), ...(hasFileError ? (['INVALID'] as const) : [])]) ?? 'UNSIGNED';
    return { path, verdict, size, revisions: doc.revisions.length, signatures, emptySignatureFields: located.emptyFields, findings: fileFindings };
  } catch (error) {
    const detail = error instanceof YinjianError ? error.en : error instanceof Error ? error.message : String(error);
    return fileFailure(path, size, 'INVALID', [...fileFindings, limitFinding(error) ?? finding('FILE_UNREADABLE', { detail })]);
  }
}

function failedSignature(field: string, failure: VerifyFinding): SignatureReport {
  return {
    field,
    kind: 'signature',
    subFilter: undefined,
    verdict: 'INVALID',
    checks: { coverage: 'not-checked', integrity: 'failed', trust: 'not-checked', revocation: 'not-checked', timestamp: 'not-applicable', changes: 'not-checked', policy: 'not-applicable' },
    findings: [failure],
    signedRevision: undefined,
    byteRange: undefined,
    coversWholeFile: false,
    signer: undefined,
    seal: undefined,
    chain: [],
    claimedTime: undefined,
    timestampTime: undefined,
    trustedTime: undefined,
    trustedTimeSource: 'none',
    digestAlgorithm: undefined,
    signatureAlgorithm: undefined,
    changes: [],
    docMdpPermission: undefined,
    policy: { ours: false },
    reason: undefined,
    location: undefined,
    page: undefined,
  };
}

export { worstLevel };

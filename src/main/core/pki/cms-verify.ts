/**
 * Verifying CMS SignedData (RFC 5652) from any signer, not only ours: the offline verifier
 * meets every kind of PDF signature (PAdES, legacy adbe.pkcs7.detached with SHA-1 and no
 * signed attributes, RFC 3161 document timestamps). A readable signature that is wrong yields
 * findings with stable codes; only unreadable input throws (CMS_MALFORMED).
 */
import { YinjianError } from '../../../shared/errors';
import {
  checkSignature,
  digest,
  hashFromOid,
  parseSignatureAlgorithm,
  type HashName,
  type SignatureAlgorithmInfo,
} from './algorithms';
import { parseCertificateNode, type CertificateInfo } from './certificate';
import {
  Asn1DecodeError,
  bytesEqual,
  child,
  expectUniversal,
  isContext,
  readBitString,
  readDer,
  readIntegerBytes,
  readOctetString,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  retag,
  serialHex,
  TAG,
  TagClass,
  toHex,
  type Asn1Node,
} from './der';
import { parseName, sameName, type DistinguishedName } from './name';
import { documentTypeOfCommitment, OID, type SealedDocumentType } from './oids';

export type CmsFindingCode =
  | 'NO_SIGNER'
  | 'CONTENT_MISSING'
  | 'CERTIFICATE_UNREADABLE'
  | 'SIGNER_CERTIFICATE_NOT_FOUND'
  | 'DIGEST_ALGORITHM_UNSUPPORTED'
  | 'SIGNATURE_ALGORITHM_UNSUPPORTED'
  | 'WEAK_DIGEST_ALGORITHM'
  | 'MESSAGE_DIGEST_MISSING'
  | 'MESSAGE_DIGEST_MISMATCH'
  | 'CONTENT_TYPE_ATTRIBUTE_MISSING'
  | 'CONTENT_TYPE_MISMATCH'
  | 'ATTRIBUTE_DUPLICATED'
  | 'SIGNATURE_INVALID'
  | 'SIGNING_CERTIFICATE_MISMATCH'
  | 'PADES_ATTRIBUTE_MISSING'
  | 'PADES_SIGNING_TIME_PRESENT'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_CONTENT_TYPE_WRONG'
  | 'TIMESTAMP_IMPRINT_MISMATCH'
  | 'TIMESTAMP_SIGNER_NOT_TSA';

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface CmsFinding {
  readonly code: CmsFindingCode;
  readonly severity: FindingSeverity;
  readonly detail?: string;
}

/** The content a detached signature covers: its bytes, or a digest function (one streaming pass, elsewhere). */
export type SignedContent = Uint8Array | ((hash: HashName) => Uint8Array | Promise<Uint8Array>);

export interface SignaturePolicyInfo {
  readonly oid: string;
  readonly hashAlgorithm: HashName | string;
  readonly hash: Uint8Array;
}

export interface SignedAttributesOfInterest {
  readonly contentType?: string;
  readonly messageDigest?: Uint8Array;
  readonly signingTime?: Date;
  readonly approvalReference?: string;
  readonly workstationId?: string;
  /** Issue #12: the seal's usage record at this stamping (ARC.8), when it carries one. */
  readonly usageRecord?: { readonly counter: number; readonly auditSeq: number; readonly auditHash: string };
  readonly commitmentType?: string;
  /** The commitment type read as one of our declared document types (U1), when it is one. */
  readonly documentType?: SealedDocumentType;
  /** Signature policy; `implied` when the signer used signaturePolicyImplied. */
  readonly signaturePolicy?: SignaturePolicyInfo | 'implied';
  readonly hasSigningCertificateV2: boolean;
  readonly hasSigningCertificate: boolean;
}

export interface SignerIdentifier {
  readonly issuer?: DistinguishedName;
  readonly serialHex?: string;
  readonly subjectKeyIdentifier?: string;
}

export interface TimestampVerification {
  /** True when the token's own signature is intact and its imprint matches (trust is the chain's job). */
  readonly valid: boolean;
  readonly genTime: Date | undefined;
  readonly policy: string | undefined;
  readonly serialHex: string | undefined;
  readonly imprintAlgorithm: HashName | string | undefined;
  readonly tsaCertificate: CertificateInfo | undefined;
  /** The token as a CMS verification (its certificates are the pool for the TSA's chain). */
  readonly token: CmsVerification | undefined;
  readonly findings: readonly CmsFinding[];
}

export interface SignerVerification {
  /** True when no finding of severity error: digest, signature and signing-certificate binding hold. */
  readonly valid: boolean;
  readonly signerIdentifier: SignerIdentifier;
  readonly certificate: CertificateInfo | undefined;
  readonly digestAlgorithm: HashName | string;
  readonly signatureAlgorithm: SignatureAlgorithmInfo | { readonly oid: string };
  readonly hasSignedAttributes: boolean;
  readonly attributes: SignedAttributesOfInterest;
  /** Which attributes PAdES B-B requires that are missing (ETSI EN 319 142-1 §6.3). */
  readonly padesMissing: readonly string[];
  readonly signatureValue: Uint8Array;
  readonly signatureTimestamp: TimestampVerification | undefined;
  readonly findings: readonly CmsFinding[];
}

export interface CmsVerification {
  readonly valid: boolean;
  readonly contentType: string;
  readonly encapsulatedContent: Uint8Array | undefined;
  readonly certificates: readonly CertificateInfo[];
  readonly crls: readonly Uint8Array[];
  readonly signers: readonly SignerVerification[];
  readonly findings: readonly CmsFinding[];
}

export interface CmsVerifyOptions {
  /** Detached content (or its digest function); defaults to the encapsulated content. */
  readonly content?: SignedContent;
  /** More certificates to find the signer in (e.g. from the seal register). */
  readonly extraCertificates?: readonly CertificateInfo[];
}

interface ParsedSignerInfo {
  readonly node: Asn1Node;
  readonly sid: SignerIdentifier;
  readonly sidIssuerSerial?: { issuer: DistinguishedName; serial: Uint8Array };
  readonly sidKeyId?: Uint8Array;
  readonly digestAlgorithmOid: string;
  readonly signedAttrs?: Asn1Node;
  readonly signatureAlgorithm: Asn1Node;
  readonly signature: Uint8Array;
  readonly unsignedAttrs?: Asn1Node;
}

interface ParsedSignedData {
  readonly contentType: string;
  readonly eContent: Uint8Array | undefined;
  readonly certificates: CertificateInfo[];
  readonly unreadableCertificates: number;
  readonly crls: Uint8Array[];
  readonly signerInfos: ParsedSignerInfo[];
}

function malformed(detail: string, cause?: unknown): YinjianError {
  return new YinjianError('CMS_MALFORMED', { detail }, { cause });
}

function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  let root: Asn1Node;
  try {
    // PDF /Contents is a fixed-size hex string: the CMS is followed by zero padding.
    root = readDer(bytes, 'zeros');
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
  try {
    expectUniversal(root, TAG.SEQUENCE, 'ContentInfo');
    if (readOid(child(root, 0, 'ContentInfo'), 'contentType') !== OID.signedData) throw new Asn1DecodeError('not a SignedData');
    const wrapper = child(root, 1, 'ContentInfo');
    if (!isContext(wrapper, 0)) throw new Asn1DecodeError('ContentInfo: content is not [0]');
    const sd = expectUniversal(child(wrapper, 0, 'ContentInfo'), TAG.SEQUENCE, 'SignedData');
    let i = 1; // version
    i++; // digestAlgorithms
    const encap = expectUniversal(child(sd, i++, 'SignedData'), TAG.SEQUENCE, 'encapContentInfo');
    const contentType = readOid(child(encap, 0, 'encapContentInfo'), 'eContentType');
    const eContentWrapper = encap.children[1];
    const eContent = isContext(eContentWrapper, 0) ? readOctetString(eContentWrapper.children[0], 'eContent') : undefined;
    const certificates: CertificateInfo[] = [];
    let unreadableCertificates = 0;
    const crls: Uint8Array[] = [];
    let field = sd.children[i];
    if (isContext(field, 0)) {
      for (const c of field.children) {
        if (c.tagClass !== TagClass.Universal || c.tag !== TAG.SEQUENCE) continue; // attribute/other certificates
        try {
          certificates.push(parseCertificateNode(c));
        } catch {
          unreadableCertificates++;
        }
      }
      field = sd.children[++i];
    }
    if (isContext(field, 1)) {
      for (const c of field.children) crls.push(c.raw);
      field = sd.children[++i];
    }
    const infos = expectUniversal(field, TAG.SET, 'signerInfos');
    return { contentType, eContent, certificates, unreadableCertificates, crls, signerInfos: infos.children.map(parseSignerInfo) };
  } catch (e) {
    if (e instanceof Asn1DecodeError || e instanceof RangeError) throw malformed(e.message, e);
    throw e;
  }
}

function parseSignerInfo(node: Asn1Node): ParsedSignerInfo {
  expectUniversal(node, TAG.SEQUENCE, 'SignerInfo');
  readSmallInteger(child(node, 0, 'SignerInfo'), 'SignerInfo version');
  const sidNode = child(node, 1, 'SignerInfo');
  let sid: SignerIdentifier;
  let sidIssuerSerial: ParsedSignerInfo['sidIssuerSerial'];
  let sidKeyId: Uint8Array | undefined;
  if (isContext(sidNode, 0)) {
    sidKeyId = sidNode.content;
    sid = { subjectKeyIdentifier: toHex(sidKeyId) };
  } else {
    const issuer = parseName(child(sidNode, 0, 'issuerAndSerialNumber'));
    const serial = readIntegerBytes(child(sidNode, 1, 'issuerAndSerialNumber'));
    sidIssuerSerial = { issuer, serial };
    sid = { issuer, serialHex: serialHex(serial) };
  }
  const digestAlgorithmOid = readOid(child(child(node, 2, 'SignerInfo'), 0, 'digestAlgorithm'));
  let i = 3;
  let signedAttrs: Asn1Node | undefined;
  if (isContext(node.children[i], 0)) signedAttrs = node.children[i++];
  const signatureAlgorithm = expectUniversal(child(node, i++, 'SignerInfo'), TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = readOctetString(child(node, i++, 'SignerInfo'), 'signature');
  const unsignedAttrs = isContext(node.children[i], 1) ? node.children[i] : undefined;
  return {
    node,
    sid,
    ...(sidIssuerSerial ? { sidIssuerSerial } : {}),
    ...(sidKeyId ? { sidKeyId } : {}),
    digestAlgorithmOid,
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm,
    signature,
    ...(unsignedAttrs ? { unsignedAttrs } : {}),
  };
}

/** Attributes as (type → values), keeping duplicates visible (RFC 5652 §5.3: one instance each for most). */
function readAttributes(node: Asn1Node): Map<string, Asn1Node[][]> {
  const map = new Map<string, Asn1Node[][]>();
  for (const attr of node.children) {
    const type = readOid(child(attr, 0, 'Attribute'), 'attrType');
    const values = expectUniversal(child(attr, 1, 'Attribute'), TAG.SET, 'attrValues').children.slice();
    const list = map.get(type) ?? [];
    list.push(values);
    map.set(type, list);
  }
  return map;
}

function matchesSid(info: ParsedSignerInfo, cert: CertificateInfo): boolean {
  if (info.sidIssuerSerial) {
    return sameName(info.sidIssuerSerial.issuer, cert.issuer) && serialHex(info.sidIssuerSerial.serial) === cert.serialHex;
  }
  if (info.sidKeyId) {
    if (cert.subjectKeyIdentifier) return bytesEqual(cert.subjectKeyIdentifier, info.sidKeyId);
    try {
      const keyBits = readBitString(readDer(cert.spki).children[1]).bytes;
      return bytesEqual(digest('sha1', keyBits), info.sidKeyId);
    } catch {
      return false;
    }
  }
  return false;
}

async function digestOf(content: SignedContent, hash: HashName): Promise<Uint8Array> {
  return typeof content === 'function' ? await content(hash) : digest(hash, content);
}

/** ESSCertID / ESSCertIDv2 binding of the signer certificate (RFC 2634 §5.4, RFC 5035 §3). */
function checkSigningCertificate(value: Asn1Node, certificate: CertificateInfo, v2: boolean): string | undefined {
  const certs = expectUniversal(child(value, 0, 'SigningCertificate'), TAG.SEQUENCE, 'certs');
  const first = expectUniversal(child(certs, 0, 'certs'), TAG.SEQUENCE, 'ESSCertID');
  let k = 0;
  let hash: HashName | undefined = v2 ? 'sha256' : 'sha1';
  if (v2 && first.children[0]?.tag === TAG.SEQUENCE) {
    const oid = readOid(child(first.children[0], 0, 'hashAlgorithm'));
    hash = hashFromOid(oid);
    k++;
    if (!hash) return `unsupported hash ${oid}`;
  }
  const certHash = readOctetString(child(first, k++, 'ESSCertID'), 'certHash');
  if (!bytesEqual(certHash, digest(hash, certificate.der))) return 'certificate hash differs from the signer certificate';
  const issuerSerial = first.children[k];
  if (issuerSerial) {
    const serial = readIntegerBytes(child(issuerSerial, 1, 'IssuerSerial'));
    if (serialHex(serial) !== certificate.serialHex) return 'issuerSerial serial differs';
    const directory = child(issuerSerial, 0, 'IssuerSerial').children.find((n) => isContext(n, 4));
    if (directory && !sameName(parseName(child(directory, 0, 'directoryName')), certificate.issuer)) return 'issuerSerial issuer differs';
  }
  return undefined;
}

function collectAttributes(attrs: Map<string, Asn1Node[][]>, findings: CmsFinding[]): SignedAttributesOfInterest {
  const single = (type: string): Asn1Node | undefined => {
    const instances = attrs.get(type);
    if (!instances) return undefined;
    if (instances.length !== 1 || instances[0]!.length !== 1) {
      findings.push({ code: 'ATTRIBUTE_DUPLICATED', severity: 'error', detail: type });
    }
    return instances[0]?.[0];
  };
  const result: { -readonly [K in keyof SignedAttributesOfInterest]: SignedAttributesOfInterest[K] } = {
    hasSigningCertificateV2: attrs.has(OID.signingCertificateV2),
    hasSigningCertificate: attrs.has(OID.signingCertificate),
  };
  const ct = single(OID.contentType);
  if (ct) result.contentType = readOid(ct);
  const md = single(OID.messageDigest);
  if (md) result.messageDigest = readOctetString(md);
  const st = single(OID.signingTime);
  if (st) result.signingTime = readTime(st);
  const ar = single(OID.approvalReference);
  if (ar) result.approvalReference = readString(ar);
  const ws = single(OID.workstationId);
  if (ws) result.workstationId = readString(ws);
  const usage = single(OID.usageRecord);
  if (usage) {
    const counter = readSmallInteger(child(usage, 0, 'UsageRecord'), 'usage record counter');
    const auditSeq = readSmallInteger(child(usage, 1, 'UsageRecord'), 'usage record audit seq');
    const auditHash = readOctetString(child(usage, 2, 'UsageRecord'), 'usage record audit hash');
    if (counter < 1 || auditSeq < 1 || auditHash.length !== 32) throw new Asn1DecodeError('usage record: counter, seq or hash out of range');
    result.usageRecord = { counter, auditSeq, auditHash: toHex(auditHash) };
  }
  const commitment = single(OID.commitmentType);
  if (commitment) {
    result.commitmentType = readOid(child(commitment, 0, 'CommitmentTypeIndication'));
    const documentType = documentTypeOfCommitment(result.commitmentType);
    if (documentType) result.documentType = documentType;
  }
  const policy = single(OID.sigPolicyId);
  if (policy) {
    if (policy.tag === TAG.NULL) result.signaturePolicy = 'implied';
    else {
      const hashAlg = child(policy, 1, 'SignaturePolicyId');
      const algOid = readOid(child(child(hashAlg, 0, 'sigPolicyHash'), 0, 'hashAlgorithm'));
      result.signaturePolicy = {
        oid: readOid(child(policy, 0, 'SignaturePolicyId')),
        hashAlgorithm: hashFromOid(algOid) ?? algOid,
        hash: readOctetString(child(hashAlg, 1, 'sigPolicyHash')),
      };
    }
  }
  return result;
}

function isError(findings: readonly CmsFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

async function verifySigner(info: ParsedSignerInfo, sd: ParsedSignedData, options: CmsVerifyOptions): Promise<SignerVerification> {
  const findings: CmsFinding[] = [];
  const pool = [...sd.certificates, ...(options.extraCertificates ?? [])];
  const certificate = pool.find((c) => matchesSid(info, c));
  if (!certificate) findings.push({ code: 'SIGNER_CERTIFICATE_NOT_FOUND', severity: 'error' });

  const digestHash = hashFromOid(info.digestAlgorithmOid);
  if (!digestHash) findings.push({ code: 'DIGEST_ALGORITHM_UNSUPPORTED', severity: 'error', detail: info.digestAlgorithmOid });
  const algorithm = parseSignatureAlgorithm(info.signatureAlgorithm, digestHash);
  if (!algorithm.ok) findings.push({ code: 'SIGNATURE_ALGORITHM_UNSUPPORTED', severity: 'error', detail: `${algorithm.oid}: ${algorithm.reason}` });
  if (digestHash === 'sha1' || (algorithm.ok && algorithm.info.hash === 'sha1')) {
    // Reported, not failed: a verifier must still tell a SHA-1 signature's integrity apart from forgery.
    findings.push({ code: 'WEAK_DIGEST_ALGORITHM', severity: 'warning', detail: 'sha1' });
  }

  const content = options.content ?? sd.eContent;
  let attributes: SignedAttributesOfInterest = { hasSigningCertificate: false, hasSigningCertificateV2: false };
  const padesMissing: string[] = [];
  let signedInput: { data: Uint8Array } | { digest: Uint8Array } | undefined;

  if (info.signedAttrs) {
    const attrs = readAttributes(info.signedAttrs);
    attributes = collectAttributes(attrs, findings);
    if (!attributes.contentType) findings.push({ code: 'CONTENT_TYPE_ATTRIBUTE_MISSING', severity: 'error' });
    else if (attributes.contentType !== sd.contentType) {
      findings.push({ code: 'CONTENT_TYPE_MISMATCH', severity: 'error', detail: `${attributes.contentType} ≠ ${sd.contentType}` });
    }
    if (!attributes.messageDigest) findings.push({ code: 'MESSAGE_DIGEST_MISSING', severity: 'error' });
    else if (content === undefined) findings.push({ code: 'CONTENT_MISSING', severity: 'error' });
    else if (digestHash) {
      const actual = await digestOf(content, digestHash);
      if (!bytesEqual(actual, attributes.messageDigest)) findings.push({ code: 'MESSAGE_DIGEST_MISMATCH', severity: 'error' });
    }
    // RFC 5652 §5.4: the signature covers the DER of the attributes with the SET OF tag.
    signedInput = { data: retag(info.signedAttrs.raw, 0x31) };

    if (!attributes.contentType) padesMissing.push('content-type');
    if (!attributes.messageDigest) padesMissing.push('message-digest');
    if (!attributes.hasSigningCertificateV2 && !attributes.hasSigningCertificate) padesMissing.push('signing-certificate-v2');
    if (attributes.signingTime) findings.push({ code: 'PADES_SIGNING_TIME_PRESENT', severity: 'info' });
    if (certificate) {
      for (const [oid, v2] of [
        [OID.signingCertificateV2, true],
        [OID.signingCertificate, false],
      ] as const) {
        const value = attrs.get(oid)?.[0]?.[0];
        if (!value) continue;
        const problem = checkSigningCertificate(value, certificate, v2);
        if (problem) findings.push({ code: 'SIGNING_CERTIFICATE_MISMATCH', severity: 'error', detail: `${v2 ? 'v2' : 'v1'}: ${problem}` });
      }
    }
  } else {
    // Legacy adbe.pkcs7.detached: the signature covers the content itself.
    padesMissing.push('content-type', 'message-digest', 'signing-certificate-v2');
    if (content === undefined) findings.push({ code: 'CONTENT_MISSING', severity: 'error' });
    else if (typeof content === 'function') {
      if (digestHash) signedInput = { digest: await content(digestHash) };
    } else signedInput = { data: content };
  }
  if (padesMissing.length) findings.push({ code: 'PADES_ATTRIBUTE_MISSING', severity: 'warning', detail: padesMissing.join(',') });

  if (certificate && algorithm.ok && signedInput) {
    const check = checkSignature(certificate.spki, algorithm.info, signedInput, info.signature);
    if (check.outcome === 'invalid') findings.push({ code: 'SIGNATURE_INVALID', severity: 'error', detail: check.reason });
    if (check.outcome === 'unsupported') findings.push({ code: 'SIGNATURE_ALGORITHM_UNSUPPORTED', severity: 'error', detail: check.reason });
  }

  let signatureTimestamp: TimestampVerification | undefined;
  if (info.unsignedAttrs) {
    const token = readAttributes(info.unsignedAttrs).get(OID.signatureTimeStampToken)?.[0]?.[0];
    if (token) {
      try {
        signatureTimestamp = await verifyTimestampToken(token.raw, info.signature);
      } catch (e) {
        const detail = e instanceof YinjianError ? e.en : String(e);
        signatureTimestamp = { valid: false, genTime: undefined, policy: undefined, serialHex: undefined, imprintAlgorithm: undefined, tsaCertificate: undefined, token: undefined, findings: [{ code: 'TIMESTAMP_INVALID', severity: 'error', detail }] };
      }
      if (!signatureTimestamp.valid) findings.push({ code: 'TIMESTAMP_INVALID', severity: 'warning', detail: signatureTimestamp.findings.map((f) => f.code).join(',') });
    }
  }

  return {
    valid: !isError(findings),
    signerIdentifier: info.sid,
    certificate,
    digestAlgorithm: digestHash ?? info.digestAlgorithmOid,
    signatureAlgorithm: algorithm.ok ? algorithm.info : { oid: algorithm.oid },
    hasSignedAttributes: info.signedAttrs !== undefined,
    attributes,
    padesMissing,
    signatureValue: info.signature,
    signatureTimestamp,
    findings,
  };
}

/**
 * Verifies a DER SignedData. Throws CMS_MALFORMED only when the bytes are not a readable
 * SignedData; every other problem is a finding.
 */
export async function verifyCmsSignature(bytes: Uint8Array, options: CmsVerifyOptions = {}): Promise<CmsVerification> {
  const sd = parseSignedData(bytes);
  const findings: CmsFinding[] = [];
  if (sd.unreadableCertificates > 0) findings.push({ code: 'CERTIFICATE_UNREADABLE', severity: 'warning', detail: String(sd.unreadableCertificates) });
  if (sd.signerInfos.length === 0) findings.push({ code: 'NO_SIGNER', severity: 'error' });
  const signers: SignerVerification[] = [];
  for (const info of sd.signerInfos) {
    try {
      signers.push(await verifySigner(info, sd, options));
    } catch (e) {
      if (e instanceof Asn1DecodeError || e instanceof RangeError) throw malformed(e.message, e);
      throw e;
    }
  }
  return {
    valid: !isError(findings) && signers.length > 0 && signers.every((s) => s.valid),
    contentType: sd.contentType,
    encapsulatedContent: sd.eContent,
    certificates: sd.certificates,
    crls: sd.crls,
    signers,
    findings,
  };
}

/**
 * Verifies an RFC 3161 timestamp token: its own CMS signature over the TSTInfo, and that the
 * messageImprint is the hash of `imprinted` (the signature value for a signature timestamp,
 * the byte ranges for a document timestamp). Whether the TSA is trusted is the chain's job:
 * validate `tsaCertificate` with the token's certificates as the pool.
 */
export async function verifyTimestampToken(token: Uint8Array, imprinted: SignedContent): Promise<TimestampVerification> {
  let cms: CmsVerification;
  try {
    cms = await verifyCmsSignature(token);
  } catch (e) {
    if (e instanceof YinjianError) throw new YinjianError('TIMESTAMP_MALFORMED', { detail: e.en }, { cause: e });
    throw e;
  }
  const findings: CmsFinding[] = [];
  for (const s of cms.signers) for (const f of s.findings) if (f.severity === 'error') findings.push({ ...f, code: 'TIMESTAMP_INVALID', detail: `${f.code}${f.detail ? `: ${f.detail}` : ''}` });
  if (cms.signers.length === 0) findings.push({ code: 'TIMESTAMP_INVALID', severity: 'error', detail: 'NO_SIGNER' });
  if (cms.contentType !== OID.tstInfo || !cms.encapsulatedContent) {
    findings.push({ code: 'TIMESTAMP_CONTENT_TYPE_WRONG', severity: 'error', detail: cms.contentType });
    return { valid: false, genTime: undefined, policy: undefined, serialHex: undefined, imprintAlgorithm: undefined, tsaCertificate: cms.signers[0]?.certificate, token: cms, findings };
  }
  let tst: Asn1Node;
  let policy: string;
  let imprintOid: string;
  let hashed: Uint8Array;
  let serial: string;
  let genTime: Date;
  try {
    tst = expectUniversal(readDer(cms.encapsulatedContent), TAG.SEQUENCE, 'TSTInfo');
    policy = readOid(child(tst, 1, 'TSTInfo'), 'policy');
    const imprint = child(tst, 2, 'TSTInfo');
    imprintOid = readOid(child(child(imprint, 0, 'messageImprint'), 0, 'hashAlgorithm'));
    hashed = readOctetString(child(imprint, 1, 'messageImprint'));
    serial = serialHex(readIntegerBytes(child(tst, 3, 'TSTInfo'), 'serialNumber'));
    genTime = readTime(child(tst, 4, 'TSTInfo'), 'genTime');
  } catch (e) {
    throw new YinjianError('TIMESTAMP_MALFORMED', { detail: (e as Error).message }, { cause: e });
  }
  const imprintHash = hashFromOid(imprintOid);
  if (!imprintHash) findings.push({ code: 'DIGEST_ALGORITHM_UNSUPPORTED', severity: 'error', detail: imprintOid });
  else if (!bytesEqual(await digestOf(imprinted, imprintHash), hashed)) findings.push({ code: 'TIMESTAMP_IMPRINT_MISMATCH', severity: 'error' });
  const tsaCertificate = cms.signers[0]?.certificate;
  // RFC 3161 §2.3: the TSA certificate carries exactly the timeStamping extended key usage.
  if (tsaCertificate && !tsaCertificate.extendedKeyUsage?.includes(OID.kpTimeStamping)) {
    findings.push({ code: 'TIMESTAMP_SIGNER_NOT_TSA', severity: 'warning' });
  }
  return { valid: !isError(findings), genTime, policy, serialHex: serial, imprintAlgorithm: imprintHash ?? imprintOid, tsaCertificate, token: cms, findings };
}

/** A document timestamp (PDF /SubFilter /ETSI.RFC3161): the token's imprint covers the byte ranges. */
export function verifyDocumentTimestamp(token: Uint8Array, byteRanges: SignedContent): Promise<TimestampVerification> {
  return verifyTimestampToken(token, byteRanges);
}

/**
 * X.509 v3 certificates (RFC 5280): the group seal CA (M1: the President's Office alone makes
 * seals) and the seal certificates it issues, and a reader that turns any certificate into a
 * plain DTO.
 */
import { decodeAuthorityInfoAccess, decodeCrlDistributionPoints, encodeAuthorityInfoAccess, encodeCrlDistributionPoints, publicationUri, type PublicationPoints } from './publication-points';
import { randomBytes } from 'node:crypto';
import { YinjianError } from '../../../shared/errors';
import type { SealSigner } from '../ports/signer';
import { digest, signatureAlgorithmIdentifier } from './algorithms';
import {
  Asn1DecodeError,
  child,
  der,
  expectUniversal,
  isContext,
  readBitString,
  readBoolean,
  readDer,
  readIntegerBytes,
  readOctetString,
  readOid,
  readSmallInteger,
  readTime,
  serialHex,
  TAG,
  toHex,
  type Asn1Node,
} from './der';
import { encodeName, isPrintableString, parseName, type DistinguishedName } from './name';
import { OID } from './oids';
import { decodeSealInfo, encodeSealInfo, type SealInfo } from './seal-info';
import { samePublicKey, signWithSealSigner } from './sealing-key';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface CertificateInfo {
  readonly der: Uint8Array;
  /** The TBSCertificate exactly as received: what the issuer signed. */
  readonly tbs: Uint8Array;
  readonly version: number;
  /** INTEGER content octets of the serial number, as encoded. */
  readonly serialNumber: Uint8Array;
  /** Serial number as lower-case hex without leading zero bytes. */
  readonly serialHex: string;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithm: string;
  /** DER AlgorithmIdentifier of the issuer's signature (outer field). */
  readonly signatureAlgorithm: Uint8Array;
  readonly signatureValue: Uint8Array;
  /** undefined when the certificate has no keyUsage extension. */
  readonly keyUsage: readonly KeyUsageName[] | undefined;
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number } | undefined;
  readonly policies: readonly string[];
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** RFC 5280 §4.2.1.13: the URIs the CRL is published at (empty when the extension is absent). */
  readonly crlDistributionPoints: readonly string[];
  /** RFC 5280 §4.2.2.1: where the issuer's certificate is published (AIA caIssuers). */
  readonly caIssuers: readonly string[];
  /** Our seal-information extension, when present and readable. */
  readonly sealInfo: SealInfo | undefined;
  readonly extensions: readonly CertificateExtension[];
  /** Critical extensions this reader does not understand (RFC 5280 §4.2: must reject). */
  readonly unknownCriticalExtensions: readonly string[];
  /** SHA-256 of the whole certificate, lower-case hex. */
  readonly sha256Fingerprint: string;
}

const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.sealInfoExtension,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
]);

function malformed(detail: string, cause?: unknown): YinjianError {
  return new YinjianError('CERTIFICATE_MALFORMED', { detail }, { cause });
}

export function parseCertificate(bytes: Uint8Array): CertificateInfo {
  try {
    return parseCertificateNode(readDer(bytes));
  } catch (e) {
    if (e instanceof YinjianError) throw e;
    if (e instanceof Asn1DecodeError || e instanceof RangeError) throw malformed(e.message, e);
    throw e;
  }
}

/** Reads a certificate already decoded as part of a larger structure (CMS certificates field). */
export function parseCertificateNode(root: Asn1Node): CertificateInfo {
  expectUniversal(root, TAG.SEQUENCE, 'certificate');
  const tbsNode = expectUniversal(child(root, 0, 'certificate'), TAG.SEQUENCE, 'tbsCertificate');
  const signatureAlgorithm = expectUniversal(child(root, 1, 'certificate'), TAG.SEQUENCE, 'signatureAlgorithm');
  const signatureValue = readBitString(child(root, 2, 'certificate'), 'signatureValue').bytes;

  let i = 0;
  let version = 1;
  const first = child(tbsNode, 0, 'tbsCertificate');
  if (isContext(first, 0)) {
    version = readSmallInteger(first.children[0], 'version') + 1;
    i++;
  }
  const serialNumber = readIntegerBytes(child(tbsNode, i++, 'tbsCertificate'), 'serialNumber');
  i++; // inner signature AlgorithmIdentifier: compared with the outer one below
  const issuer = parseName(child(tbsNode, i++, 'issuer'));
  const validity = child(tbsNode, i++, 'validity');
  const notBefore = readTime(validity.children[0], 'notBefore');
  const notAfter = readTime(validity.children[1], 'notAfter');
  const subject = parseName(child(tbsNode, i++, 'subject'));
  const spkiNode = expectUniversal(child(tbsNode, i++, 'subjectPublicKeyInfo'), TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const publicKeyAlgorithm = readOid(child(child(spkiNode, 0, 'algorithm'), 0, 'algorithm'));

  const extensions: CertificateExtension[] = [];
  for (; i < tbsNode.children.length; i++) {
    const field = tbsNode.children[i]!;
    if (!isContext(field, 3)) continue;
    const list = expectUniversal(field.children[0], TAG.SEQUENCE, 'extensions');
    for (const ext of list.children) {
      const oid = readOid(ext.children[0], 'extnID');
      let critical = false;
      let valueNode = ext.children[1];
      if (valueNode && valueNode.tag === TAG.BOOLEAN) {
        critical = readBoolean(valueNode, 'critical');
        valueNode = ext.children[2];
      }
      extensions.push({ oid, critical, value: readOctetString(valueNode, 'extnValue') });
    }
  }
  const innerAlg = tbsNode.children[version === 1 ? 1 : 2];
  if (!innerAlg || !bytesEqualNode(innerAlg, signatureAlgorithm)) {
    // RFC 5280 §4.1.1.2: both fields MUST be identical; a mismatch is an algorithm-substitution attempt.
    throw malformed('inner and outer signature algorithms differ');
  }

  const ext = (oid: string): CertificateExtension | undefined => extensions.find((e) => e.oid === oid);
  const keyUsageExt = ext(OID.keyUsage);
  const basicExt = ext(OID.basicConstraints);
  const policiesExt = ext(OID.certificatePolicies);
  const ekuExt = ext(OID.extKeyUsage);
  const skiExt = ext(OID.subjectKeyIdentifier);
  const akiExt = ext(OID.authorityKeyIdentifier);
  const sealExt = ext(OID.sealInfoExtension);
  const crlDpExt = ext(OID.crlDistributionPoints);
  const aiaExt = ext(OID.authorityInfoAccess);
  const optional = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch {
      return fallback;
    }
  };

  let sealInfo: SealInfo | undefined;
  if (sealExt) {
    try {
      sealInfo = decodeSealInfo(sealExt.value);
    } catch {
      sealInfo = undefined;
    }
  }
  return {
    der: root.raw,
    tbs: tbsNode.raw,
    version,
    serialNumber,
    serialHex: serialHex(serialNumber),
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiNode.raw,
    publicKeyAlgorithm,
    signatureAlgorithm: signatureAlgorithm.raw,
    signatureValue,
    keyUsage: keyUsageExt ? decodeKeyUsage(keyUsageExt.value) : undefined,
    basicConstraints: basicExt ? decodeBasicConstraints(basicExt.value) : undefined,
    policies: policiesExt ? decodePolicies(policiesExt.value) : [],
    extendedKeyUsage: ekuExt ? readDer(ekuExt.value).children.map((n) => readOid(n, 'extended key usage')) : undefined,
    subjectKeyIdentifier: skiExt ? readOctetString(readDer(skiExt.value), 'subjectKeyIdentifier') : undefined,
    authorityKeyIdentifier: akiExt ? decodeAuthorityKeyIdentifier(akiExt.value) : undefined,
    crlDistributionPoints: crlDpExt ? optional(() => decodeCrlDistributionPoints(crlDpExt.value), []) : [],
    caIssuers: aiaExt ? optional(() => decodeAuthorityInfoAccess(aiaExt.value).caIssuers, []) : [],
    sealInfo,
    extensions,
    unknownCriticalExtensions: extensions.filter((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid)).map((e) => e.oid),
    sha256Fingerprint: toHex(digest('sha256', root.raw)),
  };
}

function bytesEqualNode(a: Asn1Node, b: Asn1Node): boolean {
  if (a.raw.length !== b.raw.length) return false;
  for (let k = 0; k < a.raw.length; k++) if (a.raw[k] !== b.raw[k]) return false;
  return true;
}

function decodeKeyUsage(value: Uint8Array): KeyUsageName[] {
  const { bytes } = readBitString(readDer(value), 'keyUsage');
  const names: KeyUsageName[] = [];
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bytes[bit >> 3];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) names.push(name);
  });
  return names;
}

function decodeBasicConstraints(value: Uint8Array): { ca: boolean; pathLength?: number } {
  const seq = expectUniversal(readDer(value), TAG.SEQUENCE, 'basicConstraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const item of seq.children) {
    if (item.tag === TAG.BOOLEAN) ca = readBoolean(item, 'cA');
    else if (item.tag === TAG.INTEGER) pathLength = readSmallInteger(item, 'pathLenConstraint');
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function decodePolicies(value: Uint8Array): string[] {
  const seq = expectUniversal(readDer(value), TAG.SEQUENCE, 'certificatePolicies');
  return seq.children.map((info) => readOid(info.children[0], 'policyIdentifier'));
}

function decodeAuthorityKeyIdentifier(value: Uint8Array): Uint8Array | undefined {
  const seq = expectUniversal(readDer(value), TAG.SEQUENCE, 'authorityKeyIdentifier');
  const keyId = seq.children.find((n) => isContext(n, 0));
  return keyId?.content;
}

// ---------------------------------------------------------------- building

export interface CertificateValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface RootCertificateRequest {
  /** The CA's own key (on the office's USB key). */
  readonly signer: SealSigner;
  /** O= of the CA: the group's name. */
  readonly groupName: string;
  /** CN= of the CA, e.g. "集团电子印章根证书". */
  readonly commonName: string;
  /** The office uses 20 years or more; the CA must outlive every seal it issues. */
  readonly validity: CertificateValidity;
}

export interface SealCertificateRequest {
  /** The CA certificate (DER) and its key. */
  readonly issuerCertificate: Uint8Array;
  readonly issuerSigner: SealSigner;
  /** The seal's public key, generated on the seal's USB key (M1). */
  readonly subjectPublicKeySpki: Uint8Array;
  readonly groupName: string;
  /** OU=: the company or department the seal belongs to. */
  readonly unit: string;
  /** CN=: the seal's name as carved, e.g. "某某公司公章". */
  readonly sealName: string;
  /** serialNumber= (2.5.4.5): the seal code from the register; PrintableString characters. */
  readonly sealCode: string;
  readonly sealKind: SealInfo['sealKind'];
  /** The one registered custodian (M2). */
  readonly custodianStaffId: string;
  /** The workstation the seal is bound to (M4, S1); only its SHA-256 goes into the certificate. */
  readonly workstationId: string;
  /** E1: notBefore is the seal's start date. */
  readonly validity: CertificateValidity;
  /** Where the office publishes its CRL and CA certificate (issue 16); none: no CRL DP / AIA. */
  readonly publicationPoints?: PublicationPoints;
}

function invalidRequest(detail: string): YinjianError {
  return new YinjianError('CERTIFICATE_REQUEST_INVALID', { detail });
}

/** RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets, top bit clear, first octet non-zero. */
export function randomSerialNumber(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) || 0x01;
  return serial;
}

/** RFC 7093 §2 method 1: leftmost 160 bits of SHA-256 of the subjectPublicKey bits. */
export function keyIdentifierOf(spki: Uint8Array): Uint8Array {
  const spkiNode = readDer(spki);
  const { bytes } = readBitString(spkiNode.children[1], 'subjectPublicKey');
  return digest('sha256', bytes).subarray(0, 20);
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value));
}

/** keyUsage as a DER named BIT STRING: trailing zero bits dropped (X.690 §11.2.2). */
export function encodeKeyUsage(usages: readonly KeyUsageName[]): Uint8Array {
  const bits = usages.map((u) => KEY_USAGE_BITS.indexOf(u));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return der.bitString(bytes, unused);
}

function checkValidity(validity: CertificateValidity): void {
  const nb = validity.notBefore.getTime();
  const na = validity.notAfter.getTime();
  if (!Number.isFinite(nb) || !Number.isFinite(na)) throw invalidRequest('validity dates are not valid dates');
  if (na <= nb) throw invalidRequest('notAfter must be later than notBefore');
}

function checkText(label: string, text: string): void {
  if (text.trim() === '') throw invalidRequest(`${label} is empty`);
  if (text.length > 128) throw invalidRequest(`${label} is longer than 128 characters`);
}

async function assembleCertificate(signer: SealSigner, fields: Omit<TbsFields, 'signatureAlgorithm'>, algorithmIdentifier: Uint8Array): Promise<Uint8Array> {
  const tbs = encodeTbs({ ...fields, signatureAlgorithm: algorithmIdentifier });
  const signature = await signWithSealSigner(signer, tbs);
  return der.sequence(tbs, signature.algorithmIdentifier, der.bitString(signature.value));
}

interface TbsFields {
  readonly serialNumber: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly issuer: Uint8Array;
  readonly validity: CertificateValidity;
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
  readonly extensions: readonly Uint8Array[];
}

function encodeTbs(f: TbsFields): Uint8Array {
  return der.sequence(
    der.explicit(0, der.integer(2)),
    der.integerBytes(f.serialNumber),
    f.signatureAlgorithm,
    f.issuer,
    der.sequence(der.time(f.validity.notBefore), der.time(f.validity.notAfter)),
    f.subject,
    f.spki,
    der.explicit(3, der.sequence(...f.extensions)),
  );
}

function checkSpki(spki: Uint8Array, label: string): void {
  try {
    keyIdentifierOf(spki);
  } catch {
    throw invalidRequest(`${label} is not a SubjectPublicKeyInfo`);
  }
}

/** The self-signed group seal CA (M1). basicConstraints pathLen 0: it issues seals, never sub-CAs. */
export async function buildRootCertificate(request: RootCertificateRequest): Promise<Uint8Array> {
  checkText('group name', request.groupName);
  checkText('common name', request.commonName);
  checkValidity(request.validity);
  checkSpki(request.signer.publicKeySpki, 'the CA key');
  const name = encodeName({ organization: request.groupName, commonName: request.commonName });
  const ski = keyIdentifierOf(request.signer.publicKeySpki);
  const extensions = [
    extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0))),
    extension(OID.keyUsage, true, encodeKeyUsage(['keyCertSign', 'cRLSign'])),
    extension(OID.subjectKeyIdentifier, false, der.octetString(ski)),
  ];
  return assembleCertificate(
    request.signer,
    { serialNumber: randomSerialNumber(), issuer: name, validity: request.validity, subject: name, spki: request.signer.publicKeySpki, extensions },
    signatureAlgorithmIdentifier(request.signer.algorithm),
  );
}

/** A CA certificate this CA can use to issue: checked as adoptCaCertificate does. */
function requireIssuingCa(certificate: CertificateInfo, signer: SealSigner): void {
  if (!certificate.basicConstraints?.ca) throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'basicConstraints cA is not true' });
  if (certificate.keyUsage && !certificate.keyUsage.includes('keyCertSign')) {
    throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'keyUsage lacks keyCertSign' });
  }
  if (!samePublicKey(certificate.spki, signer.publicKeySpki)) throw new YinjianError('CA_KEY_MISMATCH');
}

/**
 * Adopting an existing CA (the office already has one on its USB key): the certificate must be
 * a CA that may sign certificates and CRLs, and its public key must be the token key's.
 */
export function adoptCaCertificate(certificateDer: Uint8Array, tokenKeySpki: Uint8Array): CertificateInfo {
  const certificate = parseCertificate(certificateDer);
  if (!certificate.basicConstraints?.ca) throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'basicConstraints cA is not true' });
  if (certificate.keyUsage && !(certificate.keyUsage.includes('keyCertSign') && certificate.keyUsage.includes('cRLSign'))) {
    throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'keyUsage lacks keyCertSign or cRLSign' });
  }
  if (!samePublicKey(certificate.spki, tokenKeySpki)) throw new YinjianError('CA_KEY_MISMATCH');
  return certificate;
}

/**
 * A seal certificate (M1, S2: issued by the office's CA only). Its policy is the regulation
 * (U1), its key may sign and not repudiate, and the seal-information extension records the
 * seal kind, unit, custodian (M2) and bound workstation (M4, S1).
 */
export async function buildSealCertificate(request: SealCertificateRequest): Promise<Uint8Array> {
  checkText('group name', request.groupName);
  checkText('unit', request.unit);
  checkText('seal name', request.sealName);
  checkText('seal code', request.sealCode);
  checkText('custodian', request.custodianStaffId);
  checkText('workstation id', request.workstationId);
  if (!isPrintableString(request.sealCode)) throw invalidRequest('seal code must use PrintableString characters (A-Z a-z 0-9 and \' ( ) + , - . / : = ? space)');
  checkValidity(request.validity);
  checkSpki(request.subjectPublicKeySpki, 'the seal key');
  const ca = parseCertificate(request.issuerCertificate);
  requireIssuingCa(ca, request.issuerSigner);
  // E1: the seal cannot be valid where its CA is not; refuse rather than issue a dead certificate.
  if (request.validity.notBefore < ca.notBefore || request.validity.notAfter > ca.notAfter) {
    throw invalidRequest('the seal validity must lie within the CA certificate validity');
  }
  const subject = encodeName({
    organization: request.groupName,
    organizationalUnit: request.unit,
    commonName: request.sealName,
    serialNumber: request.sealCode,
  });
  const sealInfo = encodeSealInfo({
    sealKind: request.sealKind,
    unit: request.unit,
    custodianStaffId: request.custodianStaffId,
    workstationIdHash: digest('sha256', new TextEncoder().encode(request.workstationId)),
  });
  const authorityKeyId = ca.subjectKeyIdentifier ?? keyIdentifierOf(ca.spki);
  const extensions = [
    extension(OID.basicConstraints, true, der.sequence()),
    extension(OID.keyUsage, true, encodeKeyUsage(['digitalSignature', 'nonRepudiation'])),
    extension(OID.certificatePolicies, false, der.sequence(der.sequence(der.oid(OID.regulationPolicy)))),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifierOf(request.subjectPublicKeySpki))),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, der.octetString(authorityKeyId)))),
    extension(OID.sealInfoExtension, false, sealInfo),
  ];
  // Issue 16: any validator finds the CRL and the CA certificate from the seal certificate.
  const crlUris = (request.publicationPoints?.crl ?? []).map(publicationUri);
  const caIssuerUris = (request.publicationPoints?.caIssuers ?? []).map(publicationUri);
  if (crlUris.length > 0) extensions.push(extension(OID.crlDistributionPoints, false, encodeCrlDistributionPoints(crlUris)));
  if (caIssuerUris.length > 0) extensions.push(extension(OID.authorityInfoAccess, false, encodeAuthorityInfoAccess(caIssuerUris)));
  return assembleCertificate(
    request.issuerSigner,
    { serialNumber: randomSerialNumber(), issuer: ca.subject.der, validity: request.validity, subject, spki: request.subjectPublicKeySpki, extensions },
    signatureAlgorithmIdentifier(request.issuerSigner.algorithm),
  );
}

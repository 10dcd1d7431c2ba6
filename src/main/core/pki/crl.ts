/**
 * X.509 v2 CRLs (RFC 5280 §5): the office revokes a seal when it is cancelled (S3, reason
 * cessationOfOperation), superseded by a re-issue (S4, superseded) or lost (S5, keyCompromise,
 * with invalidityDate when the loss happened before it was registered).
 */
import { YinjianError } from '../../../shared/errors';
import type { SealSigner } from '../ports/signer';
import { checkIssuerSignature, signatureAlgorithmIdentifier, type SignatureCheck } from './algorithms';
import { keyIdentifierOf, parseCertificate, type CertificateInfo } from './certificate';
import {
  Asn1DecodeError,
  bytesEqual,
  child,
  der,
  expectUniversal,
  isContext,
  readBitString,
  readBoolean,
  readDer,
  readEnumerated,
  readIntegerBytes,
  readOctetString,
  readOid,
  readSmallInteger,
  readTime,
  serialHex,
  TAG,
  type Asn1Node,
} from './der';
import { parseName, sameName, type DistinguishedName } from './name';
import { CRL_REASON, crlReasonName, OID, type CrlReasonName } from './oids';
import { samePublicKey, signWithSealSigner } from './sealing-key';

export interface RevocationEntry {
  /** Serial number magnitude (big-endian, unsigned), as in CertificateInfo.serialNumber. */
  readonly serialNumber: Uint8Array;
  readonly revocationDate: Date;
  readonly reason?: CrlReasonName;
  /** When the key is known or suspected to have been compromised (S5: the time of loss). */
  readonly invalidityDate?: Date;
}

export interface CrlRequest {
  readonly issuerCertificate: Uint8Array;
  readonly issuerSigner: SealSigner;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Monotonic CRL number (RFC 5280 §5.2.3). */
  readonly crlNumber: bigint | number;
  readonly entries: readonly RevocationEntry[];
}

export interface RevokedEntryInfo {
  readonly serialNumber: Uint8Array;
  readonly serialHex: string;
  readonly revocationDate: Date;
  readonly reason: CrlReasonName | undefined;
  readonly reasonCode: number | undefined;
  readonly invalidityDate: Date | undefined;
}

export interface CrlInfo {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly issuer: DistinguishedName;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly crlNumber: bigint | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly entries: readonly RevokedEntryInfo[];
  readonly signatureAlgorithm: Uint8Array;
  readonly signatureValue: Uint8Array;
  /** Critical CRL or entry extensions we do not understand (RFC 5280 §5.2: the CRL must not be used). */
  readonly unknownCriticalExtensions: readonly string[];
}

function invalidRequest(detail: string): YinjianError {
  return new YinjianError('CERTIFICATE_REQUEST_INVALID', { detail });
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(oid), der.octetString(value));
}

export async function buildCrl(request: CrlRequest): Promise<Uint8Array> {
  if (!(request.nextUpdate.getTime() > request.thisUpdate.getTime())) throw invalidRequest('nextUpdate must be later than thisUpdate');
  if (BigInt(request.crlNumber) < 0n) throw invalidRequest('CRL number must not be negative');
  const ca = parseCertificate(request.issuerCertificate);
  if (!ca.basicConstraints?.ca || (ca.keyUsage && !ca.keyUsage.includes('cRLSign'))) {
    throw new YinjianError('CA_CERTIFICATE_NOT_CA', { detail: 'the issuer may not sign CRLs' });
  }
  if (!samePublicKey(ca.spki, request.issuerSigner.publicKeySpki)) throw new YinjianError('CA_KEY_MISMATCH');
  const seen = new Set<string>();
  const revoked = request.entries.map((entry) => {
    const key = serialHex(entry.serialNumber);
    if (seen.has(key)) throw invalidRequest(`serial ${key} is listed twice`);
    seen.add(key);
    if (!Number.isFinite(entry.revocationDate.getTime())) throw invalidRequest(`serial ${key}: revocation date is not a date`);
    const entryExtensions: Uint8Array[] = [];
    if (entry.reason !== undefined && entry.reason !== 'unspecified') {
      // RFC 5280 §5.3.1: the unspecified code SHOULD be expressed by leaving the extension out.
      entryExtensions.push(extension(OID.crlReason, false, der.enumerated(CRL_REASON[entry.reason])));
    }
    if (entry.invalidityDate !== undefined && entry.invalidityDate.getTime() !== entry.revocationDate.getTime()) {
      // RFC 5280 §5.3.2: invalidityDate is always a GeneralizedTime.
      entryExtensions.push(extension(OID.invalidityDate, false, der.generalizedTime(entry.invalidityDate)));
    }
    return der.sequence(der.integerBytes(entry.serialNumber), der.time(entry.revocationDate), ...(entryExtensions.length ? [der.sequence(...entryExtensions)] : []));
  });
  const algorithmIdentifier = signatureAlgorithmIdentifier(request.issuerSigner.algorithm);
  const authorityKeyId = ca.subjectKeyIdentifier ?? keyIdentifierOf(ca.spki);
  const tbs = der.sequence(
    der.integer(1),
    algorithmIdentifier,
    ca.subject.der,
    der.time(request.thisUpdate),
    der.time(request.nextUpdate),
    ...(revoked.length ? [der.sequence(...revoked)] : []),
    der.explicit(
      0,
      der.sequence(
        extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, der.octetString(authorityKeyId)))),
        extension(OID.crlNumber, false, der.integer(BigInt(request.crlNumber))),
      ),
    ),
  );
  const signature = await signWithSealSigner(request.issuerSigner, tbs);
  return der.sequence(tbs, signature.algorithmIdentifier, der.bitString(signature.value));
}

function readBigInteger(node: Asn1Node | undefined, what: string): bigint {
  const content = readIntegerBytes(node, what);
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  if ((content[0]! & 0x80) !== 0) v -= 1n << BigInt(8 * content.length);
  return v;
}

interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

function readExtensions(list: Asn1Node | undefined): RawExtension[] {
  const seq = expectUniversal(list, TAG.SEQUENCE, 'extensions');
  return seq.children.map((ext) => {
    const oid = readOid(ext.children[0], 'extnID');
    let critical = false;
    let valueNode = ext.children[1];
    if (valueNode && valueNode.tag === TAG.BOOLEAN) {
      critical = readBoolean(valueNode, 'critical');
      valueNode = ext.children[2];
    }
    return { oid, critical, value: readOctetString(valueNode, 'extnValue') };
  });
}

export function parseCrl(bytes: Uint8Array): CrlInfo {
  try {
    return parseCrlNode(readDer(bytes));
  } catch (e) {
    if (e instanceof Asn1DecodeError || e instanceof RangeError) throw new YinjianError('CRL_MALFORMED', { detail: e.message }, { cause: e });
    throw e;
  }
}

export function parseCrlNode(root: Asn1Node): CrlInfo {
  expectUniversal(root, TAG.SEQUENCE, 'CRL');
  const tbsNode = expectUniversal(child(root, 0, 'CRL'), TAG.SEQUENCE, 'tbsCertList');
  const signatureAlgorithm = expectUniversal(child(root, 1, 'CRL'), TAG.SEQUENCE, 'signatureAlgorithm');
  const signatureValue = readBitString(child(root, 2, 'CRL'), 'signatureValue').bytes;
  let i = 0;
  let version = 1;
  if (tbsNode.children[0]?.tag === TAG.INTEGER && tbsNode.children[0].tagClass === 0) {
    version = readSmallInteger(tbsNode.children[0], 'version') + 1;
    i++;
  }
  const innerAlg = child(tbsNode, i++, 'tbsCertList');
  if (!bytesEqual(innerAlg.raw, signatureAlgorithm.raw)) throw new Asn1DecodeError('inner and outer signature algorithms differ');
  const issuer = parseName(child(tbsNode, i++, 'issuer'));
  const thisUpdate = readTime(child(tbsNode, i++, 'thisUpdate'), 'thisUpdate');
  let nextUpdate: Date | undefined;
  const maybeNext = tbsNode.children[i];
  if (maybeNext && (maybeNext.tag === TAG.UTC_TIME || maybeNext.tag === TAG.GENERALIZED_TIME) && maybeNext.tagClass === 0) {
    nextUpdate = readTime(maybeNext, 'nextUpdate');
    i++;
  }
  const unknownCritical: string[] = [];
  const entries: RevokedEntryInfo[] = [];
  const maybeRevoked = tbsNode.children[i];
  if (maybeRevoked && maybeRevoked.tagClass === 0 && maybeRevoked.tag === TAG.SEQUENCE) {
    for (const entry of maybeRevoked.children) {
      const serialNumber = readIntegerBytes(entry.children[0], 'userCertificate');
      const revocationDate = readTime(entry.children[1], 'revocationDate');
      let reasonCode: number | undefined;
      let invalidityDate: Date | undefined;
      if (entry.children[2]) {
        for (const ext of readExtensions(entry.children[2])) {
          if (ext.oid === OID.crlReason) reasonCode = readEnumerated(readDer(ext.value), 'reasonCode');
          else if (ext.oid === OID.invalidityDate) invalidityDate = readTime(readDer(ext.value), 'invalidityDate');
          else if (ext.critical) unknownCritical.push(ext.oid);
        }
      }
      entries.push({
        serialNumber,
        serialHex: serialHex(serialNumber),
        revocationDate,
        reason: reasonCode === undefined ? undefined : crlReasonName(reasonCode),
        reasonCode,
        invalidityDate,
      });
    }
    i++;
  }
  let crlNumber: bigint | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  const maybeExtensions = tbsNode.children[i];
  if (isContext(maybeExtensions, 0)) {
    for (const ext of readExtensions(maybeExtensions.children[0])) {
      if (ext.oid === OID.crlNumber) crlNumber = readBigInteger(readDer(ext.value), 'cRLNumber');
      else if (ext.oid === OID.authorityKeyIdentifier) {
        authorityKeyIdentifier = expectUniversal(readDer(ext.value), TAG.SEQUENCE, 'authorityKeyIdentifier').children.find((n) => isContext(n, 0))?.content;
      } else if (ext.critical) unknownCritical.push(ext.oid);
    }
  }
  return {
    der: root.raw,
    tbs: tbsNode.raw,
    version,
    issuer,
    thisUpdate,
    nextUpdate,
    crlNumber,
    authorityKeyIdentifier,
    entries,
    signatureAlgorithm: signatureAlgorithm.raw,
    signatureValue,
    unknownCriticalExtensions: unknownCritical,
  };
}

export type CrlFindingCode =
  | 'CRL_ISSUER_MISMATCH'
  | 'CRL_SIGNATURE_INVALID'
  | 'CRL_ALGORITHM_UNSUPPORTED'
  | 'CRL_ISSUER_NOT_CRL_SIGNER'
  | 'CRL_UNKNOWN_CRITICAL_EXTENSION'
  | 'CRL_NOT_YET_ISSUED'
  | 'CRL_STALE';

export interface CrlVerification {
  /** True when the CRL is the issuer's own, untampered, and usable (no error finding). */
  readonly valid: boolean;
  readonly findings: readonly { readonly code: CrlFindingCode; readonly detail?: string }[];
}

/**
 * Checks that `crl` was issued by `issuer`: names match, the issuer may sign CRLs, the signature
 * verifies, no unknown critical extension. With `at`, also whether the CRL was already issued
 * then (thisUpdate ≤ at); a nextUpdate before `at` is reported as stale but does not void it.
 */
export function verifyCrl(crl: CrlInfo, issuer: CertificateInfo, at?: Date): CrlVerification {
  const findings: { code: CrlFindingCode; detail?: string }[] = [];
  if (!sameName(crl.issuer, issuer.subject)) findings.push({ code: 'CRL_ISSUER_MISMATCH', detail: `${crl.issuer.text} ≠ ${issuer.subject.text}` });
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) findings.push({ code: 'CRL_ISSUER_NOT_CRL_SIGNER' });
  const check: SignatureCheck = checkIssuerSignature(crl.tbs, crl.signatureAlgorithm, crl.signatureValue, issuer.spki);
  if (check.outcome === 'invalid') findings.push({ code: 'CRL_SIGNATURE_INVALID', detail: check.reason });
  if (check.outcome === 'unsupported') findings.push({ code: 'CRL_ALGORITHM_UNSUPPORTED', detail: check.reason });
  for (const oid of crl.unknownCriticalExtensions) findings.push({ code: 'CRL_UNKNOWN_CRITICAL_EXTENSION', detail: oid });
  const errors = findings.length;
  if (at && crl.thisUpdate.getTime() > at.getTime()) {
    // Not an error: a CRL issued later still tells whether the seal was revoked before `at`.
    findings.push({ code: 'CRL_NOT_YET_ISSUED' });
  }
  if (at && crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime()) findings.push({ code: 'CRL_STALE' });
  return { valid: errors === 0, findings };
}

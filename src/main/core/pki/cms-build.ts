/**
 * Building CMS SignedData (RFC 5652) through the SealSigner port: the signed attributes are
 * assembled and DER-encoded here, the signer signs them as a SET OF (§5.4: the [0] IMPLICIT
 * tag is replaced by the SET tag 0x31 for signing), and the signature is placed as returned.
 */
import { YinjianError } from '../../../shared/errors';
import type { SealSigner } from '../ports/signer';
import { digest, digestAlgorithmIdentifier } from './algorithms';
import { parseCertificate, type CertificateInfo } from './certificate';
import { der, retag } from './der';
import { COMMITMENT_OID_BY_DOCUMENT_TYPE, OID, type SealedDocumentType } from './oids';
import { samePublicKey, signWithSealSigner } from './sealing-key';

export interface SignaturePolicyReference {
  /** Defaults to the regulation policy OID (oids.ts ARC.1). */
  readonly oid?: string;
  /** The regulation text as published; its SHA-256 goes into sigPolicyHash. */
  readonly document: Uint8Array;
}

export interface PadesSignatureRequest {
  readonly signer: SealSigner;
  readonly signerCertificate: Uint8Array;
  /** Issuer chain to embed (at least the group CA), so receivers can verify offline. */
  readonly caCertificates: readonly Uint8Array[];
  /** SHA-256 of the PDF byte ranges, computed by the caller in one streaming pass. */
  readonly contentDigest: Uint8Array;
  readonly policy: SignaturePolicyReference;
  /** U1/U2: the declared document type is signed in, as a commitment type. */
  readonly documentType: SealedDocumentType;
  /** U3: the approved use request this stamping executes. */
  readonly approvalReference: string;
  /** M4/S1: the workstation the seal signed on. */
  readonly workstationId: string;
  /**
   * Issue #12 (M5, S6): the seal's stamping counter and the audit-chain row of this stamping
   * (its STAMP_PENDING row), so every document in circulation names its place in the usage
   * register (OID.usageRecord, oids.ts ARC.8).
   */
  readonly usageRecord?: UsageRecordAttribute;
}

export interface UsageRecordAttribute {
  readonly counter: number;
  readonly auditSeq: number;
  /** SHA-256 hex of the audit row. */
  readonly auditHash: string;
}

/** DER of the usage-record attribute value (ARC.8). */
export function encodeUsageRecord(record: UsageRecordAttribute): Uint8Array {
  if (!Number.isSafeInteger(record.counter) || record.counter < 1 || !Number.isSafeInteger(record.auditSeq) || record.auditSeq < 1 || !/^[0-9a-f]{64}$/.test(record.auditHash)) {
    throw new YinjianError('USAGE', { detail: 'usage record: counter and audit seq must be positive integers, the hash 64 hex digits' });
  }
  return der.sequence(der.integer(record.counter), der.integer(record.auditSeq), der.octetString(Buffer.from(record.auditHash, 'hex')));
}

export interface SignedSnapshotRequest {
  readonly signer: SealSigner;
  readonly signerCertificate: Uint8Array;
  readonly caCertificates: readonly Uint8Array[];
  /** The snapshot bytes, encapsulated in the SignedData. */
  readonly content: Uint8Array;
  /** Defaults to the register-snapshot content type (oids.ts ARC.6). */
  readonly contentType?: string;
  /** Recorded as signingTime (allowed here: this is not a PAdES signature). */
  readonly signingTime?: Date;
}

function attribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return der.sequence(der.oid(type), der.setOf(values));
}

/** ESSCertIDv2 (RFC 5035) with the default SHA-256 algorithm left out, as DER requires. */
function signingCertificateV2(certificate: CertificateInfo): Uint8Array {
  const issuerSerial = der.sequence(der.sequence(der.explicit(4, certificate.issuer.der)), der.integerBytes(certificate.serialNumber));
  const essCertIdV2 = der.sequence(der.octetString(digest('sha256', certificate.der)), issuerSerial);
  return der.sequence(der.sequence(essCertIdV2));
}

function checkText(label: string, value: string): void {
  if (value.trim() === '') throw new YinjianError('USAGE', { detail: `${label} is empty` });
}

interface SignerInfoParts {
  readonly signer: SealSigner;
  readonly certificate: CertificateInfo;
  readonly signedAttributes: readonly Uint8Array[];
}

async function signerInfo(parts: SignerInfoParts): Promise<Uint8Array> {
  const signedAttributesSet = der.setOf(parts.signedAttributes);
  const signature = await signWithSealSigner(parts.signer, signedAttributesSet);
  return der.sequence(
    der.integer(1),
    der.sequence(parts.certificate.issuer.der, der.integerBytes(parts.certificate.serialNumber)),
    digestAlgorithmIdentifier('sha256'),
    retag(signedAttributesSet, 0xa0),
    signature.algorithmIdentifier,
    der.octetString(signature.value),
  );
}

function signerCertificateFor(signer: SealSigner, certificateDer: Uint8Array): CertificateInfo {
  const certificate = parseCertificate(certificateDer);
  if (!samePublicKey(certificate.spki, signer.publicKeySpki)) throw new YinjianError('SIGNER_KEY_MISMATCH');
  return certificate;
}

function contentInfo(signedData: Uint8Array): Uint8Array {
  return der.sequence(der.oid(OID.signedData), der.explicit(0, signedData));
}

function certificateSet(certificates: readonly Uint8Array[]): Uint8Array {
  const unique: Uint8Array[] = [];
  for (const c of certificates) if (!unique.some((u) => Buffer.compare(u, c) === 0)) unique.push(c);
  return retag(der.setOf(unique), 0xa0);
}

/**
 * CAdES-detached SignedData for a PAdES B-B signature (ETSI EN 319 142-1): no signingTime
 * (the time is in the signature dictionary's /M), signingCertificateV2, signature policy
 * (the regulation), commitment type (U1 document type), approval reference (U3) and
 * workstation id (M4).
 */
export async function buildPadesSignature(request: PadesSignatureRequest): Promise<Uint8Array> {
  if (request.contentDigest.length !== 32) throw new YinjianError('USAGE', { detail: 'content digest must be a SHA-256 value (32 bytes)' });
  checkText('approval reference', request.approvalReference);
  checkText('workstation id', request.workstationId);
  const commitment = COMMITMENT_OID_BY_DOCUMENT_TYPE[request.documentType];
  // U2: only the allowed types have a commitment OID; anything else is refused before signing.
  if (!commitment) throw new YinjianError('USAGE', { detail: `document type ${String(request.documentType)} cannot be sealed` });
  const certificate = signerCertificateFor(request.signer, request.signerCertificate);
  const policy = der.sequence(
    der.oid(request.policy.oid ?? OID.regulationPolicy),
    der.sequence(digestAlgorithmIdentifier('sha256'), der.octetString(digest('sha256', request.policy.document))),
  );
  const signedAttributes = [
    attribute(OID.contentType, der.oid(OID.data)),
    attribute(OID.messageDigest, der.octetString(request.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(certificate)),
    attribute(OID.sigPolicyId, policy),
    attribute(OID.commitmentType, der.sequence(der.oid(commitment))),
    attribute(OID.approvalReference, der.utf8(request.approvalReference)),
    attribute(OID.workstationId, der.utf8(request.workstationId)),
    ...(request.usageRecord ? [attribute(OID.usageRecord, encodeUsageRecord(request.usageRecord))] : []),
  ];
  const info = await signerInfo({ signer: request.signer, certificate, signedAttributes });
  const signedData = der.sequence(
    der.integer(1),
    der.setOf([digestAlgorithmIdentifier('sha256')]),
    der.sequence(der.oid(OID.data)),
    certificateSet([request.signerCertificate, ...request.caCertificates]),
    der.setOf([info]),
  );
  return contentInfo(signedData);
}

/** SignedData with encapsulated content: the signed seal-register snapshot (M1 filing, S6). */
export async function buildSignedSnapshot(request: SignedSnapshotRequest): Promise<Uint8Array> {
  const contentType = request.contentType ?? OID.registerSnapshotContentType;
  const certificate = signerCertificateFor(request.signer, request.signerCertificate);
  const signedAttributes = [
    attribute(OID.contentType, der.oid(contentType)),
    attribute(OID.messageDigest, der.octetString(digest('sha256', request.content))),
    attribute(OID.signingCertificateV2, signingCertificateV2(certificate)),
    ...(request.signingTime ? [attribute(OID.signingTime, der.time(request.signingTime))] : []),
  ];
  const info = await signerInfo({ signer: request.signer, certificate, signedAttributes });
  // RFC 5652 §5.1: version 3 when eContentType is not id-data.
  const version = contentType === OID.data ? 1 : 3;
  const signedData = der.sequence(
    der.integer(version),
    der.setOf([digestAlgorithmIdentifier('sha256')]),
    der.sequence(der.oid(contentType), der.explicit(0, der.octetString(request.content))),
    certificateSet([request.signerCertificate, ...request.caCertificates]),
    der.setOf([info]),
  );
  return contentInfo(signedData);
}

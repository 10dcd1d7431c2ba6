/**
 * The PKI core: X.509 certificates, CRLs and CMS, built through the SealSigner port and
 * verified with node:crypto. Everything here is pure: no file system, no token, no database.
 */
export { ARC, OID, CRL_REASON, crlReasonName, COMMITMENT_OID_BY_DOCUMENT_TYPE, documentTypeOfCommitment } from './oids';
export type { CrlReasonName, SealedDocumentType } from './oids';
export { digest, hashFromOid } from './algorithms';
export type { HashName } from './algorithms';
export type { DistinguishedName, NameAttribute } from './name';
export type { SealInfo } from './seal-info';
export { encodeSealInfo, decodeSealInfo } from './seal-info';
export {
  parseCertificate,
  buildRootCertificate,
  buildSealCertificate,
  adoptCaCertificate,
  keyIdentifierOf,
  randomSerialNumber,
} from './certificate';
export type {
  CertificateInfo,
  CertificateExtension,
  CertificateValidity,
  KeyUsageName,
  RootCertificateRequest,
  SealCertificateRequest,
} from './certificate';
export { samePublicKey } from './sealing-key';
export { publicationUri, MAX_PUBLICATION_URI_LENGTH } from './publication-points';
export type { PublicationPoints } from './publication-points';
export { buildCrl, parseCrl, verifyCrl } from './crl';
export type { CrlRequest, CrlInfo, RevocationEntry, RevokedEntryInfo, CrlVerification, CrlFindingCode } from './crl';
export { buildPadesSignature, buildSignedSnapshot, encodeUsageRecord } from './cms-build';
export type { PadesSignatureRequest, SignedSnapshotRequest, SignaturePolicyReference, UsageRecordAttribute } from './cms-build';
export { verifyCmsSignature, verifyTimestampToken, verifyDocumentTimestamp } from './cms-verify';
export type {
  CmsVerification,
  CmsVerifyOptions,
  CmsFinding,
  CmsFindingCode,
  FindingSeverity,
  SignedContent,
  SignerVerification,
  SignerIdentifier,
  SignedAttributesOfInterest,
  SignaturePolicyInfo,
  TimestampVerification,
} from './cms-verify';
export { validateCertificatePath } from './chain';
export type { PathValidationRequest, PathValidation, ChainFinding, ChainFindingCode, RevocationStatus } from './chain';
export type { SignatureAlgorithmInfo, SignatureScheme } from './algorithms';

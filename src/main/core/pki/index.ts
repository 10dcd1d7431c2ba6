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

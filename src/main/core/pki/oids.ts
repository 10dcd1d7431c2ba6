/**
 * Object identifiers of the PKI core.
 *
 * Our own arc is a UUID under 2.25 (ITU-T X.667 / RFC 4122 §4.1: any UUID, written as one
 * decimal integer under 2.25, is an OID that needs no registration). The UUID was generated
 * once, at random, for this project: df0b86ae-d51b-434b-bcc2-31a03405ef94. Never change it:
 * every certificate and signature ever issued carries it.
 *
 *   ARC.1    the group e-seal regulation (集团电子印章使用和管理规定) as certificate policy and
 *            signature policy (certificatePolicies, signature-policy-identifier)
 *   ARC.2    certificate extension: seal information (seal kind, unit, custodian, workstation)
 *   ARC.3    signed attribute: approval reference of the use request (用印审批编号), UTF8String (U3)
 *   ARC.4    signed attribute: workstation id the seal signed on, UTF8String (M4, S1)
 *   ARC.5.1  commitment type: internal formal document (内部正式文件) (U1)
 *   ARC.5.2  commitment type: internal letter (内部函件) (U1)
 *   ARC.6    content type of a signed seal-register snapshot (M1 filing, S6 inspection)
 *   ARC.7    content type of a workstation's signed usage-register and audit-log export (S6)
 *   ARC.8    signed attribute: the seal's usage record at this stamping (issue #12, M5, S6):
 *            SEQUENCE { counter INTEGER, auditSeq INTEGER, auditHash OCTET STRING (32) }: the
 *            seal's stamping counter and the audit-chain row (STAMP_PENDING) of this stamping
 */
export const ARC = '2.25.296477690020020555452032100919748718484';

export const OID = {
  // --- ours ---
  regulationPolicy: `${ARC}.1`,
  sealInfoExtension: `${ARC}.2`,
  approvalReference: `${ARC}.3`,
  workstationId: `${ARC}.4`,
  commitmentInternalFormalDocument: `${ARC}.5.1`,
  commitmentInternalLetter: `${ARC}.5.2`,
  registerSnapshotContentType: `${ARC}.6`,
  workstationExportContentType: `${ARC}.7`,
  usageRecord: `${ARC}.8`,

  // --- X.520 attribute types ---
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',

  // --- X.509 extensions (RFC 5280) ---
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  ocsp: '1.3.6.1.5.5.7.48.1',
  extKeyUsage: '2.5.29.37',
  anyPolicy: '2.5.29.32.0',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',

  // --- algorithms ---
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',

  // --- CMS (RFC 5652) and its attributes ---
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** ESS signing-certificate (RFC 2634), SHA-1 ESSCertID: older signers still send it. */
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  /** id-aa-signingCertificateV2 (RFC 5035). */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** id-aa-timeStampToken, also named id-aa-signatureTimeStampToken (RFC 3161 appendix A). */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  /** id-aa-ets-sigPolicyId (RFC 5126 / ETSI EN 319 122-1). */
  sigPolicyId: '1.2.840.113549.1.9.16.2.15',
  /** id-aa-ets-commitmentType (RFC 5126 / ETSI EN 319 122-1). */
  commitmentType: '1.2.840.113549.1.9.16.2.16',
  /** id-smime-ct-TSTInfo (RFC 3161). */
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

/** CRLReason (RFC 5280 §5.3.1); the three the office uses are S3, S4 and S5. */
export const CRL_REASON = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type CrlReasonName = keyof typeof CRL_REASON;

export function crlReasonName(code: number): CrlReasonName | undefined {
  for (const [name, value] of Object.entries(CRL_REASON)) {
    if (value === code) return name as CrlReasonName;
  }
  return undefined;
}

/** The declared document types the regulation allows (U1), as commitment types. */
export type SealedDocumentType = 'internal-formal-document' | 'internal-letter';

export const COMMITMENT_OID_BY_DOCUMENT_TYPE: Readonly<Record<SealedDocumentType, string>> = {
  'internal-formal-document': OID.commitmentInternalFormalDocument,
  'internal-letter': OID.commitmentInternalLetter,
};

export function documentTypeOfCommitment(oid: string): SealedDocumentType | undefined {
  if (oid === OID.commitmentInternalFormalDocument) return 'internal-formal-document';
  if (oid === OID.commitmentInternalLetter) return 'internal-letter';
  return undefined;
}

/**
 * The verifier's input and output DTOs. Input is deliberately small (bytes + TrustContext +
 * options) so the app, the CLI and the stamping tests call the same pure function, and the
 * trust data can come from files, the imported register snapshot or a test.
 */
import type { VerifyFinding } from './findings';

/**
 * Verdicts, per signature and per file. Precedence (worst first) is VERDICT_PRECEDENCE in
 * verdict.ts; the file verdict is the worst signature verdict, UNSIGNED when there is none.
 */
export type Verdict =
  | 'VALID'
  | 'VALID_WITH_CHANGES'
  | 'MODIFIED'
  | 'INVALID'
  | 'UNTRUSTED'
  | 'REVOKED'
  | 'POLICY_VIOLATION'
  | 'UNSUPPORTED'
  | 'UNSIGNED';

/** The seal's state in the office register (M1 filing; S3 cancellation, S4 re-issue, S5 loss). */
export type RegisterSealState = 'active' | 'lost' | 'cancelled' | 'superseded' | 'suspended';

export interface RegisterSealEntry {
  /** Seal code (serialNumber= in the certificate subject), for the report. */
  readonly sealCode?: string;
  /** Lower-case hex serial of the seal certificate, without leading zero bytes. */
  readonly certificateSerialHex?: string;
  /** SHA-256 of the seal certificate DER, lower-case hex. */
  readonly certificateSha256?: string;
  readonly state: RegisterSealState;
  /** When the seal stopped being good (loss registration, cancellation, supersession). */
  readonly revokedAt?: Date;
  readonly reason?: string;
  /** SHA-256 (hex) of the workstation id the seal is bound to (M4, S1). */
  readonly boundWorkstationHash?: string;
}

/**
 * What the verifier trusts. Everything is plain data (DER bytes, strings), so the CLI can fill
 * it from --trust/--crl files and the register snapshot, and tests from what they build.
 */
export interface TrustContext {
  /** DER trust anchors: the group root from the imported register, plus roots the user adds. */
  readonly trustAnchors: readonly Uint8Array[];
  /** More DER certificates to build chains with (from the register). */
  readonly extraCertificates?: readonly Uint8Array[];
  /** DER CRLs (imported from the office). */
  readonly crls?: readonly Uint8Array[];
  /** The office register's seal entries (S3, S5). */
  readonly registerSeals?: readonly RegisterSealEntry[];
  /**
   * U2 deny list: document types (commitment-type OIDs or our type names) and title words the
   * office forbids. A signed document type on this list is a policy violation.
   */
  readonly denyList?: readonly string[];
  /** The certificate policy our seals carry (defaults to the regulation OID, ARC.1). */
  readonly sealPolicyOid?: string;
}

export interface VerifyOptions {
  /** Validate chains at this time instead of the trusted signing time. */
  readonly at?: Date;
  /** Bounds on the PDF reader (tests lower them). */
  readonly maxStreamBytes?: number;
}

/** How the changes after a signature are classified, from harmless to disallowed. */
export type ChangeLevel = 'none' | 'signatures' | 'form-filling' | 'annotations' | 'other';

export interface DocumentChange {
  /** Revision index (0 = original) that made the change. */
  readonly revision: number;
  readonly level: ChangeLevel;
  /** Stable kind, e.g. 'signature-added', 'page-content-changed', 'annotation-added'. */
  readonly kind: string;
  readonly object?: string;
  /** 1-based page number, when the change concerns a page. */
  readonly page?: number;
  readonly detail?: string;
}

export type CheckStatus = 'passed' | 'failed' | 'warning' | 'not-checked' | 'not-applicable';

export interface SignatureChecks {
  readonly coverage: CheckStatus;
  readonly integrity: CheckStatus;
  readonly trust: CheckStatus;
  readonly revocation: CheckStatus;
  readonly timestamp: CheckStatus;
  readonly changes: CheckStatus;
  readonly policy: CheckStatus;
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialHex: string;
  readonly sha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface SignatureReport {
  /** Full field name. */
  readonly field: string;
  /** 'signature' (approval or certification), or 'document-timestamp'. */
  readonly kind: 'signature' | 'certification' | 'document-timestamp';
  readonly subFilter: string | undefined;
  readonly verdict: Verdict;
  readonly checks: SignatureChecks;
  /**
   * The CMS verifies over the bytes its /ByteRange names (digest and signature value), however
   * well or badly those ranges cover the document; `checks.integrity` also fails when they do
   * not (issue #11). What pdfsig calls "Signature is Valid".
   */
  readonly digestIntact?: boolean;
  readonly findings: readonly VerifyFinding[];
  /** Revision (0-based) the signature covers. */
  readonly signedRevision: number | undefined;
  readonly byteRange: readonly number[] | undefined;
  readonly coversWholeFile: boolean;
  readonly signer: CertificateSummary | undefined;
  /**
   * Seal code (subject serialNumber), seal unit, name and kind (seal-info extension), when the
   * signer is one of our seals: enough to re-draw its impression in the PDF report.
   */
  readonly seal: { readonly code?: string; readonly name?: string; readonly unit?: string; readonly kind?: 'company' | 'department' } | undefined;
  readonly chain: readonly CertificateSummary[];
  /** Time claimed by the signer (/M or signingTime). */
  readonly claimedTime: string | undefined;
  /** Time of a verified signature timestamp. */
  readonly timestampTime: string | undefined;
  /** The trusted path of the signature timestamp's TSA certificate (issue 16: re-judged along the archive chain). */
  readonly timestampChain?: readonly CertificateSummary[];
  /** Which time revocation and validity were judged at. */
  readonly trustedTime: string | undefined;
  readonly trustedTimeSource: 'timestamp' | 'claimed' | 'validation-time' | 'none';
  readonly digestAlgorithm: string | undefined;
  readonly signatureAlgorithm: string | undefined;
  readonly changes: readonly DocumentChange[];
  /** DocMDP permission (1–3) in force for this signature, if any. */
  readonly docMdpPermission: number | undefined;
  readonly policy: {
    readonly documentType?: string;
    readonly approvalReference?: string;
    readonly workstationId?: string;
    /**
     * Issue #12 (M5, S6): the seal's stamping counter and the audit-chain row (seq, SHA-256) of
     * this stamping, signed in (ARC.8): the office's inspection finds it in the workstation's export.
     */
    readonly usageRecord?: { readonly counter: number; readonly auditSeq: number; readonly auditHash: string };
    readonly ours: boolean;
  };
  readonly reason: string | undefined;
  readonly location: string | undefined;
  /** Widget page (1-based) and rectangle, for the report's seal impression. */
  readonly page: number | undefined;
  /**
   * The PAdES baseline level established (ETSI EN 319 142-1 §6: B-B, B-T, B-LT, B-LTA) for a
   * CAdES signature whose integrity holds; undefined for document timestamps and legacy formats
   * (pades-level.ts, issue 16).
   */
  readonly padesLevel?: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
  /** Where the revocation data the decision used came from: given (--crl / snapshot) or embedded (DSS). */
  readonly revocationSource?: 'given' | 'embedded' | 'none';
}

export interface FileReport {
  readonly path: string;
  readonly verdict: Verdict;
  readonly size: number;
  readonly revisions: number;
  readonly signatures: readonly SignatureReport[];
  /** Signature fields with no value (unsigned fields). */
  readonly emptySignatureFields: readonly string[];
  /** Findings about the file as a whole (unreadable, recovered, …). */
  readonly findings: readonly VerifyFinding[];
}

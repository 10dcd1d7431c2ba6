/**
 * Certification path building and validation (a practical subset of RFC 5280 §6): find a
 * path from a leaf to a trust anchor through a pool of intermediates, check each signature,
 * validity at a given time, issuer constraints, the leaf's key usage, an optional policy, and
 * revocation against supplied CRLs (S3/S4/S5: a revoked seal stops validating after its
 * revocation time). "Untrusted" is a result with findings, never an exception.
 */
import { checkIssuerSignature } from './algorithms';
import { parseCertificate, type CertificateInfo } from './certificate';
import { parseCrl, verifyCrl, type CrlInfo } from './crl';
import { bytesEqual } from './der';
import { sameName } from './name';
import { OID, type CrlReasonName } from './oids';
import { samePublicKey } from './sealing-key';

export type ChainFindingCode =
  | 'NO_PATH_TO_TRUST_ANCHOR'
  | 'CERTIFICATE_SIGNATURE_INVALID'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'CERTIFICATE_EXPIRED'
  | 'ISSUER_NOT_CA'
  | 'ISSUER_KEY_USAGE_MISSING'
  | 'PATH_LENGTH_EXCEEDED'
  | 'LEAF_KEY_USAGE_MISSING'
  | 'POLICY_MISSING'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'REVOKED'
  | 'REVOKED_AFTER_VALIDATION_TIME'
  | 'REVOCATION_UNKNOWN'
  | 'CRL_UNUSABLE';

export interface ChainFinding {
  readonly code: ChainFindingCode;
  readonly severity: 'error' | 'warning' | 'info';
  /** Subject of the certificate the finding is about. */
  readonly subject?: string;
  readonly detail?: string;
}

export interface RevocationStatus {
  readonly serialHex: string;
  readonly subject: string;
  readonly revocationDate: Date;
  readonly invalidityDate: Date | undefined;
  /** When the certificate stopped being good: the earlier of invalidityDate and revocationDate. */
  readonly effectiveDate: Date;
  readonly reason: CrlReasonName | undefined;
  /** True when effectiveDate ≤ the validation time. */
  readonly revokedAtValidationTime: boolean;
}

export interface PathValidationRequest {
  readonly leaf: CertificateInfo | Uint8Array;
  /** Candidate intermediates: from the CMS certificates field, the register, … */
  readonly intermediates?: readonly (CertificateInfo | Uint8Array)[];
  readonly trustAnchors: readonly (CertificateInfo | Uint8Array)[];
  /** The time the path must be valid at (signing time, timestamp time, or now). */
  readonly at: Date;
  readonly crls?: readonly (CrlInfo | Uint8Array)[];
  /** Required certificate policy on the leaf and on any intermediate with policies (U1). */
  readonly requiredPolicy?: string;
  /** When true, a certificate without a usable CRL is an error instead of a warning. */
  readonly requireRevocationInfo?: boolean;
  /** The key usages the leaf needs one of; defaults to digitalSignature or nonRepudiation. */
  readonly leafKeyUsage?: readonly ('digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign')[];
}

export interface PathValidation {
  /** True when a path to an anchor was found and no finding is an error. */
  readonly trusted: boolean;
  /** Leaf first, trust anchor last (partial when no anchor was reached). */
  readonly path: readonly CertificateInfo[];
  readonly revocation: readonly RevocationStatus[];
  readonly findings: readonly ChainFinding[];
}

const MAX_PATH = 8;

function asCertificate(c: CertificateInfo | Uint8Array): CertificateInfo {
  return c instanceof Uint8Array ? parseCertificate(c) : c;
}

function isSelfIssued(c: CertificateInfo): boolean {
  return sameName(c.subject, c.issuer);
}

function sameCertificate(a: CertificateInfo, b: CertificateInfo): boolean {
  return bytesEqual(a.der, b.der);
}

function isAnchor(c: CertificateInfo, anchors: readonly CertificateInfo[]): boolean {
  // An anchor is its name and key: a re-issued root with the same key is the same anchor.
  return anchors.some((a) => sameCertificate(a, c) || (sameName(a.subject, c.subject) && samePublicKey(a.spki, c.spki)));
}

function mayHaveIssued(issuer: CertificateInfo, subject: CertificateInfo): boolean {
  if (!sameName(issuer.subject, subject.issuer)) return false;
  if (subject.authorityKeyIdentifier && issuer.subjectKeyIdentifier) return bytesEqual(subject.authorityKeyIdentifier, issuer.subjectKeyIdentifier);
  return true;
}

interface Search {
  readonly path: CertificateInfo[];
  readonly badSignatures: Set<string>;
}

function buildPath(leaf: CertificateInfo, pool: readonly CertificateInfo[], anchors: readonly CertificateInfo[]): { path: CertificateInfo[]; complete: boolean; badSignatures: string[] } {
  const search: Search = { path: [leaf], badSignatures: new Set() };
  let best: CertificateInfo[] = [leaf];
  const extend = (current: CertificateInfo): CertificateInfo[] | undefined => {
    if (isAnchor(current, anchors)) return [...search.path];
    if (search.path.length > MAX_PATH) return undefined;
    // Anchors first, so a path ends at the shortest trusted point.
    const candidates = [...anchors, ...pool].filter((c) => mayHaveIssued(c, current) && !search.path.some((p) => sameCertificate(p, c) && p !== current));
    for (const candidate of candidates) {
      if (sameCertificate(candidate, current)) continue;
      const check = checkIssuerSignature(current.tbs, current.signatureAlgorithm, current.signatureValue, candidate.spki);
      if (check.outcome !== 'valid') {
        search.badSignatures.add(current.subject.text);
        continue;
      }
      search.path.push(candidate);
      if (search.path.length > best.length) best = [...search.path];
      const found = extend(candidate);
      if (found) return found;
      search.path.pop();
    }
    return undefined;
  };
  const found = extend(leaf);
  return found ? { path: found, complete: true, badSignatures: [] } : { path: best, complete: false, badSignatures: [...search.badSignatures] };
}

export function validateCertificatePath(request: PathValidationRequest): PathValidation {
  const leaf = asCertificate(request.leaf);
  const anchors = request.trustAnchors.map(asCertificate);
  const pool = (request.intermediates ?? []).map(asCertificate);
  const at = request.at.getTime();
  const findings: ChainFinding[] = [];
  const { path, complete, badSignatures } = buildPath(leaf, pool, anchors);
  if (!complete) {
    for (const subject of badSignatures) findings.push({ code: 'CERTIFICATE_SIGNATURE_INVALID', severity: 'error', subject });
    findings.push({ code: 'NO_PATH_TO_TRUST_ANCHOR', severity: 'error', subject: path[path.length - 1]!.issuer.text });
  }

  path.forEach((cert, index) => {
    const subject = cert.subject.text;
    if (at < cert.notBefore.getTime()) findings.push({ code: 'CERTIFICATE_NOT_YET_VALID', severity: 'error', subject, detail: cert.notBefore.toISOString() });
    if (at > cert.notAfter.getTime()) findings.push({ code: 'CERTIFICATE_EXPIRED', severity: 'error', subject, detail: cert.notAfter.toISOString() });
    for (const oid of cert.unknownCriticalExtensions) findings.push({ code: 'UNKNOWN_CRITICAL_EXTENSION', severity: 'error', subject, detail: oid });
    if (index > 0) {
      // A v1 anchor has no extensions at all; trusting it was the relying party's decision.
      const v1Anchor = cert.version < 3 && isAnchor(cert, anchors);
      if (!cert.basicConstraints?.ca && !v1Anchor) findings.push({ code: 'ISSUER_NOT_CA', severity: 'error', subject });
      if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) findings.push({ code: 'ISSUER_KEY_USAGE_MISSING', severity: 'error', subject });
      const below = path.slice(1, index).filter((c) => !isSelfIssued(c)).length;
      const limit = cert.basicConstraints?.pathLength;
      if (limit !== undefined && below > limit) findings.push({ code: 'PATH_LENGTH_EXCEEDED', severity: 'error', subject, detail: `${below} > ${limit}` });
    }
  });

  const wanted = request.leafKeyUsage ?? ['digitalSignature', 'nonRepudiation'];
  if (leaf.keyUsage && !leaf.keyUsage.some((u) => (wanted as readonly string[]).includes(u))) {
    findings.push({ code: 'LEAF_KEY_USAGE_MISSING', severity: 'error', subject: leaf.subject.text, detail: wanted.join('|') });
  }
  if (request.requiredPolicy) {
    const policy = request.requiredPolicy;
    const lacks = (c: CertificateInfo): boolean => !c.policies.includes(policy) && !c.policies.includes(OID.anyPolicy);
    if (lacks(leaf)) findings.push({ code: 'POLICY_MISSING', severity: 'error', subject: leaf.subject.text, detail: policy });
    for (const c of path.slice(1)) {
      if (c.policies.length > 0 && lacks(c) && !isAnchor(c, anchors)) findings.push({ code: 'POLICY_MISSING', severity: 'error', subject: c.subject.text, detail: policy });
    }
  }

  const revocation: RevocationStatus[] = [];
  const crls = (request.crls ?? []).map((c) => (c instanceof Uint8Array ? parseCrl(c) : c));
  const checked = complete ? path.slice(0, -1) : path;
  checked.forEach((cert, index) => {
    const issuer = path[index + 1];
    const subject = cert.subject.text;
    if (!issuer) {
      findings.push({ code: 'REVOCATION_UNKNOWN', severity: request.requireRevocationInfo ? 'error' : 'warning', subject });
      return;
    }
    const usable = crls.filter((crl) => {
      if (!sameName(crl.issuer, issuer.subject)) return false;
      const verdict = verifyCrl(crl, issuer, request.at);
      if (!verdict.valid) findings.push({ code: 'CRL_UNUSABLE', severity: 'warning', subject: issuer.subject.text, detail: verdict.findings.map((f) => f.code).join(',') });
      return verdict.valid;
    });
    if (usable.length === 0) {
      findings.push({ code: 'REVOCATION_UNKNOWN', severity: request.requireRevocationInfo ? 'error' : 'warning', subject });
      return;
    }
    for (const crl of usable) {
      const entry = crl.entries.find((e) => e.serialHex === cert.serialHex);
      if (!entry || entry.reason === 'removeFromCRL') continue;
      const effective = entry.invalidityDate && entry.invalidityDate < entry.revocationDate ? entry.invalidityDate : entry.revocationDate;
      const revokedAtValidationTime = effective.getTime() <= at;
      revocation.push({
        serialHex: cert.serialHex,
        subject,
        revocationDate: entry.revocationDate,
        invalidityDate: entry.invalidityDate,
        effectiveDate: effective,
        reason: entry.reason,
        revokedAtValidationTime,
      });
      findings.push(
        revokedAtValidationTime
          ? { code: 'REVOKED', severity: 'error', subject, detail: `${effective.toISOString()} ${entry.reason ?? 'unspecified'}` }
          : { code: 'REVOKED_AFTER_VALIDATION_TIME', severity: 'info', subject, detail: `${effective.toISOString()} ${entry.reason ?? 'unspecified'}` },
      );
      break;
    }
  });

  return { trusted: complete && !findings.some((f) => f.severity === 'error'), path, revocation, findings };
}

/**
 * The regulation's gate before a seal signs anything. Every check is a rule of regulation.md;
 * each refusal is a YinjianError whose code the usage register and the audit log record (M5).
 * Pure: the caller hands in what the register says and what this computer is.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { SealedDocumentType } from '../pki/oids';
import { assertMayUseSeal, type SealUseDecision } from '../register/seal-use';
import type { CertificateRecord, Delegation, Person, Seal, Workstation } from '../register/types';
import { workstationHash } from '../office/snapshot';
import { declaredDocumentType } from './document-type';

/**
 * A workstation known only by SHA-256 of its id: how a workstation's replica of the office
 * register (infra/db/snapshot-mirror.ts) stores a seal's binding, since the signed snapshot
 * carries only that hash (M4, S1). The id and machine id are this prefix + lower-case hex.
 */
export const BOUND_WORKSTATION_HASH_PREFIX = 'sha256:';

/**
 * M4, S1: is `bound` this computer? Either by its code (the office's own register), or by
 * SHA-256 of the code (a replica from the snapshot), the same hash as the certificate's
 * seal-info workstationIdHash (pki/certificate.ts) and the snapshot's boundWorkstationHash.
 */
export function isThisWorkstation(bound: Workstation, hereWorkstationCode: string): boolean {
  if (bound.machineId === hereWorkstationCode) return true;
  return bound.machineId.startsWith(BOUND_WORKSTATION_HASH_PREFIX) && bound.machineId.slice(BOUND_WORKSTATION_HASH_PREFIX.length).toLowerCase() === workstationHash(hereWorkstationCode);
}

export interface UseApproval {
  /** 用印审批编号: the approved use request's reference, signed into the signature (U3). */
  readonly reference: string;
  /** Who approved the use request. */
  readonly approver: string;
}

export interface StampGateFacts {
  readonly declaredType: string;
  readonly approval: UseApproval;
  readonly seal: Seal;
  /** The register's record of the seal's current certificate (revocation, S3/S5). */
  readonly certificate: CertificateRecord | undefined;
  readonly delegations: readonly Delegation[];
  /** The workstation the seal is bound to, as registered; undefined when unbound or unknown. */
  readonly boundWorkstation: Workstation | undefined;
  /** This computer's workstation code (infra/machine). */
  readonly hereWorkstationCode: string;
  readonly operator: Person;
  readonly time: Date;
}

export interface StampGatePass {
  readonly documentType: SealedDocumentType;
  readonly capacity: SealUseDecision & { allowed: true };
}

/**
 * Checks, in order: the declared type (U1, U2), the approval (U3), the seal's state, validity
 * and the operator (S3, S5, E1, M2, M3 — via mayUseSeal), the certificate's revocation in the
 * register (S3, S5) and the workstation binding (M4, S1). The initial-PIN rule (M4) is the USB
 * key service's (openForSigning); the document's own text is checked by classifyDocumentText.
 */
export function passStampGate(facts: StampGateFacts): StampGatePass {
  const documentType = declaredDocumentType(facts.declaredType);
  if (facts.approval.reference.trim() === '') throw new YinjianError('STAMP_APPROVAL_MISSING', { missing: '审批编号 approval reference' });
  if (facts.approval.approver.trim() === '') throw new YinjianError('STAMP_APPROVAL_MISSING', { missing: '批准人 approver' });
  const capacity = assertMayUseSeal(facts.operator, facts.seal, facts.time, facts.delegations);
  const certificate = facts.certificate;
  if (certificate === undefined || certificate.serial !== facts.seal.certificate.serial) {
    // A seal whose current certificate the register does not hold cannot be checked for
    // revocation; treat it as revoked rather than trust it.
    throw new YinjianError('SEAL_REVOKED', { seal: facts.seal.code, at: '?', reason: 'unknown certificate' });
  }
  if (certificate.revokedAt !== null && certificate.revokedAt.getTime() <= facts.time.getTime()) {
    throw new YinjianError('SEAL_REVOKED', { seal: facts.seal.code, at: certificate.revokedAt.toISOString(), reason: certificate.revocationReason ?? 'unspecified' });
  }
  if (facts.seal.workstationId === null) throw new YinjianError('SEAL_NOT_BOUND', { seal: facts.seal.code });
  if (facts.boundWorkstation === undefined || facts.boundWorkstation.id !== facts.seal.workstationId || !isThisWorkstation(facts.boundWorkstation, facts.hereWorkstationCode)) {
    throw new YinjianError('STAMP_WORKSTATION_MISMATCH', { seal: facts.seal.code, here: facts.hereWorkstationCode });
  }
  return { documentType, capacity };
}

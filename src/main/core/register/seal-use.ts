/**
 * Who may use a seal, and when (M2, M3, E1). Pure: the caller hands in the seal and the
 * delegations the register holds for it.
 */
import { YinjianError, type ErrorCode, type ErrorParams } from '../../../shared/errors/index';
import type { ApproverRole, Delegation, Person, Seal, UnitKind } from './types';

export type SealUseDecision =
  | { readonly allowed: true; readonly capacity: 'custodian' }
  | { readonly allowed: true; readonly capacity: 'proxy'; readonly delegationId: string }
  | { readonly allowed: false; readonly code: ErrorCode; readonly params: ErrorParams };

type SealForUse = Pick<Seal, 'id' | 'code' | 'state' | 'custodianStaffId' | 'certificate'>;

/** In force at `at`: inside its window and not yet revoked (stampings before a revocation stay valid). */
function inWindow(d: Delegation, at: number): boolean {
  return (d.revokedAt === null || at < d.revokedAt.getTime()) && d.startsAt.getTime() <= at && at < d.endsAt.getTime();
}

/**
 * M3: may `person` use `seal` at `time`? The registered custodian may (M2); anyone else only
 * inside the window of an approved, unrevoked delegation of that very seal. Nobody may while
 * the seal is not ACTIVE (S3, S5) or outside its certificate's validity (E1).
 */
export function mayUseSeal(person: Person, seal: SealForUse, time: Date, delegations: readonly Delegation[]): SealUseDecision {
  const at = time.getTime();
  if (seal.state !== 'ACTIVE') {
    return { allowed: false, code: 'SEAL_NOT_ACTIVE', params: { seal: seal.code, state: seal.state } };
  }
  if (!Number.isFinite(at) || at < seal.certificate.validFrom.getTime()) {
    return { allowed: false, code: 'SEAL_NOT_YET_VALID', params: { seal: seal.code, from: seal.certificate.validFrom.toISOString() } };
  }
  if (at >= seal.certificate.validTo.getTime()) {
    return { allowed: false, code: 'SEAL_EXPIRED', params: { seal: seal.code, to: seal.certificate.validTo.toISOString() } };
  }
  if (person.staffId === seal.custodianStaffId) return { allowed: true, capacity: 'custodian' };
  const own = delegations.filter((d) => d.sealId === seal.id && d.proxyStaffId === person.staffId);
  const current = own.find((d) => inWindow(d, at));
  if (current !== undefined) return { allowed: true, capacity: 'proxy', delegationId: current.id };
  const revoked = own.find((d) => d.revokedAt !== null && d.revokedAt.getTime() <= at && d.startsAt.getTime() <= at && at < d.endsAt.getTime());
  if (revoked?.revokedAt) {
    return { allowed: false, code: 'DELEGATION_REVOKED', params: { person: person.staffId, seal: seal.code, revokedAt: revoked.revokedAt.toISOString() } };
  }
  if (own.length > 0) {
    return { allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW', params: { person: person.staffId, seal: seal.code, at: time.toISOString() } };
  }
  return { allowed: false, code: 'SEAL_USE_NOT_PERMITTED', params: { person: person.staffId, seal: seal.code } };
}

/** The same question, as a guard: throws the refusal as a YinjianError. */
export function assertMayUseSeal(person: Person, seal: SealForUse, time: Date, delegations: readonly Delegation[]): SealUseDecision & { allowed: true } {
  const decision = mayUseSeal(person, seal, time, delegations);
  if (!decision.allowed) throw new YinjianError(decision.code, decision.params);
  return decision;
}

/** M3: the general manager approves for a company seal, the department head for a department's. */
export function requiredApproverRole(kind: UnitKind): ApproverRole {
  return kind === 'company' ? 'general_manager' : 'department_head';
}

export function requireApproverRole(kind: UnitKind, given: ApproverRole): void {
  const required = requiredApproverRole(kind);
  if (given !== required) throw new YinjianError('APPROVER_ROLE_MISMATCH', { unitKind: kind, required, given });
}

export interface DelegationDraft {
  readonly proxyStaffId: string;
  readonly proxyName: string;
  readonly approverName: string;
  readonly approverStaffId: string;
  readonly approverRole: ApproverRole;
  readonly reason: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

function required(field: string, value: string): void {
  if (value.trim() === '') throw new YinjianError('REGISTER_FIELD_REQUIRED', { field });
}

/** M3: checks a delegation before the register records it. */
export function validateDelegation(seal: Pick<Seal, 'id' | 'code' | 'kind' | 'state' | 'custodianStaffId'>, draft: DelegationDraft): void {
  required('proxyStaffId', draft.proxyStaffId);
  required('proxyName', draft.proxyName);
  required('approverName', draft.approverName);
  required('approverStaffId', draft.approverStaffId);
  required('reason', draft.reason);
  if (seal.state !== 'ACTIVE') {
    throw new YinjianError('SEAL_NOT_ACTIVE', { seal: seal.code, state: seal.state });
  }
  if (draft.proxyStaffId === seal.custodianStaffId) throw new YinjianError('DELEGATION_TO_CUSTODIAN');
  requireApproverRole(seal.kind, draft.approverRole);
  const start = draft.startsAt.getTime();
  const end = draft.endsAt.getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
    throw new YinjianError('DELEGATION_WINDOW_INVALID', { start: String(draft.startsAt), end: String(draft.endsAt) });
  }
}

/**
 * The seal lifecycle state machine (S2–S5, M1). Pure: it decides, the register persists.
 *
 * | from                          | event         | to             | certificate effect                          | rules      |
 * |-------------------------------|---------------|----------------|---------------------------------------------|------------|
 * | (none)                        | ISSUE         | ACTIVE         | first certificate                            | S2, M1     |
 * | ACTIVE                        | CHANGE        | ACTIVE         | new certificate; old revoked `superseded`   | S3, M1     |
 * | ACTIVE                        | REISSUE       | ACTIVE         | new key + cert; old revoked `superseded`    | S4, M1     |
 * | ACTIVE                        | REPORT_LOSS   | LOST           | revoked `keyCompromise` at the loss time    | S5         |
 * | LOST                          | CONFIRM_LOSS  | LOSS_CONFIRMED | stays revoked                                | S5, M1     |
 * | LOST                          | WITHDRAW_LOSS | LOSS_WITHDRAWN | stays revoked (keyCompromise is final)      | S5, M1     |
 * | LOSS_CONFIRMED/LOSS_WITHDRAWN | REISSUE       | ACTIVE         | new key + cert; old stays `keyCompromise`   | S5→S4, M1  |
 * | ACTIVE                        | CANCEL        | CANCELLED      | revoked `cessationOfOperation`               | S3, M1     |
 * | LOST/LOSS_*                   | CANCEL        | CANCELLED      | stays revoked `keyCompromise`                | S3, M1     |
 * | CANCELLED                     | anything      | refused        | a cancelled seal never signs again          | S3         |
 *
 * Every event needs an application reference and an approver (S2, S3). Every event but
 * REPORT_LOSS is carried out by the President's Office (M1); a loss is reported at once by
 * whoever finds it missing (S5), and only the office confirms or withdraws it.
 */
import { YinjianError } from '../../../shared/errors/index';
import type {
  Actor,
  Approval,
  RevocationReason,
  Seal,
  SealCertificate,
  SealState,
  Unit,
  UnitKind,
} from './types';

export type LifecycleEventKind =
  | 'ISSUE'
  | 'CHANGE'
  | 'REISSUE'
  | 'REPORT_LOSS'
  | 'CONFIRM_LOSS'
  | 'WITHDRAW_LOSS'
  | 'CANCEL';

/** The transitions table above, as data: from → event → to. */
export const SEAL_TRANSITIONS: Readonly<Record<SealState, Partial<Record<LifecycleEventKind, SealState>>>> = {
  ACTIVE: { CHANGE: 'ACTIVE', REISSUE: 'ACTIVE', REPORT_LOSS: 'LOST', CANCEL: 'CANCELLED' },
  LOST: { CONFIRM_LOSS: 'LOSS_CONFIRMED', WITHDRAW_LOSS: 'LOSS_WITHDRAWN', CANCEL: 'CANCELLED' },
  LOSS_CONFIRMED: { REISSUE: 'ACTIVE', CANCEL: 'CANCELLED' },
  LOSS_WITHDRAWN: { REISSUE: 'ACTIVE', CANCEL: 'CANCELLED' },
  CANCELLED: {},
};

/** Events only the President's Office may carry out (M1, S5 "the office confirms"). */
const OFFICE_EVENTS: ReadonlySet<LifecycleEventKind> = new Set([
  'ISSUE',
  'CHANGE',
  'REISSUE',
  'CONFIRM_LOSS',
  'WITHDRAW_LOSS',
  'CANCEL',
]);

export function nextSealState(sealId: string, from: SealState, event: LifecycleEventKind): SealState {
  const to = SEAL_TRANSITIONS[from][event];
  if (to === undefined) {
    throw new YinjianError('SEAL_TRANSITION_ILLEGAL', { seal: sealId, from, event });
  }
  return to;
}

/** S2, S3: no seal is made, changed, cancelled or re-issued without a written approval. */
export function requireApproval(action: string, approval: Partial<Approval> | undefined): Approval {
  const reference = approval?.reference?.trim() ?? '';
  const approver = approval?.approver?.trim() ?? '';
  const missing = [reference === '' ? 'reference' : '', approver === '' ? 'approver' : '']
    .filter((m) => m !== '')
    .join(', ');
  if (missing !== '') throw new YinjianError('APPROVAL_REQUIRED', { action, missing });
  return { reference, approver };
}

function requireOffice(event: LifecycleEventKind, actor: Actor): void {
  if (OFFICE_EVENTS.has(event) && actor.office !== true) {
    throw new YinjianError('OFFICE_ONLY', { action: event });
  }
}

/** E1: a certificate must say when the seal starts and ends, in that order. */
export function requireValidity(certificate: SealCertificate): void {
  const from = certificate.validFrom.getTime();
  const to = certificate.validTo.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new YinjianError('CERTIFICATE_VALIDITY_INVALID', {
      from: String(certificate.validFrom),
      to: String(certificate.validTo),
    });
  }
}

export interface IssueCommand {
  readonly seal: {
    readonly id: string;
    readonly code: string;
    readonly name: string;
    readonly kind: UnitKind;
    readonly custodianStaffId: string;
  };
  readonly unit: Unit;
  readonly custodianUnitId: string;
  readonly certificate: SealCertificate;
  readonly approval: Partial<Approval> | undefined;
}

/**
 * S2, M1: checks a new seal before it is made. `sealsWithCode` are the register's seals
 * already carrying the code; any of them not cancelled holds the code (a lost seal is
 * re-issued under its own identity, so a new seal with its code would fork it).
 */
export function planIssue(command: IssueCommand, actor: Actor, sealsWithCode: readonly Pick<Seal, 'id' | 'state'>[]): Approval {
  requireOffice('ISSUE', actor);
  const approval = requireApproval('ISSUE', command.approval);
  if (command.seal.kind !== command.unit.kind) {
    throw new YinjianError('SEAL_KIND_MISMATCH', { sealKind: command.seal.kind, unitKind: command.unit.kind });
  }
  if (command.custodianUnitId !== command.unit.id) {
    // M2: the custodian is designated by and within the unit that owns the seal.
    throw new YinjianError('CUSTODIAN_UNIT_MISMATCH', { staffId: command.seal.custodianStaffId, unit: command.unit.code });
  }
  if (sealsWithCode.some((s) => s.state !== 'CANCELLED')) {
    throw new YinjianError('SEAL_CODE_IN_USE', { code: command.seal.code });
  }
  requireValidity(command.certificate);
  return approval;
}

export type LifecycleCommand =
  | { readonly event: 'CHANGE'; readonly approval?: Partial<Approval>; readonly certificate: SealCertificate; readonly name?: string }
  | { readonly event: 'REISSUE'; readonly approval?: Partial<Approval>; readonly certificate: SealCertificate; readonly cause: 'damage' | 'loss' }
  | { readonly event: 'REPORT_LOSS'; readonly approval?: Partial<Approval>; readonly lostAt: Date }
  | { readonly event: 'CONFIRM_LOSS'; readonly approval?: Partial<Approval> }
  | { readonly event: 'WITHDRAW_LOSS'; readonly approval?: Partial<Approval> }
  | { readonly event: 'CANCEL'; readonly approval?: Partial<Approval> };

export interface TransitionPlan {
  readonly event: LifecycleEventKind;
  readonly from: SealState;
  readonly to: SealState;
  readonly approval: Approval;
  /** Revoke the seal's current certificate, when it is still valid. */
  readonly revokeCurrent: { readonly reason: RevocationReason; readonly at: Date } | null;
  /** Install this certificate as the seal's current one. */
  readonly install: SealCertificate | null;
  /** The reported loss time (S5), for the lifecycle record. */
  readonly lostAt: Date | null;
}

/**
 * Decides what a lifecycle command does to a seal, or throws a YinjianError and decides
 * nothing. The register applies the plan in one transaction.
 */
export function planTransition(seal: Seal, command: LifecycleCommand, actor: Actor, now: Date): TransitionPlan {
  const to = nextSealState(seal.id, seal.state, command.event);
  requireOffice(command.event, actor);
  const approval = requireApproval(command.event, command.approval);
  // Only an ACTIVE seal still has a valid certificate: in every other state it was
  // already revoked (keyCompromise at the loss) and that first reason must stay on record.
  const certificateLive = seal.state === 'ACTIVE';
  const base = { event: command.event, from: seal.state, to, approval, lostAt: null };
  switch (command.event) {
    case 'CHANGE':
    case 'REISSUE': {
      requireValidity(command.certificate);
      if (command.event === 'REISSUE' && command.certificate.tokenSerial === seal.certificate.tokenSerial) {
        // S4, S5: a damaged or lost key is replaced by a new USB key with a new key pair.
        throw new YinjianError('REISSUE_NEEDS_NEW_KEY', { tokenSerial: command.certificate.tokenSerial });
      }
      return {
        ...base,
        revokeCurrent: certificateLive ? { reason: 'superseded', at: now } : null,
        install: command.certificate,
      };
    }
    case 'REPORT_LOSS': {
      const lostAt = command.lostAt.getTime();
      if (!Number.isFinite(lostAt) || lostAt > now.getTime()) {
        throw new YinjianError('LOSS_TIME_INVALID', { lostAt: String(command.lostAt), now: now.toISOString() });
      }
      // S5: revoked at once, from the reported loss time, so that signatures made after the
      // key left its custodian's hands stop validating everywhere.
      return { ...base, revokeCurrent: { reason: 'keyCompromise', at: command.lostAt }, install: null, lostAt: command.lostAt };
    }
    case 'CANCEL':
      return {
        ...base,
        revokeCurrent: certificateLive ? { reason: 'cessationOfOperation', at: now } : null,
        install: null,
      };
    case 'CONFIRM_LOSS':
    case 'WITHDRAW_LOSS':
      return { ...base, revokeCurrent: null, install: null };
  }
}

/**
 * M2: hands a seal to another registered custodian of its own unit. M4, S1: binds a seal to
 * its dedicated workstation. Both are filed by the office with an approval, and neither is
 * possible once the seal is cancelled.
 */
export function planCustodyChange(
  seal: Pick<Seal, 'id' | 'state' | 'unitId'>,
  custodian: { readonly staffId: string; readonly unitId: string },
  unitCode: string,
  actor: Actor,
  approval: Partial<Approval> | undefined,
): Approval {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action: 'CUSTODIAN_ASSIGNED' });
  const approved = requireApproval('CUSTODIAN_ASSIGNED', approval);
  if (seal.state === 'CANCELLED') {
    throw new YinjianError('SEAL_TRANSITION_ILLEGAL', { seal: seal.id, from: seal.state, event: 'CUSTODIAN_ASSIGNED' });
  }
  if (custodian.unitId !== seal.unitId) throw new YinjianError('CUSTODIAN_UNIT_MISMATCH', { staffId: custodian.staffId, unit: unitCode });
  return approved;
}

export function planWorkstationBinding(seal: Pick<Seal, 'id' | 'state'>, actor: Actor, approval: Partial<Approval> | undefined): Approval {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action: 'WORKSTATION_BOUND' });
  const approved = requireApproval('WORKSTATION_BOUND', approval);
  if (seal.state === 'CANCELLED') {
    throw new YinjianError('SEAL_TRANSITION_ILLEGAL', { seal: seal.id, from: seal.state, event: 'WORKSTATION_BOUND' });
  }
  return approved;
}

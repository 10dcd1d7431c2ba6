import { describe, expect, it } from 'vitest';
import {
  SEAL_STATES,
  nextSealState,
  planIssue,
  planTransition,
  requireApproval,
  type Actor,
  type LifecycleEventKind,
  type Seal,
  type SealCertificate,
  type SealState,
} from '../../../src/main/core/register/index';
import { YinjianError } from '../../../src/shared/errors/index';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof YinjianError) return e.code;
    throw e;
  }
  throw new Error('expected a YinjianError');
}

const OFFICE: Actor = { name: '王秘书', staffId: 'P0001', office: true };
const CLERK: Actor = { name: '李文员', staffId: 'C0100' };
const APPROVAL = { reference: 'REF-1', approver: '刘总裁' };
const NOW = new Date('2026-09-01T00:00:00.000Z');

function cert(serial: string, tokenSerial: string, from = '2026-07-01T00:00:00.000Z', to = '2029-07-01T00:00:00.000Z'): SealCertificate {
  return { serial, der: new Uint8Array([serial.length]), validFrom: new Date(from), validTo: new Date(to), keyType: 'EC_P256', tokenSerial };
}

function seal(state: SealState): Seal {
  return {
    id: 'SEAL-1',
    code: 'CO-01',
    name: '公章',
    unitId: 'U-CO',
    kind: 'company',
    state,
    custodianStaffId: 'S100',
    workstationId: 'WS-1',
    certificate: cert('01', 'TOKEN-A'),
    appearance: { svg: null, png: null },
    approval: APPROVAL,
    updatedAt: NOW,
  };
}

/** The regulation's transitions (S3, S4, S5), written out independently of the implementation. */
const ALLOWED: ReadonlyArray<[SealState, LifecycleEventKind, SealState]> = [
  ['ACTIVE', 'CHANGE', 'ACTIVE'],
  ['ACTIVE', 'REISSUE', 'ACTIVE'],
  ['ACTIVE', 'REPORT_LOSS', 'LOST'],
  ['ACTIVE', 'CANCEL', 'CANCELLED'],
  ['LOST', 'CONFIRM_LOSS', 'LOSS_CONFIRMED'],
  ['LOST', 'WITHDRAW_LOSS', 'LOSS_WITHDRAWN'],
  ['LOST', 'CANCEL', 'CANCELLED'],
  ['LOSS_CONFIRMED', 'REISSUE', 'ACTIVE'],
  ['LOSS_CONFIRMED', 'CANCEL', 'CANCELLED'],
  ['LOSS_WITHDRAWN', 'REISSUE', 'ACTIVE'],
  ['LOSS_WITHDRAWN', 'CANCEL', 'CANCELLED'],
];
const EVENTS: LifecycleEventKind[] = ['ISSUE', 'CHANGE', 'REISSUE', 'REPORT_LOSS', 'CONFIRM_LOSS', 'WITHDRAW_LOSS', 'CANCEL'];

describe('seal lifecycle state machine', () => {
  for (const from of SEAL_STATES) {
    for (const event of EVENTS) {
      const allowed = ALLOWED.find(([f, e]) => f === from && e === event);
      it(`${from} --${event}--> ${allowed ? allowed[2] : 'refused'}`, () => {
        if (allowed) expect(nextSealState('SEAL-1', from, event)).toBe(allowed[2]);
        else expect(codeOf(() => nextSealState('SEAL-1', from, event))).toBe('SEAL_TRANSITION_ILLEGAL');
      });
    }
  }

  it('S3: a cancelled seal accepts nothing at all', () => {
    for (const event of EVENTS) expect(codeOf(() => nextSealState('S', 'CANCELLED', event))).toBe('SEAL_TRANSITION_ILLEGAL');
  });
});

describe('planTransition', () => {
  it('S3 change supersedes the live certificate now and installs the new one', () => {
    const plan = planTransition(seal('ACTIVE'), { event: 'CHANGE', approval: APPROVAL, certificate: cert('02', 'TOKEN-A') }, OFFICE, NOW);
    expect(plan).toMatchObject({ from: 'ACTIVE', to: 'ACTIVE', revokeCurrent: { reason: 'superseded', at: NOW } });
    expect(plan.install?.serial).toBe('02');
  });

  it('S5 loss revokes for keyCompromise from the reported loss time, reported by anyone', () => {
    const lostAt = new Date('2026-08-31T20:00:00.000Z');
    const plan = planTransition(seal('ACTIVE'), { event: 'REPORT_LOSS', approval: APPROVAL, lostAt }, CLERK, NOW);
    expect(plan).toMatchObject({ to: 'LOST', revokeCurrent: { reason: 'keyCompromise', at: lostAt }, lostAt, install: null });
  });

  it('S5 refuses a loss time in the future or not a time', () => {
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'REPORT_LOSS', approval: APPROVAL, lostAt: new Date('2026-09-02T00:00:00.000Z') }, OFFICE, NOW))).toBe('LOSS_TIME_INVALID');
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'REPORT_LOSS', approval: APPROVAL, lostAt: new Date('garbage') }, OFFICE, NOW))).toBe('LOSS_TIME_INVALID');
  });

  it('re-issue after a loss leaves the keyCompromise revocation alone', () => {
    const plan = planTransition(seal('LOSS_CONFIRMED'), { event: 'REISSUE', approval: APPROVAL, certificate: cert('03', 'TOKEN-C'), cause: 'loss' }, OFFICE, NOW);
    expect(plan).toMatchObject({ to: 'ACTIVE', revokeCurrent: null });
  });

  it('cancel revokes a live certificate for cessationOfOperation, and leaves a lost one as it was', () => {
    expect(planTransition(seal('ACTIVE'), { event: 'CANCEL', approval: APPROVAL }, OFFICE, NOW).revokeCurrent).toEqual({ reason: 'cessationOfOperation', at: NOW });
    expect(planTransition(seal('LOST'), { event: 'CANCEL', approval: APPROVAL }, OFFICE, NOW).revokeCurrent).toBeNull();
  });

  it('S4: re-issue needs a new USB key', () => {
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'REISSUE', approval: APPROVAL, certificate: cert('03', 'TOKEN-A'), cause: 'damage' }, OFFICE, NOW))).toBe('REISSUE_NEEDS_NEW_KEY');
  });

  it('E1: a certificate whose validity ends before it starts is refused', () => {
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'CHANGE', approval: APPROVAL, certificate: cert('02', 'T', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z') }, OFFICE, NOW))).toBe('CERTIFICATE_VALIDITY_INVALID');
  });

  it('M1: only the office changes, re-issues, confirms, withdraws and cancels', () => {
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'CANCEL', approval: APPROVAL }, CLERK, NOW))).toBe('OFFICE_ONLY');
    expect(codeOf(() => planTransition(seal('LOST'), { event: 'WITHDRAW_LOSS', approval: APPROVAL }, CLERK, NOW))).toBe('OFFICE_ONLY');
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'CHANGE', approval: APPROVAL, certificate: cert('02', 'T') }, CLERK, NOW))).toBe('OFFICE_ONLY');
  });

  it('S2, S3: every event needs an application reference and an approver', () => {
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'CANCEL' }, OFFICE, NOW))).toBe('APPROVAL_REQUIRED');
    expect(codeOf(() => planTransition(seal('ACTIVE'), { event: 'CANCEL', approval: { reference: 'R', approver: '  ' } }, OFFICE, NOW))).toBe('APPROVAL_REQUIRED');
    expect(requireApproval('X', { reference: ' R-1 ', approver: ' 刘 ' })).toEqual({ reference: 'R-1', approver: '刘' });
  });
});

describe('planIssue (S2, M1, M2)', () => {
  const unit = { id: 'U-CO', code: 'HQ-CO-01', name: '华东分公司', kind: 'company' as const };
  const command = {
    seal: { id: 'SEAL-1', code: 'CO-01', name: '公章', kind: 'company' as const, custodianStaffId: 'S100' },
    unit,
    custodianUnitId: 'U-CO',
    certificate: cert('01', 'TOKEN-A'),
    approval: APPROVAL,
  };

  it('accepts an approved seal whose code is free or held only by cancelled seals', () => {
    expect(planIssue(command, OFFICE, [])).toEqual(APPROVAL);
    expect(planIssue(command, OFFICE, [{ id: 'OLD', state: 'CANCELLED' }])).toEqual(APPROVAL);
  });

  it('refuses a code held by a live or lost seal', () => {
    expect(codeOf(() => planIssue(command, OFFICE, [{ id: 'OLD', state: 'ACTIVE' }]))).toBe('SEAL_CODE_IN_USE');
    expect(codeOf(() => planIssue(command, OFFICE, [{ id: 'OLD', state: 'LOST' }]))).toBe('SEAL_CODE_IN_USE');
  });

  it('refuses a seal kind that does not match its unit, a foreign custodian, no approval, a non-office actor', () => {
    expect(codeOf(() => planIssue({ ...command, seal: { ...command.seal, kind: 'department' } }, OFFICE, []))).toBe('SEAL_KIND_MISMATCH');
    expect(codeOf(() => planIssue({ ...command, custodianUnitId: 'U-OTHER' }, OFFICE, []))).toBe('CUSTODIAN_UNIT_MISMATCH');
    expect(codeOf(() => planIssue({ ...command, approval: undefined }, OFFICE, []))).toBe('APPROVAL_REQUIRED');
    expect(codeOf(() => planIssue(command, CLERK, []))).toBe('OFFICE_ONLY');
  });
});

import { describe, expect, it } from 'vitest';
import {
  assertMayUseSeal,
  mayUseSeal,
  requiredApproverRole,
  validateDelegation,
  type Delegation,
  type Seal,
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

const t = (iso: string) => new Date(iso);

const SEAL: Pick<Seal, 'id' | 'code' | 'kind' | 'state' | 'custodianStaffId' | 'certificate'> = {
  id: 'SEAL-1',
  code: 'CO-01',
  kind: 'company',
  state: 'ACTIVE',
  custodianStaffId: 'S100',
  certificate: { serial: '01', der: new Uint8Array([1]), validFrom: t('2026-07-01T00:00:00Z'), validTo: t('2029-07-01T00:00:00Z'), keyType: 'EC_P256', tokenSerial: 'TOKEN-A' },
};

function delegation(over: Partial<Delegation> = {}): Delegation {
  return {
    id: 'D-1',
    sealId: 'SEAL-1',
    proxyStaffId: 'S300',
    proxyName: '钱代理',
    approverName: '孙总经理',
    approverStaffId: 'GM01',
    approverRole: 'general_manager',
    reason: '休假',
    startsAt: t('2026-07-10T00:00:00Z'),
    endsAt: t('2026-07-20T00:00:00Z'),
    createdAt: t('2026-07-09T00:00:00Z'),
    revokedAt: null,
    ...over,
  };
}

const CUSTODIAN = { staffId: 'S100', name: '张保管' };
const PROXY = { staffId: 'S300', name: '钱代理' };

describe('mayUseSeal (M2, M3, E1)', () => {
  it('the custodian may, at any time in the seal validity', () => {
    expect(mayUseSeal(CUSTODIAN, SEAL, t('2026-07-01T00:00:00Z'), [])).toEqual({ allowed: true, capacity: 'custodian' });
  });

  it('E1: nobody may before the seal starts or after it ends', () => {
    expect(mayUseSeal(CUSTODIAN, SEAL, t('2026-06-30T23:59:59.999Z'), [])).toMatchObject({ allowed: false, code: 'SEAL_NOT_YET_VALID' });
    expect(mayUseSeal(CUSTODIAN, SEAL, t('2029-07-01T00:00:00Z'), [])).toMatchObject({ allowed: false, code: 'SEAL_EXPIRED' });
  });

  it('nobody may while the seal is not ACTIVE', () => {
    for (const state of ['LOST', 'LOSS_CONFIRMED', 'LOSS_WITHDRAWN', 'CANCELLED'] as const) {
      expect(mayUseSeal(CUSTODIAN, { ...SEAL, state }, t('2026-08-01T00:00:00Z'), [])).toMatchObject({ allowed: false, code: 'SEAL_NOT_ACTIVE' });
    }
  });

  it('a proxy may only inside the half-open window [start, end)', () => {
    const ds = [delegation()];
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-10T00:00:00Z'), ds)).toEqual({ allowed: true, capacity: 'proxy', delegationId: 'D-1' });
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-20T00:00:00Z'), ds)).toMatchObject({ allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW' });
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-09T00:00:00Z'), ds)).toMatchObject({ allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW' });
  });

  it('a revoked delegation gives nothing from its revocation on, and says so; before it, it stood', () => {
    const revoked = [delegation({ revokedAt: t('2026-07-11T00:00:00Z') })];
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-12T00:00:00Z'), revoked)).toMatchObject({ allowed: false, code: 'DELEGATION_REVOKED', params: { revokedAt: '2026-07-11T00:00:00.000Z' } });
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-11T00:00:00Z'), revoked)).toMatchObject({ allowed: false, code: 'DELEGATION_REVOKED' });
    // A stamping inside the window before the revocation was in order (what an S6 inspection asks).
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-10T12:00:00Z'), revoked)).toEqual({ allowed: true, capacity: 'proxy', delegationId: 'D-1' });
    // After the window's end it is simply outside the window.
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-21T00:00:00Z'), revoked)).toMatchObject({ allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW' });
  });

  it('a delegation for another seal gives nothing', () => {
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-12T00:00:00Z'), [delegation({ sealId: 'SEAL-2' })])).toMatchObject({ allowed: false, code: 'SEAL_USE_NOT_PERMITTED' });
  });

  it('of several delegations, the one in force answers', () => {
    const ds = [delegation({ id: 'D-old', startsAt: t('2026-07-01T00:00:00Z'), endsAt: t('2026-07-05T00:00:00Z') }), delegation({ id: 'D-new' })];
    expect(mayUseSeal(PROXY, SEAL, t('2026-07-15T00:00:00Z'), ds)).toMatchObject({ allowed: true, delegationId: 'D-new' });
  });

  it('an invalid time is refused, not allowed', () => {
    expect(mayUseSeal(CUSTODIAN, SEAL, new Date('nonsense'), [])).toMatchObject({ allowed: false });
  });

  it('assertMayUseSeal throws the refusal code', () => {
    expect(codeOf(() => assertMayUseSeal({ staffId: 'X', name: 'x' }, SEAL, t('2026-08-01T00:00:00Z'), []))).toBe('SEAL_USE_NOT_PERMITTED');
    expect(assertMayUseSeal(CUSTODIAN, SEAL, t('2026-08-01T00:00:00Z'), []).capacity).toBe('custodian');
  });
});

describe('delegation approval (M3)', () => {
  const draft = {
    proxyStaffId: 'S300',
    proxyName: '钱代理',
    approverName: '孙总经理',
    approverStaffId: 'GM01',
    approverRole: 'general_manager' as const,
    reason: '休假',
    startsAt: t('2026-07-10T00:00:00Z'),
    endsAt: t('2026-07-20T00:00:00Z'),
  };

  it('names the approver by unit kind', () => {
    expect(requiredApproverRole('company')).toBe('general_manager');
    expect(requiredApproverRole('department')).toBe('department_head');
  });

  it('accepts the right approver and refuses the wrong one', () => {
    expect(() => validateDelegation(SEAL, draft)).not.toThrow();
    expect(codeOf(() => validateDelegation(SEAL, { ...draft, approverRole: 'department_head' }))).toBe('APPROVER_ROLE_MISMATCH');
    expect(codeOf(() => validateDelegation({ ...SEAL, kind: 'department' }, draft))).toBe('APPROVER_ROLE_MISMATCH');
  });

  it('refuses an empty or inverted window, a missing reason, the custodian as proxy, an inactive seal', () => {
    expect(codeOf(() => validateDelegation(SEAL, { ...draft, endsAt: draft.startsAt }))).toBe('DELEGATION_WINDOW_INVALID');
    expect(codeOf(() => validateDelegation(SEAL, { ...draft, startsAt: new Date('x') }))).toBe('DELEGATION_WINDOW_INVALID');
    expect(codeOf(() => validateDelegation(SEAL, { ...draft, reason: '' }))).toBe('REGISTER_FIELD_REQUIRED');
    expect(codeOf(() => validateDelegation(SEAL, { ...draft, proxyStaffId: 'S100' }))).toBe('DELEGATION_TO_CUSTODIAN');
    expect(codeOf(() => validateDelegation({ ...SEAL, state: 'LOST' }, draft))).toBe('SEAL_NOT_ACTIVE');
  });
});

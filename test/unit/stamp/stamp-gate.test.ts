/** The gate's rules one by one (U1–U3, M3, M4, S1, S3, S5, E1), on hand-made register records. */
import { describe, expect, it } from 'vitest';
import { passStampGate, type StampGateFacts } from '../../../src/main/core/policy/index';
import type { CertificateRecord, Delegation, Seal, Workstation } from '../../../src/main/core/register/index';
import { YinjianError } from '../../../src/shared/errors/index';

const NOW = new Date('2026-08-01T09:00:00Z');
const HERE = 'ABCD-EFGH-JKMN-PQRS';

const seal: Seal = {
  id: 'SEAL-1',
  code: 'YJ-0001',
  name: '办公室印章',
  unitId: 'U-1',
  kind: 'department',
  state: 'ACTIVE',
  custodianStaffId: 'S100',
  workstationId: 'WS-1',
  certificate: { serial: '01', der: new Uint8Array([1]), validFrom: new Date('2026-07-01T00:00:00Z'), validTo: new Date('2029-07-01T00:00:00Z'), keyType: 'EC_P256', tokenSerial: 'T1' },
  appearance: { svg: null, png: null },
  approval: { reference: 'ISSUE-1', approver: '总裁' },
  updatedAt: new Date('2026-07-01T00:00:00Z'),
};
const certificate: CertificateRecord = { ...seal.certificate, sealId: seal.id, issuedAt: new Date('2026-07-01T00:00:00Z'), revokedAt: null, revocationReason: null };
const workstation: Workstation = { id: 'WS-1', name: '办公室专用机', machineId: HERE, registeredAt: new Date('2026-06-01T00:00:00Z') };
const delegation: Delegation = {
  id: 'D-1',
  sealId: seal.id,
  proxyStaffId: 'S300',
  proxyName: '钱代理',
  approverName: '孙主任',
  approverStaffId: 'S900',
  approverRole: 'department_head',
  reason: '休假',
  startsAt: new Date('2026-07-20T00:00:00Z'),
  endsAt: new Date('2026-08-10T00:00:00Z'),
  createdAt: new Date('2026-07-19T00:00:00Z'),
  revokedAt: null,
};

const facts: StampGateFacts = {
  declaredType: 'internal-letter',
  approval: { reference: 'YY-2026-001', approver: '孙主任' },
  seal,
  certificate,
  delegations: [delegation],
  boundWorkstation: workstation,
  hereWorkstationCode: HERE,
  operator: { staffId: 'S100', name: '张保管' },
  time: NOW,
};

function refusal(changes: Partial<StampGateFacts>): string | undefined {
  try {
    passStampGate({ ...facts, ...changes });
  } catch (error) {
    return error instanceof YinjianError ? error.code : String(error);
  }
  return undefined;
}

describe('stamp gate', () => {
  it('passes the custodian on the bound workstation with an approval', () => {
    expect(passStampGate(facts)).toEqual({ documentType: 'internal-letter', capacity: { allowed: true, capacity: 'custodian' } });
  });
  it('passes a proxy inside an approved delegation window (M3)', () => {
    expect(passStampGate({ ...facts, operator: { staffId: 'S300', name: '钱代理' } }).capacity).toEqual({ allowed: true, capacity: 'proxy', delegationId: 'D-1' });
  });
  it.each<[string, Partial<StampGateFacts>, string]>([
    ['U1/U2 declared contract', { declaredType: 'contract' }, 'DOCUMENT_TYPE_FORBIDDEN'],
    ['U3 no approval reference', { approval: { reference: ' ', approver: '孙主任' } }, 'STAMP_APPROVAL_MISSING'],
    ['U3 no approver', { approval: { reference: 'YY-1', approver: '' } }, 'STAMP_APPROVAL_MISSING'],
    ['S5 seal lost', { seal: { ...seal, state: 'LOST' } }, 'SEAL_NOT_ACTIVE'],
    ['S3 seal cancelled', { seal: { ...seal, state: 'CANCELLED' } }, 'SEAL_NOT_ACTIVE'],
    ['E1 before validity', { time: new Date('2026-06-30T23:59:59Z') }, 'SEAL_NOT_YET_VALID'],
    ['validity over', { time: new Date('2029-07-01T00:00:00Z'), delegations: [] }, 'SEAL_EXPIRED'],
    ['S3/S5 certificate revoked in the register', { certificate: { ...certificate, revokedAt: new Date('2026-07-31T00:00:00Z'), revocationReason: 'keyCompromise' } }, 'SEAL_REVOKED'],
    ['certificate unknown to the register', { certificate: undefined }, 'SEAL_REVOKED'],
    ['M4 seal not bound', { seal: { ...seal, workstationId: null } }, 'SEAL_NOT_BOUND'],
    ['M4/S1 another computer', { hereWorkstationCode: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' }, 'STAMP_WORKSTATION_MISMATCH'],
    ['M4/S1 bound workstation not registered', { boundWorkstation: undefined }, 'STAMP_WORKSTATION_MISMATCH'],
    ['M3 someone else', { operator: { staffId: 'S999', name: '路人' } }, 'SEAL_USE_NOT_PERMITTED'],
    ['M3 proxy after the window', { operator: { staffId: 'S300', name: '钱代理' }, time: new Date('2026-08-10T00:00:00Z') }, 'DELEGATION_OUTSIDE_WINDOW'],
    ['M3 proxy of a revoked delegation', { operator: { staffId: 'S300', name: '钱代理' }, delegations: [{ ...delegation, revokedAt: new Date('2026-07-25T00:00:00Z') }] }, 'DELEGATION_REVOKED'],
  ])('refuses: %s', (_label, changes, code) => {
    expect(refusal(changes)).toBe(code);
  });
  it('lets a revocation dated after the stamping time stand (it is not yet in force)', () => {
    expect(refusal({ certificate: { ...certificate, revokedAt: new Date('2026-09-01T00:00:00Z'), revocationReason: 'superseded' } })).toBeUndefined();
  });
});

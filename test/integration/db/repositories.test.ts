import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FirstUseLedger } from '../../../src/main/core/ports/first-use-ledger';
import type { StampingRecord } from '../../../src/main/infra/db/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { certificate, CLERK, dumpRegister, OFFICE, registerWithOrganisation, type Fixture } from './register-fixture';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof YinjianError) return e.code;
    throw e;
  }
  throw new Error('expected a YinjianError');
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const APPROVAL = { reference: 'REF-1', approver: '刘总裁' };
const PROXY = { staffId: 'S300', name: '钱代理' };
const CUSTODIAN = { staffId: 'S100', name: '张保管' };

describe('register repositories on a real file', () => {
  let fx: Fixture;
  beforeEach(() => {
    fx = registerWithOrganisation();
    fx.register.lifecycle.issue(
      { id: 'SEAL-CO', code: 'CO-01-GZ', name: '华东分公司公章', unitId: 'U-CO', custodianStaffId: 'S100', workstationId: 'WS-1', certificate: certificate('01', 'TOKEN-A'), approval: APPROVAL },
      OFFICE,
    );
    fx.register.lifecycle.issue(
      { id: 'SEAL-FIN', code: 'FIN-01', name: '集团财务部印章', unitId: 'U-DEPT', custodianStaffId: 'S200', workstationId: 'WS-1', certificate: certificate('02', 'TOKEN-B'), approval: APPROVAL },
      OFFICE,
    );
  });
  afterEach(() => fx.dispose());

  describe('delegations (M3)', () => {
    const draft = {
      proxyStaffId: PROXY.staffId,
      proxyName: PROXY.name,
      approverName: '孙总经理',
      approverStaffId: 'GM01',
      approverRole: 'general_manager' as const,
      reason: '保管人休假',
      startsAt: new Date('2026-07-10T00:00:00.000Z'),
      endsAt: new Date('2026-07-20T00:00:00.000Z'),
    };

    it('answers "may P use S at T" for custodian, proxy in and out of window, and strangers', () => {
      fx.register.delegations.create('SEAL-CO', 'D-1', draft, OFFICE);
      const may = (person: { staffId: string; name: string }, at: string) => fx.register.delegations.mayUse(person, 'SEAL-CO', new Date(at));
      expect(may(CUSTODIAN, '2026-07-05T00:00:00.000Z')).toEqual({ allowed: true, capacity: 'custodian' });
      expect(may(PROXY, '2026-07-10T00:00:00.000Z')).toEqual({ allowed: true, capacity: 'proxy', delegationId: 'D-1' });
      expect(may(PROXY, '2026-07-19T23:59:59.999Z')).toMatchObject({ allowed: true });
      expect(may(PROXY, '2026-07-20T00:00:00.000Z')).toMatchObject({ allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW' });
      expect(may(PROXY, '2026-07-09T23:59:59.999Z')).toMatchObject({ allowed: false, code: 'DELEGATION_OUTSIDE_WINDOW' });
      expect(may({ staffId: 'X9', name: '路人' }, '2026-07-12T00:00:00.000Z')).toMatchObject({ allowed: false, code: 'SEAL_USE_NOT_PERMITTED' });
      // A delegation of one seal gives nothing over another.
      expect(fx.register.delegations.mayUse(PROXY, 'SEAL-FIN', new Date('2026-07-12T00:00:00.000Z'))).toMatchObject({ allowed: false, code: 'SEAL_USE_NOT_PERMITTED' });
      expect(fx.register.audit.list().at(-1)).toMatchObject({ action: 'DELEGATION_CREATED', subject: 'CO-01-GZ' });
    });

    it('a revoked delegation stops at once', () => {
      fx.register.delegations.create('SEAL-CO', 'D-1', draft, OFFICE);
      fx.register.delegations.revoke('D-1', new Date('2026-07-12T00:00:00.000Z'), OFFICE);
      expect(fx.register.delegations.mayUse(PROXY, 'SEAL-CO', new Date('2026-07-13T00:00:00.000Z'))).toMatchObject({ allowed: false, code: 'DELEGATION_REVOKED' });
      expect(fx.register.audit.list().at(-1)?.action).toBe('DELEGATION_REVOKED');
    });

    it('M3: the approver must be the general manager for a company seal and the department head for a department seal', () => {
      const before = dumpRegister(fx.path);
      expect(codeOf(() => fx.register.delegations.create('SEAL-CO', 'D-1', { ...draft, approverRole: 'department_head' }, OFFICE))).toBe('APPROVER_ROLE_MISMATCH');
      expect(codeOf(() => fx.register.delegations.create('SEAL-FIN', 'D-2', draft, OFFICE))).toBe('APPROVER_ROLE_MISMATCH');
      expect(codeOf(() => fx.register.delegations.create('SEAL-CO', 'D-3', { ...draft, endsAt: draft.startsAt }, OFFICE))).toBe('DELEGATION_WINDOW_INVALID');
      expect(codeOf(() => fx.register.delegations.create('SEAL-CO', 'D-4', { ...draft, reason: ' ' }, OFFICE))).toBe('REGISTER_FIELD_REQUIRED');
      expect(dumpRegister(fx.path)).toBe(before);
      fx.register.delegations.create('SEAL-FIN', 'D-5', { ...draft, approverRole: 'department_head', approverName: '周部长' }, OFFICE);
      expect(fx.register.delegations.forSeal('SEAL-FIN').map((d) => d.id)).toEqual(['D-5']);
    });
  });

  describe('use requests and the usage register (U3)', () => {
    function recordRequest(id = 'R-1', sealId = 'SEAL-CO'): void {
      fx.register.useRequests.record(
        {
          id,
          sealId,
          applicantStaffId: 'E1',
          applicantName: '申请人',
          approverName: '孙总经理',
          approvalReference: 'APP-9',
          documentTitle: '关于年度预算的通知',
          documentType: '内部正式文件',
          purpose: '发文',
          approvedAt: new Date('2026-07-10T00:00:00.000Z'),
        },
        CLERK,
      );
    }

    function stamping(over: Partial<StampingRecord> = {}): StampingRecord {
      return {
        sealId: 'SEAL-CO',
        operatorStaffId: 'S100',
        operatorName: '张保管',
        useRequestId: 'R-1',
        documentTitle: '关于年度预算的通知',
        documentType: '内部正式文件',
        pages: 3,
        sha256Before: sha('before'),
        sha256After: sha('after'),
        outputPath: '/home/s100/out/通知-已盖章.pdf',
        at: new Date('2026-07-10T02:00:00.000Z'),
        workstationId: 'WS-1',
        status: 'ok',
        errorCode: null,
        ...over,
      };
    }

    it('records a stamping with its audit row in one transaction, linked by seq', () => {
      recordRequest();
      const entry = fx.register.usage.record(stamping(), CUSTODIAN);
      const audit = fx.register.audit.list().find((r) => r.seq === entry.auditSeq);
      expect(audit).toMatchObject({ action: 'STAMP', subject: 'CO-01-GZ', actorStaffId: 'S100' });
      expect(JSON.parse(audit?.details ?? '{}')).toMatchObject({ sha256After: sha('after'), useRequestId: 'R-1' });
      expect(fx.register.audit.verify().ok).toBe(true);
    });

    it('refuses a successful stamping without an approved request for that seal, and nothing changes', () => {
      recordRequest('R-FIN', 'SEAL-FIN');
      const before = dumpRegister(fx.path);
      expect(codeOf(() => fx.register.usage.record(stamping({ useRequestId: null }), CUSTODIAN))).toBe('USE_REQUEST_REQUIRED');
      expect(codeOf(() => fx.register.usage.record(stamping({ useRequestId: 'R-NONE' }), CUSTODIAN))).toBe('USE_REQUEST_NOT_FOUND');
      expect(codeOf(() => fx.register.usage.record(stamping({ useRequestId: 'R-FIN' }), CUSTODIAN))).toBe('USE_REQUEST_SEAL_MISMATCH');
      expect(codeOf(() => fx.register.usage.record(stamping({ useRequestId: 'R-FIN', sealId: 'SEAL-FIN', sha256Before: 'not-a-hash' }), CUSTODIAN))).toBe('REGISTER_RECORD_INVALID');
      expect(dumpRegister(fx.path)).toBe(before);
      expect(codeOf(() => fx.register.useRequests.record({ ...fx.register.useRequests.require('R-FIN'), id: 'R-2', approvalReference: '' }, CLERK))).toBe('APPROVAL_REQUIRED');
    });

    it('records failures as STAMP_REFUSED (a refusal code) or STAMP_FAILED (anything else)', () => {
      const refused = fx.register.usage.record(stamping({ useRequestId: null, sha256After: null, outputPath: null, status: 'failed', errorCode: 'SEAL_USE_NOT_PERMITTED' }), CLERK);
      const failed = fx.register.usage.record(stamping({ useRequestId: null, sha256After: null, outputPath: null, status: 'failed', errorCode: 'DEVICE_REMOVED' }), CLERK);
      const actions = fx.register.audit.list().filter((r) => r.seq === refused.auditSeq || r.seq === failed.auditSeq).map((r) => r.action);
      expect(actions).toEqual(['STAMP_REFUSED', 'STAMP_FAILED']);
      expect(codeOf(() => fx.register.usage.record(stamping({ status: 'failed', errorCode: null, sha256After: null }), CLERK))).toBe('REGISTER_RECORD_INVALID');
    });

    it('filters by seal, person, date range, document type and status, and exports CSV', () => {
      recordRequest('R-1', 'SEAL-CO');
      recordRequest('R-2', 'SEAL-FIN');
      fx.register.usage.record(stamping({ at: new Date('2026-07-10T02:00:00.000Z') }), CUSTODIAN);
      fx.register.usage.record(stamping({ at: new Date('2026-07-11T02:00:00.000Z'), documentTitle: '=HYPERLINK("http://x")', documentType: '内部函件' }), CUSTODIAN);
      fx.register.usage.record(stamping({ sealId: 'SEAL-FIN', useRequestId: 'R-2', operatorStaffId: 'S200', operatorName: '赵保管', at: new Date('2026-07-12T02:00:00.000Z') }), CLERK);
      fx.register.usage.record(stamping({ useRequestId: null, sha256After: null, status: 'failed', errorCode: 'DOCUMENT_TYPE_FORBIDDEN', documentType: '合同', at: new Date('2026-07-13T02:00:00.000Z') }), CUSTODIAN);
      const titles = (f: Parameters<typeof fx.register.usage.find>[0]) => fx.register.usage.find(f).map((e) => e.at.toISOString().slice(0, 10));
      expect(titles({})).toEqual(['2026-07-10', '2026-07-11', '2026-07-12', '2026-07-13']);
      expect(titles({ sealId: 'SEAL-FIN' })).toEqual(['2026-07-12']);
      expect(titles({ staffId: 'S100' })).toEqual(['2026-07-10', '2026-07-11', '2026-07-13']);
      expect(titles({ from: new Date('2026-07-11T00:00:00.000Z'), to: new Date('2026-07-13T00:00:00.000Z') })).toEqual(['2026-07-11', '2026-07-12']);
      expect(titles({ documentType: '内部函件' })).toEqual(['2026-07-11']);
      expect(titles({ status: 'failed' })).toEqual(['2026-07-13']);
      // Filter values are bound, never spliced into SQL.
      expect(titles({ documentType: "' OR 1=1 --" })).toEqual([]);
      const csv = fx.register.usage.exportCsv({ sealId: 'SEAL-CO' });
      const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
      expect(lines[0]).toMatch(/^id,at,seal_id,operator_staff_id/);
      expect(lines).toHaveLength(1 + 3 + 1);
      expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(lines[3]).toContain('DOCUMENT_TYPE_FORBIDDEN');
    });
  });

  describe('snapshot store', () => {
    it('keeps the latest snapshot and refuses a rollback to a lower or equal sequence', () => {
      const raw = new Uint8Array([1, 2, 3, 4]);
      fx.register.snapshots.import(7, raw, new Date('2026-07-02T00:00:00.000Z'), OFFICE);
      const before = dumpRegister(fx.path);
      expect(codeOf(() => fx.register.snapshots.import(7, new Uint8Array([9]), new Date('2026-07-03T00:00:00.000Z'), OFFICE))).toBe('SNAPSHOT_ROLLBACK');
      expect(codeOf(() => fx.register.snapshots.import(6, new Uint8Array([9]), new Date('2026-07-03T00:00:00.000Z'), OFFICE))).toBe('SNAPSHOT_ROLLBACK');
      expect(codeOf(() => fx.register.snapshots.import(-1, new Uint8Array([9]), new Date('2026-07-03T00:00:00.000Z'), OFFICE))).toBe('REGISTER_RECORD_INVALID');
      expect(dumpRegister(fx.path)).toBe(before);
      expect(fx.register.snapshots.latest()).toMatchObject({ sequence: 7, importedAt: new Date('2026-07-02T00:00:00.000Z') });
      expect(Array.from(fx.register.snapshots.latest()?.raw ?? [])).toEqual([1, 2, 3, 4]);
      fx.register.snapshots.import(8, new Uint8Array([5]), new Date('2026-07-04T00:00:00.000Z'), OFFICE);
      expect(fx.register.snapshots.latest()?.sequence).toBe(8);
      expect(fx.register.audit.list().at(-1)).toMatchObject({ action: 'REGISTER_IMPORTED', subject: 'snapshot 8' });
    });
  });

  describe('USB keys as the FirstUseLedger (M4)', () => {
    it('a key issued with a seal has its initial PIN until the change is recorded', () => {
      const ledger: FirstUseLedger = fx.register.usbKeys;
      expect(ledger.isInitialPin('TOKEN-A')).toBe(true);
      expect(ledger.isInitialPin('UNKNOWN')).toBe(false);
      ledger.recordPinChanged('TOKEN-A', new Date('2026-07-01T09:00:00.000Z'));
      expect(ledger.isInitialPin('TOKEN-A')).toBe(false);
      expect(fx.register.usbKeys.get('TOKEN-A')).toMatchObject({ sealId: 'SEAL-CO', initialPin: false, pinChangedAt: new Date('2026-07-01T09:00:00.000Z') });
      // The office re-initialises the key: its PIN is initial again.
      fx.register.usbKeys.recordIssued({ tokenSerial: 'TOKEN-A', sealId: 'SEAL-CO', at: new Date('2026-08-01T00:00:00.000Z') }, OFFICE);
      expect(ledger.isInitialPin('TOKEN-A')).toBe(true);
    });

    it('survives reopening the register file', () => {
      fx.register.usbKeys.recordPinChanged('TOKEN-B', new Date('2026-07-01T09:00:00.000Z'));
      fx.register.close();
      const reopened = fx.reopen();
      expect(reopened.usbKeys.isInitialPin('TOKEN-A')).toBe(true);
      expect(reopened.usbKeys.isInitialPin('TOKEN-B')).toBe(false);
    });
  });

  describe('settings', () => {
    it('stores, replaces, lists and deletes values', () => {
      fx.register.settings.set('ui.language', 'zh-CN');
      fx.register.settings.set('ui.language', 'en');
      fx.register.settings.set('export.dir', '/tmp/x');
      expect(fx.register.settings.get('ui.language')).toBe('en');
      expect(fx.register.settings.entries()).toEqual([['export.dir', '/tmp/x'], ['ui.language', 'en']]);
      fx.register.settings.delete('export.dir');
      expect(fx.register.settings.get('export.dir')).toBeUndefined();
    });
  });

  it('a multi-repository transaction commits all or nothing', () => {
    const before = dumpRegister(fx.path);
    expect(() =>
      fx.register.transaction(() => {
        fx.register.settings.set('k', 'v');
        fx.register.audit.append({ actor: CLERK, action: 'LOGIN', subject: 'x' });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(dumpRegister(fx.path)).toBe(before);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const APPROVAL = { reference: '集团办〔2026〕12号', approver: '刘总裁' };

describe('SealLifecycle on a real register file', () => {
  let fx: Fixture;
  beforeEach(() => {
    fx = registerWithOrganisation();
  });
  afterEach(() => fx.dispose());

  function issueCompanySeal(): void {
    fx.register.lifecycle.issue(
      {
        id: 'SEAL-1',
        code: 'CO-01-GZ',
        name: '华东分公司公章',
        unitId: 'U-CO',
        custodianStaffId: 'S100',
        workstationId: 'WS-1',
        certificate: certificate('01A0', 'TOKEN-A'),
        appearance: { svg: '<svg/>', png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
        approval: APPROVAL,
      },
      OFFICE,
    );
  }

  /** Runs `fn`, expects the code, and proves the register file did not change at all. */
  function refusedWithoutChange(code: string, fn: () => unknown): void {
    const before = dumpRegister(fx.path);
    expect(codeOf(fn)).toBe(code);
    expect(dumpRegister(fx.path)).toBe(before);
  }

  it('S2: issues a seal with its certificate, lifecycle record, audit rows and an initial-PIN key', () => {
    issueCompanySeal();
    const seal = fx.register.seals.require('SEAL-1');
    expect(seal.state).toBe('ACTIVE');
    expect(seal.kind).toBe('company');
    expect(seal.custodianStaffId).toBe('S100');
    expect(seal.approval).toEqual(APPROVAL);
    expect(Array.from(seal.appearance.png ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(fx.register.seals.certificates('SEAL-1').map((c) => [c.serial, c.revocationReason])).toEqual([['01A0', null]]);
    const events = fx.register.lifecycleEvents.forSeal('SEAL-1');
    expect(events.map((e) => [e.event, e.from, e.to, e.applicationReference])).toEqual([['ISSUE', null, 'ACTIVE', APPROVAL.reference]]);
    expect(fx.register.audit.list().find((r) => r.seq === events[0]?.auditSeq)?.action).toBe('SEAL_ISSUED');
    expect(fx.register.usbKeys.isInitialPin('TOKEN-A')).toBe(true);
    expect(fx.register.audit.verify().ok).toBe(true);
  });

  it('S2: refuses to issue without an approval, and nothing changes', () => {
    refusedWithoutChange('APPROVAL_REQUIRED', () =>
      fx.register.lifecycle.issue(
        { id: 'SEAL-1', code: 'CO-01-GZ', name: '公章', unitId: 'U-CO', custodianStaffId: 'S100', certificate: certificate('01A0', 'TOKEN-A'), approval: { reference: '', approver: '刘总裁' } },
        OFFICE,
      ),
    );
  });

  it('M1: only the office issues seals', () => {
    refusedWithoutChange('OFFICE_ONLY', () =>
      fx.register.lifecycle.issue(
        { id: 'SEAL-1', code: 'CO-01-GZ', name: '公章', unitId: 'U-CO', custodianStaffId: 'S100', certificate: certificate('01A0', 'TOKEN-A'), approval: APPROVAL },
        CLERK,
      ),
    );
  });

  it('M2: refuses a custodian of another unit, and an unknown custodian', () => {
    refusedWithoutChange('CUSTODIAN_UNIT_MISMATCH', () =>
      fx.register.lifecycle.issue(
        { id: 'SEAL-1', code: 'CO-01-GZ', name: '公章', unitId: 'U-CO', custodianStaffId: 'S200', certificate: certificate('01A0', 'TOKEN-A'), approval: APPROVAL },
        OFFICE,
      ),
    );
    refusedWithoutChange('CUSTODIAN_NOT_FOUND', () =>
      fx.register.lifecycle.issue(
        { id: 'SEAL-1', code: 'CO-01-GZ', name: '公章', unitId: 'U-CO', custodianStaffId: 'NOBODY', certificate: certificate('01A0', 'TOKEN-A'), approval: APPROVAL },
        OFFICE,
      ),
    );
  });

  it('refuses a second live seal with the same code, and nothing changes', () => {
    issueCompanySeal();
    refusedWithoutChange('SEAL_CODE_IN_USE', () =>
      fx.register.lifecycle.issue(
        { id: 'SEAL-2', code: 'CO-01-GZ', name: '公章二', unitId: 'U-CO', custodianStaffId: 'S100', certificate: certificate('02B0', 'TOKEN-B'), approval: APPROVAL },
        OFFICE,
      ),
    );
  });

  it('S3 change: a new certificate, the old one revoked as superseded, same seal identity', () => {
    issueCompanySeal();
    fx.clock.set('2026-08-01T09:00:00.000Z');
    const changed = fx.register.lifecycle.change('SEAL-1', { approval: { reference: 'CHG-7', approver: '刘总裁' }, certificate: certificate('01A1', 'TOKEN-A'), name: '华东分公司公章（更名）' }, OFFICE);
    expect(changed.state).toBe('ACTIVE');
    expect(changed.name).toBe('华东分公司公章（更名）');
    expect(changed.certificate.serial).toBe('01A1');
    expect(changed.approval.reference).toBe('CHG-7');
    const certs = fx.register.seals.certificates('SEAL-1');
    expect(certs.map((c) => [c.serial, c.revocationReason, c.revokedAt?.toISOString() ?? null])).toEqual([
      ['01A0', 'superseded', '2026-08-01T09:00:00.000Z'],
      ['01A1', null, null],
    ]);
    expect(fx.register.audit.list().map((r) => r.action).slice(-3)).toEqual(['SEAL_REVOKED', 'SEAL_CHANGED', 'KEY_ISSUED']);
  });

  it('S5: loss revokes at once from the loss time; the office confirms; re-issue on a new key; both records kept', () => {
    issueCompanySeal();
    fx.clock.set('2026-09-02T10:00:00.000Z');
    const lost = fx.register.lifecycle.reportLoss('SEAL-1', { approval: { reference: 'LOSS-1', approver: '刘总裁' }, lostAt: new Date('2026-09-01T18:30:00.000Z') }, CLERK);
    expect(lost.state).toBe('LOST');
    expect(fx.register.seals.certificate('01A0')).toMatchObject({ revocationReason: 'keyCompromise', revokedAt: new Date('2026-09-01T18:30:00.000Z') });

    // Only the office confirms a loss (S5), and re-issue waits for the confirmation.
    refusedWithoutChange('OFFICE_ONLY', () => fx.register.lifecycle.confirmLoss('SEAL-1', { approval: { reference: 'LOSS-1', approver: '刘总裁' } }, CLERK));
    refusedWithoutChange('SEAL_TRANSITION_ILLEGAL', () =>
      fx.register.lifecycle.reissue('SEAL-1', { approval: APPROVAL, certificate: certificate('01A2', 'TOKEN-C'), cause: 'loss' }, OFFICE),
    );
    fx.register.lifecycle.confirmLoss('SEAL-1', { approval: { reference: 'LOSS-1', approver: '刘总裁' } }, OFFICE);

    // S4/S5: the same USB key is refused for a re-issue.
    refusedWithoutChange('REISSUE_NEEDS_NEW_KEY', () =>
      fx.register.lifecycle.reissue('SEAL-1', { approval: APPROVAL, certificate: certificate('01A2', 'TOKEN-A'), cause: 'loss' }, OFFICE),
    );
    fx.clock.set('2026-09-05T10:00:00.000Z');
    const reissued = fx.register.lifecycle.reissue('SEAL-1', { approval: { reference: 'REI-3', approver: '刘总裁' }, certificate: certificate('01A2', 'TOKEN-C'), cause: 'loss' }, OFFICE);
    expect(reissued).toMatchObject({ id: 'SEAL-1', code: 'CO-01-GZ', state: 'ACTIVE' });
    expect(reissued.certificate.tokenSerial).toBe('TOKEN-C');
    // The lost certificate keeps its first reason: keyCompromise from the loss time.
    expect(fx.register.seals.certificates('SEAL-1').map((c) => [c.serial, c.revocationReason])).toEqual([
      ['01A0', 'keyCompromise'],
      ['01A2', null],
    ]);
    expect(fx.register.usbKeys.isInitialPin('TOKEN-C')).toBe(true);
    const events = fx.register.lifecycleEvents.forSeal('SEAL-1');
    expect(events.map((e) => [e.event, e.to])).toEqual([
      ['ISSUE', 'ACTIVE'],
      ['REPORT_LOSS', 'LOST'],
      ['CONFIRM_LOSS', 'LOSS_CONFIRMED'],
      ['REISSUE', 'ACTIVE'],
    ]);
    expect(events[1]?.lostAt?.toISOString()).toBe('2026-09-01T18:30:00.000Z');
    expect(events[1]?.actorStaffId).toBe(CLERK.staffId);
    expect(fx.register.audit.verify().ok).toBe(true);
  });

  it('S5: a withdrawn loss keeps both records and the certificate stays revoked', () => {
    issueCompanySeal();
    fx.register.lifecycle.reportLoss('SEAL-1', { approval: APPROVAL, lostAt: new Date('2026-07-01T07:00:00.000Z') }, CLERK);
    const withdrawn = fx.register.lifecycle.withdrawLoss('SEAL-1', { approval: { reference: 'FOUND-1', approver: '刘总裁' } }, OFFICE);
    expect(withdrawn.state).toBe('LOSS_WITHDRAWN');
    expect(fx.register.seals.certificate('01A0')?.revocationReason).toBe('keyCompromise');
    expect(fx.register.lifecycleEvents.forSeal('SEAL-1').map((e) => e.event)).toEqual(['ISSUE', 'REPORT_LOSS', 'WITHDRAW_LOSS']);
    expect(fx.register.delegations.mayUse({ staffId: 'S100', name: '张保管' }, 'SEAL-1', new Date('2026-07-02T00:00:00.000Z'))).toMatchObject({ allowed: false, code: 'SEAL_NOT_ACTIVE' });
  });

  it('S3: a cancelled seal is revoked (cessationOfOperation), never reactivates, and frees its code', () => {
    issueCompanySeal();
    fx.clock.set('2026-10-01T00:00:00.000Z');
    fx.register.lifecycle.cancel('SEAL-1', { approval: { reference: 'CAN-1', approver: '刘总裁' } }, OFFICE);
    expect(fx.register.seals.certificate('01A0')).toMatchObject({ revocationReason: 'cessationOfOperation', revokedAt: new Date('2026-10-01T00:00:00.000Z') });
    for (const attempt of [
      () => fx.register.lifecycle.reissue('SEAL-1', { approval: APPROVAL, certificate: certificate('01A9', 'TOKEN-Z'), cause: 'damage' }, OFFICE),
      () => fx.register.lifecycle.change('SEAL-1', { approval: APPROVAL, certificate: certificate('01A9', 'TOKEN-A') }, OFFICE),
      () => fx.register.lifecycle.cancel('SEAL-1', { approval: APPROVAL }, OFFICE),
      () => fx.register.lifecycle.reportLoss('SEAL-1', { approval: APPROVAL, lostAt: new Date('2026-09-30T00:00:00.000Z') }, OFFICE),
    ]) {
      refusedWithoutChange('SEAL_TRANSITION_ILLEGAL', attempt);
    }
    // The code is free again for a new seal (a different identity).
    fx.register.lifecycle.issue(
      { id: 'SEAL-2', code: 'CO-01-GZ', name: '华东分公司公章', unitId: 'U-CO', custodianStaffId: 'S100', certificate: certificate('02B0', 'TOKEN-B'), approval: APPROVAL },
      OFFICE,
    );
    expect(fx.register.seals.holdingCode('CO-01-GZ')?.id).toBe('SEAL-2');
  });

  it('a duplicate certificate serial is a typed error and rolls the whole change back', () => {
    issueCompanySeal();
    refusedWithoutChange('REGISTER_RECORD_INVALID', () =>
      fx.register.lifecycle.change('SEAL-1', { approval: APPROVAL, certificate: certificate('01A0', 'TOKEN-A') }, OFFICE),
    );
  });

  it('refuses lifecycle operations on an unknown seal', () => {
    refusedWithoutChange('SEAL_NOT_FOUND', () => fx.register.lifecycle.cancel('NO-SUCH', { approval: APPROVAL }, OFFICE));
  });

  it('M2: hands the seal to another custodian of its unit only, with approval, audited', () => {
    issueCompanySeal();
    fx.register.custodians.add({ staffId: 'S101', name: '陈保管', unitId: 'U-CO' }, OFFICE);
    refusedWithoutChange('CUSTODIAN_UNIT_MISMATCH', () => fx.register.lifecycle.assignCustodian('SEAL-1', 'S200', APPROVAL, OFFICE));
    refusedWithoutChange('APPROVAL_REQUIRED', () => fx.register.lifecycle.assignCustodian('SEAL-1', 'S101', undefined, OFFICE));
    refusedWithoutChange('OFFICE_ONLY', () => fx.register.lifecycle.assignCustodian('SEAL-1', 'S101', APPROVAL, CLERK));
    const seal = fx.register.lifecycle.assignCustodian('SEAL-1', 'S101', APPROVAL, OFFICE);
    expect(seal.custodianStaffId).toBe('S101');
    expect(fx.register.delegations.mayUse({ staffId: 'S100', name: '张保管' }, 'SEAL-1', new Date('2026-08-01T00:00:00.000Z'))).toMatchObject({ allowed: false });
    expect(fx.register.audit.list().at(-1)).toMatchObject({ action: 'CUSTODIAN_ASSIGNED', subject: 'CO-01-GZ' });
  });

  it('M4: binds the seal to a registered workstation, audited', () => {
    issueCompanySeal();
    fx.register.workstations.add({ id: 'WS-2', name: '新专用机', machineId: 'machine-bbbb', registeredAt: new Date('2026-07-02T00:00:00.000Z') }, OFFICE);
    refusedWithoutChange('WORKSTATION_NOT_FOUND', () => fx.register.lifecycle.bindWorkstation('SEAL-1', 'WS-9', APPROVAL, OFFICE));
    expect(fx.register.lifecycle.bindWorkstation('SEAL-1', 'WS-2', APPROVAL, OFFICE).workstationId).toBe('WS-2');
    expect(JSON.parse(fx.register.audit.list().at(-1)?.details ?? '{}')).toMatchObject({ from: 'WS-1', to: 'WS-2', machineId: 'machine-bbbb' });
    fx.register.lifecycle.cancel('SEAL-1', { approval: APPROVAL }, OFFICE);
    refusedWithoutChange('SEAL_TRANSITION_ILLEGAL', () => fx.register.lifecycle.bindWorkstation('SEAL-1', 'WS-1', APPROVAL, OFFICE));
  });
});

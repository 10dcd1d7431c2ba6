/**
 * The office console's S6 channels through the handler table (schema parse, dispatch, error
 * mapping) over the real office register and a real workstation register provisioned by the
 * CLI on SoftHSM2: office.inspect on a clean and on a tampered export (picked in the main
 * process's dialog, scripted here), then the report saved where the save dialog says.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { writeWorkstationExport } from '../../../src/main/infra/inspection/index';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import { createOfficeFrontDoor } from '../../../src/main/app/office';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

let office: OfficeFixture;
let dir: string;
let officeRegister: SealRegister;
let handlers: HandlerTable;
let exportJson: string;
/** What the person picks in the main process's dialogs. */
const picks: { export?: string; report?: string } = {};

beforeAll(async () => {
  office = await provisionOffice({ keyType: 'p256' });
  dir = mkdtempSync(join(tmpdir(), 'yinjian-ipc-inspection-'));
  const ws = openRegister(join(office.workstationDir, 'register.sqlite'));
  try {
    // Unsigned (no key needed here): the chain and the cross-checks still apply.
    await writeWorkstationExport({ register: ws, workstationId: office.workstationId, out: join(dir, 'ws.json'), at: new Date(), actor: { name: '张敏', staffId: 'E1024' } });
  } finally {
    ws.close();
  }
  exportJson = readFileSync(join(dir, 'ws.json'), 'utf8');
  officeRegister = openRegister(join(office.officeDir, 'register.sqlite'));
  const office_ = createOfficeFrontDoor({
    register: () => officeRegister,
    keys: () => {
      throw new Error('no USB key is needed to inspect');
    },
    actor: () => ({ name: '王秘书', staffId: 'P0001', office: true }),
    reportFolder: () => dir,
    dialogs: {
      pickModuleFile: async () => undefined,
      pickFolder: async () => undefined,
      pickFile: async (purpose) => (purpose === 'workstation-export' ? picks.export : undefined),
      saveFile: async (purpose) => (purpose === 'inspection-report' ? picks.report : undefined),
    },
  });
  handlers = createHandlers({
    usbKeys: () => {
      throw new Error('not used');
    },
    workstationCode: () => 'OFFICE-PC',
    register: () => officeRegister,
    office: office_,
  });
}, 300_000);

afterAll(() => {
  officeRegister?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  office?.cleanup();
});

describe('office.inspect and office.saveInspectionReport (S6)', () => {
  it('the report channel refuses before any export was inspected', async () => {
    const result = await dispatch(handlers, 'office.saveInspectionReport', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INSPECTION_NOTHING_INSPECTED' } });
  });

  it('a cancelled dialog inspects nothing', async () => {
    expect(await dispatch(handlers, 'office.inspect', {})).toEqual({ ok: true, value: { cancelled: true } });
    expect(officeRegister.audit.list(1, 10_000).filter((r) => r.action === 'INSPECTION_IMPORTED')).toHaveLength(0);
  });

  it('a clean export passes; an edited one fails with AUDIT_ROW_EDITED and leaves the head', async () => {
    picks.export = join(dir, 'ws.json');
    const clean = await dispatch(handlers, 'office.inspect', {});
    expect(clean).toMatchObject({ ok: true, value: { cancelled: false, result: { source: 'ws.json', ok: true, workstationId: office.workstationId, signed: false, findings: expect.any(Array) } } });
    const edited = exportJson.replace('"action":"GROUP_ROOT_PINNED","actorName":"', '"action":"GROUP_ROOT_PINNED","actorName":"X');
    expect(edited).not.toBe(exportJson);
    writeFileSync(join(dir, 'ws-edited.json'), edited);
    picks.export = join(dir, 'ws-edited.json');
    const tampered = await dispatch(handlers, 'office.inspect', {});
    expect(tampered).toMatchObject({ ok: true, value: { cancelled: false, result: { source: 'ws-edited.json', ok: false } } });
    const codes = (tampered as { ok: true; value: { result: { findings: { code: string }[] } } }).value.result.findings.map((f) => f.code);
    expect(codes).toContain('AUDIT_ROW_EDITED');
    const rows = officeRegister.audit.list(1, 10_000).filter((r) => r.action === 'INSPECTION_IMPORTED');
    expect(rows).toHaveLength(2);
  }, 120_000);

  it('a cancelled save dialog writes nothing', async () => {
    expect(await dispatch(handlers, 'office.saveInspectionReport', {})).toEqual({ ok: true, value: { cancelled: true } });
  });

  it('saves the session report as a Chinese PDF where the save dialog says', async () => {
    picks.report = join(dir, '检查报告.pdf');
    const result = await dispatch(handlers, 'office.saveInspectionReport', {});
    expect(result).toEqual({ ok: true, value: { cancelled: false, path: picks.report, inspections: 2 } });
    expect(existsSync(picks.report)).toBe(true);
    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', picks.report, '-'], { encoding: 'utf8' });
    expect(text).toContain('用印检查报告');
    expect(text).toContain('AUDIT_ROW_EDITED');
    expect(text).toContain('结论：完整，未被篡改');
  }, 120_000);
});

/**
 * The office console's S6 channels through the handler table (schema parse, dispatch, error
 * mapping) over the real office register and a real workstation register provisioned by the
 * CLI on SoftHSM2: importWorkstation on a clean and on a tampered export, then the report.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

describe('office.importWorkstation and office.inspectionReport (S6)', () => {
  it('the report channel refuses before any export was imported', async () => {
    const result = await dispatch(handlers, 'office.inspectionReport', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('a clean export is complete and untampered; an edited one is not', async () => {
    const clean = await dispatch(handlers, 'office.importWorkstation', { document: { name: 'ws.json', base64: Buffer.from(exportJson).toString('base64') } });
    expect(clean).toEqual({ ok: true, value: { complete: true, untampered: true, workstation: office.workstationId } });
    const edited = exportJson.replace('"action":"GROUP_ROOT_PINNED","actorName":"', '"action":"GROUP_ROOT_PINNED","actorName":"X');
    expect(edited).not.toBe(exportJson);
    const tampered = await dispatch(handlers, 'office.importWorkstation', { document: { name: 'ws-edited.json', base64: Buffer.from(edited).toString('base64') } });
    expect(tampered).toEqual({ ok: true, value: { complete: true, untampered: false, workstation: office.workstationId } });
    const rows = officeRegister.audit.list(1, 10_000).filter((r) => r.action === 'INSPECTION_IMPORTED');
    expect(rows).toHaveLength(2);
  }, 120_000);

  it('prints the session report as a Chinese PDF', async () => {
    const result = await dispatch(handlers, 'office.inspectionReport', {});
    expect(result.ok).toBe(true);
    const path = (result as { ok: true; value: { path: string } }).value.path;
    expect(existsSync(path)).toBe(true);
    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    expect(text).toContain('用印检查报告');
    expect(text).toContain('AUDIT_ROW_EDITED');
    expect(text).toContain('结论：完整，未被篡改');
  }, 120_000);
});

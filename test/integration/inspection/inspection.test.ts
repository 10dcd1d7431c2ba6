/**
 * Rule S6 end to end on real components: SoftHSM2 keys issued by the office through the CLI
 * (provisionOffice), real SQLite registers, `yinjian register export` on the workstation and
 * `yinjian office inspect` on the office, the report PDF judged by pdftotext and pdffonts.
 * Each tampering is done the way an attacker with the register file would: in SQLite, or in
 * the export file's bytes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectionResult } from '../../../src/main/core/inspection/index';
import type { Actor } from '../../../src/main/core/register/index';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister } from '../../../src/main/infra/db/index';
import { importedHead, inspectExports, writeWorkstationExport } from '../../../src/main/infra/inspection/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';
import { SOFTHSM_MODULE } from '../../helpers/softhsm';

const OFFICE_ACTOR: Actor = { name: '王秘书', staffId: 'P0001', office: true };
const CLERK: Actor = { name: '张敏', staffId: 'E1024' };
const OTHER = { label: '工会印章', soPin: '24681357', factoryPin: '99887766', initialPin: '246802', pin: 'Gh7-Kp3x9', sealCode: '1101000000002' };
const OTHER_WORKSTATION = 'WS-OTHER-0002';

let office: OfficeFixture;
let dir: string;
let port: Pkcs11UsbKeyPort;
let cleanExport: string;

function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** The workstation's own register knows its seal (mirrored from the imported snapshot) and has used it. */
function recordUsage(): void {
  const ws = openRegister(join(office.workstationDir, 'register.sqlite'));
  try {
    // `register import` mirrored the office's filing of the seal into this register.
    const seal = ws.seals.list().find((s) => s.code === office.seal.sealCode)!;
    expect(seal).toBeDefined();
    const stamped = [
      ['通知-1', 'internal-document'],
      ['通知-2', 'internal-document'],
      ['函-1', 'internal-letter'],
    ] as const;
    stamped.forEach(([title, type], i) => {
      ws.useRequests.record({ id: `REQ-${i}`, sealId: seal.id, applicantStaffId: 'E2001', applicantName: '李申请', approverName: '孙主任', approvalReference: `YY-2026-00${i}`, documentTitle: title, documentType: type, purpose: '内部发文', approvedAt: new Date() }, CLERK);
      ws.usage.record({ sealId: seal.id, operatorStaffId: CLERK.staffId, operatorName: CLERK.name, useRequestId: `REQ-${i}`, documentTitle: title, documentType: type, pages: 2, sha256Before: sha(i + 1), sha256After: sha(i + 100), outputPath: `/tmp/${title}.pdf`, at: new Date(), workstationId: office.workstationId, status: 'ok', errorCode: null }, CLERK);
    });
    ws.usage.record({ sealId: seal.id, operatorStaffId: CLERK.staffId, operatorName: CLERK.name, useRequestId: null, documentTitle: '合同', documentType: 'contract', pages: 1, sha256Before: sha(9), sha256After: null, outputPath: null, at: new Date(), workstationId: office.workstationId, status: 'failed', errorCode: 'DOCUMENT_TYPE_FORBIDDEN' }, CLERK);
    ws.audit.append({ actor: CLERK, action: 'PIN_FAILED', subject: office.seal.serial, details: { triesLeft: 4 } });
  } finally {
    ws.close();
  }
}

/** A copy of the workstation register to tamper with, and a signed export of it. */
async function exportOfCopy(name: string, tamper: (db: Database.Database) => void, token: { serial: string; pin: string } = office.seal): Promise<string> {
  const copy = join(dir, `${name}.sqlite`);
  copyFileSync(join(office.workstationDir, 'register.sqlite'), copy);
  const db = new Database(copy);
  // Tampering as an attacker would: straight in SQLite, past the application.
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  tamper(db);
  db.close();
  return exportRegister(copy, join(dir, `${name}.p7m`), token);
}

async function exportRegister(registerPath: string, out: string, token: { serial: string; pin: string } = office.seal): Promise<string> {
  const register = openRegister(registerPath);
  const session = await new UsbKeyService(port).openForSigning(token.serial, Buffer.from(token.pin));
  try {
    await writeWorkstationExport({ register, workstationId: office.workstationId, out, at: new Date(), actor: CLERK, session, tokenSerial: token.serial });
  } finally {
    await session.close();
    register.close();
  }
  return out;
}

/** Inspects against a copy of the office register as it is now, so the cases do not move each other's head. */
async function inspectOnCopy(file: string): Promise<InspectionResult> {
  const copy = join(dir, `office-${Math.random().toString(16).slice(2)}.sqlite`);
  copyFileSync(join(office.officeDir, 'register.sqlite'), copy);
  const register = openRegister(copy);
  try {
    const run = await inspectExports(register, [{ source: file, bytes: readFileSync(file) }], { at: new Date(), actor: OFFICE_ACTOR });
    return run.results[0]!;
  } finally {
    register.close();
  }
}

function codes(result: InspectionResult): string[] {
  return result.findings.map((f) => f.code);
}

beforeAll(async () => {
  office = await provisionOffice({ keyType: 'p256' });
  dir = mkdtempSync(join(tmpdir(), 'yinjian-inspection-'));
  // A second seal, bound to another computer, for the "signed by another workstation's key" case.
  office.softhsm.createToken({ label: OTHER.label, soPin: OTHER.soPin, userPin: OTHER.factoryPin });
  const issued = await office.cli(
    ['office', 'issue', '--ca-token', office.ca.label, '--token', OTHER.label, '--unit', '华夏建设集团工会', '--unit-kind', 'department', '--seal-name', '工会专用章', '--seal-code', OTHER.sealCode,
      '--custodian', '陈晨', '--staff-id', 'E3002', '--workstation', OTHER_WORKSTATION, '--approval', '集团批〔2025〕13号', '--approver', '李总裁', '--key', 'p256', '--pin-stdin', '--json'],
    { stdin: `${office.ca.pin}\n${OTHER.soPin}\n${OTHER.initialPin}\n` },
  );
  if (issued.code !== 0) throw new Error(`office issue: ${issued.stderr}`);
  const change = await office.cli(['token', 'change-pin', '--token', OTHER.label, '--pin-stdin'], { stdin: `${OTHER.initialPin}\n${OTHER.pin}\n`, dataDir: join(dir, 'other-ws') });
  if (change.code !== 0) throw new Error(`change-pin: ${change.stderr}`);
  recordUsage();
  // The CLI runs above are other processes; this one loads SoftHSM only now, with every token in place.
  port = new Pkcs11UsbKeyPort(Pkcs11Library.load(SOFTHSM_MODULE));
}, 600_000);

afterAll(() => {
  port?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  office?.cleanup();
});

describe('S6: workstation export and office inspection', () => {
  it('a clean signed export passes, and the report PDF is in Chinese with the embedded subset font', async () => {
    cleanExport = join(dir, 'clean.p7m');
    const exported = await office.cli(['register', 'export', '--out', cleanExport, '--token', office.seal.label, '--pin-stdin', '--json'], { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.json<{ export: { signed: boolean; usageRows: number } }>().export).toMatchObject({ signed: true, usageRows: 4 });
    const report = join(dir, 'report.pdf');
    const inspected = await office.cli(['office', 'inspect', cleanExport, '--report', report, '--operator', '王秘书', '--json']);
    expect(inspected.code, inspected.stderr + inspected.stdout).toBe(0);
    const result = inspected.json<{ inspection: { results: InspectionResult[] } }>().inspection.results[0]!;
    expect(result).toMatchObject({ ok: true, signed: true, workstationId: office.workstationId, findings: [] });
    expect(result.signer?.sealCode).toBe(office.seal.sealCode);
    expect(result.figures).toMatchObject({ stampings: 3, stampingsByType: { 'internal-document': 2, 'internal-letter': 1 }, refusals: 1, failedPinAttempts: 1, sealCodes: [office.seal.sealCode] });

    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', report, '-'], { encoding: 'utf8' });
    expect(text).toContain('用印检查报告');
    expect(text).toContain('结论：完整，未被篡改');
    expect(text).toContain('内部正式文件');
    expect(text).toContain(office.seal.sealCode);
    expect(text).toContain(office.workstationId);
    const fonts = execFileSync('/usr/bin/pdffonts', [report], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim() !== '');
    expect(fonts.length).toBeGreaterThan(0);
    // pdffonts columns: name type encoding emb sub uni object-id; a subset name carries the ABCDEF+ tag.
    for (const row of fonts) {
      expect(row).toMatch(/^[A-Z]{6}\+NotoSerifCJKsc-Regular\s/);
      expect(row.trim().split(/\s+/).slice(-5, -2)).toEqual(['yes', 'yes', 'yes']);
    }

    // The office now holds this workstation's head, and the inspection is in its audit log.
    const register = openRegister(join(office.officeDir, 'register.sqlite'));
    try {
      expect(importedHead(register, office.workstationId)).toMatchObject({ seq: result.head!.seq, hash: result.head!.hash });
      const last = register.audit.list(register.audit.head()!.seq, 1)[0]!;
      expect(last.action).toBe('INSPECTION_IMPORTED');
      expect(register.audit.verify().ok).toBe(true);
    } finally {
      register.close();
    }
  }, 300_000);

  it('reports an edited audit row', async () => {
    const file = await exportOfCopy('edited', (db) => db.prepare("UPDATE audit_log SET subject = 'nobody' WHERE action = 'PIN_FAILED'").run());
    const result = await inspectOnCopy(file);
    expect(result.ok).toBe(false);
    expect(codes(result)).toContain('AUDIT_ROW_EDITED');
  }, 120_000);

  it('reports an edited usage row (the usage register is held against the audit log)', async () => {
    const file = await exportOfCopy('usage-edited', (db) => db.prepare("UPDATE usage_register SET document_type = 'internal-letter' WHERE document_title = '通知-1'").run());
    const result = await inspectOnCopy(file);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['USAGE_AUDIT_MISMATCH']);
  }, 120_000);

  it('reports a deleted audit row, and a stamping whose usage row was deleted', async () => {
    const deletedAudit = await exportOfCopy('deleted', (db) => db.prepare("DELETE FROM audit_log WHERE action = 'PIN_FAILED'").run());
    const a = await inspectOnCopy(deletedAudit);
    expect(a.ok).toBe(false);
    expect(codes(a)).toContain('AUDIT_ROW_DELETED');
    const deletedUsage = await exportOfCopy('usage-deleted', (db) => db.prepare("DELETE FROM usage_register WHERE document_title = '函-1'").run());
    const u = await inspectOnCopy(deletedUsage);
    expect(u.ok).toBe(false);
    expect(codes(u)).toEqual(['STAMP_WITHOUT_USAGE']);
  }, 120_000);

  it('reports an export older than the last imported head (truncated history), and a rewritten history', async () => {
    // A newer export is imported first; the clean one from before is then behind the office's head.
    const newer = await exportRegister(join(office.workstationDir, 'register.sqlite'), join(dir, 'newer.p7m'));
    const register = openRegister(join(office.officeDir, 'register.sqlite'));
    try {
      const run = await inspectExports(register, [{ source: newer, bytes: readFileSync(newer) }, { source: cleanExport, bytes: readFileSync(cleanExport) }], { at: new Date(), actor: OFFICE_ACTOR });
      expect(run.results[0]).toMatchObject({ ok: true, findings: [] });
      expect(run.results[1]!.ok).toBe(false);
      expect(codes(run.results[1]!)).toEqual(['HISTORY_TRUNCATED']);
      expect(run.ok).toBe(false);
      // A failed export does not move the head.
      expect(importedHead(register, office.workstationId)?.seq).toBe(run.results[0]!.head!.seq);
    } finally {
      register.close();
    }
    // Cut the last row and let the export chain on afresh: as long as before, but a different history.
    const rewritten = await exportOfCopy('rewritten', (db) => {
      db.prepare('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)').run();
    });
    const r = await inspectOnCopy(rewritten);
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(['HISTORY_REWRITTEN']);
  }, 180_000);

  it('reports an export signed by the seal key of another workstation', async () => {
    const file = await exportOfCopy('other-key', () => undefined, { serial: port.findKey(OTHER.label).serial, pin: OTHER.pin });
    const result = await inspectOnCopy(file);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['SIGNER_NOT_WORKSTATION_SEAL']);
    expect(result.signer?.sealCode).toBe(OTHER.sealCode);
  }, 120_000);

  it('reports a tampered export file (JSON changed after signing)', async () => {
    const raw = Buffer.from(readFileSync(cleanExport));
    const at = raw.indexOf(Buffer.from('"internal-letter"'));
    expect(at).toBeGreaterThan(0);
    Buffer.from('"internal-lettex"').copy(raw, at);
    const file = join(dir, 'tampered.p7m');
    writeFileSync(file, raw);
    const result = await inspectOnCopy(file);
    expect(result.ok).toBe(false);
    expect(codes(result)).toContain('SIGNATURE_INVALID');
  }, 120_000);

  it('an unsigned export is read with a warning, and its chain is still checked', async () => {
    const register = openRegister(join(dir, 'edited.sqlite'));
    const out = join(dir, 'unsigned.json');
    try {
      await writeWorkstationExport({ register, workstationId: office.workstationId, out, at: new Date(), actor: CLERK });
    } finally {
      register.close();
    }
    const result = await inspectOnCopy(out);
    expect(result.signed).toBe(false);
    expect(result.findings.find((f) => f.code === 'EXPORT_UNSIGNED')?.severity).toBe('warning');
    expect(codes(result)).toContain('AUDIT_ROW_EDITED');
  }, 120_000);
});

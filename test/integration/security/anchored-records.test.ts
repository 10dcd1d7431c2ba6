/**
 * Issue #12, records anchored outside the database (M5, S6), tried as a custodian who wants to
 * cheat would, through the real `yinjian` binary on SoftHSM2 (libfaketime for the clock):
 *
 *   - every seal carries the seal's counter and its usage-chain row (signed attribute ARC.8),
 *     and the USB key holds the same record; pdfsig still validates the seal;
 *   - an export from an empty data folder: with the key it fails (KEY_HEAD_NOT_IN_EXPORT), and
 *     with the received documents it fails (DOCUMENT_NOT_IN_EXPORT); without either it can still
 *     pass, is pinned, and the real export is then refused (HISTORY_REWRITTEN) until the office
 *     re-pins the head (office repin: reference, approver, reason audited and printed);
 *   - a stamping's usage and audit rows edited in SQLite and the chain re-hashed after the last
 *     inspection: `audit check` passes (the exploit), but the key's head (KEY_HEAD_MISMATCH) and
 *     the sealed document (DOCUMENT_NOT_IN_EXPORT) both catch it, and the workstation stops
 *     sealing (KEY_COUNTER_MISMATCH);
 *   - the last usage row's time edited back to get past the clock guard: the key's record of
 *     the last stamping time still refuses the clock (CLOCK_BEHIND_RECORDS).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowHash } from '../../../src/main/core/register/audit-chain';
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionOffice, readRootDer, type OfficeFixture } from '../../helpers/office';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';

let office: OfficeFixture;
let work: string;
let pdf: string;
let received: string;

beforeAll(async () => {
  office = await provisionOffice({ keyType: 'p256' });
  work = join(office.publicationDir, '..');
  pdf = join(work, 'notice.pdf');
  received = join(work, 'received');
  mkdirSync(received);
  const sample = await office.cli(['sample', 'notice', '--out', pdf]);
  expect(sample.code, sample.stderr).toBe(0);
}, 180_000);

afterAll(() => office?.cleanup());

const pinLine = (): string => `${office.seal.pin}\n`;

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Stamps on the workstation, its clock shifted by `offset` (libfaketime, e.g. "+1d") when given. */
function stamp(out: string, offset?: string): Promise<CliResult> {
  const args = ['stamp', pdf, '--out', out, '--type', 'internal-document', '--approval', 'YY-2026-012', '--approver', '孙主任', '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--json'];
  if (offset === undefined) return office.cli(args, { stdin: pinLine(), dataDir: office.workstationDir });
  return runYinjian([...args, '--data-dir', office.workstationDir], {
    env: { ...office.env, LD_PRELOAD: FAKETIME_LIB, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    stdin: pinLine(),
  });
}

async function exportFrom(dataDir: string, out: string, signed = true): Promise<void> {
  const result = await office.cli(['register', 'export', '--out', out, ...(signed ? ['--token', office.seal.label, '--pin-stdin'] : []), '--json'], {
    ...(signed ? { stdin: pinLine() } : {}),
    dataDir,
  });
  expect(result.code, result.stdout + result.stderr).toBe(0);
}

interface InspectJson {
  inspection: {
    ok: boolean;
    results: { ok: boolean; findings: { code: string; severity: string }[]; keyRecord: { counter: number } | null; previous: { repin?: { reason: string } } | null }[];
    documents: { source: string; code: string; severity: string; counter: number | null }[];
  };
}

async function inspect(file: string, extra: string[] = []): Promise<{ result: CliResult; json: InspectJson; codes: string[] }> {
  const result = await office.cli(['office', 'inspect', file, ...extra, '--operator', '王检查', '--json']);
  const json = result.json<InspectJson>();
  const codes = json.inspection.results.flatMap((r) => r.findings.filter((f) => f.severity === 'error').map((f) => f.code));
  return { result, json, codes };
}

const registerFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('register.sqlite'));

function backup(dir: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const n of registerFiles(dir)) copyFileSync(join(dir, n), join(to, n));
}

function restore(from: string, dir: string): void {
  for (const n of registerFiles(dir)) rmSync(join(dir, n));
  for (const n of registerFiles(from)) copyFileSync(join(from, n), join(dir, n));
}

/**
 * What a custodian with the data folder can do: drop the append-only triggers (defence in depth
 * only), change rows, and re-hash the audit chain from the first changed row, so that
 * `yinjian audit check` passes again.
 */
function rewrite(dataDir: string, edit: (db: Database.Database) => number): void {
  const db = new Database(join(dataDir, 'register.sqlite'));
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    const from = edit(db);
    type Row = { seq: number; at: string; actor_name: string; actor_staff_id: string; action: string; subject: string; details: string; prev_hash: string; hash: string };
    const rows = db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq').all(from) as Row[];
    let prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(from - 1) as { hash: string } | undefined)?.hash ?? '0'.repeat(64);
    const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
    // Two passes through a temporary value: the hash column is UNIQUE.
    for (const r of rows) db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?').run(`tmp${String(r.seq).padStart(61, '0')}`, r.seq);
    for (const r of rows) {
      const hash = auditRowHash({ seq: r.seq, at: r.at, actorName: r.actor_name, actorStaffId: r.actor_staff_id, action: r.action as never, subject: r.subject, details: r.details, prevHash: prev });
      update.run(prev, hash, r.seq);
      prev = hash;
    }
  } finally {
    db.close();
  }
}

/** The last ok stamping: its usage row and its STAMP_PENDING and STAMP audit rows. */
function lastStamping(db: Database.Database): { usageId: number; stampSeq: number; pendingSeq: number } {
  const usage = db.prepare("SELECT id, audit_seq FROM usage_register WHERE status = 'ok' ORDER BY id DESC LIMIT 1").get() as { id: number; audit_seq: number };
  const details = JSON.parse((db.prepare('SELECT details FROM audit_log WHERE seq = ?').get(usage.audit_seq) as { details: string }).details) as { pendingSeq: number };
  return { usageId: usage.id, stampSeq: usage.audit_seq, pendingSeq: details.pendingSeq };
}

function editDetails(db: Database.Database, seq: number, change: (d: Record<string, unknown>) => void): void {
  const row = db.prepare('SELECT details FROM audit_log WHERE seq = ?').get(seq) as { details: string };
  const d = JSON.parse(row.details) as Record<string, unknown>;
  change(d);
  const sorted = Object.fromEntries(Object.keys(d).sort().map((k) => [k, d[k]]));
  db.prepare('UPDATE audit_log SET details = ? WHERE seq = ?').run(JSON.stringify(sorted), seq);
}

describe('every seal carries its usage record, and the USB key holds the last one', () => {
  it('two stampings are no. 1 and 2 in the signed attributes (verify text and JSON); pdfsig validates the seal', async () => {
    for (const n of [1, 2]) {
      const out = join(received, `sealed-${n}.pdf`);
      const stamped = await stamp(out);
      expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
      const verified = await office.cli(['verify', out, '--trust', office.rootPem, '--json'], { dataDir: office.workstationDir });
      const sig = verified.json<{ files: { signatures: { policy: { usageRecord?: { counter: number; auditSeq: number; auditHash: string } } }[] }[] }>().files[0]!.signatures[0]!;
      expect(sig.policy.usageRecord?.counter).toBe(n);
      expect(sig.policy.usageRecord?.auditHash).toMatch(/^[0-9a-f]{64}$/);
    }
    const text = await office.cli(['verify', join(received, 'sealed-2.pdf'), '--trust', office.rootPem], { dataDir: office.workstationDir });
    expect(text.stdout).toContain('stamping no. 2');
    const nss = nssDatabase([readRootDer(office)]);
    try {
      expect(pdfsig(join(received, 'sealed-2.pdf'), nss.nssdir)[0]).toMatchObject({ signatureValid: true, certificateTrusted: true });
    } finally {
      nss.dispose();
    }
    const exported = join(work, 'honest-1.p7m');
    const result = await office.cli(['register', 'export', '--out', exported, '--token', office.seal.label, '--pin-stdin', '--json'], { stdin: pinLine(), dataDir: office.workstationDir });
    expect(result.json<{ export: { key: { anchor: { counter: number } } } }>().export.key.anchor.counter).toBe(2);
  }, 180_000);
});

describe('an export from an empty data folder (S6)', () => {
  let empty: string;
  beforeAll(() => {
    empty = mkdtempSync(join(work, 'empty-'));
  });

  it('signed with the key, it fails: the key names a stamping the export does not have', async () => {
    const file = join(work, 'empty-signed.p7m');
    await exportFrom(empty, file);
    const { result, codes } = await inspect(file);
    expect(result.code).toBe(1);
    expect(codes).toContain('KEY_HEAD_NOT_IN_EXPORT');
  }, 120_000);

  it('unsigned, with the received documents, it fails: neither sealed document is in it', async () => {
    const file = join(work, 'empty-unsigned.json');
    await exportFrom(empty, file, false);
    const { result, json } = await inspect(file, ['--documents', received]);
    expect(result.code).toBe(1);
    expect(json.inspection.documents.map((d) => d.code)).toEqual(['DOCUMENT_NOT_IN_EXPORT', 'DOCUMENT_NOT_IN_EXPORT']);
  }, 120_000);

  it('unsigned and alone it still passes (nothing outside the folder is shown) and is pinned; the real export is then refused until the office re-pins', async () => {
    const wrong = await inspect(join(work, 'empty-unsigned.json'));
    expect(wrong.result.code, wrong.result.stdout).toBe(0);
    expect(wrong.json.inspection.results[0]!.findings.map((f) => f.code)).toContain('KEY_RECORD_NOT_EXPORTED');

    const real = join(work, 'honest-2.p7m');
    await exportFrom(office.workstationDir, real);
    const refused = await inspect(real);
    expect(refused.result.code).toBe(1);
    expect(refused.codes).toContain('HISTORY_REWRITTEN');

    const missing = await office.cli(['office', 'repin', real, '--reference', '总裁办〔2026〕12号', '--approver', '李主任']);
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toContain('REPIN_INVALID');
    // The empty export cannot be re-pinned: it fails against the key.
    const bad = await office.cli(['office', 'repin', join(work, 'empty-signed.p7m'), '--reference', 'R-1', '--approver', '李主任', '--reason', 'x']);
    expect(bad.stdout + bad.stderr).toContain('KEY_HEAD_NOT_IN_EXPORT');

    const reason = '误导入了空数据目录的导出 / an export from an empty data folder was imported by mistake';
    const repinned = await office.cli(['office', 'repin', real, '--reference', '总裁办〔2026〕12号', '--approver', '李主任', '--reason', reason, '--operator', '王检查', '--json']);
    expect(repinned.code, repinned.stdout + repinned.stderr).toBe(0);
    // The inspection after the re-pin says so, with the reason, on screen and in the report.
    const report = join(work, 'report-after-repin.pdf');
    const text = await office.cli(['office', 'inspect', real, '--documents', received, '--report', report]);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain(reason);
    expect(text.stdout.match(/DOCUMENT_IN_EXPORT/g)).toHaveLength(2);
    expect(execFileSync('pdftotext', [report, '-']).toString('utf8')).toContain('an export from an empty data folder');
    const passed = await inspect(real, ['--documents', received]);
    expect(passed.result.code, passed.result.stdout).toBe(0);
    expect(passed.json.inspection.results[0]!.keyRecord?.counter).toBe(2);
    expect(passed.json.inspection.documents.map((d) => d.code)).toEqual(['DOCUMENT_IN_EXPORT', 'DOCUMENT_IN_EXPORT']);
    const db = new Database(join(office.officeDir, 'register.sqlite'), { readonly: true });
    try {
      const row = db.prepare("SELECT details FROM audit_log WHERE action = 'INSPECTION_HEAD_REPINNED'").get() as { details: string };
      expect(JSON.parse(row.details)).toMatchObject({ reference: '总裁办〔2026〕12号', approver: '李主任', reason });
    } finally {
      db.close();
    }
    expect(existsSync(report)).toBe(true);
  }, 240_000);
});

describe('the register rewritten after the last inspection (M5, S6)', () => {
  let honest: string;
  let third: string;
  beforeAll(async () => {
    // Sealed a day ahead: the clock guard's register facts (the snapshot's issue time, the
    // last usage row once edited back) are then all earlier than the real clock, so only the
    // key's record can refuse it.
    third = join(received, 'sealed-3.pdf');
    const stamped = await stamp(third, '+1d');
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    honest = join(work, 'honest-register');
    backup(office.workstationDir, honest);
  }, 120_000);

  it('the last usage row\'s time edited back to pass the clock guard: `audit check` passes, the key\'s last time still refuses the clock', async () => {
    rewrite(office.workstationDir, (db) => {
      const s = lastStamping(db);
      const back = (iso: string): string => new Date(Date.parse(iso) - 3 * 86_400_000).toISOString();
      const at = (db.prepare('SELECT at FROM usage_register WHERE id = ?').get(s.usageId) as { at: string }).at;
      db.prepare('UPDATE usage_register SET at = ? WHERE id = ?').run(back(at), s.usageId);
      for (const seq of [s.pendingSeq, s.stampSeq]) {
        const row = db.prepare('SELECT at FROM audit_log WHERE seq = ?').get(seq) as { at: string };
        db.prepare('UPDATE audit_log SET at = ? WHERE seq = ?').run(back(row.at), seq);
      }
      return s.pendingSeq;
    });
    const check = await office.cli(['audit', 'check', '--json'], { dataDir: office.workstationDir });
    expect(check.code, check.stdout).toBe(0);
    // The real clock is a day behind the last stamping: set back, as far as the records go.
    const out = join(work, 'backdated.pdf');
    const refused = await stamp(out);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('CLOCK_BEHIND_RECORDS');
    expect(refused.stdout + refused.stderr).toContain('USB key usage record');
    expect(existsSync(out)).toBe(false);
    restore(honest, office.workstationDir);
  }, 120_000);

  it('a stamping\'s usage and audit rows edited and the chain re-hashed: `audit check` passes; the key, the sealed document and the next stamping all catch it', async () => {
    rewrite(office.workstationDir, (db) => {
      const s = lastStamping(db);
      const title = '会议通知（已撤回）';
      db.prepare('UPDATE usage_register SET document_title = ? WHERE id = ?').run(title, s.usageId);
      for (const seq of [s.pendingSeq, s.stampSeq]) editDetails(db, seq, (d) => (d.documentTitle = title));
      return s.pendingSeq;
    });
    const check = await office.cli(['audit', 'check', '--json'], { dataDir: office.workstationDir });
    expect(check.code, check.stdout).toBe(0);

    const out = join(work, 'after-rewrite.pdf');
    const next = await stamp(out, '+1d');
    expect(next.code).toBe(1);
    expect(next.stdout + next.stderr).toContain('KEY_COUNTER_MISMATCH');
    expect(existsSync(out)).toBe(false);

    const file = join(work, 'rewritten.p7m');
    await exportFrom(office.workstationDir, file);
    const { result, json, codes } = await inspect(file, ['--documents', received]);
    expect(result.code).toBe(1);
    expect(codes).toContain('KEY_HEAD_MISMATCH');
    // The rewrite is after the last inspection's head: the pinned head alone would not see it.
    expect(codes).not.toContain('HISTORY_REWRITTEN');
    expect(json.inspection.documents.map((d) => `${d.counter}:${d.code}`)).toEqual(['1:DOCUMENT_IN_EXPORT', '2:DOCUMENT_IN_EXPORT', '3:DOCUMENT_NOT_IN_EXPORT']);
    restore(honest, office.workstationDir);
  }, 180_000);

  it('the honest register still stamps (no. 4) and passes inspection with every document', async () => {
    const out = join(received, 'sealed-4.pdf');
    const stamped = await stamp(out, '+1d');
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    const file = join(work, 'honest-3.p7m');
    await exportFrom(office.workstationDir, file);
    const { result, json } = await inspect(file, ['--documents', received]);
    expect(result.code, result.stdout).toBe(0);
    expect(json.inspection.results[0]!.keyRecord?.counter).toBe(4);
    expect(json.inspection.documents.map((d) => d.code)).toEqual(Array(4).fill('DOCUMENT_IN_EXPORT'));
  }, 180_000);
});

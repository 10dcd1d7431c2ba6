/**
 * Migration 007 (U2, issue #13: the usage row says a stamping rested on the custodian's
 * scanned-document confirmation) on a real register file: version-6 rows stay as they were and
 * read NULL in the new column; the column takes a list of 1-based pages and nothing else; the
 * repository writes and reads it.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegisterDatabase } from '../../../src/main/infra/db/connection';
import { openRegister } from '../../../src/main/infra/db/index';
import { migrateRegister } from '../../../src/main/infra/db/migrations/index';
import { tempRegisterDir } from './temp-register';
import { HASH_A, HASH_B, insertUsageRow, seedSealAndRequest, type UsageRowSql } from './usage-rows';

const ok: UsageRowSql = { status: 'ok', request: "'R-1'", after: `'${HASH_B}'`, error: 'NULL', output: "'/out/a.pdf'", temp: 'NULL', pid: 'NULL' };

describe('migration 007 scanned-confirmed', () => {
  let tmp: ReturnType<typeof tempRegisterDir>;
  let db: Database.Database | undefined;
  beforeEach(() => {
    tmp = tempRegisterDir();
  });
  afterEach(() => {
    db?.close();
    db = undefined;
    tmp.dispose();
  });

  function at6(): Database.Database {
    db = openRegisterDatabase(tmp.file(), { targetVersion: 6 });
    seedSealAndRequest(db);
    insertUsageRow(db, ok, {});
    insertUsageRow(db, ok, { status: 'failed', request: 'NULL', after: 'NULL', error: "'SCANNED_PAGE_UNREADABLE'", output: 'NULL' });
    insertUsageRow(db, ok, { status: 'pending', after: 'NULL', temp: "'/out/.a.pdf.0123456789ab.tmp'", pid: '4242' });
    return db;
  }

  it('keeps every version-6 row as it was, the new column NULL', () => {
    const d = at6();
    const before = d.prepare('SELECT * FROM usage_register ORDER BY id').all() as Record<string, unknown>[];
    migrateRegister(d, 7);
    expect(d.pragma('user_version', { simple: true })).toBe(7);
    const after = d.prepare('SELECT * FROM usage_register ORDER BY id').all() as Record<string, unknown>[];
    expect(after).toEqual(before.map((row) => ({ ...row, scanned_confirmed_pages: null })));
    expect(d.pragma('foreign_key_check')).toEqual([]);
  });

  it('takes a list of pages ("1", "2,5") and refuses anything else', () => {
    const d = at6();
    migrateRegister(d, 7);
    const set = (value: string) => d.prepare('UPDATE usage_register SET scanned_confirmed_pages = ? WHERE id = 1').run(value);
    for (const good of ['1', '2,5', '10,11,120']) expect(() => set(good), good).not.toThrow();
    for (const bad of ['', 'yes', '1;2', ',1', '1,', '1,,2', '1 2', '-1']) expect(() => set(bad), bad).toThrow(/CHECK/);
  });

  it('the repository writes the confirmed pages on the pending row, keeps them when it settles, and reads them back', () => {
    db = openRegisterDatabase(tmp.file());
    seedSealAndRequest(db);
    db.close();
    db = undefined;
    const register = openRegister(tmp.file());
    let ids: number[];
    try {
      const actor = { name: '张保管', staffId: 'S100' };
      const entry = {
        sealId: 'SEAL-1',
        operatorStaffId: 'S100',
        operatorName: '张保管',
        useRequestId: 'R-1',
        documentTitle: '扫描件',
        documentType: 'internal-document',
        pages: 3,
        sha256Before: HASH_A,
        sha256After: HASH_B,
        outputPath: '/out/scan.pdf',
        tempPath: '/out/.scan.pdf.0123456789ab.tmp',
        ownerPid: 4242,
        at: new Date('2026-07-11T00:00:00.000Z'),
        workstationId: 'WS-1',
      };
      const confirmed = register.usage.recordPending({ ...entry, scannedConfirmedPages: [2, 3] }, actor);
      const plain = register.usage.recordPending(entry, actor);
      expect(() => register.usage.recordPending({ ...entry, scannedConfirmedPages: [0] }, actor)).toThrow(/scannedConfirmedPages/u);
      expect(register.usage.settle(confirmed.id, { status: 'ok' }, actor).scannedConfirmedPages).toEqual([2, 3]);
      expect(register.usage.settle(plain.id, { status: 'ok' }, actor).scannedConfirmedPages).toBeUndefined();
      const csv = register.usage.exportCsv({}).split('\r\n');
      expect(csv[1]).toMatch(/,2 3$/u);
      expect(csv[2]).toMatch(/,$/u);
      ids = [confirmed.id, plain.id];
    } finally {
      register.close();
    }
    db = new Database(tmp.file(), { readonly: true });
    expect(db.prepare('SELECT id, scanned_confirmed_pages FROM usage_register ORDER BY id').all()).toEqual([
      { id: ids[0], scanned_confirmed_pages: '2,3' },
      { id: ids[1], scanned_confirmed_pages: null },
    ]);
  });
});

/**
 * Migration 006 (a pending usage row may be written before the USB key signs, SECURITY.md's
 * crash window) on a real register file: version-5 rows, pending ones included, survive the
 * table rebuild unchanged; a pending row may now lack its sealed bytes' SHA-256, an ok row
 * still may not, and the other CHECKs still refuse junk.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegisterDatabase } from '../../../src/main/infra/db/connection';
import { migrateRegister } from '../../../src/main/infra/db/migrations/index';
import { tempRegisterDir } from './temp-register';
import { HASH_A, HASH_B, insertUsageRow, seedSealAndRequest, type UsageRowSql } from './usage-rows';

function seedVersion5(db: Database.Database): void {
  seedSealAndRequest(db);
  db.exec(`
    INSERT INTO usage_register (id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type, pages,
      sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, temp_path, owner_pid) VALUES
      (7, 'SEAL-1', 'S100', '张保管', 'R-1', '通知', 'internal-document', 2, '${HASH_A}', '${HASH_B}', '/out/通知.pdf',
        '2026-07-10T01:00:00.000Z', 'WS-1', 'ok', NULL, 1, NULL, NULL),
      (8, 'SEAL-1', 'S100', '张保管', NULL, '合同', 'contract', 0, '${HASH_A}', NULL, NULL,
        '2026-07-10T02:00:00.000Z', 'WS-1', 'failed', 'DOCUMENT_TYPE_FORBIDDEN', 1, NULL, NULL),
      (9, 'SEAL-1', 'S100', '张保管', 'R-1', '通知二', 'internal-document', 1, '${HASH_A}', '${HASH_B}', '/out/通知二.pdf',
        '2026-07-10T03:00:00.000Z', 'WS-1', 'pending', NULL, 1, '/out/.通知二.pdf.0123456789ab.tmp', 4242);
  `);
}

const base: UsageRowSql = { status: 'pending', request: "'R-1'", after: 'NULL', error: 'NULL', output: "'/out/a.pdf'", temp: "'/out/.a.pdf.0123456789ab.tmp'", pid: '4242' };

function insert(db: Database.Database, r: Partial<UsageRowSql>): void {
  insertUsageRow(db, base, r);
}

describe('migration 006 pending-before-signature', () => {
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

  function at5(): Database.Database {
    db = openRegisterDatabase(tmp.file(), { targetVersion: 5 });
    seedVersion5(db);
    return db;
  }

  it('keeps every version-5 usage row as it was (ids, pending rows, temp files and owners), and its indexes', () => {
    const d = at5();
    // Version 5 refuses a pending row without its sealed bytes: that is what 006 changes.
    expect(() => insert(d, {})).toThrow(/CHECK/);
    const before = d.prepare('SELECT * FROM usage_register ORDER BY id').all();
    migrateRegister(d, 6);
    expect(d.pragma('user_version', { simple: true })).toBe(6);
    expect(d.prepare('SELECT * FROM usage_register ORDER BY id').all()).toEqual(before);
    const indexes = d.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_register' ORDER BY name").all().map((r) => r.name);
    expect(indexes).toEqual(['usage_register_by_operator_time', 'usage_register_by_seal_time', 'usage_register_pending']);
    expect(d.pragma('foreign_key_check')).toEqual([]);
    insert(d, {});
    expect(d.prepare('SELECT max(id) AS id FROM usage_register').get()).toEqual({ id: 10 });
  });

  it('accepts pending without its sealed bytes, never ok without them; the other rules still hold', () => {
    const d = at5();
    migrateRegister(d, 6);
    insert(d, {});
    insert(d, { after: `'${HASH_B}'` });
    for (const missing of ['request', 'output', 'temp', 'pid'] as const) {
      expect(() => insert(d, { [missing]: 'NULL' }), missing).toThrow(/CHECK/);
    }
    expect(() => insert(d, { error: "'X'" }), 'pending with an error code').toThrow(/CHECK/);
    expect(() => insert(d, { after: "'short'" })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'junk' })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'ok', after: 'NULL', temp: 'NULL', pid: 'NULL' })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'ok', request: 'NULL', after: `'${HASH_B}'` })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'failed', request: 'NULL' })).toThrow(/CHECK/);
    insert(d, { status: 'failed', error: "'STAMP_INTERRUPTED'" });
    // A pending row cut off while the key signed can become failed, never ok.
    expect(() => d.exec("UPDATE usage_register SET status = 'ok' WHERE status = 'pending' AND sha256_after IS NULL")).toThrow(/CHECK/);
    d.exec("UPDATE usage_register SET status = 'failed', error_code = 'STAMP_INTERRUPTED', output_path = NULL WHERE status = 'pending' AND sha256_after IS NULL");
    expect(() => insert(d, { request: "'NO-SUCH'" })).toThrow(/FOREIGN KEY/);
  });
});

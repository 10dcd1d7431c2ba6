/**
 * Migration 005 (pending usage rows, SECURITY.md's crash window) on a real register file:
 * version-4 usage rows survive the table rebuild unchanged, `pending` is accepted only with
 * what recovery needs, and the CHECKs still refuse junk.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegisterDatabase } from '../../../src/main/infra/db/connection';
import { migrateRegister } from '../../../src/main/infra/db/migrations/index';
import { tempRegisterDir } from './temp-register';
import { HASH_A, HASH_B, insertUsageRow, seedSealAndRequest, type UsageRowSql } from './usage-rows';

function seedVersion4(db: Database.Database): void {
  seedSealAndRequest(db);
  db.exec(`
    INSERT INTO usage_register (id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type, pages,
      sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq) VALUES
      (7, 'SEAL-1', 'S100', '张保管', 'R-1', '通知', 'internal-document', 2, '${HASH_A}', '${HASH_B}', '/out/通知.pdf',
        '2026-07-10T01:00:00.000Z', 'WS-1', 'ok', NULL, 1),
      (8, 'SEAL-1', 'S100', '张保管', NULL, '合同', 'contract', 0, '${HASH_A}', NULL, NULL,
        '2026-07-10T02:00:00.000Z', 'WS-1', 'failed', 'DOCUMENT_TYPE_FORBIDDEN', 1);
  `);
}

const base: UsageRowSql = { status: 'pending', request: "'R-1'", after: `'${HASH_B}'`, error: 'NULL', output: "'/out/a.pdf'", temp: "'/out/.a.pdf.0123456789ab.tmp'", pid: '4242' };

function insert(db: Database.Database, r: Partial<UsageRowSql>): void {
  insertUsageRow(db, base, r);
}

describe('migration 005 pending-usage', () => {
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

  function at4(): Database.Database {
    db = openRegisterDatabase(tmp.file(), { targetVersion: 4 });
    seedVersion4(db);
    return db;
  }

  it('keeps every version-4 usage row as it was (ids included), and its indexes', () => {
    const d = at4();
    const before = d.prepare('SELECT * FROM usage_register ORDER BY id').all();
    migrateRegister(d, 5);
    expect(d.pragma('user_version', { simple: true })).toBe(5);
    const after = d.prepare('SELECT * FROM usage_register ORDER BY id').all() as Record<string, unknown>[];
    expect(after.map(({ temp_path: _t, owner_pid: _p, ...rest }) => rest)).toEqual(before);
    expect(after.map((r) => [r.temp_path, r.owner_pid])).toEqual([[null, null], [null, null]]);
    const indexes = d.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_register' ORDER BY name").all().map((r) => r.name);
    expect(indexes).toEqual(['usage_register_by_operator_time', 'usage_register_by_seal_time', 'usage_register_pending']);
    expect(d.pragma('foreign_key_check')).toEqual([]);
    // A new row continues after the copied ids.
    insert(d, {});
    expect(d.prepare('SELECT max(id) AS id FROM usage_register').get()).toEqual({ id: 9 });
  });

  it('accepts pending with its request, result, output, temp file and owner; refuses it without any of them', () => {
    const d = at4();
    migrateRegister(d, 5);
    insert(d, {});
    for (const missing of ['request', 'after', 'output', 'temp', 'pid'] as const) {
      expect(() => insert(d, { [missing]: 'NULL' }), missing).toThrow(/CHECK/);
    }
    expect(() => insert(d, { error: "'X'" }), 'pending with an error code').toThrow(/CHECK/);
    // The rules of version 3 still hold.
    expect(() => insert(d, { status: 'junk' })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'ok', request: 'NULL' })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'ok', after: 'NULL' })).toThrow(/CHECK/);
    expect(() => insert(d, { status: 'failed', request: 'NULL', after: 'NULL' })).toThrow(/CHECK/);
    insert(d, { status: 'failed', after: 'NULL', error: "'STAMP_INTERRUPTED'" });
    insert(d, { status: 'ok', temp: 'NULL', pid: 'NULL', output: 'NULL' });
    expect(() => d.exec("UPDATE usage_register SET status = 'ok', error_code = 'X' WHERE status = 'pending'")).toThrow(/CHECK/);
    expect(() => insert(d, { request: "'NO-SUCH'" })).toThrow(/FOREIGN KEY/);
  });
});

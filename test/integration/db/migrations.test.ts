import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegisterDatabase } from '../../../src/main/infra/db/connection';
import { LATEST_REGISTER_VERSION, MIGRATIONS, migrateRegister, type Migration } from '../../../src/main/infra/db/migrations/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { tempRegisterDir } from './temp-register';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function tables(db: Database.Database): string[] {
  return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
}

/** Representative rows of migration 001's tables, written the way version 1 would have. */
function insertOrganisationAndSeal(db: Database.Database): void {
  db.exec(`
    INSERT INTO units VALUES ('U-CO', 'HQ-CO-01', '华东分公司', 'company');
    INSERT INTO custodians VALUES ('S100', '张保管', 'U-CO');
    INSERT INTO workstations VALUES ('WS-1', '专用机', 'machine-aaaa', '2026-07-01T00:00:00.000Z');
    INSERT INTO seals VALUES ('SEAL-1', 'CO-01-GZ', '公章', 'U-CO', 'company', 'ACTIVE', 'S100', 'WS-1', '01A0', x'3082',
      '2026-07-01T00:00:00.000Z', '2029-07-01T00:00:00.000Z', 'EC_P256', 'TOKEN-A', '<svg/>', NULL, 'REF-1', '刘总裁',
      '2026-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z');
    INSERT INTO seal_certificates VALUES ('01A0', 'SEAL-1', x'3082', '2026-07-01T00:00:00.000Z', '2029-07-01T00:00:00.000Z',
      'EC_P256', 'TOKEN-A', '2026-07-01T00:00:00.000Z', NULL, NULL);
  `);
}

function insertAuditRow(db: Database.Database): void {
  db.exec(`INSERT INTO audit_log VALUES (1, '2026-07-01T00:00:00.000Z', '王秘书', 'P0001', 'SEAL_ISSUED', 'CO-01-GZ', '{}', '${'0'.repeat(64)}', '${HASH_A}')`);
}

describe('register migrations, each on a real database file', () => {
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

  function openAt(version: number): Database.Database {
    db = openRegisterDatabase(tmp.file(), { targetVersion: version });
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    return db;
  }

  it('numbers migrations 1..N without gaps, one per file', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_REGISTER_VERSION }, (_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it('001 organisation-and-seals: creates the tables; M2 custodian required; one live seal per code', () => {
    const d = openAt(0);
    expect(tables(d)).toEqual([]);
    migrateRegister(d, 1);
    expect(tables(d)).toEqual(['custodians', 'seal_certificates', 'seals', 'units', 'workstations']);
    insertOrganisationAndSeal(d);
    // M2: a seal without a custodian cannot exist.
    expect(() => d.exec(`INSERT INTO seals (id, code, name, unit_id, kind, state, cert_serial, cert_der, valid_from, valid_to, key_type, token_serial, approval_ref, approver, created_at, updated_at)
      VALUES ('SEAL-X', 'X', 'x', 'U-CO', 'company', 'ACTIVE', 's', x'00', 'a', 'b', 'EC_P256', 't', 'r', 'a', 'n', 'n')`)).toThrow(/NOT NULL/);
    // The partial unique index: a second live seal with the same code is refused...
    expect(() => d.exec(`INSERT INTO seals SELECT 'SEAL-2', code, name, unit_id, kind, 'LOST', custodian_staff_id, workstation_id, '02', cert_der,
      valid_from, valid_to, key_type, token_serial, NULL, NULL, approval_ref, approver, created_at, updated_at FROM seals WHERE id = 'SEAL-1'`)).toThrow(/UNIQUE/);
    // ...a cancelled one is not.
    d.exec(`INSERT INTO seals SELECT 'SEAL-0', code, name, unit_id, kind, 'CANCELLED', custodian_staff_id, workstation_id, '00', cert_der,
      valid_from, valid_to, key_type, token_serial, NULL, NULL, approval_ref, approver, created_at, updated_at FROM seals WHERE id = 'SEAL-1'`);
    // A revocation needs both its time and its reason.
    expect(() => d.exec("UPDATE seal_certificates SET revoked_at = '2026-08-01T00:00:00.000Z' WHERE serial = '01A0'")).toThrow(/CHECK/);
  });

  it('002 audit-log-and-lifecycle: keeps version-1 rows; the audit log refuses update, delete and out-of-sequence inserts', () => {
    const d = openAt(1);
    insertOrganisationAndSeal(d);
    migrateRegister(d, 2);
    expect(d.pragma('user_version', { simple: true })).toBe(2);
    expect(d.prepare('SELECT code, state FROM seals').all()).toEqual([{ code: 'CO-01-GZ', state: 'ACTIVE' }]);
    insertAuditRow(d);
    expect(() => d.exec("UPDATE audit_log SET subject = 'x'")).toThrow(/append-only/);
    expect(() => d.exec('DELETE FROM audit_log')).toThrow(/append-only/);
    expect(() => d.exec(`INSERT INTO audit_log VALUES (5, 't', 'a', 'b', 'LOGIN', 's', '{}', '${HASH_A}', '${HASH_B}')`)).toThrow(/in sequence/);
    d.exec(`INSERT INTO lifecycle_events (seal_id, event, from_state, to_state, application_ref, approver, actor_name, actor_staff_id, at, audit_seq)
      VALUES ('SEAL-1', 'ISSUE', NULL, 'ACTIVE', 'REF-1', '刘总裁', '王秘书', 'P0001', '2026-07-01T00:00:00.000Z', 1)`);
    // A lifecycle record must point at a real audit row.
    expect(() => d.exec(`INSERT INTO lifecycle_events (seal_id, event, from_state, to_state, application_ref, approver, actor_name, actor_staff_id, at, audit_seq)
      VALUES ('SEAL-1', 'CANCEL', 'ACTIVE', 'CANCELLED', 'REF-2', '刘总裁', '王秘书', 'P0001', '2026-07-02T00:00:00.000Z', 99)`)).toThrow(/FOREIGN KEY/);
  });

  it('003 delegations-and-usage: keeps earlier rows; a successful stamping needs its request and result', () => {
    const d = openAt(2);
    insertOrganisationAndSeal(d);
    insertAuditRow(d);
    migrateRegister(d, 3);
    expect(d.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
    d.exec(`INSERT INTO delegations VALUES ('D-1', 'SEAL-1', 'S300', '钱代理', '孙总经理', 'GM01', 'general_manager', '休假',
      '2026-07-10T00:00:00.000Z', '2026-07-20T00:00:00.000Z', '2026-07-09T00:00:00.000Z', NULL)`);
    expect(() => d.exec(`INSERT INTO delegations VALUES ('D-2', 'SEAL-1', 'S300', '钱代理', '孙总经理', 'GM01', 'general_manager', '休假',
      '2026-07-20T00:00:00.000Z', '2026-07-10T00:00:00.000Z', '2026-07-09T00:00:00.000Z', NULL)`)).toThrow(/CHECK/);
    d.exec(`INSERT INTO use_requests VALUES ('R-1', 'SEAL-1', 'E1', '申请人', '审批人', 'APP-9', '通知', '内部正式文件', '发文',
      '2026-07-10T00:00:00.000Z', '2026-07-10T00:00:00.000Z')`);
    const usage = (status: string, request: string, after: string, error: string) =>
      `INSERT INTO usage_register (seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type, pages,
        sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq)
       VALUES ('SEAL-1', 'S100', '张保管', ${request}, '通知', '内部正式文件', 2, '${HASH_A}', ${after}, NULL,
        '2026-07-10T01:00:00.000Z', 'WS-1', '${status}', ${error}, 1)`;
    d.exec(usage('ok', "'R-1'", `'${HASH_B}'`, 'NULL'));
    expect(() => d.exec(usage('ok', 'NULL', `'${HASH_B}'`, 'NULL'))).toThrow(/CHECK/);
    expect(() => d.exec(usage('failed', 'NULL', 'NULL', 'NULL'))).toThrow(/CHECK/);
    d.exec(usage('failed', 'NULL', 'NULL', "'DOCUMENT_TYPE_FORBIDDEN'"));
  });

  it('004 snapshots-keys-settings: keeps earlier rows; snapshot sequence only grows; keys link to seals', () => {
    const d = openAt(3);
    insertOrganisationAndSeal(d);
    migrateRegister(d, 4);
    expect(d.pragma('user_version', { simple: true })).toBe(4);
    expect(d.prepare('SELECT id FROM seals').all()).toEqual([{ id: 'SEAL-1' }]);
    d.exec("INSERT INTO register_snapshots VALUES (5, x'01', '2026-07-01T00:00:00.000Z')");
    expect(() => d.exec("INSERT INTO register_snapshots VALUES (5, x'02', '2026-07-02T00:00:00.000Z')")).toThrow();
    expect(() => d.exec("INSERT INTO register_snapshots VALUES (4, x'02', '2026-07-02T00:00:00.000Z')")).toThrow(/rollback/);
    d.exec("INSERT INTO usb_keys VALUES ('TOKEN-A', 'SEAL-1', 1, '2026-07-01T00:00:00.000Z', NULL)");
    expect(() => d.exec("INSERT INTO usb_keys VALUES ('TOKEN-B', 'NO-SEAL', 1, NULL, NULL)")).toThrow(/FOREIGN KEY/);
    d.exec("INSERT INTO settings VALUES ('ui.language', 'zh-CN')");
  });

  it('a failing migration rolls back entirely and leaves the register at the last good version', () => {
    const broken: Migration = {
      version: LATEST_REGISTER_VERSION + 1,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        d.exec('THIS IS NOT SQL');
      },
    };
    const d = openAt(LATEST_REGISTER_VERSION);
    let code = '';
    try {
      migrateRegister(d, broken.version, [...MIGRATIONS, broken]);
    } catch (e) {
      code = e instanceof YinjianError ? e.code : 'other';
    }
    expect(code).toBe('REGISTER_MIGRATION_FAILED');
    expect(d.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
    expect(tables(d)).not.toContain('half_done');
  });

  it('upgrades an old register file on open, keeping its rows', () => {
    const d = openAt(1);
    insertOrganisationAndSeal(d);
    d.close();
    db = openRegisterDatabase(tmp.file());
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
    expect(db.prepare('SELECT code FROM seals').all()).toEqual([{ code: 'CO-01-GZ' }]);
  });
});

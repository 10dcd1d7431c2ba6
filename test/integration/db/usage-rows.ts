/**
 * Raw rows for the usage-register migration tests (005, 006): a seal with its approved use
 * request, written with plain SQL so they stand whatever the repositories of the day do, and
 * one usage row at a time with chosen columns (SQL literals), to probe the table's CHECKs.
 */
import type Database from 'better-sqlite3';

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);

/** A unit, its custodian, a workstation, an ACTIVE seal, one audit row and use request R-1 (schema 3 onward). */
export function seedSealAndRequest(db: Database.Database): void {
  db.exec(`
    INSERT INTO units VALUES ('U-CO', 'HQ-CO-01', '华东分公司', 'company');
    INSERT INTO custodians VALUES ('S100', '张保管', 'U-CO');
    INSERT INTO workstations VALUES ('WS-1', '专用机', 'machine-aaaa', '2026-07-01T00:00:00.000Z');
    INSERT INTO seals VALUES ('SEAL-1', 'CO-01-GZ', '公章', 'U-CO', 'company', 'ACTIVE', 'S100', 'WS-1', '01A0', x'3082',
      '2026-07-01T00:00:00.000Z', '2029-07-01T00:00:00.000Z', 'EC_P256', 'TOKEN-A', '<svg/>', NULL, 'REF-1', '刘总裁',
      '2026-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z');
    INSERT INTO audit_log VALUES (1, '2026-07-01T00:00:00.000Z', '王秘书', 'P0001', 'STAMP', 'CO-01-GZ', '{}', '${'0'.repeat(64)}', '${HASH_A}');
    INSERT INTO use_requests VALUES ('R-1', 'SEAL-1', 'E1', '申请人', '审批人', 'APP-9', '通知', 'internal-document', '发文',
      '2026-07-10T00:00:00.000Z', '2026-07-10T00:00:00.000Z');
  `);
}

/** The columns a test varies, as SQL literals ('NULL', "'R-1'", '4242'). */
export type UsageRowSql = { status: string; request: string; after: string; error: string; output: string; temp: string; pid: string };

/** Inserts one usage row (schema 5 onward): `defaults` overridden by `row`. */
export function insertUsageRow(db: Database.Database, defaults: UsageRowSql, row: Partial<UsageRowSql>): void {
  const v = { ...defaults, ...row };
  db.exec(`INSERT INTO usage_register (seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type, pages,
      sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, temp_path, owner_pid)
    VALUES ('SEAL-1', 'S100', '张保管', ${v.request}, '通知', 'internal-document', 1, '${HASH_A}', ${v.after}, ${v.output},
      '2026-07-11T00:00:00.000Z', 'WS-1', '${v.status}', ${v.error}, 1, ${v.temp}, ${v.pid})`);
}

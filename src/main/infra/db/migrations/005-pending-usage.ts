import type { Migration } from './migration';

/**
 * A usage row can be `pending` (SECURITY.md, the crash window): a stamping records its row
 * before the sealed file is written and renamed into place, and marks it ok afterwards, so a
 * process killed in between leaves a row that recovery resolves (ok, or failed with
 * STAMP_INTERRUPTED) instead of an ok row without its file, or a sealed file without a row (U3).
 *
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt with the new status,
 * the temp file's path and the owning process (so recovery never touches a stamping that is
 * still running in another process), and every row of version 4 is copied over unchanged.
 */
export const migration005: Migration = {
  version: 5,
  name: 'pending-usage',
  up(db) {
    db.exec(`
      CREATE TABLE usage_register_v5 (
        id                INTEGER PRIMARY KEY,
        seal_id           TEXT NOT NULL REFERENCES seals(id),
        operator_staff_id TEXT NOT NULL,
        operator_name     TEXT NOT NULL,
        use_request_id    TEXT REFERENCES use_requests(id),
        document_title    TEXT NOT NULL,
        document_type     TEXT NOT NULL,
        pages             INTEGER NOT NULL CHECK (pages >= 0),
        sha256_before     TEXT NOT NULL CHECK (length(sha256_before) = 64),
        sha256_after      TEXT CHECK (sha256_after IS NULL OR length(sha256_after) = 64),
        output_path       TEXT,
        at                TEXT NOT NULL,
        workstation_id    TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'pending')),
        error_code        TEXT,
        audit_seq         INTEGER NOT NULL REFERENCES audit_log(seq),
        temp_path         TEXT,
        owner_pid         INTEGER,
        -- U3: a successful (or pending) stamping always has its approved request and its result.
        CHECK (status = 'failed' OR (use_request_id IS NOT NULL AND sha256_after IS NOT NULL AND error_code IS NULL)),
        CHECK (status <> 'failed' OR error_code IS NOT NULL),
        -- Recovery needs to know where the sealed bytes were going and who was writing them.
        CHECK (status <> 'pending' OR (output_path IS NOT NULL AND temp_path IS NOT NULL AND owner_pid IS NOT NULL))
      ) STRICT;
      INSERT INTO usage_register_v5 (id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
          pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq)
        SELECT id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
          pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq
        FROM usage_register;
      DROP TABLE usage_register;
      ALTER TABLE usage_register_v5 RENAME TO usage_register;
      CREATE INDEX usage_register_by_seal_time ON usage_register(seal_id, at);
      CREATE INDEX usage_register_by_operator_time ON usage_register(operator_staff_id, at);
      CREATE INDEX usage_register_pending ON usage_register(status) WHERE status = 'pending';
    `);
  },
};

import type { Migration } from './migration';

/**
 * A pending usage row may be written before the USB key signs (SECURITY.md, the crash
 * window): a real key takes 100–500 ms a signature, the longest step of a stamping, and a
 * process killed in it must still leave a row that recovery settles as failed. Such a row has
 * no sealed bytes yet, so its `sha256_after` is NULL until the signature exists; an `ok` row
 * still needs it, and so does recovery before it moves a temp file into place.
 *
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt with the relaxed
 * rule, and every row of version 5 is copied over unchanged (ids, temp files and owners too).
 */
export const migration006: Migration = {
  version: 6,
  name: 'pending-before-signature',
  up(db) {
    db.exec(`
      CREATE TABLE usage_register_v6 (
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
        -- U3: a successful or pending stamping always has its approved request; a successful one its result.
        CHECK (status = 'failed' OR (use_request_id IS NOT NULL AND error_code IS NULL)),
        CHECK (status <> 'ok' OR sha256_after IS NOT NULL),
        CHECK (status <> 'failed' OR error_code IS NOT NULL),
        -- Recovery needs to know where the sealed bytes were going and who was writing them.
        CHECK (status <> 'pending' OR (output_path IS NOT NULL AND temp_path IS NOT NULL AND owner_pid IS NOT NULL))
      ) STRICT;
      INSERT INTO usage_register_v6 (id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
          pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, temp_path, owner_pid)
        SELECT id, seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
          pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, temp_path, owner_pid
        FROM usage_register;
      DROP TABLE usage_register;
      ALTER TABLE usage_register_v6 RENAME TO usage_register;
      CREATE INDEX usage_register_by_seal_time ON usage_register(seal_id, at);
      CREATE INDEX usage_register_by_operator_time ON usage_register(operator_staff_id, at);
      CREATE INDEX usage_register_pending ON usage_register(status) WHERE status = 'pending';
    `);
  },
};

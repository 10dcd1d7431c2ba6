import type { Migration } from './migration';

/**
 * The hash-chained audit log (M5) and the seal lifecycle events (S2–S5) that point into it.
 * The triggers refuse UPDATE and DELETE on the audit log. They are defence in depth only:
 * anyone with the file can drop them, so the hash chain is the real check.
 */
export const migration002: Migration = {
  version: 2,
  name: 'audit-log-and-lifecycle',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
        seq            INTEGER PRIMARY KEY,
        at             TEXT NOT NULL,
        actor_name     TEXT NOT NULL,
        actor_staff_id TEXT NOT NULL,
        action         TEXT NOT NULL,
        subject        TEXT NOT NULL,
        details        TEXT NOT NULL,
        prev_hash      TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash           TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
      ) STRICT;

      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (M5)'); END;

      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (M5)'); END;

      -- Rows are appended at the end of the chain only: seq is always the next number.
      CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
      WHEN NEW.seq <> (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
      BEGIN SELECT RAISE(ABORT, 'audit_log rows are appended in sequence (M5)'); END;

      CREATE TABLE lifecycle_events (
        id                 INTEGER PRIMARY KEY,
        seal_id            TEXT NOT NULL REFERENCES seals(id),
        event              TEXT NOT NULL CHECK (event IN ('ISSUE', 'CHANGE', 'REISSUE', 'REPORT_LOSS', 'CONFIRM_LOSS', 'WITHDRAW_LOSS', 'CANCEL')),
        from_state         TEXT,
        to_state           TEXT NOT NULL,
        application_ref    TEXT NOT NULL CHECK (application_ref <> ''),
        approver           TEXT NOT NULL CHECK (approver <> ''),
        actor_name         TEXT NOT NULL,
        actor_staff_id     TEXT NOT NULL,
        at                 TEXT NOT NULL,
        lost_at            TEXT,
        certificate_serial TEXT,
        audit_seq          INTEGER NOT NULL REFERENCES audit_log(seq)
      ) STRICT;
      CREATE INDEX lifecycle_events_by_seal ON lifecycle_events(seal_id, id);
    `);
  },
};

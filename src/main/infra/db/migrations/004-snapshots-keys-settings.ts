import type { Migration } from './migration';

/**
 * The office's signed register snapshots (M1), the USB keys this register knows with their
 * initial-PIN state (M4), and a small key/value settings table.
 */
export const migration004: Migration = {
  version: 4,
  name: 'snapshots-keys-settings',
  up(db) {
    db.exec(`
      CREATE TABLE register_snapshots (
        sequence    INTEGER PRIMARY KEY CHECK (sequence >= 0),
        raw         BLOB NOT NULL,
        imported_at TEXT NOT NULL
      ) STRICT;

      -- Rollback to an older snapshot would resurrect revoked seals: refuse it in the schema
      -- too, not only in the repository.
      CREATE TRIGGER register_snapshots_no_rollback BEFORE INSERT ON register_snapshots
      WHEN NEW.sequence <= (SELECT coalesce(max(sequence), -1) FROM register_snapshots)
      BEGIN SELECT RAISE(ABORT, 'register snapshot rollback refused'); END;

      CREATE TABLE usb_keys (
        token_serial   TEXT PRIMARY KEY,
        seal_id        TEXT REFERENCES seals(id),
        initial_pin    INTEGER NOT NULL CHECK (initial_pin IN (0, 1)),
        issued_at      TEXT,
        pin_changed_at TEXT
      ) STRICT;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};

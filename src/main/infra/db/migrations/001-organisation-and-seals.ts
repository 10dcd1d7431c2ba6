import type { Migration } from './migration';

/** Units, custodians (M2), workstations (M4), seals and every certificate they have had. */
export const migration001: Migration = {
  version: 1,
  name: 'organisation-and-seals',
  up(db) {
    db.exec(`
      CREATE TABLE units (
        id   TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('company', 'department'))
      ) STRICT;

      CREATE TABLE custodians (
        staff_id TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        unit_id  TEXT NOT NULL REFERENCES units(id)
      ) STRICT;

      CREATE TABLE workstations (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        machine_id    TEXT NOT NULL UNIQUE,
        registered_at TEXT NOT NULL
      ) STRICT;

      -- M2: custodian_staff_id NOT NULL makes "exactly one registered custodian" structural.
      CREATE TABLE seals (
        id                 TEXT PRIMARY KEY,
        code               TEXT NOT NULL,
        name               TEXT NOT NULL,
        unit_id            TEXT NOT NULL REFERENCES units(id),
        kind               TEXT NOT NULL CHECK (kind IN ('company', 'department')),
        state              TEXT NOT NULL CHECK (state IN ('ACTIVE', 'LOST', 'LOSS_CONFIRMED', 'LOSS_WITHDRAWN', 'CANCELLED')),
        custodian_staff_id TEXT NOT NULL REFERENCES custodians(staff_id),
        workstation_id     TEXT REFERENCES workstations(id),
        cert_serial        TEXT NOT NULL,
        cert_der           BLOB NOT NULL,
        valid_from         TEXT NOT NULL,
        valid_to           TEXT NOT NULL,
        key_type           TEXT NOT NULL CHECK (key_type IN ('RSA_2048', 'RSA_3072', 'EC_P256')),
        token_serial       TEXT NOT NULL,
        appearance_svg     TEXT,
        appearance_png     BLOB,
        approval_ref       TEXT NOT NULL CHECK (approval_ref <> ''),
        approver           TEXT NOT NULL CHECK (approver <> ''),
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL
      ) STRICT;

      -- Defence in depth behind the rule check (SEAL_CODE_IN_USE): one live seal per code.
      CREATE UNIQUE INDEX seals_code_held ON seals(code) WHERE state <> 'CANCELLED';

      CREATE TABLE seal_certificates (
        serial            TEXT PRIMARY KEY,
        seal_id           TEXT NOT NULL REFERENCES seals(id),
        der               BLOB NOT NULL,
        valid_from        TEXT NOT NULL,
        valid_to          TEXT NOT NULL,
        key_type          TEXT NOT NULL,
        token_serial      TEXT NOT NULL,
        issued_at         TEXT NOT NULL,
        revoked_at        TEXT,
        revocation_reason TEXT CHECK (revocation_reason IN ('superseded', 'keyCompromise', 'cessationOfOperation')),
        CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
      ) STRICT;
      CREATE INDEX seal_certificates_by_seal ON seal_certificates(seal_id);
    `);
  },
};

import type { Migration } from './migration';

/** Delegations (M3), use requests (用印申请, U3) and the usage register (用印登记, U3). */
export const migration003: Migration = {
  version: 3,
  name: 'delegations-and-usage',
  up(db) {
    db.exec(`
      CREATE TABLE delegations (
        id                TEXT PRIMARY KEY,
        seal_id           TEXT NOT NULL REFERENCES seals(id),
        proxy_staff_id    TEXT NOT NULL,
        proxy_name        TEXT NOT NULL,
        approver_name     TEXT NOT NULL,
        approver_staff_id TEXT NOT NULL,
        approver_role     TEXT NOT NULL CHECK (approver_role IN ('general_manager', 'department_head')),
        reason            TEXT NOT NULL CHECK (reason <> ''),
        starts_at         TEXT NOT NULL,
        ends_at           TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        revoked_at        TEXT,
        CHECK (starts_at < ends_at)
      ) STRICT;
      CREATE INDEX delegations_by_seal_proxy ON delegations(seal_id, proxy_staff_id);

      CREATE TABLE use_requests (
        id                 TEXT PRIMARY KEY,
        seal_id            TEXT NOT NULL REFERENCES seals(id),
        applicant_staff_id TEXT NOT NULL,
        applicant_name     TEXT NOT NULL,
        approver_name      TEXT NOT NULL CHECK (approver_name <> ''),
        approval_reference TEXT NOT NULL CHECK (approval_reference <> ''),
        document_title     TEXT NOT NULL,
        document_type      TEXT NOT NULL,
        purpose            TEXT NOT NULL,
        approved_at        TEXT NOT NULL,
        recorded_at        TEXT NOT NULL
      ) STRICT;

      CREATE TABLE usage_register (
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
        status            TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        error_code        TEXT,
        audit_seq         INTEGER NOT NULL REFERENCES audit_log(seq),
        -- U3: a successful stamping always has its approved request and its result.
        CHECK (status = 'failed' OR (use_request_id IS NOT NULL AND sha256_after IS NOT NULL AND error_code IS NULL)),
        CHECK (status = 'ok' OR error_code IS NOT NULL)
      ) STRICT;
      CREATE INDEX usage_register_by_seal_time ON usage_register(seal_id, at);
      CREATE INDEX usage_register_by_operator_time ON usage_register(operator_staff_id, at);
    `);
  },
};

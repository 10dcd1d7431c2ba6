import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { YinjianError } from '../../../shared/errors/index';
import {
  AUDIT_ACTIONS,
  AUDIT_GENESIS_HASH,
  auditRowHash,
  canonicalJson,
  verifyAuditChain,
  type Actor,
  type AuditAction,
  type AuditChainReport,
  type AuditDetails,
  type AuditRecord,
} from '../../core/register/index';
import { isoTime } from './column-codec';

interface AuditRow {
  seq: number;
  at: string;
  actor_name: string;
  actor_staff_id: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

function recordOf(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    actorName: row.actor_name,
    actorStaffId: row.actor_staff_id,
    action: row.action as AuditAction,
    subject: row.subject,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditAppend {
  readonly actor: Actor;
  readonly action: AuditAction;
  /** What the action was about: a seal code, a file, a key serial. */
  readonly subject: string;
  readonly details?: AuditDetails;
  readonly at?: Date;
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** The append-only, hash-chained audit log (M5). */
export class AuditLog {
  private readonly last: Database.Statement<[], AuditRow>;
  private readonly insert: Database.Statement<AuditRow>;
  private readonly range: Database.Statement<[number, number], AuditRow>;
  private readonly every: Database.Statement<[], AuditRow>;
  private readonly appendInTransaction: (entry: AuditAppend) => AuditRecord;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {
    this.last = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor_name, actor_staff_id, action, subject, details, prev_hash, hash)
       VALUES (@seq, @at, @actor_name, @actor_staff_id, @action, @subject, @details, @prev_hash, @hash)`,
    );
    this.range = db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?');
    this.every = db.prepare('SELECT * FROM audit_log ORDER BY seq');
    // Reading the head and inserting after it must be one transaction (nested calls become
    // savepoints), or two writers could chain onto the same predecessor.
    this.appendInTransaction = registerTransaction(db, (entry: AuditAppend) => this.appendNow(entry));
  }

  /** Appends one row; inside a caller's transaction it commits or rolls back with it. */
  append(entry: AuditAppend): AuditRecord {
    return this.appendInTransaction(entry);
  }

  private appendNow(entry: AuditAppend): AuditRecord {
    if (!KNOWN_ACTIONS.has(entry.action)) {
      throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `unknown audit action ${String(entry.action)}` });
    }
    // canonicalJson also refuses PIN- and password-like keys (architecture.md: a PIN never
    // reaches the audit trail).
    const details = canonicalJson(entry.details ?? {});
    const head = this.last.get();
    const unsigned = {
      seq: (head?.seq ?? 0) + 1,
      at: isoTime(entry.at ?? this.clock(), 'audit time'),
      actorName: entry.actor.name,
      actorStaffId: entry.actor.staffId,
      action: entry.action,
      subject: entry.subject,
      details,
      prevHash: head?.hash ?? AUDIT_GENESIS_HASH,
    };
    const record: AuditRecord = { ...unsigned, hash: auditRowHash(unsigned) };
    this.insert.run({
      seq: record.seq,
      at: record.at,
      actor_name: record.actorName,
      actor_staff_id: record.actorStaffId,
      action: record.action,
      subject: record.subject,
      details: record.details,
      prev_hash: record.prevHash,
      hash: record.hash,
    });
    return record;
  }

  head(): { seq: number; hash: string } | null {
    const row = this.last.get();
    return row === undefined ? null : { seq: row.seq, hash: row.hash };
  }

  list(fromSeq = 1, limit = 1000): AuditRecord[] {
    return this.range.all(fromSeq, limit).map(recordOf);
  }

  /**
   * `yinjian audit check`: the first broken seq and why, or ok. Pass a head recorded outside
   * this file (an export, an inspection) to catch rows cut from the end.
   */
  verify(expectedHead?: { seq: number; hash: string }): AuditChainReport {
    const rows: AuditRecord[] = [];
    for (const row of this.every.iterate()) rows.push(recordOf(row));
    return verifyAuditChain(rows, expectedHead);
  }
}

import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { YinjianError } from '../../../shared/errors/index';
import type { Actor, AuditDetails } from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { blob, bytesOf, isoTime, timeOf } from './column-codec';

export interface StoredSnapshot {
  readonly sequence: number;
  /** The signed snapshot exactly as the office issued it; verified by its reader, not here. */
  readonly raw: Uint8Array;
  readonly importedAt: Date;
}

interface SnapshotRow {
  sequence: number;
  raw: Buffer;
  imported_at: string;
}

/**
 * The office's signed register snapshots (M1) this workstation imported. An older or equal
 * sequence is refused: replaying an old snapshot would bring back seals revoked since (S3, S5).
 */
export class SnapshotStore {
  private readonly newest: Database.Statement<[], SnapshotRow>;
  private readonly insert: Database.Statement<SnapshotRow>;
  private readonly importInTransaction: (sequence: number, raw: Uint8Array, at: Date, actor: Actor, details?: AuditDetails) => StoredSnapshot;

  constructor(db: Database.Database, audit: AuditLog) {
    this.newest = db.prepare('SELECT * FROM register_snapshots ORDER BY sequence DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO register_snapshots (sequence, raw, imported_at) VALUES (@sequence, @raw, @imported_at)');
    this.importInTransaction = registerTransaction(db, (sequence: number, raw: Uint8Array, at: Date, actor: Actor, details?: AuditDetails) => {
      if (!Number.isSafeInteger(sequence) || sequence < 0) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `snapshot sequence ${String(sequence)}` });
      }
      const current = this.newest.get();
      if (current !== undefined && sequence <= current.sequence) {
        throw new YinjianError('SNAPSHOT_ROLLBACK', { found: sequence, current: current.sequence });
      }
      this.insert.run({ sequence, raw: blob(raw), imported_at: isoTime(at, 'importedAt') });
      audit.append({
        actor,
        action: 'REGISTER_IMPORTED',
        subject: `snapshot ${sequence}`,
        at,
        details: { ...details, sequence, bytes: raw.byteLength, sha256: createHash('sha256').update(raw).digest('hex') },
      });
      return { sequence, raw, importedAt: at };
    });
  }

  /** Stores a snapshot whose signature the caller has verified; `details` join its audit row. */
  import(sequence: number, raw: Uint8Array, at: Date, actor: Actor, details?: AuditDetails): StoredSnapshot {
    return this.importInTransaction(sequence, raw, at, actor, details);
  }

  latest(): StoredSnapshot | undefined {
    const row = this.newest.get();
    return row === undefined ? undefined : { sequence: row.sequence, raw: bytesOf(row.raw), importedAt: timeOf(row.imported_at) };
  }
}

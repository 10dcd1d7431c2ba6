import Database from 'better-sqlite3';
import { YinjianError } from '../../../shared/errors/index';

/**
 * A register transaction: commits everything `fn` wrote or nothing (nested calls become
 * savepoints). It starts IMMEDIATE, taking the write lock before the first read: the app
 * and the CLI may write the same file, and a deferred transaction that read the audit head
 * and then tried to write after another connection appended would fail with SQLITE_BUSY at
 * once instead of waiting out busy_timeout. A schema constraint caught by SQLite (a duplicate serial, a second live seal
 * with one code racing past the rule check) comes back as a typed error, not a crash.
 */
export function registerTransaction<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A): R => {
    try {
      return transaction.immediate(...args);
    } catch (cause) {
      if (cause instanceof Database.SqliteError && cause.code.startsWith('SQLITE_CONSTRAINT')) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: cause.message }, { cause });
      }
      throw cause;
    }
  };
}

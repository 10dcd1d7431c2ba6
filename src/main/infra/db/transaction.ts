import Database from 'better-sqlite3';
import { YinjianError } from '../../../shared/errors/index';

/**
 * A register transaction: commits everything `fn` wrote or nothing (nested calls become
 * savepoints). A schema constraint caught by SQLite (a duplicate serial, a second live seal
 * with one code racing past the rule check) comes back as a typed error, not a crash.
 */
export function registerTransaction<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A): R => {
    try {
      return transaction(...args);
    } catch (cause) {
      if (cause instanceof Database.SqliteError && cause.code.startsWith('SQLITE_CONSTRAINT')) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: cause.message }, { cause });
      }
      throw cause;
    }
  };
}

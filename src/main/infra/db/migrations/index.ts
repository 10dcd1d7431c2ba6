import type Database from 'better-sqlite3';
import { YinjianError } from '../../../../shared/errors/index';
import type { Migration } from './migration';
import { migration001 } from './001-organisation-and-seals';
import { migration002 } from './002-audit-log-and-lifecycle';
import { migration003 } from './003-delegations-and-usage';
import { migration004 } from './004-snapshots-keys-settings';
import { migration005 } from './005-pending-usage';
import { migration006 } from './006-pending-before-signature';
import { migration007 } from './007-scanned-confirmed';

export type { Migration } from './migration';

/** Every migration, in order; version N is at index N-1. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007];

export const LATEST_REGISTER_VERSION = MIGRATIONS.length;

export function registerVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations above the register's `user_version`, up to `target`, each in its
 * own transaction with the version bump, so a failure leaves the register at the last
 * version that completed. Each transaction takes the write lock when it begins (IMMEDIATE,
 * waiting out busy_timeout) and reads the version again under it: another process opening the
 * same new register at the same moment (the app's two service hosts, or the CLI beside the
 * app) may have applied the migration since the version was first read; applied twice,
 * migration 1 failed ("table units already exists").
 */
export function migrateRegister(db: Database.Database, target = LATEST_REGISTER_VERSION, migrations = MIGRATIONS): void {
  for (const migration of migrations) {
    if (migration.version > target || migration.version <= registerVersion(db)) continue;
    const apply = db.transaction(() => {
      if (migration.version <= registerVersion(db)) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply.immediate();
    } catch (cause) {
      throw new YinjianError(
        'REGISTER_MIGRATION_FAILED',
        { version: migration.version, name: migration.name, detail: cause instanceof Error ? cause.message : String(cause) },
        { cause },
      );
    }
  }
}

import type Database from 'better-sqlite3';

/**
 * One schema step. Migrations are applied in version order, each in its own transaction
 * together with the `user_version` bump, so a register is always at exactly one version.
 * A shipped migration is never edited: a change is a new file.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

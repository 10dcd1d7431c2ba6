import type Database from 'better-sqlite3';
import { requireText } from './column-codec';

/** Small key/value settings kept with the register (text values; callers parse their own). */
export class Settings {
  private readonly byKey: Database.Statement<[string], { value: string }>;
  private readonly upsert: Database.Statement<{ key: string; value: string }>;
  private readonly remove: Database.Statement<[string]>;
  private readonly every: Database.Statement<[], { key: string; value: string }>;

  constructor(db: Database.Database) {
    this.byKey = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
    this.every = db.prepare('SELECT key, value FROM settings ORDER BY key');
  }

  get(key: string): string | undefined {
    return this.byKey.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.upsert.run({ key: requireText('setting key', key), value });
  }

  delete(key: string): void {
    this.remove.run(key);
  }

  entries(): Array<[string, string]> {
    return this.every.all().map((r) => [r.key, r.value]);
  }
}

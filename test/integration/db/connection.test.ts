import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegisterDatabase, REGISTER_APPLICATION_ID } from '../../../src/main/infra/db/connection';
import { LATEST_REGISTER_VERSION } from '../../../src/main/infra/db/migrations/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { tempRegisterDir } from './temp-register';

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof YinjianError) return e.code;
    throw e;
  }
  throw new Error('expected a YinjianError');
}

describe('openRegisterDatabase', () => {
  let tmp: ReturnType<typeof tempRegisterDir>;
  beforeEach(() => {
    tmp = tempRegisterDir();
  });
  afterEach(() => tmp.dispose());

  it('creates a missing register: stamped, WAL, synchronous FULL, foreign keys, latest version', () => {
    const path = tmp.file();
    const db = openRegisterDatabase(path);
    expect(db.pragma('application_id', { simple: true })).toBe(REGISTER_APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
    db.close();
    // The id is in the main file's header, where the foreign-file check reads it.
    expect(readFileSync(path).readUInt32BE(68)).toBe(REGISTER_APPLICATION_ID);
    const again = openRegisterDatabase(path);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
    again.close();
  });

  it('refuses a file of random bytes and leaves it untouched', () => {
    const path = tmp.file('random.bin');
    writeFileSync(path, randomBytes(8192));
    const before = sha256(path);
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_FOREIGN');
    expect(sha256(path)).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual(['random.bin']);
  });

  it('refuses a short non-SQLite file', () => {
    const path = tmp.file('short.txt');
    writeFileSync(path, 'hello');
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_FOREIGN');
    expect(readFileSync(path, 'utf8')).toBe('hello');
  });

  it("refuses another application's SQLite database (made by the sqlite3 tool) and leaves it untouched", () => {
    const path = tmp.file('other-app.db');
    execFileSync('sqlite3', [path, 'PRAGMA journal_mode=WAL; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES (\'keep me\');']);
    // Checkpoint so the file stands alone, as another application would leave it.
    execFileSync('sqlite3', [path, 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;']);
    const before = sha256(path);
    const files = readdirSync(tmp.dir).sort();
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_FOREIGN');
    expect(sha256(path)).toBe(before);
    expect(readdirSync(tmp.dir).sort()).toEqual(files);
    expect(execFileSync('sqlite3', [path, 'SELECT body FROM notes;']).toString().trim()).toBe('keep me');
  });

  it('refuses a SQLite database carrying a different application id', () => {
    const path = tmp.file('fossil.db');
    execFileSync('sqlite3', [path, 'PRAGMA application_id=252006673; CREATE TABLE t(x);']);
    const before = sha256(path);
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_FOREIGN');
    expect(sha256(path)).toBe(before);
  });

  it('refuses a register written by a newer Yinjian, without touching it', () => {
    const path = tmp.file();
    openRegisterDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_REGISTER_VERSION + 1}`);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = sha256(path);
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_TOO_NEW');
    expect(sha256(path)).toBe(before);
  });

  it('refuses a directory and a path in a missing directory as not openable', () => {
    expect(codeOf(() => openRegisterDatabase(tmp.dir))).toBe('REGISTER_NOT_OPENABLE');
    expect(codeOf(() => openRegisterDatabase(tmp.file('no/such/dir/register.sqlite')))).toBe('REGISTER_NOT_OPENABLE');
    expect(existsSync(tmp.file('no'))).toBe(false);
  });

  it('reports a register with our id but a corrupt body as not openable', () => {
    const path = tmp.file();
    openRegisterDatabase(path).close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100);
    // Keep the header (with our id) but destroy every page after it.
    writeFileSync(path, bytes);
    expect(codeOf(() => openRegisterDatabase(path))).toBe('REGISTER_NOT_OPENABLE');
  });

  it('opens an existing register read-only without writing to it, and refuses to create one that way', () => {
    const path = tmp.file();
    const db = openRegisterDatabase(path);
    db.exec("INSERT INTO settings VALUES ('k', 'v')");
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = sha256(path);
    const ro = openRegisterDatabase(path, { readonly: true });
    expect(ro.prepare('SELECT value FROM settings').get()).toEqual({ value: 'v' });
    expect(() => ro.exec("INSERT INTO settings VALUES ('x', 'y')")).toThrow(/readonly/);
    ro.close();
    expect(sha256(path)).toBe(before);
    expect(codeOf(() => openRegisterDatabase(tmp.file('missing.sqlite'), { readonly: true }))).toBe('REGISTER_NOT_OPENABLE');
    expect(existsSync(tmp.file('missing.sqlite'))).toBe(false);
  });

  it('refuses a read-only open of an older register that would need migrating', () => {
    const path = tmp.file();
    openRegisterDatabase(path, { targetVersion: 2 }).close();
    expect(codeOf(() => openRegisterDatabase(path, { readonly: true }))).toBe('REGISTER_NEEDS_UPGRADE');
  });
});

/**
 * Two processes open a register that does not exist yet, at the same moment: the app starts
 * two service hosts on one data folder (ipc/service-host.ts: the normal and the low-priority
 * one), and a custodian may run `yinjian` beside it. Both must open it at the latest version.
 * - Before each migration re-read the version inside a write transaction, the second applied
 *   migration 1 again and failed with REGISTER_MIGRATION_FAILED (seen in the verify-pick e2e test).
 * - Before the switch to WAL waited for the other's lock, one failed with REGISTER_NOT_OPENABLE
 *   (SQLITE_BUSY: SQLite does not call the busy handler for a journal-mode change), seen in CI
 *   in round 4 of the test below; the second test makes that moment happen every time.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { LATEST_REGISTER_VERSION, openRegisterDatabase, REGISTER_APPLICATION_ID } from '../../../src/main/infra/db/index';
import { tempRegisterDir } from './temp-register';

function script(name: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join('test', 'integration', 'db', name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} exited ${code}: ${err}`))));
  });
}

function opener(path: string, ready: string, go: string): Promise<string> {
  return script('register-opener.ts', [path, ready, go]);
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('two processes creating one register at once', () => {
  let tmp: ReturnType<typeof tempRegisterDir>;
  beforeEach(() => {
    tmp = tempRegisterDir();
  });
  afterEach(() => tmp.dispose());

  it('both open it, migrated once to the latest version', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 6; round++) {
      const path = join(tmp.dir, `register-${round}.db`);
      const ready = [join(tmp.dir, `ready-${round}-a`), join(tmp.dir, `ready-${round}-b`)];
      const go = join(tmp.dir, `go-${round}`);
      const outcomes = Promise.all([opener(path, ready[0] as string, go), opener(path, ready[1] as string, go)]);
      await until(() => ready.every((r) => existsSync(r)));
      writeFileSync(go, '');
      expect(await outcomes, `round ${round}`).toEqual(['OK', 'OK']);
      const db = openRegisterDatabase(path);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
      } finally {
        db.close();
      }
    }
  });

  it('waits for another connection\'s lock to switch a new register to WAL', { timeout: 60_000 }, async () => {
    // The moment the race above hit: the other host has created the file and stamped it ours
    // (rollback-journal mode, version 0) and holds its write lock when this one switches to WAL.
    const path = join(tmp.dir, 'register-wal.db');
    const created = new Database(path);
    created.pragma(`application_id = ${REGISTER_APPLICATION_ID}`);
    created.close();
    const ready = join(tmp.dir, 'reader-ready');
    const reader = script('register-reader.ts', [path, ready, '400']);
    await until(() => existsSync(ready));
    const db = openRegisterDatabase(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_REGISTER_VERSION);
    } finally {
      db.close();
    }
    await reader;
  });
});

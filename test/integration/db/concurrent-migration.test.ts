/**
 * Two processes open a register that does not exist yet, at the same moment: the app starts
 * two service hosts on one data folder (ipc/service-host.ts: the normal and the low-priority
 * one), and a custodian may run `yinjian` beside it. Both must open it at the latest version;
 * before each migration re-read the version inside a write transaction, the second applied
 * migration 1 again and failed with REGISTER_MIGRATION_FAILED (seen in the verify-pick e2e test).
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_REGISTER_VERSION, openRegisterDatabase } from '../../../src/main/infra/db/index';
import { tempRegisterDir } from './temp-register';

function opener(path: string, ready: string, go: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join('test', 'integration', 'db', 'register-opener.ts'), path, ready, go], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`opener exited ${code}: ${err}`))));
  });
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
});

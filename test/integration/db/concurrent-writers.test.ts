import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegister } from '../../../src/main/infra/db/index';
import { tempRegisterDir } from './temp-register';

function runWriter(path: string, name: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('node_modules', 'tsx', 'dist', 'cli.mjs'), join('test', 'integration', 'db', 'audit-writer.ts'), path, name, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited ${code}: ${stderr}`))));
  });
}

describe('two processes appending to one register (app and CLI)', () => {
  let tmp: ReturnType<typeof tempRegisterDir>;
  beforeEach(() => {
    tmp = tempRegisterDir();
  });
  afterEach(() => tmp.dispose());

  it('every append lands exactly once and the chain stays intact', async () => {
    const path = tmp.file();
    openRegister(path).close();
    await Promise.all([runWriter(path, 'A', 150), runWriter(path, 'B', 150)]);
    const register = openRegister(path);
    try {
      expect(register.audit.verify()).toMatchObject({ ok: true, rows: 150 * 2 });
      const subjects = new Set(register.audit.list(1, 1000).map((r) => r.subject));
      expect(subjects.size).toBe(300);
    } finally {
      register.close();
    }
  });
});

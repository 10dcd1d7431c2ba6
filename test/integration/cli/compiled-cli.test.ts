/**
 * Issue #15: `yinjian` is compiled JavaScript. The bin runs out/cli (built by `npm ci`'s prepare
 * step), not the TypeScript sources: a copy of bin/ and out/cli beside the repository's
 * node_modules, without src/ and without tsx or esbuild, still verifies a sealed PDF.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBasePdf, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'yinjian-compiled-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the compiled yinjian command', () => {
  it('runs from bin/ and out/cli alone: no src/, no tsx, no esbuild', async () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    cpSync(join(REPO, 'bin'), join(app, 'bin'), { recursive: true });
    cpSync(join(REPO, 'out', 'cli'), join(app, 'out', 'cli'), { recursive: true });
    symlinkSync(join(REPO, 'resources'), join(app, 'resources'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'yinjian-copy', type: 'module', private: true }));
    const missing = new Set(['tsx', 'esbuild', '.bin', '.cache', 'electron-vite', 'vite', 'vitest']);
    for (const name of readdirSync(join(REPO, 'node_modules'))) {
      if (!missing.has(name)) symlinkSync(join(REPO, 'node_modules', name), join(app, 'node_modules', name));
    }
    const seal = await makeTestSeal();
    const pdf = join(dir, 'sealed.pdf');
    writeFileSync(pdf, await signPdf(await makeBasePdf(1), seal));
    const root = join(dir, 'root.der');
    writeFileSync(root, seal.root);

    const bin = join(app, 'bin', 'yinjian.js');
    const help = run(bin, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('yinjian <command>');
    const verified = run(bin, ['verify', pdf, '--trust', root, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, files: [{ verdict: 'VALID' }] });
  });

  it('says how to build it when out/cli is missing, instead of a stack trace', () => {
    const bare = join(dir, 'bare');
    cpSync(join(REPO, 'bin'), join(bare, 'bin'), { recursive: true });
    const r = run(join(bare, 'bin', 'yinjian.js'), ['--help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CLI_NOT_BUILT');
    expect(r.stderr).toContain('npm run build:cli');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * Issue #15: `yinjian` is compiled JavaScript. package.json's "bin" is out/cli/yinjian.mjs
 * (built by `npm ci`'s prepare step from esbuild.config.mjs), not the TypeScript sources: a
 * copy of out/cli beside the repository's node_modules, without src/ and without tsx or
 * esbuild, started as a program (its shebang, as npm's bin link starts it), still verifies a
 * sealed PDF.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'yinjian-compiled-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `bin` itself, as a shell or npm's bin link does: `#!/usr/bin/env node` finds this node on PATH. */
function run(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, PATH, YINJIAN_DATA_DIR: join(dir, 'data') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PackageJson {
  bin: Record<string, string>;
  scripts: Record<string, string>;
}

describe('the compiled yinjian command', () => {
  it('package.json\'s bin is the built file, a program with its shebang, built by npm ci (prepare)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
    expect(pkg.bin).toEqual({ yinjian: 'out/cli/yinjian.mjs' });
    expect(pkg.scripts.prepare).toBe('node esbuild.config.mjs');
    expect(pkg.scripts.build).toContain('node esbuild.config.mjs');
    const bin = join(REPO, pkg.bin.yinjian as string);
    // One V8 background thread (src/main/cli/index.ts: issue 13's stamping budget on two cores);
    // `env -S` splits the options, as npm's Windows shims (cmd-shim) read them too.
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env -S node --v8-pool-size=1');
    expect(statSync(bin).mode & 0o111).toBe(0o111);
  });

  it('started as a program, node gets the shebang\'s options', () => {
    // A `node` first on PATH that writes down its arguments, then runs the real one.
    const shim = join(dir, 'shim');
    mkdirSync(shim, { recursive: true });
    const log = join(dir, 'node-args.txt');
    writeFileSync(join(shim, 'node'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const bin = join(REPO, 'out', 'cli', 'yinjian.mjs');
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8', env: { ...process.env, PATH: `${shim}:${process.env.PATH ?? ''}`, YINJIAN_DATA_DIR: join(dir, 'data') } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('yinjian <command>');
    expect(readFileSync(log, 'utf8').split('\n').slice(0, 3)).toEqual(['--v8-pool-size=1', bin, '--help']);
  });

  it('runs from out/cli alone: no src/, no tsx, no esbuild', async () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
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

    const bin = join(app, 'out', 'cli', 'yinjian.mjs');
    const help = run(bin, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('yinjian <command>');
    // Issue #12: with a current CRL (without one: REVOCATION_NOT_CHECKED, exit 1).
    const crl = join(dir, 'group-seal-ca.crl');
    writeFileSync(crl, await makeTestCrl(seal));
    const verified = run(bin, ['verify', pdf, '--trust', root, '--crl', crl, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, files: [{ verdict: 'VALID' }] });
  });

  it('writes to a pipe, a file, a reader that stops early and a slow reader alike (direct writes, issue #15)', async () => {
    const bin = join(REPO, 'out', 'cli', 'yinjian.mjs');
    const help = run(bin, ['--help']).stdout;
    expect(help).toContain('yinjian <command>');
    const sh = (script: string): { code: number | null; stdout: string; stderr: string } => {
      const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data'), BIN: bin, NODE: process.execPath } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // A file: the same bytes as through a pipe; errors to a file too.
    const out = join(dir, 'help.txt');
    const err = join(dir, 'err.txt');
    expect(sh(`"$NODE" "$BIN" --help > "${out}"; "$NODE" "$BIN" verfy 2> "${err}"; echo "$?"`).stdout.trim()).toBe('2');
    expect(readFileSync(out, 'utf8')).toBe(help);
    expect(readFileSync(err, 'utf8')).toContain('CLI_COMMAND_MISSPELLED');
    // An output larger than a pipe holds (40 reports as JSON): a slow reader gets all of it, in
    // order; a reader that stops after a few bytes ends it without an error.
    const seal = await makeTestSeal();
    const pdf = join(dir, 'many.pdf');
    writeFileSync(pdf, await signPdf(await makeBasePdf(1), seal));
    writeFileSync(join(dir, 'many-root.der'), seal.root);
    const args = `verify ${Array.from({ length: 40 }, () => `"${pdf}"`).join(' ')} --trust "${join(dir, 'many-root.der')}" --json`;
    const whole = sh(`"$NODE" "$BIN" ${args}`);
    expect(whole.stdout.length).toBeGreaterThan(128 * 1024);
    expect((JSON.parse(whole.stdout) as { files: unknown[] }).files).toHaveLength(40);
    const slow = sh(`"$NODE" "$BIN" ${args} | (sleep 1; cat)`);
    expect(slow.stdout.replace(/"(generatedAt|checkedAt|at)": "[^"]*"/g, '')).toBe(whole.stdout.replace(/"(generatedAt|checkedAt|at)": "[^"]*"/g, ''));
    const early = sh(`"$NODE" "$BIN" ${args} | head -c 10 > /dev/null`);
    expect(early.stderr).toBe('');
  });
});

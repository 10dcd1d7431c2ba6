/**
 * Issue #15: the installed app has a command line. The built main bundle (out/main/index.js,
 * what the app binary runs) started with a `cli` first argument runs the command line and
 * never loads Electron: here it runs under plain node, where Electron's binary is absent (the
 * part of `<app> cli …` that does not need Electron). `npm start` without Electron says how to
 * install it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgumentsOf } from '../../../src/main/cli/app-arguments';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPO, 'out', 'main', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'yinjian-app-entry-'));

function node(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data'), ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // CI builds before testing (npm run build); a fresh checkout builds the app once here.
  if (!existsSync(MAIN)) {
    const build = spawnSync(join(REPO, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: REPO, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`electron-vite build failed: ${build.stderr}`);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the app binary as a command line', () => {
  it('`<app> cli …` runs the command line from the built main bundle with plain node, Electron absent', async () => {
    // The entry reaches Electron only for the window: no static import of it.
    expect(readFileSync(MAIN, 'utf8')).not.toMatch(/^import [^;]*["']electron["']/m);
    const help = node([MAIN, 'cli', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('yinjian <command>');

    const seal = await makeTestSeal();
    const pdf = join(dir, 'sealed.pdf');
    writeFileSync(pdf, await signPdf(await makeBasePdf(1), seal));
    writeFileSync(join(dir, 'root.der'), seal.root);
    // Issue #12: with a current CRL (a root alone: REVOCATION_NOT_CHECKED, exit 1).
    writeFileSync(join(dir, 'group-seal-ca.crl'), await makeTestCrl(seal));
    const verified = node([MAIN, 'cli', 'verify', pdf, '--trust', join(dir, 'root.der'), '--crl', join(dir, 'group-seal-ca.crl'), '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, files: [{ verdict: 'VALID' }] });

    // Exit codes come through (2: usage).
    const wrong = node([MAIN, 'cli', 'token', 'lst']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('did you mean "token list"?');
  });

  it('an AppImage started through a link named yinjian is the command line, without the cli word', () => {
    const help = node([MAIN, '--help'], { APPIMAGE: '/opt/Yinjian.AppImage', ARGV0: '/home/u/.local/bin/yinjian' });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('yinjian <command>');
  });

  it('which arguments are the command line\'s: packaged app, `electron .`, plain node', () => {
    const facts = { electron: true, defaultApp: false, env: {} };
    expect(cliArgumentsOf({ ...facts, argv: ['/opt/Yinjian/yinjian', 'cli', 'verify', 'a.pdf'] })).toEqual(['verify', 'a.pdf']);
    expect(cliArgumentsOf({ ...facts, argv: ['/opt/Yinjian/yinjian', 'a.pdf'] })).toBeUndefined();
    expect(cliArgumentsOf({ ...facts, argv: ['/opt/Yinjian/yinjian'] })).toBeUndefined();
    expect(cliArgumentsOf({ ...facts, defaultApp: true, argv: ['electron', '.', 'cli', '--help'] })).toEqual(['--help']);
    expect(cliArgumentsOf({ electron: false, defaultApp: false, env: {}, argv: ['node', 'out/main/index.js', 'cli'] })).toEqual([]);
    // An AppImage started by its own name stays the window.
    expect(cliArgumentsOf({ ...facts, env: { APPIMAGE: '/a', ARGV0: 'Yinjian.AppImage' }, argv: ['/tmp/.mount/yinjian', '--no-sandbox'] })).toBeUndefined();
  });
});

describe('npm start without Electron', () => {
  it('says how to install Electron instead of a stack trace', () => {
    // `npm start` is `electron-vite dev`; its config stops before a dev server starts.
    expect((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start).toBe('electron-vite dev');
    const r = spawnSync(join(REPO, 'node_modules', '.bin', 'electron-vite'), ['dev'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ELECTRON_EXEC_PATH: join(dir, 'no-electron', 'electron') },
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('ELECTRON_NOT_INSTALLED');
    expect(r.stderr).toContain('node node_modules/electron/install.js');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

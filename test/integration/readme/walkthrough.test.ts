import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { YINJIAN_BIN } from '../../helpers/cli';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The README's sections whose `sh` blocks make one session, in this order: the office's walkthrough, then what the receiver and the office do with its results. */
export const WALKTHROUGH_SECTIONS = ['## Office walkthrough', '## 给接收方 / For receivers', '## 给办公室 / For the office'] as const;

/** The `sh` blocks of those sections, in order; blocks with <placeholders> are templates, not commands. */
export function walkthroughBlocks(readme: string): string[] {
  let after = 0;
  return WALKTHROUGH_SECTIONS.flatMap((heading) => {
    const start = readme.indexOf(`\n${heading}`, after);
    if (start < 0) throw new Error(`README: no "${heading}" section after the one before it`);
    after = start + 1;
    const next = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, next < 0 ? undefined : next);
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => !/<[^>\n]+>/.test(block));
  });
}

/**
 * Issue #14: the README's walkthrough runs as written, top to bottom, in one bash: SoftHSM2
 * tokens and data folders in temporary directories (the walkthrough makes them itself), the
 * compiled CLI (out/cli, as npm installs it) for `npx yinjian`, exit codes as the README says.
 */
describe('README walkthrough', () => {
  const home = mkdtempSync(join(tmpdir(), 'yinjian-readme-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs every command block of the office walkthrough and of the receiver and office sections as written', () => {
    const blocks = walkthroughBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    // `npx yinjian` is the compiled CLI; TMPDIR keeps mktemp's folders under this test's own.
    const prelude = [`npx() { if [ "$1" = yinjian ]; then shift; node ${JSON.stringify(YINJIAN_BIN)} "$@"; else command npx "$@"; fi; }`, `export TMPDIR=${JSON.stringify(home)}`, 'set -o pipefail'];
    // Each block reports its last exit code, so a failing step is named.
    const script = [...prelude, ...blocks.map((block, i) => `${block}\necho "@@block ${i + 1} exit $?"`)].join('\n');
    const run = spawnSync('bash', ['-c', script], { cwd: home, encoding: 'utf8', env: { ...process.env, HOME: home, SOFTHSM2_CONF: '', YINJIAN_PKCS11_MODULE: '' }, timeout: 170_000 });
    const out = `${run.stdout}\n${run.stderr}`;
    const exits = [...run.stdout.matchAll(/@@block (\d+) exit (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(exits.length, out).toBe(blocks.length);
    // Every block ends well; a block whose README line says "exit 1" ends with that echo (exit 0).
    expect(exits.filter(([, code]) => code !== 0), out).toEqual([]);
    expect(out).toContain('已建立集团印章根证书');
    expect(out).toContain('印章已制发');
    expect(out).toContain('verify OK');
    expect(out).toContain('已导入第 1 号登记簿快照');
    // Stamping: the notice sealed, the contract refused by the gate (U2) with exit 1.
    // The README's `echo "exit $?"` lines, in order: contract refused, receiver UNTRUSTED, then VALID, inspection passed.
    expect([...run.stdout.matchAll(/^exit (\d+)$/gm)].map((m) => Number(m[1])), out).toEqual([1, 1, 0, 0]);
    // The receiver: UNTRUSTED before the import, VALID after.
    expect(out).toContain('UNTRUSTED');
    expect(out).toContain('VALID');
    expect(out).toContain('通过 passed');
    const demo = readdirOf(home);
    expect(demo.some((d) => existsSync(join(home, d, 'documents', '通知-盖章.pdf'))), out).toBe(true);
    expect(demo.some((d) => existsSync(join(home, d, 'documents', '合同-盖章.pdf'))), out).toBe(false);
    expect(demo.some((d) => existsSync(join(home, d, '检查报告.pdf'))), out).toBe(true);
  });
});

function readdirOf(dir: string): string[] {
  return spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

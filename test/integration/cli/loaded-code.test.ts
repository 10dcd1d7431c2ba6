/**
 * Issue #15: which code each command loads. The compiled CLI runs under a module hook
 * (test/helpers/loaded-code) that logs every ES module it loads and, at exit, every file in
 * require's cache; out/cli/.chunks.json (written by esbuild.config.mjs) says which sources and
 * npm packages each chunk holds. A careless import that brings SQLite or pdf.js into `verify`,
 * fontkit, zod or pdf-lib back into `stamp`, or the error catalogue into `--help`, fails here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticPdf } from '../../bench/stamp';
import { YINJIAN_BIN } from '../../helpers/cli';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(REPO, 'out', 'cli');
const REGISTER_HOOK = fileURLToPath(new URL('../../helpers/loaded-code/register.mjs', import.meta.url));

interface ChunkContents {
  readonly sources: readonly string[];
  readonly packages: readonly string[];
  readonly externals: readonly string[];
}

interface Loaded {
  readonly code: number;
  readonly stderr: string;
  /** Files of out/cli the process loaded, relative to it. */
  readonly files: readonly string[];
  /** Our source files bundled into those files. */
  readonly sources: ReadonlySet<string>;
  /** npm packages loaded: bundled into a loaded file, or loaded from node_modules. */
  readonly packages: ReadonlySet<string>;
}

function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const dir = mkdtempSync(join(tmpdir(), 'yinjian-loaded-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let runs = 0;

/** Runs the compiled CLI under the hook and says what it loaded. */
function loadedBy(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Loaded> {
  const log = join(dir, `loaded-${++runs}.log`);
  writeFileSync(log, '');
  const manifest = JSON.parse(readFileSync(join(OUT, '.chunks.json'), 'utf8')) as Record<string, ChunkContents>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER_HOOK, YINJIAN_BIN, ...args], {
      env: { ...(options.env ?? process.env), YINJIAN_LOADED_LOG: log },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const files: string[] = [];
      const sources = new Set<string>();
      const packages = new Set<string>();
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        const [kind, where] = [line.slice(0, 3), line.slice(4)];
        if (kind !== 'esm' && kind !== 'cjs') continue;
        if (where.startsWith('node:')) continue;
        const path = kind === 'esm' ? fileURLToPath(where) : where;
        if (path === REGISTER_HOOK || path.endsWith(join('loaded-code', 'hooks.mjs'))) continue;
        const inOut = relative(OUT, path).split('\\').join('/');
        if (!inOut.startsWith('..')) {
          files.push(inOut);
          const chunk = manifest[inOut];
          if (!chunk) throw new Error(`${inOut} is not in out/cli/.chunks.json: a stale build?`);
          for (const source of chunk.sources) sources.add(source);
          for (const name of chunk.packages) packages.add(name);
          continue;
        }
        const name = packageOf(path);
        if (name) packages.add(name);
        else throw new Error(`loaded from outside out/cli and node_modules: ${path}`);
      }
      resolve({ code: code ?? -1, stderr, files, sources, packages });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** What the issue keeps out of the fast paths: native modules, pdf.js, the font and schema libraries, OCR, rasterising. */
const HEAVY = ['better-sqlite3', 'pkcs11js', 'pdfjs-dist', '@pdf-lib/fontkit', 'zod', 'pdf-lib', 'tesseract.js', 'tesseract.js-core', '@resvg/resvg-js', '@napi-rs/canvas'];

describe('code each command loads (issue #15)', () => {
  it('--help: the command table and its help text only, no package', async () => {
    const loaded = await loadedBy(['--help']);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect([...loaded.packages]).toEqual([]);
    expect([...loaded.sources].sort()).toEqual(
      ['src/main/cli/command-table.ts', 'src/main/cli/index.ts', 'src/main/cli/main.ts', 'src/main/cli/output.ts', 'src/main/cli/process.ts', 'src/main/infra/process/at-exit.ts'].sort(),
    );
  });

  it('verify with --trust and --crl: none of SQLite, PKCS#11, pdf.js, fontkit, zod, pdf-lib, OCR; no register, no USB-key code', async () => {
    const seal = await makeTestSeal();
    const root = join(dir, 'root.der');
    const crl = join(dir, 'group-seal-ca.crl');
    const pdf = join(dir, 'sealed.pdf');
    writeFileSync(root, seal.root);
    writeFileSync(crl, await makeTestCrl(seal));
    writeFileSync(pdf, await signPdf(await makeBasePdf(1), seal));
    const loaded = await loadedBy(['verify', pdf, '--trust', root, '--crl', crl], { env: { ...process.env, YINJIAN_DATA_DIR: join(dir, 'no-data') } });
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(HEAVY.filter((name) => loaded.packages.has(name))).toEqual([]);
    expect([...loaded.sources].filter((s) => /^src\/main\/(infra\/(db|pkcs11|ocr|stamp|appearance)|core\/(stamp|usb-key)|app\/composition)\b/.test(s))).toEqual([]);
  });

  it('stamp --help: the stamp command without any heavy package', async () => {
    const loaded = await loadedBy(['stamp', '--help']);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.files.some((f) => f.startsWith('chunks/stamp-'))).toBe(true);
    expect(HEAVY.filter((name) => loaded.packages.has(name))).toEqual([]);
  });

  describe('stamp of a plain text PDF on a SoftHSM2 key', () => {
    let office: OfficeFixture;
    beforeAll(async () => {
      office = await provisionOffice();
    }, 180_000);
    afterAll(() => office?.cleanup());

    it('loads SQLite and PKCS#11 but neither fontkit, zod, pdf-lib, pdf.js nor OCR', async () => {
      const input = join(dir, 'notice.pdf');
      writeFileSync(input, syntheticPdf(2));
      const args = ['stamp', input, '--out', join(dir, 'notice-sealed.pdf'), '--type', 'internal-document', '--approval', 'LOAD-1', '--approver', '孙主任'];
      const loaded = await loadedBy([...args, '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--data-dir', office.workstationDir], {
        env: office.env,
        stdin: `${office.seal.pin}\n`,
      });
      expect(loaded.code, loaded.stderr).toBe(0);
      // The hook sees the natives: a stamping that loaded neither would mean it saw nothing.
      expect(['better-sqlite3', 'pkcs11js'].filter((name) => loaded.packages.has(name))).toEqual(['better-sqlite3', 'pkcs11js']);
      expect(['@pdf-lib/fontkit', 'zod', 'pdf-lib', 'pdfjs-dist', 'tesseract.js', 'tesseract.js-core', '@napi-rs/canvas'].filter((name) => loaded.packages.has(name))).toEqual([]);
    }, 120_000);
  });
});

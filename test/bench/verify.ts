/**
 * Verifier benchmark (issue #5): a 300-page (~30 MB) PDF with 3 signatures, and a batch of
 * 1000 small signed PDFs; our time and peak RSS beside pdfsig's on the same files.
 *
 * What is measured, both sides as a user runs them, each a fresh process under /usr/bin/time:
 *  - ours: `yinjian verify FILE… --trust ROOT --json`, the CLI as it ships, i.e. one bundled
 *    ESM file (esbuild, like the packaged app's main bundle; native modules external), built
 *    once before timing. A batch is one command over all files (that is how `verify` takes a
 *    batch). The dev entry `npx yinjian` (tsx compiling TypeScript at start-up) is shown too.
 *  - pdfsig: `pdfsig -no-ocsp FILE`, one process per file (it takes one file).
 * Wall time and CPU time (user+sys) are both printed: on a loaded machine wall time is noisy,
 * CPU time is what the work costs. Peak RSS is %M of /usr/bin/time (max over the batch for pdfsig).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { makeBasePdf, makeTestSeal, signPdf } from '../helpers/signed-pdf';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The CLI bundled as the app bundles its main process — split at its dynamic imports, as
 * electron-vite's Rollup build is, so `verify` compiles only the chunks it loads
 * (command-table.ts); placed under node_modules so its externals resolve.
 */
function bundleCli(sourceRoot = REPO, name = 'yinjian-bench-verify'): string {
  const dir = join(REPO, 'node_modules', '.cache', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'index.js');
  execFileSync(join(REPO, 'node_modules', '.bin', 'esbuild'), [
    join(sourceRoot, 'src', 'main', 'cli', 'index.ts'),
    '--bundle', '--splitting', '--platform=node', '--format=esm', '--target=node20', `--outdir=${dir}`,
    '--external:pkcs11js', '--external:better-sqlite3', '--external:@resvg/resvg-js', '--log-level=warning',
    // CommonJS dependencies inside an ESM bundle need a require.
    "--banner:js=import { createRequire as __yjCreateRequire } from 'node:module'; const require = __yjCreateRequire(import.meta.url);",
  ]);
  return out;
}

async function bigPdf(pages: number, bytesPerPage: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    // Incompressible page content (an image-like stream), so the file really is ~30 MB.
    const data = randomBytes(bytesPerPage);
    const stream = PDFRawStream.of(doc.context.obj({ Type: 'XObject', Subtype: 'Image', Width: bytesPerPage / 3 / 10, Height: 10, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }), data);
    const ref = doc.context.register(stream);
    page.node.setXObject(PDFName.of(`Im${i}`), ref);
    page.pushOperators();
  }
  return doc.save({ useObjectStreams: false });
}

interface Run {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  readonly stdout: string;
}

function timeOf(command: string, args: string[]): Run {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { ms, cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN, maxRssKb: m ? Number(m[1]) : NaN, stdout: result.stdout };
}

function verdicts(stdout: string): string {
  const json = JSON.parse(stdout) as { files: { verdict: string }[] };
  const counts: Record<string, number> = {};
  for (const f of json.files) counts[f.verdict] = (counts[f.verdict] ?? 0) + 1;
  return JSON.stringify(counts);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Issue #11: the verifier of another source tree (YINJIAN_BENCH_VERIFY_COMPARE=DIR, a checkout
 * of an earlier commit whose node_modules resolves) against this one on the same files,
 * interleaved run by run so both see the same machine load; medians of
 * YINJIAN_BENCH_VERIFY_RUNS runs (default 5) of wall and CPU time, and the ratio. Then the
 * resource cases of test/attacks/resources.ts (time, CPU, peak RSS, verdict).
 */
async function compareVerify(dir: string, rootPath: string, files: Record<string, string[]>): Promise<void> {
  const other = process.env.YINJIAN_BENCH_VERIFY_COMPARE;
  const runs = Number(process.env.YINJIAN_BENCH_VERIFY_RUNS ?? 5);
  const bundles: [string, string][] = [['this tree', bundleCli()]];
  if (other) bundles.unshift([`${other}`, bundleCli(other, 'yinjian-bench-verify-compare')]);
  const dataDir = join(dir, 'data');
  console.log(`\nVerifier medians of ${runs} interleaved runs (wall ms / cpu ms)`);
  console.log('case                                   ' + bundles.map(([label]) => label.slice(-28).padStart(30)).join('') + (bundles.length === 2 ? '   cpu ratio' : ''));
  for (const [label, list] of Object.entries(files)) {
    const wall = bundles.map((): number[] => []);
    const cpu = bundles.map((): number[] => []);
    for (let r = 0; r < runs; r++) {
      bundles.forEach(([, bundle], i) => {
        const run = timeOf(process.execPath, [bundle, 'verify', ...list, '--trust', rootPath, '--json', '--data-dir', dataDir]);
        wall[i]!.push(run.ms);
        cpu[i]!.push(run.cpuMs);
      });
    }
    const cells = bundles.map((_, i) => `${median(wall[i]!).toFixed(0)} / ${median(cpu[i]!).toFixed(0)}`.padStart(30)).join('');
    const ratio = bundles.length === 2 ? `   ${(median(cpu[1]!) / median(cpu[0]!)).toFixed(3)}` : '';
    console.log(`${label.padEnd(38)} ${cells}${ratio}`);
  }
}

async function resourceCases(dir: string): Promise<void> {
  const { baseDocument } = await import('../attacks/generator');
  const { millionObjects, openParens, xrefMillions } = await import('../attacks/resources');
  const seal = await makeTestSeal();
  const root = join(dir, 'resources-root.der');
  writeFileSync(root, seal.root);
  const sealed = await signPdf(await baseDocument('objstm'), seal, { field: 'Seal1' });
  const cases: Record<string, Uint8Array> = {
    'xref-millions (8M entries, 46 KB, 40 updates)': xrefMillions(sealed),
    'xref-millions padded to 8 MB': xrefMillions(sealed, 8_000_000, 40, 8_100_000),
    '10 MB of "("': openParens(),
    '1M objects, broken xref': millionObjects(),
  };
  const bundle = bundleCli();
  console.log('\nResource cases (issue #11, class 6), one run each: wall ms, cpu ms, peak RSS kB, verdict');
  for (const [label, bytes] of Object.entries(cases)) {
    const path = join(dir, `resource-${label.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
    writeFileSync(path, bytes);
    const run = timeOf(process.execPath, [bundle, 'verify', path, '--trust', root, '--json', '--data-dir', join(dir, 'data')]);
    const verdictOf = (): string => {
      try {
        const file = (JSON.parse(run.stdout) as { files: { verdict: string; findings: { code: string; params?: { limit?: string } }[] }[] }).files[0];
        const limit = file?.findings.find((f) => f.code === 'FILE_LIMIT_EXCEEDED')?.params?.limit;
        return `${file?.verdict ?? '?'}${limit ? ` (${limit})` : ''}`;
      } catch {
        return 'no JSON';
      }
    };
    const verdict = verdictOf();
    console.log(`${label.padEnd(46)} ${run.ms.toFixed(0).padStart(8)} ${run.cpuMs.toFixed(0).padStart(8)} ${String(run.maxRssKb).padStart(10)}  ${verdict}`);
  }
}

export async function benchVerify(): Promise<void> {
  if (process.env.YINJIAN_BENCH_VERIFY_COMPARE !== undefined || process.env.YINJIAN_BENCH_VERIFY_ISSUE11 !== undefined) {
    // The issue #11 figures alone: this tree against another, on the big file and a batch.
    const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-verify-'));
    try {
      const seal = await makeTestSeal();
      const rootPath = join(dir, 'root.der');
      writeFileSync(rootPath, seal.root);
      let big = await bigPdf(300, 100_000);
      for (let i = 1; i <= 3; i++) big = await signPdf(big, seal, { field: `Seal${i}` });
      const bigPath = join(dir, 'big.pdf');
      writeFileSync(bigPath, big);
      const small: string[] = [];
      for (let i = 0; i < 200; i++) {
        const path = join(dir, `small-${i}.pdf`);
        writeFileSync(path, await signPdf(await makeBasePdf(1, `Notice ${i}`), seal));
        small.push(path);
      }
      await compareVerify(dir, rootPath, { [`300 pages, ${(big.length / 1e6).toFixed(1)} MB, 3 sigs`]: [bigPath], '200 small signed PDFs (1 run)': small });
      await resourceCases(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  if (!existsSync('/usr/bin/time')) throw new Error('the verifier bench needs /usr/bin/time (apt-get install time) for peak RSS');
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-verify-'));
  try {
    const seal = await makeTestSeal();
    const rootPath = join(dir, 'root.der');
    writeFileSync(rootPath, seal.root);
    const bundle = bundleCli();
    const devBin = join(REPO, 'src', 'main', 'cli', 'index.ts');
    const dataDir = join(dir, 'data');

    let big = await bigPdf(300, 100_000);
    for (let i = 1; i <= 3; i++) big = await signPdf(big, seal, { field: `Seal${i}` });
    const bigPath = join(dir, 'big.pdf');
    writeFileSync(bigPath, big);

    const small: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const path = join(dir, `small-${i}.pdf`);
      writeFileSync(path, await signPdf(await makeBasePdf(1, `Notice ${i}`), seal));
      small.push(path);
    }

    const ours = (entry: string, files: string[]): Run => timeOf(process.execPath, [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry, 'verify', ...files, '--trust', rootPath, '--json', '--data-dir', dataDir]);
    const pdfsig = (files: string[]): Run => {
      let ms = 0;
      let cpuMs = 0;
      let maxRssKb = 0;
      for (const path of files) {
        const run = timeOf('/usr/bin/pdfsig', ['-no-ocsp', path]);
        ms += run.ms;
        cpuMs += run.cpuMs;
        maxRssKb = Math.max(maxRssKb, run.maxRssKb);
      }
      return { ms, cpuMs, maxRssKb, stdout: '' };
    };
    // One warm-up of each, so neither side pays for a cold page cache.
    ours(bundle, [bigPath]);
    pdfsig([bigPath]);

    const rows: string[][] = [];
    const row = (label: string, run: Run, v: string): void => {
      rows.push([label, run.ms.toFixed(0), run.cpuMs.toFixed(0), String(run.maxRssKb), v]);
    };
    const bigLabel = `300 pages, ${(big.length / 1e6).toFixed(1)} MB, 3 sigs`;
    const bigBundle = ours(bundle, [bigPath]);
    row(`${bigLabel}: yinjian (bundle)`, bigBundle, verdicts(bigBundle.stdout));
    const bigDev = ours(devBin, [bigPath]);
    row(`${bigLabel}: yinjian (dev, tsx)`, bigDev, verdicts(bigDev.stdout));
    row(`${bigLabel}: pdfsig`, pdfsig([bigPath]), '');
    const smallBundle = ours(bundle, small);
    row('1000 small signed PDFs: yinjian (bundle, 1 run)', smallBundle, verdicts(smallBundle.stdout));
    const smallDev = ours(devBin, small);
    row('1000 small signed PDFs: yinjian (dev, tsx)', smallDev, verdicts(smallDev.stdout));
    row('1000 small signed PDFs: pdfsig (1000 runs)', pdfsig(small), '');

    console.log('\nOffline verifier vs pdfsig: whole processes as a user runs them (see test/bench/verify.ts for what is measured)');
    console.log('case                                                       wall ms    cpu ms  peak RSS kB  verdicts');
    for (const r of rows) console.log(`${r[0]!.padEnd(56)} ${r[1]!.padStart(8)} ${r[2]!.padStart(9)} ${r[3]!.padStart(12)}  ${r[4]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
function bundleCli(): string {
  const dir = join(REPO, 'node_modules', '.cache', 'yinjian-bench-verify');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'index.js');
  execFileSync(join(REPO, 'node_modules', '.bin', 'esbuild'), [
    join(REPO, 'src', 'main', 'cli', 'index.ts'),
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

export async function benchVerify(): Promise<void> {
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

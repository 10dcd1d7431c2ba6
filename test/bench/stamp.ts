/**
 * Stamping benchmark. For PDFs of 1, 300 and 3000 pages (about 0.1, 30 and 300 MB: each page
 * carries ~100 KB of incompressible stream data) it prints the stamp time without the token
 * operation (the whole pipeline — gate, pdf.js text, incremental update, byte-range hash, file
 * written, fsynced and renamed, register rows — minus the time spent in signer.sign), the peak
 * RSS of a child process that stamps only that size, and the floor: hashing the file once with
 * SHA-256. Target: stamp ≤ 3 × floor + 100 ms, peak RSS ≤ file size + 200 MB.
 *
 * Peak RSS is the child's whole-process peak (getrusage maxRSS): runtime, register, the file
 * read into memory, pdf.js, everything. The child runs our code compiled once by esbuild with
 * the dependencies loaded as published (as the packaged app does), not through tsx: tsx
 * transforms pdf.js's 2 MB modules with source maps on the fly and alone adds ~300 MB of RSS
 * that the product never carries.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SealSigner } from '../../src/main/core/ports/signer';
import { stampFixture } from '../integration/stamp/fixture';
import { peakRssMb } from './measure';

/** `YINJIAN_BENCH_STAMP_SIZES=1,300` measures only those sizes (the 3000-page file takes minutes to build and stamp). */
const SIZES = (process.env.YINJIAN_BENCH_STAMP_SIZES ?? '1,300,3000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const PAGE_PAYLOAD = 100 * 1024;

/** A classic-xref PDF with `pages` pages, each with a text line and ~100 KB of stream data. */
export function syntheticPdf(pages: number): Uint8Array {
  const parts: Buffer[] = [];
  let length = 0;
  const offsets: number[] = [];
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    length += buf.length;
  };
  const object = (num: number, body: Buffer | string): void => {
    offsets[num] = length;
    push(`${num} 0 obj\n`);
    push(body);
    push('\nendobj\n');
  };
  push('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const pageNums = Array.from({ length: pages }, (_, i) => 4 + i * 3);
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, `<< /Type /Pages /Count ${pages} /Kids [${pageNums.map((n) => `${n} 0 R`).join(' ')}] >>`);
  object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (let i = 0; i < pages; i++) {
    const n = 4 + i * 3;
    object(n, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /X 0 0 R >> >> /Contents ${n + 1} 0 R >>`.replace('/X 0 0 R', `/X ${n + 2} 0 R`));
    const text = Buffer.from(`BT /F1 14 Tf 72 760 Td (Internal notice page ${i + 1}) Tj ET\n`, 'latin1');
    object(n + 1, Buffer.concat([Buffer.from(`<< /Length ${text.length} >>\nstream\n`), text, Buffer.from('\nendstream')]));
    const payload = randomBytes(PAGE_PAYLOAD);
    object(n + 2, Buffer.concat([Buffer.from(`<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${payload.length} >>\nstream\n`), payload, Buffer.from('\nendstream')]));
  }
  const size = 4 + pages * 3;
  const xref = length;
  let table = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
  for (let num = 1; num < size; num++) table += `${String(offsets[num]).padStart(10, '0')} 00000 n\r\n`;
  push(table);
  push(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

interface ChildResult {
  readonly pages: number;
  readonly bytes: number;
  readonly stampMs: number;
  readonly signMs: number;
  readonly hashMs: number;
  readonly peakRssMb: number;
  /** RSS after the warm-up, before the measured stamping (the runtime, pdf.js, the fixture's seal font). */
  readonly baselineRssMb: number;
  /**
   * The warm-up: a one-page file stamped first in a fresh process (pdf.js loaded, code compiled),
   * the cost a custodian pays for the first file of a session or a one-off `yinjian stamp`.
   */
  readonly firstMs: number;
}

/** Runs in a child process: stamps one file and reports its figures as one JSON line. */
async function child(pages: number, file: string): Promise<void> {
  // readFileSync already returns a Uint8Array (a Buffer); wrapping it in new Uint8Array would copy 300 MB.
  const input: Uint8Array = readFileSync(file);
  const t0 = performance.now();
  createHash('sha256').update(input).digest();
  const hashMs = performance.now() - t0;
  const fx = await stampFixture(() => new Date('2026-08-03T02:00:00.000Z'));
  try {
    const issued = await fx.issueSeal('YJ-BENCH-1');
    let signMs = 0;
    const timed: SealSigner = {
      algorithm: issued.key.signer.algorithm,
      publicKeySpki: issued.key.signer.publicKeySpki,
      async sign(data) {
        const s = performance.now();
        try {
          return await issued.key.signer.sign(data);
        } finally {
          signMs += performance.now() - s;
        }
      },
    };
    // Warm-up on a one-page file: loads pdf.js and compiles the pipeline, once per process.
    const warm = performance.now();
    await fx.pipeline.stamp(fx.request(issued.seal, syntheticPdf(1), 'warm-up.pdf'), issued.key);
    const firstMs = performance.now() - warm;
    const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;
    const start = performance.now();
    await fx.pipeline.stamp(fx.request(issued.seal, input, `bench-${pages}.pdf`), { ...issued.key, signer: timed });
    const total = performance.now() - start;
    const result: ChildResult = { pages, bytes: input.length, stampMs: total - signMs, signMs, hashMs, peakRssMb: peakRssMb(), baselineRssMb, firstMs };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    fx.dispose();
  }
}

/**
 * This file compiled to one ESM bundle, dependencies external. It lives under node_modules/.cache
 * so that the bundle's bare imports (pdf.js, pdf-lib, better-sqlite3) resolve as usual.
 */
function compiledChild(): string {
  const self = fileURLToPath(import.meta.url);
  const root = resolve(dirname(self), '../..');
  const out = join(root, 'node_modules', '.cache', 'yinjian-bench', 'stamp-child.mjs');
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [self, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', `--outfile=${out}`, '--log-level=warning'], { stdio: 'inherit' });
  return out;
}

export async function benchStamp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-stamp-'));
  const child = compiledChild();
  const rows: string[][] = [];
  try {
    for (const pages of SIZES) {
      const file = join(dir, `${pages}.pdf`);
      writeFileSync(file, syntheticPdf(pages));
      const run = spawnSync(process.execPath, [child, '--child', String(pages), file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !line.startsWith('{')) throw new Error(`bench child for ${pages} pages failed: ${run.stderr}`);
      const r = JSON.parse(line) as ChildResult;
      rmSync(file, { force: true });
      const mb = r.bytes / 1024 / 1024;
      const budgetMs = 3 * r.hashMs + 100;
      rows.push([
        String(pages),
        mb.toFixed(1),
        r.stampMs.toFixed(0),
        r.hashMs.toFixed(0),
        budgetMs.toFixed(0),
        r.stampMs <= budgetMs ? 'yes' : 'NO',
        r.signMs.toFixed(1),
        r.firstMs.toFixed(0),
        r.baselineRssMb.toFixed(0),
        r.peakRssMb.toFixed(0),
        (mb + 200).toFixed(0),
        r.peakRssMb <= mb + 200 ? 'yes' : 'NO',
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['pages', 'MB', 'stamp ms (no token)', 'SHA-256 ms (floor)', '3×floor+100', 'within', 'sign ms', 'first file ms (cold, 1 p.)', 'RSS before MB', 'peak RSS MB (process)', 'size+200', 'within'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log('stamp benchmark (software signer; the token operation excluded)');
  console.log(fmt(header));
  for (const row of rows) console.log(fmt(row));
}

if (process.argv[2] === '--child') {
  await child(Number(process.argv[3]), process.argv[4] as string);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchStamp();
}

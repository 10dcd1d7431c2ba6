/**
 * U2 gate benchmark (issue 13), side by side with the gate it replaced (text layer of the
 * first three pages only):
 *
 * 1. A 300-page text PDF (a notice in the shipped CJK font on every page): stamping time with
 *    the every-page gate, the gate alone, and the old gate's work (3 pages), CPU of this
 *    process. The gate alone is measured on the document as the pipeline hands it to the gate
 *    (opened, trap-checked, its page list walked: that parsing is stamping's with any gate).
 *    Budget: the gate adds ≤ 20 % to stamping.
 * 1b. The same, whole processes as a user runs them: the compiled `yinjian stamp` (the bin itself,
 *    its shebang's Node options included) on a SoftHSM2
 *    key, today's build against a build of today's source with the gate as it was before issue
 *    13 (test/bench/gate-before-13.ts in place of core/policy/page-gate.ts), alternating,
 *    median of YINJIAN_BENCH_GATE_CLI_RUNS (15) each: these machines' speed drifts by ±15 %
 *    from one process to the next, and a median of 7 moved by as much as the budget.
 * 2. One A4 page scanned at 300 dpi (2480 × 3508 px, image only): render + OCR time, and the
 *    process's peak RSS above its baseline (tesseract's worker thread included). Budget
 *    ≤ 4 s a page, ≤ 400 MB.
 * 3. A 50-page scan: progress reported page by page, stopped after a few pages (AbortSignal):
 *    time a page, latency from stop to the gate's return.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript build config without type declarations
import { buildCli } from '../../esbuild.config.mjs';
import { assertNoInputTraps } from '../../src/main/core/stamp/input-suspect';
import { pagesOf } from '../../src/main/core/stamp/page-list';
import { provisionOffice } from '../helpers/office';
import { cpuMs, median, peakRssMb } from './measure';
import { PDFDocument } from 'pdf-lib';
import { PdfDocument } from '../../src/main/core/pdf/index';
import { classifyDocumentText } from '../../src/main/core/policy/document-type';
import type { PageText } from '../../src/main/core/policy/document-text';
import { gateDocumentText, type GatePageSource } from '../../src/main/core/policy/page-gate';
import { contentPageText } from '../../src/main/core/policy/content-text';
import { textLayerFacts } from '../../src/main/core/policy/text-layer';
import type { SealSigner } from '../../src/main/core/ports/signer';
import { PdfJsTextReader } from '../../src/main/infra/stamp/pdfjs-text';
import { YinjianError } from '../../src/shared/errors/index';
import { scanImage } from '../helpers/gate-documents';
import { NOTICE, makePdf, stampFixture } from '../integration/stamp/fixture';

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/**
 * The gate's page source as the pipeline builds it: our content-stream reader first, pdf.js
 * where it cannot decode (`pdfjsOnly`: pdf.js on every page, the previous session's gate).
 */
async function gateSource(bytes: Uint8Array, pdfjsOnly = false): Promise<{ source: GatePageSource; close: () => Promise<void> }> {
  const document = PdfDocument.open(bytes);
  // What the pipeline did to the document before its gate runs (pipeline.ts): every object the
  // catalog reaches parsed by the trap check, the page list walked.
  assertNoInputTraps(document);
  pagesOf(document);
  const text = await new PdfJsTextReader().open(bytes, document);
  return {
    source: {
      pageCount: text.pageCount,
      layer: async (i) => (pdfjsOnly ? undefined : contentPageText(document, i)) ?? text.page(i),
      facts: (i) => textLayerFacts(document, i),
      ...(text.ocr ? { ocr: text.ocr } : {}),
    },
    close: () => text.close(),
  };
}

async function textPdf300(): Promise<void> {
  const pdf = await makePdf(Array.from({ length: 300 }, () => NOTICE));
  const fx = await stampFixture();
  try {
    const seal = await fx.issueSeal('YJ-BENCH-GATE');
    // The token's own time is not the gate's concern: a software signer, timed out of the total.
    let signing = 0;
    const signer: SealSigner = { ...seal.key.signer, sign: async (data) => { const t = performance.now(); const s = await seal.key.signer.sign(data); signing += performance.now() - t; return s; } };
    const key = { ...seal.key, signer };
    // CPU time of this process (pdf.js's fake worker runs in it): with six other engineers on
    // two cores, wall time measures the neighbours as much as the gate. Runs are interleaved.
    const stampTimes: number[] = [];
    const stampWall: number[] = [];
    const gateWall: number[] = [];
    const gateTimes: number[] = [];
    const pdfjsTimes: number[] = [];
    const oldTimes: number[] = [];
    const runs = Number(process.env['YINJIAN_BENCH_GATE_RUNS'] ?? 5);
    for (let i = 0; i < runs; i++) {
      signing = 0;
      let t = cpuMs();
      const wall = performance.now();
      await fx.pipeline.stamp(fx.request(seal.seal, pdf, `bench-${i}.pdf`), key);
      stampTimes.push(cpuMs() - t);
      stampWall.push(performance.now() - wall - signing);
      let { source, close } = await gateSource(pdf);
      t = cpuMs();
      const gateStart = performance.now();
      await gateDocumentText(source);
      gateTimes.push(cpuMs() - t);
      gateWall.push(performance.now() - gateStart);
      await close();
      ({ source, close } = await gateSource(pdf, true));
      t = cpuMs();
      await gateDocumentText(source);
      pdfjsTimes.push(cpuMs() - t);
      await close();
      ({ source, close } = await gateSource(pdf));
      t = cpuMs();
      const pages = [];
      for (let p = 0; p < 3; p++) pages.push(await source.layer(p));
      classifyDocumentText(pages);
      oldTimes.push(cpuMs() - t);
      await close();
    }
    const stamp = median(stampTimes);
    const gate = median(gateTimes);
    const old = median(oldTimes);
    const pdfjs = median(pdfjsTimes);
    const before = stamp - gate + old;
    const withPdfjs = before - old + pdfjs;
    console.log(`\nU2 gate, 300-page text PDF (${mb(pdf.length)} MB, CJK notice on every page), CPU ms, median of ${runs} interleaved runs`);
    console.log('gate                                   gate alone   stamping   added to stamping without the every-page gate');
    console.log(`before issue 13 (3 pages)              ${old.toFixed(0).padStart(10)} ${before.toFixed(0).padStart(10)}   (reference: stamping now − gate now + this)`);
    console.log(`every page, pdf.js (previous session)  ${pdfjs.toFixed(0).padStart(10)} ${withPdfjs.toFixed(0).padStart(10)}   ${(((withPdfjs - before) / before) * 100).toFixed(1).padStart(6)} %`);
    console.log(`every page, content reader (now)       ${gate.toFixed(0).padStart(10)} ${stamp.toFixed(0).padStart(10)}   ${(((stamp - before) / before) * 100).toFixed(1).padStart(6)} % (stamping measured)`);
    const wallStamp = median(stampWall);
    const wallGate = median(gateWall);
    console.log(`wall time (neighbours included), median: stamping ${wallStamp.toFixed(0)} ms, gate alone ${wallGate.toFixed(0)} ms, gate's share ${((wallGate / (wallStamp - wallGate)) * 100).toFixed(1)} % of the rest of stamping; load average ${loadavg()[0]?.toFixed(1)}`);
  } finally {
    fx.dispose();
  }
}

async function scanPages(pages: number, png: Buffer): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedPng(png);
  for (let i = 0; i < pages; i++) pdf.addPage([595.28, 841.89]).drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  return pdf.save({ useObjectStreams: false });
}

async function scan300dpi(png: Buffer): Promise<void> {
  const pdf = await scanPages(1, png);
  console.log(`\nU2 gate, one A4 page scanned at 300 dpi (image only, ${mb(pdf.length)} MB PDF)`);
  console.log('run   render+OCR ms (wall)   CPU s (process, worker thread included)   RSS now MB   peak RSS above baseline MB');
  const baseline = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  for (let run = 1; run <= 3; run++) {
    const { source, close } = await gateSource(pdf);
    const t = performance.now();
    const cpu = process.cpuUsage();
    await gateDocumentText(source).catch((e: unknown) => (e instanceof YinjianError ? e.code : Promise.reject(e)));
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(`${String(run).padStart(3)} ${ms.toFixed(0).padStart(22)} ${((used.user + used.system) / 1e6).toFixed(1).padStart(30)} ${mb(process.memoryUsage().rss).padStart(22)} ${mb(Math.max(0, peak - Math.max(baseline, peakBefore))).padStart(20)}`);
    await close();
  }
  console.log('(run 1 includes starting the OCR worker and loading the three models; each document starts its own)');
}

async function scan50(png: Buffer): Promise<void> {
  const pdf = await scanPages(50, png);
  const { source, close } = await gateSource(pdf);
  // VmHWM: meaningful when this part runs alone (YINJIAN_BENCH_GATE=scan50), the high-water mark being the process's.
  const baseline = process.memoryUsage().rss / 1024 / 1024;
  const peakBefore = peakRssMb();
  const controller = new AbortController();
  const stopAfter = Number(process.env['YINJIAN_BENCH_GATE_STOP_AFTER'] ?? 4);
  const marks: { page: number; at: number }[] = [];
  const t0 = performance.now();
  let stopAt = 0;
  let code = 'finished';
  try {
    await gateDocumentText(source, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.current !== undefined) marks.push({ page: p.current, at: performance.now() - t0 });
        if (p.ocrDone >= stopAfter && !controller.signal.aborted) {
          stopAt = performance.now();
          controller.abort();
        }
      },
    });
  } catch (error) {
    code = error instanceof YinjianError ? error.code : String(error);
  }
  const end = performance.now();
  await close();
  const perPage = marks.slice(1).map((m, i) => m.at - (marks[i] as { at: number }).at);
  console.log(`\nU2 gate, 50-page scan (same 300 dpi page 50 times), stop after ${stopAfter} pages`);
  console.log(`progress events: ${marks.map((m) => `p${m.page}@${(m.at / 1000).toFixed(1)}s`).join(' ')}`);
  console.log(`per page after the first: ${perPage.map((v) => (v / 1000).toFixed(2)).join(', ')} s (median ${(median(perPage) / 1000).toFixed(2)}); result ${code}; stop → return ${stopAt ? (end - stopAt).toFixed(0) : '-'} ms`);
  const peak = peakRssMb();
  console.log(`peak RSS above the baseline before the scan (tsx process): ${peak > peakBefore ? `${(peak - baseline).toFixed(0)} MB` : `not above the earlier high-water mark (${peakBefore.toFixed(0)} MB)`}; load average ${loadavg()[0]?.toFixed(1)}`);
}

/**
 * One `BIN ARGS` under /usr/bin/time, the built bin run as `yinjian` runs (its shebang, with
 * its Node options): wall ms, CPU ms (user + system, children included), peak RSS MB.
 */
function processRun(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, stdin: string): { wall: number; cpu: number; rss: number } {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', bin, ...args], { encoding: 'utf8', env, input: stdin, maxBuffer: 1 << 26 });
  const wall = performance.now() - start;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [user, system, kb] = (/([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr) ?? []).slice(1).map(Number);
  return { wall, cpu: ((user ?? NaN) + (system ?? NaN)) * 1000, rss: (kb ?? NaN) / 1024 };
}

/**
 * 1b: `yinjian stamp` of the 300-page notice, whole processes (Node's start, the key, the
 * register, the gate, the signature, the file written), today's CLI against the same source
 * built with the gate before issue 13. Both builds are made here, into a temp folder.
 */
async function cliTextPdf300(): Promise<void> {
  const runs = Number(process.env['YINJIAN_BENCH_GATE_CLI_RUNS'] ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-gate-'));
  const builds = fileURLToPath(new URL(`../../out/bench-gate-${process.pid}`, import.meta.url));
  const beforeModule = fileURLToPath(new URL('./gate-before-13.ts', import.meta.url));
  const swapGate = {
    name: 'gate-before-issue-13',
    setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { importer: string }) => { path: string } | undefined): void }): void {
      build.onResolve({ filter: /[\\/]policy[\\/]page-gate$|^\.\/page-gate$/ }, (args) => (args.importer.includes(join('src', 'main')) ? { path: beforeModule } : undefined));
    },
  };
  const office = await provisionOffice();
  try {
    const build = buildCli as (options?: { outDir?: string; plugins?: unknown[] }) => Promise<string>;
    // Inside the repository (out/ is ignored): the builds load pdf.js, SQLite and pkcs11js from node_modules.
    const now = await build({ outDir: join(builds, 'now') });
    const before = await build({ outDir: join(builds, 'before-13'), plugins: [swapGate] });
    const input = join(dir, 'notice-300.pdf');
    writeFileSync(input, await makePdf(Array.from({ length: 300 }, () => NOTICE)));
    const env = { ...office.env, YINJIAN_DATA_DIR: office.workstationDir };
    const stamp = (bin: string, i: number, tag: string): { wall: number; cpu: number; rss: number } =>
      processRun(
        bin,
        ['stamp', input, '--out', join(dir, `stamped-${tag}-${i}.pdf`), '--type', 'internal-document', '--approval', `BENCH-GATE-${tag}-${i}`, '--approver', '孙主任', '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin'],
        env,
        `${office.seal.pin}\n`,
      );
    const a: ReturnType<typeof stamp>[] = [];
    const b: ReturnType<typeof stamp>[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(stamp(before, i, 'before'));
      b.push(stamp(now, i, 'now'));
    }
    const row = (name: string, m: ReturnType<typeof stamp>[]): { wall: number; cpu: number; rss: number } => {
      const r = { wall: median(m.map((x) => x.wall)), cpu: median(m.map((x) => x.cpu)), rss: Math.max(...m.map((x) => x.rss)) };
      console.log(`${name.padEnd(38)} ${r.wall.toFixed(0).padStart(8)} ${r.cpu.toFixed(0).padStart(10)} ${r.rss.toFixed(0).padStart(8)}`);
      return r;
    };
    console.log(`\nU2 gate, whole process: \`yinjian stamp\` of the 300-page text PDF on a SoftHSM2 key (compiled CLI, PIN on stdin), median of ${runs} alternating runs`);
    console.log('gate                                    wall ms     CPU ms  peak MB');
    const old = row('before issue 13 (3 pages)', a);
    const cur = row('every page (now)', b);
    const pct = (x: number, y: number): string => `${x - y >= 0 ? '+' : ''}${(x - y).toFixed(0)} ms (${(((x - y) / y) * 100).toFixed(1)} %)`;
    console.log(`added by the every-page gate: wall ${pct(cur.wall, old.wall)}, CPU ${pct(cur.cpu, old.cpu)}; load average ${loadavg()[0]?.toFixed(1)}`);
  } finally {
    office.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(builds, { recursive: true, force: true });
  }
}

/** YINJIAN_BENCH_GATE=text,cli,scan,scan50,classifier picks parts (default all). */
/**
 * 4. The classifier alone (classifyDocumentText) on 300 pages of text already read, Chinese and
 * English (issue 13's English titles and forms are read word by word): CPU ms. Every page's lines
 * differ, as a real document's do, so the normal-form caches do not flatter it.
 */
function classifier300(): void {
  const box = { x: 0, y: 0, width: 595, height: 842 };
  const pageOf = (pageIndex: number, lines: readonly (readonly [string, number])[]): PageText => {
    let y = 800;
    const runs = lines.map(([text, fontSize]) => ({ text, x: 72, y: (y -= fontSize * 1.5), width: text.length * fontSize * 0.6, fontSize }));
    return { pageIndex, box, runs };
  };
  const chinese = NOTICE.map((l) => [l.text, l.size] as const);
  const english = [
    ['Notice on Strengthening Contract Management', 20],
    ['To all departments:', 12],
    ...Array.from({ length: 40 }, (_, i) => [['The agreement signed last year with the buyer remains in force.', 'Buyer shall pay within ten days of delivery of the contract goods.', 'Contract management is the duty of every department and each agent'][i % 3] as string, 12] as const),
  ] as const;
  console.log('\nU2 classifier alone (classifyDocumentText), 300 pages of text, CPU ms, median of 9');
  for (const [name, lines] of [['Chinese notice, 8 lines a page', chinese], ['English notice, 42 lines a page', english]] as const) {
    const times: number[] = [];
    for (let r = 0; r < 9; r++) {
      const pages = Array.from({ length: 300 }, (_, p) => pageOf(p, lines.map(([text, size], i) => [i === 0 ? text : `${text} (${p})`, size] as const)));
      const t = cpuMs();
      const verdict = classifyDocumentText(pages);
      times.push(cpuMs() - t);
      if (verdict.forbidden) throw new Error(`the classifier refused the ${name}: ${JSON.stringify(verdict)}`);
    }
    console.log(`${name.padEnd(34)} ${median(times).toFixed(1).padStart(8)}`);
  }
}

export async function benchGate(): Promise<void> {
  const parts = (process.env['YINJIAN_BENCH_GATE'] ?? 'text,cli,scan,scan50,classifier').split(',');
  if (parts.includes('classifier')) classifier300();
  if (parts.includes('text')) await textPdf300();
  if (parts.includes('cli')) await cliTextPdf300();
  const png = await scanImage(await makePdf([NOTICE]), 0, { dpi: 300 });
  if (parts.includes('scan')) await scan300dpi(png);
  if (parts.includes('scan50')) await scan50(png);
}

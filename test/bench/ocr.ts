/**
 * OCR benchmark (issue 13): `npm run bench -- ocr`. Budgets: a scanned A4 page at 300 dpi in at
 * most 4 s a page, at most 400 MB above the app's baseline; a 50-page scan runs with progress and
 * can be stopped.
 *
 * Everything runs as the user runs it: in a child process of its own (this file compiled once by
 * esbuild, dependencies as published, as the packaged app loads them, not through tsx, which alone
 * adds ~300 MB of RSS), through the window's U2 check (app/document-check.ts: the same gate
 * stamping applies, pushing `ocr.progress` events and honouring `stop()`).
 *
 * 1. One scanned page (300 dpi image, A4): a sparse notice and a dense page of body text
 *    (24 lines of 14 pt). Per document: CPU seconds of the whole process (the OCR worker thread
 *    included) and wall time, first document (worker start, models loaded) and the following
 *    ones (median). Side by side, in its own child, the gate as first landed (a new worker per
 *    document, a PNG handed over, tesseract's defaults): the anchor of the ratio.
 *    Peak RSS (VmHWM) above the process's baseline (after a text-only check: runtime, pdf.js).
 * 2. A 50-page scan (distinct pages, an allowed document, so every page is read): progress events
 *    page k of 50, s/page median, then the same document checked again and stopped after
 *    YINJIAN_BENCH_OCR_STOP_AFTER pages (default 5): the page the stop landed on and the time from
 *    stop() to the check's answer (`cancelled`), then a check after the stop (the worker restarts).
 *
 * YINJIAN_BENCH_OCR=page,scan50 picks parts; YINJIAN_BENCH_OCR_RUNS documents per figure (default 5);
 * YINJIAN_BENCH_OCR_FORMAT how the scans store their images (test/helpers/gate-documents.ts,
 * ScanFormat): `png` (default: 8-bit samples, Flate with PNG predictors), `jpeg` (DCTDecode, RGB,
 * quality 80, as office scanners write colour and grey scans), `progressive` (a progressive
 * JPEG, YCbCr 4:2:0, libjpeg's progression: our decoder reads it from its coefficients), `cmyk`
 * (an Adobe CMYK JPEG, inverted, /Decode [1 0 …]: drawn by pdf.js), `bilevel` (1 bit a pixel,
 * Flate) or `ccitt` (the same bits as CCITT G4, as black-and-white scanners write them; needs
 * MuPDF's `mutool` to encode them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createAppEvents } from '../../src/main/app/events';
import { createDocumentCheck } from '../../src/main/app/document-check';
import { PdfDocument } from '../../src/main/core/pdf/index';
import { renderPage } from '../../src/main/infra/ocr/page-render';
import { closeSharedOcr, modelFile, OCR_LANGUAGES } from '../../src/main/infra/ocr/tesseract-ocr';
import { imagePdf, scanImage, type ScanFormat } from '../helpers/gate-documents';
import { NOTICE, makePdf, type TextLineSpec } from '../integration/stamp/fixture';
import { cpuMs, median, peakRssMb } from './measure';

const BODY = [
  '根据集团年度工作安排，为进一步规范各部门用款计划的编制和报送，',
  '加强资金管理，提高资金使用效率，现将有关事项通知如下：',
  '一、各部门应于每月五日前报送下月用款计划，逾期不予安排资金。',
  '二、用款计划须经部门负责人审核签字后报财务部汇总。',
  '三、计划外用款须另行报批，并说明原因及资金来源。',
  '四、财务部按月汇总各部门执行情况，报集团领导审阅。',
  '五、各部门应严格按照批准的计划使用资金，不得挪作他用。',
  '六、本通知自印发之日起施行，原有规定与本通知不一致的，',
  '以本通知为准。各部门在执行中遇到的问题，请及时向财务部反映。',
];
/** A dense page: 24 lines of 14 pt body text, as a scanned notice page carries. */
export const DENSE: TextLineSpec[] = [{ text: '关于规范用款计划报送工作的通知', size: 20 }, ...Array.from({ length: 23 }, (_, i) => ({ text: BODY[i % BODY.length] as string, size: 14 }))];

const A_NOTICE: TextLineSpec[] = NOTICE.map((l) => ({ ...l, size: Math.max(l.size, 16) }));
const L = (text: string, size = 16): TextLineSpec => ({ text, size });
const MANAGEMENT: TextLineSpec[] = [L('关于加强合同管理工作的通知', 22), L('各部门：'), L('为规范合同签订和履行，现就有关事项通知如下：'), L('一、合同须经法务部审核后方可签订。'), L('二、买方和卖方的称谓应与营业执照一致。'), L('特此通知。')];
const LETTER: TextLineSpec[] = [L('关于商请协助开展安全检查的函', 22), L('集团各子公司：'), L('根据年度工作安排，集团将于九月开展安全检查，请予协助。'), L('集团办公室')];

interface PageFigures {
  readonly mode: string;
  readonly outcomes: string[];
  readonly cpuMs: number[];
  readonly wallMs: number[];
  readonly baselineMb: number;
  readonly peakMb: number;
}

/** In the child: the window's check on `file` (one scanned page), `runs` documents in a row. */
async function childPage(file: string, runs: number): Promise<PageFigures> {
  const check = createDocumentCheck({ register: () => undefined });
  // Baseline: the runtime with pdf.js loaded (a text page checked), no OCR yet.
  await check.check({ name: 'warm-up.pdf', path: undefined, bytes: await makePdf([NOTICE]) });
  const baselineMb = process.memoryUsage().rss / 1024 / 1024;
  const bytes = readFileSync(file);
  const figures: PageFigures = { mode: 'now', outcomes: [], cpuMs: [], wallMs: [], baselineMb, peakMb: 0 };
  for (let i = 0; i < runs; i++) {
    const c = cpuMs();
    const t = performance.now();
    const result = await check.check({ name: `scan-${i}.pdf`, path: undefined, bytes });
    figures.cpuMs.push(cpuMs() - c);
    figures.wallMs.push(performance.now() - t);
    figures.outcomes.push(result.outcome);
  }
  await closeSharedOcr();
  return { ...figures, peakMb: peakRssMb() };
}

/**
 * In the child: the gate's OCR as first landed (the anchor): a new tesseract worker for every
 * document, the page rendered at 200 dpi and handed over as PNG, tesseract's default variables.
 */
async function childPageBefore(file: string, runs: number): Promise<PageFigures> {
  const check = createDocumentCheck({ register: () => undefined });
  await check.check({ name: 'warm-up.pdf', path: undefined, bytes: await makePdf([NOTICE]) });
  const baselineMb = process.memoryUsage().rss / 1024 / 1024;
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-ocr-'));
  for (const code of OCR_LANGUAGES) symlinkSync(modelFile(code), join(dir, `${code}.traineddata.gz`));
  const tesseract = (await import('tesseract.js')) as unknown as {
    createWorker(langs: string, oem: number, options: object): Promise<{ recognize(image: Buffer, o: object, out: object): Promise<{ data: { confidence: number } }>; terminate(): Promise<unknown> }>;
  };
  const document = PdfDocument.open(readFileSync(file));
  const figures: PageFigures = { mode: 'before', outcomes: [], cpuMs: [], wallMs: [], baselineMb, peakMb: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const c = cpuMs();
      const t = performance.now();
      const rendered = await renderPage(document, 0, 200, 'png');
      const worker = await tesseract.createWorker(OCR_LANGUAGES.join('+'), 1, { langPath: dir, cachePath: dir, cacheMethod: 'none', gzip: true, logger: () => undefined, errorHandler: () => undefined });
      const { data } = await worker.recognize(rendered.image, {}, { text: true, blocks: true });
      await worker.terminate();
      figures.cpuMs.push(cpuMs() - c);
      figures.wallMs.push(performance.now() - t);
      figures.outcomes.push(`conf ${Math.round(data.confidence)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...figures, peakMb: peakRssMb() };
}

interface Scan50Figures {
  readonly pages: number;
  readonly full: { outcome: string; events: { done: number; total: number; current?: string; at: number }[]; cpuMs: number; wallMs: number };
  readonly stopped: { outcome: string; stopAfter: number; lastCurrent?: string; stopToAnswerMs: number; pagesAfterStop: number };
  readonly after: { outcome: string; wallMs: number };
  readonly baselineMb: number;
  /** Peak RSS once the 50 pages were read (VmHWM then), before the stopped check. */
  readonly peakFullMb: number;
  readonly peakMb: number;
}

/** In the child: the 50-page scan through the window's check, to the end, then stopped. */
async function childScan50(file: string, stopAfter: number, afterFile: string): Promise<Scan50Figures> {
  const events = createAppEvents();
  const check = createDocumentCheck({ register: () => undefined, events });
  await check.check({ name: 'warm-up.pdf', path: undefined, bytes: await makePdf([NOTICE]) });
  const baselineMb = process.memoryUsage().rss / 1024 / 1024;
  const bytes = readFileSync(file);
  let t0 = performance.now();
  let log: { done: number; total: number; current?: string; at: number }[] = [];
  let onProgress: ((p: { done: number; total: number; current?: string }) => void) | undefined;
  events.subscribe((message) => {
    if (message.event !== 'ocr.progress') return;
    const p = message.payload as { done: number; total: number; current?: string };
    log.push({ done: p.done, total: p.total, ...(p.current !== undefined ? { current: p.current } : {}), at: performance.now() - t0 });
    onProgress?.(p);
  });
  const c = cpuMs();
  const full = await check.check({ name: 'scan-50.pdf', path: undefined, bytes });
  const fullFigures = { outcome: full.outcome, events: log, cpuMs: cpuMs() - c, wallMs: performance.now() - t0 };
  const peakFullMb = peakRssMb();

  log = [];
  t0 = performance.now();
  let stopAt = 0;
  let doneAtStop = 0;
  onProgress = (p) => {
    if (stopAt === 0 && p.done >= stopAfter) {
      stopAt = performance.now();
      doneAtStop = p.done;
      check.stop();
    }
  };
  const stopped = await check.check({ name: 'scan-50.pdf', path: undefined, bytes });
  const answered = performance.now();
  onProgress = undefined;
  const lastDone = Math.max(0, ...log.map((e) => e.done));
  const stoppedFigures = { outcome: stopped.outcome, stopAfter: doneAtStop, ...(log.at(-1)?.current !== undefined ? { lastCurrent: log.at(-1)?.current as string } : {}), stopToAnswerMs: answered - stopAt, pagesAfterStop: lastDone - doneAtStop };

  // A check after a stop: the worker was ended, the next one starts afresh.
  // Made by the parent: drawing a 300 dpi scan here (canvases of 35 MB) would count in this process's peak.
  const one = readFileSync(afterFile);
  const t = performance.now();
  const after = await check.check({ name: 'after-stop.pdf', path: undefined, bytes: one });
  const afterFigures = { outcome: after.outcome, wallMs: performance.now() - t };
  await closeSharedOcr();
  return { pages: full.outcome === 'allowed' ? full.pages : 0, full: fullFigures, stopped: stoppedFigures, after: afterFigures, baselineMb, peakFullMb, peakMb: peakRssMb() };
}

/**
 * This file compiled to one ESM bundle (dependencies external), under node_modules/.cache so its
 * imports resolve; named by this process's id (worktrees share node_modules: another bench run
 * must not overwrite the child this one runs), removed at the end.
 */
function compiledChild(): string {
  const self = fileURLToPath(import.meta.url);
  const root = resolve(dirname(self), '../..');
  const out = join(root, 'node_modules', '.cache', 'yinjian-bench', `ocr-child-${process.pid}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [self, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', `--outfile=${out}`, '--log-level=warning'], { stdio: 'inherit' });
  return out;
}

function runChild<T>(child: string, args: readonly string[]): T {
  const run = spawnSync(process.execPath, [child, '--child', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`bench child ${args.join(' ')} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(line) as T;
}

const s = (ms: number): string => (ms / 1000).toFixed(2);

export async function benchOcr(): Promise<void> {
  const parts = (process.env['YINJIAN_BENCH_OCR'] ?? 'page,scan50').split(',');
  const runs = Number(process.env['YINJIAN_BENCH_OCR_RUNS'] ?? 5);
  const stopAfter = Number(process.env['YINJIAN_BENCH_OCR_STOP_AFTER'] ?? 5);
  const format = (process.env['YINJIAN_BENCH_OCR_FORMAT'] ?? 'png') as ScanFormat;
  if (!['png', 'jpeg', 'progressive', 'cmyk', 'bilevel', 'ccitt'].includes(format)) throw new Error(`YINJIAN_BENCH_OCR_FORMAT: png, jpeg, progressive, cmyk, bilevel or ccitt, not ${format}`);
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-ocr-'));
  const child = compiledChild();
  try {
    if (parts.includes('page')) {
      console.log(`\nOCR, one scanned A4 page (300 dpi image, stored as ${format}), ${runs} documents in a row per process; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      console.log('page     gate                              outcome    first doc CPU s  wall s   next docs CPU s (median)  wall s (median)   baseline MB  peak above baseline MB');
      for (const [name, lines] of [
        ['sparse', A_NOTICE],
        ['dense', DENSE],
      ] as const) {
        const file = join(dir, `${name}.pdf`);
        writeFileSync(file, await imagePdf([await scanImage(await makePdf([lines]), 0, { dpi: 300 })], { format }));
        // Interleaved: the anchor and the gate now, each in a fresh process.
        for (const mode of ['before', 'now'] as const) {
          const f = runChild<PageFigures>(child, [mode === 'now' ? 'page' : 'page-before', file, String(runs)]);
          const label = mode === 'now' ? 'now (one worker, PGM, tuned)' : 'as landed (worker per doc, PNG)';
          console.log(
            `${name.padEnd(8)} ${label.padEnd(33)} ${(f.outcomes[0] ?? '').padEnd(10)} ${s(f.cpuMs[0] ?? NaN).padStart(15)} ${s(f.wallMs[0] ?? NaN).padStart(7)} ${s(median(f.cpuMs.slice(1))).padStart(25)} ${s(median(f.wallMs.slice(1))).padStart(16)} ${f.baselineMb.toFixed(0).padStart(13)} ${(f.peakMb - f.baselineMb).toFixed(0).padStart(23)}`,
          );
        }
      }
      console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
    if (parts.includes('scan50')) {
      const sources = [A_NOTICE, DENSE, MANAGEMENT, LETTER, DENSE.slice(0, 12)];
      const images: Buffer[] = [];
      for (let i = 0; i < 50; i++) {
        const lines = sources[i % sources.length] as TextLineSpec[];
        images.push(await scanImage(await makePdf([lines]), 0, { dpi: 300, skew: ((i % 7) - 3) * 0.2, noise: 0.0001, seed: i + 1 }));
      }
      const file = join(dir, 'scan50.pdf');
      writeFileSync(file, await imagePdf(images, { format }));
      const afterFile = join(dir, 'after-stop.pdf');
      writeFileSync(afterFile, await imagePdf([await scanImage(await makePdf([A_NOTICE]), 0, { dpi: 300 })], { format }));
      const r = runChild<Scan50Figures>(child, ['scan50', file, String(stopAfter), afterFile]);
      const pageEvents = r.full.events.filter((e) => e.current !== undefined);
      const perPage = pageEvents.slice(1).map((e, i) => e.at - (pageEvents[i] as { at: number }).at);
      console.log(`\nOCR, a 50-page scan (300 dpi, stored as ${format}, ${(readFileSync(file).length / 1048576).toFixed(1)} MB, 5 allowed documents in turn, skew ±0.6°, specks) through the window's check, one process; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      console.log(`to the end: ${r.full.outcome}, ${r.full.events.length} ocr.progress events (first ${JSON.stringify(r.full.events[0])}, last ${JSON.stringify(r.full.events.at(-1))})`);
      console.log(`  pages ${pageEvents.map((e) => e.current).join(',')}`);
      console.log(`  ${s(r.full.wallMs)} s wall, ${s(r.full.cpuMs)} s CPU for 50 pages: ${s(r.full.cpuMs / 50)} s CPU a page; wall s/page median ${s(median(perPage))} (min ${s(Math.min(...perPage))}, max ${s(Math.max(...perPage))})`);
      console.log(`stopped: stop() after page ${r.stopped.stopAfter} of 50 → ${r.stopped.outcome} in ${r.stopped.stopToAnswerMs.toFixed(0)} ms; progress events after the stop: ${r.stopped.pagesAfterStop} pages`);
      console.log(`next check after the stop (1 page, worker restarted): ${r.after.outcome} in ${s(r.after.wallMs)} s`);
      console.log(`RSS: baseline ${r.baselineMb.toFixed(0)} MB; peak over the 50 pages ${r.peakFullMb.toFixed(0)} MB (${(r.peakFullMb - r.baselineMb).toFixed(0)} MB above baseline); peak over everything (the stopped check and the check after it included) ${r.peakMb.toFixed(0)} MB (${(r.peakMb - r.baselineMb).toFixed(0)} MB above baseline); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(child, { force: true });
  }
}

if (process.argv[2] === '--child') {
  const [mode, file, arg, extra] = process.argv.slice(3) as [string, string, string, string];
  const result = mode === 'page' ? await childPage(file, Number(arg)) : mode === 'page-before' ? await childPageBefore(file, Number(arg)) : await childScan50(file, Number(arg), extra);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // The anchor's pdf.js and any worker left: this process is done.
  process.exit(0);
}

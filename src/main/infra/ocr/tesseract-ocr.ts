/**
 * OCR for the document gate (U2): tesseract (the WebAssembly build of tesseract.js-core) in ONE
 * worker thread of our own, so recognition runs off the main thread, with the simplified
 * Chinese, traditional Chinese and English LSTM models shipped as npm packages
 * (@tesseract.js-data/chi_sim, chi_tra, eng).
 *
 * Fully offline: the models are read from node_modules (the packaged .traineddata.gz files,
 * gunzipped in the worker into tesseract's in-memory file system), the wasm core is
 * tesseract.js-core from node_modules, and nothing is written anywhere: no temp directory, no
 * cache, never a fetch (tesseract.js's own worker falls back to a CDN when a model is missing;
 * ours only knows the three files).
 *
 * Models: the "best_int" LSTM models (≈1.7 MB each, integer-quantised) rather than the 20 MB
 * float ones: several times faster, and they read printed titles and labels, all the gate needs.
 * LSTM only (OEM 1): no legacy engine data is loaded.
 *
 * Memory (issue 13's budget, 400 MB above the app's baseline for a scanned page): one worker
 * thread, one wasm heap, holding two tesseract engines (TessBaseAPI): chi_sim alone, and the
 * three models together (started on the first line or page that needs them). The engines take
 * turns, so the working memory of a page (images, layout, LSTM buffers: most of the heap) is
 * allocated once and reused; each engine keeps only its models. With tesseract.js each engine
 * needed its own worker (its worker script holds one engine): a second V8 isolate, a second
 * compiled core and a second heap grown to a full page's working set, ≈150 MB more
 * (`npm run bench -- ocr`). The model files are removed from the in-memory file system once
 * every engine that reads them has loaded them, and each page's results are cleared after it
 * is read. Measured (worker alone, one A4 page at 200 dpi): the wasm heap is 60 MB with chi_sim
 * alone, 150 MB once the three-model engine is loaded (in this core, built with the legacy
 * engine, each CJK model's engine takes 25–40 MB beyond its model; the LSTM-only core does not,
 * but reads differently: see corePath), and grows to 180 MB (Emscripten grows it by a fifth at
 * a time) on a page read whole by that engine; it never shrinks. The rest of the worker
 * (compiled core, its Liftoff code, the isolate) is ≈ 85 MB. An image posted to the worker is
 * kept by its in-memory file system as posted (canOwn), not copied again.
 *
 * Speed (issue 13's budget, 4 s a scanned page; figures from `npm run bench -- ocr`):
 * - One worker for the whole process (`acquireSharedOcr`), kept across pages AND documents:
 *   starting it and loading its models costs 1–2.5 s of CPU, as much as reading a page.
 *   It ends OCR_IDLE_MS after its last user let go (the CLI ends it at once, `closeSharedOcr`).
 * - chi_sim first, the three models only where needed. With the three loaded together tesseract
 *   tries every model on every CJK word it does not accept (nearly all: no dictionary), which
 *   costs 3.3× chi_sim alone on a dense page (6.4 s against 1.9 s of CPU). chi_sim reads most
 *   traditional characters as their simplified forms (報→报) and Latin letters as such, and
 *   says when it cannot: 買方 came out as 圈方 with confidence 11. So the page is read with
 *   chi_sim, and only its lines read with less than RETRY_BELOW_CONFIDENCE are cut out and read
 *   again by the engine holding all three models (the better reading kept); a page mostly in
 *   doubt is read again whole by that engine.
 * - No inverted-image retry (tessedit_do_invert 0: white-on-black text is not what seals are
 *   refused for, and the retry runs on every line read with low confidence), the image's
 *   resolution given (no estimate), only the line tree asked for (no text, hOCR, TSV or PDF).
 * - The page comes as a grey PGM cropped to its ink (page-render.ts): no PNG round trip.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { YinjianError } from '../../../shared/errors/index';
import { closeBeforeExit } from '../process/at-exit';

export const OCR_LANGUAGES = ['chi_sim', 'chi_tra', 'eng'] as const;

/** One line OCR read, in pixels of the image it was given. */
export interface OcrLine {
  readonly text: string;
  readonly confidence: number;
  readonly bbox: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };
}

export interface OcrImageResult {
  readonly lines: readonly OcrLine[];
  /** Mean word confidence, 0–100. */
  readonly confidence: number;
  readonly characters: number;
}

/** What the worker answers for one image: tesseract's lines and its mean word confidence. */
interface ThreadPage {
  readonly lines: readonly { text: string; confidence: number; bbox: OcrLine['bbox'] }[];
  readonly confidence: number;
}

const localRequire = createRequire(import.meta.url);

/** The packaged model file of `code` (gzipped traineddata). */
export function modelFile(code: string): string {
  return join(dirname(localRequire.resolve(`@tesseract.js-data/${code}/package.json`)), '4.0.0_best_int', `${code}.traineddata.gz`);
}

/**
 * The tesseract core this runtime can compile: relaxed SIMD (recent Chromium, so the app's
 * Electron), SIMD (Node 20), or plain wasm, tested with the same one-instruction modules
 * tesseract.js uses (wasm-feature-detect): compiling the 2.8 MB core to find out costs seconds.
 *
 * The full core (legacy engine compiled in, unused: OEM 1), not the "-lstm" one. It is the core
 * the gate was calibrated on: tesseract.js 7 passes a boolean where its core picker expects an
 * OEM, so it always loaded the full core. The LSTM-only core does not read the same: on the
 * integration test's turned, speckled contract scan the three models' page mean fell from 64
 * to 58 (below SCANNED_PAGE_UNREADABLE's 60). Its memory is the same within a few MB.
 */
function corePath(): string {
  const relaxedSimd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);
  const simd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  // The node typings have no WebAssembly global (it is in the DOM library).
  const { validate } = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  const build = validate(relaxedSimd) ? 'tesseract-core-relaxedsimd' : validate(simd) ? 'tesseract-core-simd' : 'tesseract-core';
  return localRequire.resolve(`tesseract.js-core/${build}.js`);
}

/** Spaces tesseract puts between CJK characters are not in the document: drop them. */
function joinCjk(text: string): string {
  return text.replace(/(?<=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])\s+(?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu, '').trim();
}

/** The shared worker ends this long after its last user let go. */
export const OCR_IDLE_MS = 30_000;

/** Tesseract variables set once on each engine (see the file's header for why). */
const ENGINE_PARAMETERS = {
  tessedit_do_invert: '0',
  // tesseract's own chatter ("Detected 45 diacritics") to the worker's /dev/null, not the user's terminal.
  debug_file: '/dev/null',
} as const;
/**
 * Page segmentation. The page: one uniform block of text (6, tesseract.js's default and the
 * gate's since it landed). Automatic segmentation (3) was tried: slower, and on a skewed,
 * speckled contract scan it read the title 房屋租赁合同 as 房屋租赁赁合后. A line read again: one
 * text line (7).
 */
const PSM_PAGE = '6';
const PSM_LINE = '7';

/** A line chi_sim reads with less confidence than this is read again with all three models. */
export const RETRY_BELOW_CONFIDENCE = 85;
/**
 * A page chi_sim reads with a mean confidence below this (a poor scan, skew, specks, another
 * script), or with more than MAX_LINE_RETRIES doubtful lines (or half its lines), is read again
 * whole with the three models, and that reading stands (the gate's reading before this split).
 * Measured: a skewed, speckled contract scan read by chi_sim alone had mean 76 and its title
 * as 房屋租赁赁合后 at 86; the three models read 房屋租赁合同.
 */
export const PAGE_RETRY_BELOW_CONFIDENCE = 88;
const MAX_LINE_RETRIES = 12;
/** White kept around a line cut out to be read again, as a share of its height. */
const LINE_PAD = 0.35;

export interface RecogniseOptions {
  readonly signal?: AbortSignal;
  /** The image's resolution, so tesseract does not estimate it. */
  readonly dpi?: number;
}

type Models = 'primary' | 'full';
const MODELS: Record<Models, string> = { primary: 'chi_sim', full: OCR_LANGUAGES.join('+') };

/**
 * The worker thread's code (CommonJS, run with `eval`, so no file of its own has to be found
 * next to a bundle). It loads the core, then answers `{ id, models, image, psm, dpi }` with
 * `{ id, page }` or `{ id, error }`, one image at a time in the order asked. An engine (a
 * TessBaseAPI of `workerData.engines[models]`) is started on its first image: its model files
 * are gunzipped into the in-memory file system first and removed once no engine still to
 * start reads them. OEM 1: LSTM only.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { gunzipSync } = require('node:zlib');
const { corePath, models, engines, parameters } = workerData;
// tesseract's own messages (unknown legacy parameters in the models' configs) are not the user's.
const core = require(corePath)({ print() {}, printErr() {}, TesseractProgress() {} });
const started = new Map();
const written = new Set();
function engine(M, name) {
  let api = started.get(name);
  if (api) return api;
  const langs = engines[name];
  for (const code of langs.split('+')) {
    if (written.has(code)) continue;
    M.FS.writeFile('/' + code + '.traineddata', gunzipSync(readFileSync(models[code])));
    written.add(code);
  }
  api = new M.TessBaseAPI();
  if (api.Init(null, langs, 1) !== 0) throw new Error('tesseract could not load ' + langs);
  for (const key of Object.keys(parameters)) api.SetVariable(key, parameters[key]);
  started.set(name, api);
  for (const code of [...written]) {
    const needed = Object.keys(engines).some((other) => !started.has(other) && engines[other].split('+').includes(code));
    if (!needed) {
      M.FS.unlink('/' + code + '.traineddata');
      written.delete(code);
    }
  }
  return api;
}
function linesOf(blocks) {
  const lines = [];
  for (const block of blocks || []) for (const paragraph of block.paragraphs || []) for (const line of paragraph.lines || []) lines.push({ text: line.text, confidence: line.confidence, bbox: line.bbox });
  return lines;
}
let queue = core;
parentPort.on('message', (job) => {
  queue = queue.then((M) => {
    try {
      const api = engine(M, job.models);
      // The file system keeps the posted image itself (canOwn), no copy of it.
      M.FS.writeFile('/input', job.image, { canOwn: true });
      try {
        api.SetVariable('tessedit_pageseg_mode', job.psm);
        api.SetVariable('user_defined_dpi', String(job.dpi));
        if (api.SetImageFile(1, 0) === 1) throw new Error('tesseract could not read the image');
      } finally {
        M.FS.unlink('/input');
      }
      api.Recognize(null);
      const page = { lines: linesOf(JSON.parse(api.GetJSONText()).blocks), confidence: api.MeanTextConf() };
      api.Clear();
      parentPort.postMessage({ id: job.id, page });
    } catch (error) {
      parentPort.postMessage({ id: job.id, error: String(error && error.message ? error.message : error) });
    }
    return M;
  });
});
`;

/** The worker thread: jobs posted in order, answered in order; ended by `terminate`. */
class OcrThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(page: ThreadPage): void; reject(error: Error): void }>();
  private next = 0;
  private ended: Error | undefined;

  constructor() {
    const models = Object.fromEntries(OCR_LANGUAGES.map((code) => [code, modelFile(code)]));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { corePath: corePath(), models, engines: MODELS, parameters: ENGINE_PARAMETERS } });
    this.worker.on('message', (message: { id: number; page?: ThreadPage; error?: string }) => {
      const job = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.page) job?.resolve(message.page);
      else job?.reject(new Error(message.error ?? 'OCR worker'));
    });
    this.worker.on('error', (error) => this.end(error));
    this.worker.on('exit', (code) => this.end(new Error(`OCR worker ended (${code})`)));
  }

  private end(error: Error): void {
    this.ended ??= error;
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }

  recognise(models: Models, image: Buffer, psm: string, dpi: number | undefined): Promise<ThreadPage> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.next++;
    return new Promise<ThreadPage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, models, image, psm, dpi: dpi === undefined ? 0 : Math.round(dpi) });
    });
  }

  async terminate(): Promise<void> {
    this.end(new Error('OCR worker stopped'));
    await this.worker.terminate();
  }
}

interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly offset: number;
  readonly data: Buffer;
}

/** The pixels of a binary PGM (P5, 8-bit), as page-render.ts writes them; undefined for anything else. */
function pgmOf(image: Buffer): GreyImage | undefined {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/u.exec(image.subarray(0, 40).toString('latin1'));
  if (!header) return undefined;
  const width = Number(header[1]);
  const height = Number(header[2]);
  const offset = header[0].length;
  return image.length >= offset + width * height ? { width, height, offset, data: image } : undefined;
}

/** The box `bbox` (padded, clamped) of `grey` as a PGM of its own, and where it sits. */
function cutLine(grey: GreyImage, bbox: OcrLine['bbox']): { image: Buffer; x: number; y: number } {
  const pad = Math.ceil((bbox.y1 - bbox.y0) * LINE_PAD) + 4;
  const x0 = Math.max(0, bbox.x0 - pad);
  const y0 = Math.max(0, bbox.y0 - pad);
  const x1 = Math.min(grey.width, bbox.x1 + pad);
  const y1 = Math.min(grey.height, bbox.y1 + pad);
  const w = Math.max(1, x1 - x0);
  const h = Math.max(1, y1 - y0);
  const header = Buffer.from(`P5\n${w} ${h}\n255\n`, 'latin1');
  const out = Buffer.alloc(header.length + w * h, 255);
  header.copy(out, 0);
  for (let y = 0; y < h && y0 + y < grey.height; y++) {
    const from = grey.offset + (y0 + y) * grey.width + x0;
    grey.data.copy(out, header.length + y * w, from, from + Math.min(w, grey.width - x0));
  }
  return { image: out, x: x0, y: y0 };
}

function linesOf(data: ThreadPage, dx = 0, dy = 0): { lines: OcrLine[]; characters: number } {
  const lines: OcrLine[] = [];
  let characters = 0;
  for (const line of data.lines) {
    characters += line.text.replace(/\s/gu, '').length;
    const text = joinCjk(line.text);
    const { x0, y0, x1, y1 } = line.bbox;
    if (text !== '') lines.push({ text, confidence: line.confidence, bbox: { x0: x0 + dx, y0: y0 + dy, x1: x1 + dx, y1: y1 + dy } });
  }
  return { lines, characters };
}

/** Mean line confidence weighted by characters read (tesseract's own mean is per word). */
function meanConfidence(lines: readonly OcrLine[]): number {
  let weight = 0;
  let sum = 0;
  for (const line of lines) {
    const n = line.text.replace(/\s/gu, '').length;
    weight += n;
    sum += n * line.confidence;
  }
  return weight === 0 ? 0 : sum / weight;
}

export class TesseractOcr {
  private thread: OcrThread | undefined;
  /** Counts stops and closes: a job whose worker ended under it by another's stop is retried. */
  private generation = 0;
  /** The worker being ended (a stop), until it has exited. */
  private ending: Promise<void> | undefined;

  /**
   * The worker, started when there is none. A worker still ending (stopped, its wasm heap of up
   * to 180 MB still mapped) is waited for first: a check right after a stop must not hold two
   * heaps at once (issue 13's memory budget: the 50-page bench's check after its stop peaked
   * at 454 MB above baseline while the 50 pages themselves peaked at 348).
   */
  private async start(): Promise<OcrThread> {
    while (this.ending && !this.thread) await this.ending;
    if (this.thread) return this.thread;
    try {
      this.thread = new OcrThread();
      return this.thread;
    } catch (error) {
      throw new YinjianError('DOCUMENT_TEXT_UNREADABLE', { detail: `OCR engine: ${error instanceof Error ? error.message : String(error)}` }, { cause: error });
    }
  }

  /**
   * Reads `image` (a PGM from page-render.ts, or PNG). A PGM is read with chi_sim first; the
   * lines it reads with less than RETRY_BELOW_CONFIDENCE are cut out and read again with the
   * three models together (traditional characters, English), the better reading kept; a page
   * with many such lines is read again whole. A PNG is read once with the three models.
   *
   * A stop terminates the workers (tesseract cannot be interrupted otherwise); the next page
   * or document starts new ones. A job that lost its worker to another caller's stop is run
   * again on the new worker.
   */
  async recognise(image: Buffer, options: RecogniseOptions | AbortSignal = {}): Promise<OcrImageResult> {
    const { signal, dpi } = options instanceof AbortSignal ? { signal: options, dpi: undefined } : options;
    for (let attempt = 0; ; attempt++) {
      const generation = this.generation;
      try {
        return await this.recogniseOnce(image, signal, dpi);
      } catch (error) {
        if (signal?.aborted || attempt > 0 || this.generation === generation) throw error;
      }
    }
  }

  private async recogniseOnce(image: Buffer, signal: AbortSignal | undefined, dpi: number | undefined): Promise<OcrImageResult> {
    const grey = pgmOf(image);
    if (!grey) {
      const { data } = await this.run('full', image, PSM_PAGE, signal, dpi);
      const { lines, characters } = linesOf(data);
      return { lines, confidence: data.confidence, characters };
    }
    const first = linesOf((await this.run('primary', image, PSM_PAGE, signal, dpi)).data);
    const doubtful = first.lines.map((line, i) => ({ line, i })).filter(({ line }) => line.confidence < RETRY_BELOW_CONFIDENCE);
    const firstConfidence = meanConfidence(first.lines);
    if (first.lines.length > 0 && firstConfidence >= PAGE_RETRY_BELOW_CONFIDENCE && doubtful.length === 0) return { lines: first.lines, confidence: firstConfidence, characters: first.characters };
    if (firstConfidence < PAGE_RETRY_BELOW_CONFIDENCE || doubtful.length > MAX_LINE_RETRIES || doubtful.length * 2 > first.lines.length + 1) {
      // The page's confidence as the gate calibrated it: tesseract's mean word confidence.
      const { data } = await this.run('full', image, PSM_PAGE, signal, dpi);
      const whole = linesOf(data);
      return { lines: whole.lines, confidence: data.confidence, characters: whole.characters };
    }
    const lines = [...first.lines];
    for (const { line, i } of doubtful) {
      const cut = cutLine(grey, line.bbox);
      const again = linesOf((await this.run('full', cut.image, PSM_LINE, signal, dpi)).data, cut.x, cut.y);
      const reread = again.lines.length === 0 ? undefined : { text: again.lines.map((l) => l.text).join(''), confidence: meanConfidence(again.lines) };
      if (reread && reread.confidence > line.confidence) lines[i] = { ...line, text: reread.text, confidence: reread.confidence };
    }
    let characters = 0;
    for (const line of lines) characters += line.text.replace(/\s/gu, '').length;
    return { lines, confidence: meanConfidence(lines), characters };
  }

  /** One tesseract job on the worker of `models`, raced against the stop. */
  private async run(models: Models, image: Buffer, psm: string, signal: AbortSignal | undefined, dpi: number | undefined): Promise<{ data: ThreadPage }> {
    if (signal?.aborted) throw new YinjianError('STAMP_BATCH_STOPPED', {});
    const thread = await this.start();
    if (signal?.aborted) throw new YinjianError('STAMP_BATCH_STOPPED', {});
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void this.close();
        reject(new YinjianError('STAMP_BATCH_STOPPED', {}));
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    // Nothing else may reject unobserved: the race below observes it only while it runs.
    aborted.catch(() => undefined);
    try {
      const recognised = thread.recognise(models, image, psm, dpi).catch((error: unknown) => {
        throw new YinjianError('DOCUMENT_TEXT_UNREADABLE', { detail: `OCR engine: ${error instanceof Error ? error.message : String(error)}` }, { cause: error });
      });
      // A stop terminates the worker under the running job: its own rejection is expected, not unhandled.
      recognised.catch(() => undefined);
      return { data: await Promise.race([recognised, aborted]) };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    this.generation++;
    if (!thread) return this.ending;
    const ending: Promise<void> = thread
      .terminate()
      .catch(() => undefined)
      .finally(() => {
        if (this.ending === ending) this.ending = undefined;
      });
    this.ending = ending;
    await ending;
  }
}

/** A use of the shared engine; `release` once the document is read. */
export interface OcrLease {
  readonly engine: TesseractOcr;
  release(): void;
}

let shared: TesseractOcr | undefined;
let leases = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * The process's OCR engine, shared by every document read in this process (thread): its
 * worker starts on the first page that needs OCR and ends OCR_IDLE_MS after the last lease
 * is released, or at `closeSharedOcr`.
 */
export function acquireSharedOcr(): OcrLease {
  if (!shared) {
    shared = new TesseractOcr();
    // A CLI process ends the engine as soon as its command is done (cli/process.ts).
    closeBeforeExit(closeSharedOcr);
  }
  const engine = shared;
  leases++;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  let released = false;
  return {
    engine,
    release() {
      if (released) return;
      released = true;
      leases--;
      if (leases > 0 || shared !== engine) return;
      idleTimer = setTimeout(() => {
        idleTimer = undefined;
        if (leases === 0 && shared === engine) void closeSharedOcr();
      }, OCR_IDLE_MS);
      // The timer alone never keeps a process alive (the worker thread does, until it fires).
      idleTimer.unref();
    },
  };
}

/** Ends the shared worker now (a CLI process before it exits, a test file's end). */
export async function closeSharedOcr(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const engine = shared;
  shared = undefined;
  await engine?.close();
}

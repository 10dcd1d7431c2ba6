/**
 * OCR for the document gate (U2): tesseract.js (WebAssembly tesseract in a worker thread, so
 * recognition runs off the main thread) with the simplified Chinese, traditional Chinese and
 * English LSTM models shipped as npm packages (@tesseract.js-data/chi_sim, chi_tra, eng).
 *
 * Fully offline: the models are read from node_modules (langPath is a local directory, never
 * the CDN tesseract.js falls back to), the wasm core is tesseract.js-core from node_modules,
 * and nothing is cached back (cacheMethod 'none'). tesseract.js looks for "<lang>.traineddata.gz"
 * in ONE directory while each package keeps its model in its own: a private temp directory
 * holds links to the three packaged files (a copy where links are not allowed), removed when
 * the engine is closed. The repository and the app's folder are never written.
 *
 * Models: the "best_int" LSTM models (≈1.7 MB each, integer-quantised) rather than the 20 MB
 * float ones: several times faster, well within the budget of 4 s a page, and they read printed
 * titles and labels, all the gate needs.
 */
import { copyFileSync, linkSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';

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

interface TesseractWorker {
  recognize(image: Buffer, options?: object, output?: object): Promise<{ data: TesseractPage }>;
  terminate(): Promise<unknown>;
}
interface TesseractPage {
  text: string;
  confidence: number;
  blocks: { paragraphs: { lines: { text: string; confidence: number; bbox: OcrLine['bbox'] }[] }[] }[] | null;
}

const localRequire = createRequire(import.meta.url);

/** The packaged model file of `code` (gzipped traineddata). */
export function modelFile(code: string): string {
  return join(dirname(localRequire.resolve(`@tesseract.js-data/${code}/package.json`)), '4.0.0_best_int', `${code}.traineddata.gz`);
}

function languageDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-ocr-'));
  for (const code of OCR_LANGUAGES) {
    const source = modelFile(code);
    const target = join(dir, `${code}.traineddata.gz`);
    try {
      symlinkSync(source, target);
    } catch {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
  return dir;
}

/** Spaces tesseract puts between CJK characters are not in the document: drop them. */
function joinCjk(text: string): string {
  return text.replace(/(?<=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])\s+(?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu, '').trim();
}

export class TesseractOcr {
  private worker: Promise<TesseractWorker> | undefined;
  private dir: string | undefined;

  private start(): Promise<TesseractWorker> {
    this.worker ??= (async () => {
      this.dir ??= languageDirectory();
      const tesseract = (await import('tesseract.js')) as unknown as {
        createWorker(langs: string, oem: number, options: object): Promise<TesseractWorker>;
        OEM: { LSTM_ONLY: number };
      };
      try {
        return await tesseract.createWorker(OCR_LANGUAGES.join('+'), tesseract.OEM.LSTM_ONLY, {
          langPath: this.dir,
          cachePath: this.dir,
          cacheMethod: 'none',
          gzip: true,
          logger: () => undefined,
          errorHandler: () => undefined,
        });
      } catch (error) {
        this.worker = undefined;
        throw new YinjianError('DOCUMENT_TEXT_UNREADABLE', { detail: `OCR engine: ${error instanceof Error ? error.message : String(error)}` }, { cause: error });
      }
    })();
    return this.worker;
  }

  /** Reads `image` (PNG). A stop terminates the worker (tesseract cannot be interrupted otherwise). */
  async recognise(image: Buffer, signal?: AbortSignal): Promise<OcrImageResult> {
    if (signal?.aborted) throw new YinjianError('STAMP_BATCH_STOPPED', {});
    const worker = await this.start();
    if (signal?.aborted) {
      await this.close();
      throw new YinjianError('STAMP_BATCH_STOPPED', {});
    }
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void this.close();
        reject(new YinjianError('STAMP_BATCH_STOPPED', {}));
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const recognised = worker.recognize(image, {}, { text: true, blocks: true });
      // A stop terminates the worker under the running job: its own rejection is expected, not unhandled.
      recognised.catch(() => undefined);
      const { data } = await Promise.race([recognised, aborted]);
      const lines: OcrLine[] = [];
      for (const block of data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            const text = joinCjk(line.text);
            if (text !== '') lines.push({ text, confidence: line.confidence, bbox: line.bbox });
          }
        }
      }
      return { lines, confidence: data.confidence, characters: data.text.replace(/\s/gu, '').length };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.then((w) => w.terminate()).catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

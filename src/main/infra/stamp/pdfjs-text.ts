/**
 * The DocumentTextReader port over pdf.js (legacy build, which runs in Node): the text runs of
 * the pages the pipeline asks for, with their positions on the page as displayed.
 *
 * pdf.js reports each run's transform in user space. On a page with /Rotate, text that reads
 * upright on screen runs sideways in user space, so lines grouped by user-space baseline, the
 * title's "upper half" and the keyword's extent along x would all be wrong. Runs and box are
 * therefore turned into displayed-page coordinates (core/stamp/page-frame.ts), origin at the
 * displayed lower-left, the space the placement works in.
 *
 * pdf.js never sees the whole file. Given a 300 MB / 3000-page file it would load the last
 * page to check the page count and walk every page object before the one asked for, reading
 * most of the file (issue #4: seconds and hundreds of MB). Instead our lazy reader copies out
 * each asked page with what its content reaches (core/stamp/page-extract.ts) and pdf.js
 * parses that small one-page PDF. Fonts are not loaded as faces, no eval, no worker thread
 * (the "fake worker" runs in this thread).
 */
import { YinjianError } from '../../../shared/errors/index';
import type { PageText, TextRun } from '../../core/policy/document-text';
import { PdfDocument, type PdfBytes } from '../../core/pdf/index';
import { pagesPdf, singlePagePdf } from '../../core/stamp/page-extract';
import { pageFrame, userToDisplayed } from '../../core/stamp/page-frame';
import { pagesOf } from '../../core/stamp/page-list';
import type { DocumentTextReader, DocumentTextSource } from '../../core/stamp/ports';
import type { OcrPageText } from '../../core/policy/page-gate';
import type { LayerView } from '../../core/policy/optional-content';
import { OCR_DPI, renderPage } from '../ocr/page-render';
import { acquireSharedOcr, type OcrLease, type TesseractOcr } from '../ocr/tesseract-ocr';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjsModule: Promise<PdfJs> | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/**
 * Starts loading pdf.js now, without waiting for it. Loading and initialising it (with its
 * fake worker) is the largest part of the first file's cost (~0.3 s of a ~1 s cold first
 * stamping in the issue #4 profile); a caller that is about to wait anyway (the PIN prompt,
 * the key's login) hides it there. A failure is reported by the first real use, not here.
 */
export function preloadPdfJs(): void {
  loadPdfJs().catch(() => undefined);
}

function unreadable(error: unknown): YinjianError {
  return new YinjianError('DOCUMENT_TEXT_UNREADABLE', { detail: error instanceof Error ? error.message : String(error) }, { cause: error });
}

interface PdfJsTextItem {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
}

export interface PdfJsTextReaderOptions {
  /**
   * OCR for pages without a usable or trustworthy text layer (U2). Default on; off only where
   * a caller wants the layer alone (the gate then refuses such pages).
   */
  readonly ocr?: boolean;
}

/** Pages per pdf.js document when reading a document's text layer. */
const CHUNK_PAGES = 16;

/** Below this share of dark pixels the page is blank: tesseract is not even started. */
const BLANK_INK = 0.002;

/**
 * The page drawn and read by OCR, as the gate's OcrPageText: every line one run, placed on the
 * displayed page in points (y up) like pdf.js's runs, its height as its font size.
 */
async function ocrPage(engine: TesseractOcr, document: PdfDocument, pageIndex: number, signal: AbortSignal | undefined, view: LayerView | undefined): Promise<OcrPageText> {
  const frame = pageFrame(document, pageIndex);
  const box = { x: 0, y: 0, width: frame.width, height: frame.height };
  const rendered = await renderPage(document, pageIndex, OCR_DPI, 'pgm', view);
  if (rendered.inkRatio < BLANK_INK) return { text: { pageIndex, box, runs: [] }, confidence: 0, inkRatio: rendered.inkRatio, characters: 0 };
  const read = await engine.recognise(rendered.image, { ...(signal ? { signal } : {}), dpi: rendered.dpi });
  // Lines are in pixels of the cropped image: back onto the whole page, then to points.
  const k = frame.width / rendered.width;
  const { left, top } = rendered.crop;
  const runs: TextRun[] = read.lines.map((line) => ({
    text: line.text,
    x: (line.bbox.x0 + left) * k,
    y: frame.height - (line.bbox.y1 + top) * k,
    width: (line.bbox.x1 - line.bbox.x0) * k,
    fontSize: Math.max(1, (line.bbox.y1 - line.bbox.y0) * k),
  }));
  return { text: { pageIndex, box, runs }, confidence: read.confidence, inkRatio: rendered.inkRatio, characters: read.characters, lineConfidence: read.lines.map((line) => line.confidence) };
}

export class PdfJsTextReader implements DocumentTextReader {
  constructor(private readonly options: PdfJsTextReaderOptions = {}) {}

  async open(bytes: Uint8Array | PdfBytes, opened?: PdfDocument): Promise<DocumentTextSource> {
    // pdf.js (~2 MB of modules, ~0.3–0.6 s to load in a fresh process, issue #15) is loaded on
    // the first page asked of it: the gate reads most text layers with its own content reader
    // (core/policy/content-text.ts) and a document it fully reads never needs pdf.js.
    let document: PdfDocument;
    let pageCount: number;
    try {
      document = opened ?? PdfDocument.open(bytes);
      pageCount = pagesOf(document).length;
    } catch (error) {
      throw unreadable(error);
    }
    const tasks = new Set<ReturnType<PdfJs['getDocument']>>();
    // The process's OCR engine (one worker, its models loaded once, kept across documents),
    // leased when a page first needs it and released with the source.
    let lease: OcrLease | undefined;
    const withOcr = this.options.ocr !== false;
    // Pages are handed to pdf.js in runs of CHUNK_PAGES (one small PDF each, our lazy reader
    // copying out only what they reach): the gate reads every page (U2), and a font shared by
    // the pages is then parsed once per run, not once per page. One run is open at a time.
    let chunk: { first: number; task: ReturnType<PdfJs['getDocument']>; pdf: Promise<Awaited<ReturnType<PdfJs['getDocument']>['promise']>> } | undefined;
    const chunkOf = async (pageIndex: number) => {
      if (pageIndex < 0 || pageIndex >= pageCount) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: pageIndex + 1, pages: pageCount });
      const first = pageIndex - (pageIndex % CHUNK_PAGES);
      const pdfjs = await loadPdfJs();
      if (chunk?.first !== first) {
        if (chunk) {
          tasks.delete(chunk.task);
          await chunk.task.destroy().catch(() => undefined);
        }
        const indices = Array.from({ length: Math.min(CHUNK_PAGES, pageCount - first) }, (_, k) => first + k);
        const refs = pagesOf(document).slice(first, first + indices.length).map((r) => r.num);
        // A malformed tree listing one page object twice gets single-page copies instead.
        const data = new Set(refs).size === refs.length ? pagesPdf(document, indices) : singlePagePdf(document, pageIndex);
        const task = pdfjs.getDocument({ data, disableFontFace: true, isEvalSupported: false, useSystemFonts: false, stopAtErrors: false, verbosity: 0 });
        tasks.add(task);
        chunk = { first: new Set(refs).size === refs.length ? first : pageIndex, task, pdf: task.promise };
        if (chunk.first !== first) {
          const single = chunk;
          chunk = undefined;
          return { pdf: await single.pdf, first: pageIndex };
        }
      }
      return { pdf: await chunk.pdf, first };
    };
    return {
      pageCount,
      ...(withOcr
        ? {
            ocr: async (pageIndex: number, { signal, view }: { signal?: AbortSignal; view?: LayerView }) => {
              lease ??= acquireSharedOcr();
              try {
                return await ocrPage(lease.engine, document, pageIndex, signal, view);
              } catch (error) {
                throw error instanceof YinjianError ? error : unreadable(error);
              }
            },
          }
        : {}),
      async page(pageIndex: number): Promise<PageText> {
        try {
          const { pdf, first } = await chunkOf(pageIndex);
          const page = await pdf.getPage(pageIndex - first + 1);
          const frame = pageFrame(document, pageIndex);
          const content = await page.getTextContent({ includeMarkedContent: false, disableNormalization: false });
          page.cleanup();
          const runs: TextRun[] = [];
          for (const item of content.items as PdfJsTextItem[]) {
            if (typeof item.str !== 'string' || item.str === '' || !item.transform) continue;
            const [a = 0, b = 0, , d = 0, e = 0, f = 0] = item.transform;
            const at = userToDisplayed(frame, e, f);
            // A run that stays sideways on the displayed page (vertical writing) keeps its
            // origin, but its width is then not along x: such text is only read, never placed on.
            runs.push({ text: item.str, x: at.u, y: at.v, width: item.width ?? 0, fontSize: Math.hypot(a, b) || Math.abs(d) || (item.height ?? 0) });
          }
          return { pageIndex, box: { x: 0, y: 0, width: frame.width, height: frame.height }, runs };
        } catch (error) {
          throw error instanceof YinjianError && (error.code === 'STAMP_PAGE_OUT_OF_RANGE' || error.code === 'PDF_LIMIT_EXCEEDED') ? error : unreadable(error);
        }
      },
      async close(): Promise<void> {
        await Promise.all([...tasks].map((t) => t.destroy().catch(() => undefined)));
        lease?.release();
        lease = undefined;
      },
    };
  }
}

/**
 * One page drawn as a person sees it, for OCR (U2): pdf.js (legacy build, the one already used
 * for text) renders onto @napi-rs/canvas, the canvas pdf.js itself uses in Node. Chosen over a
 * second renderer (mupdf, poppler as a child process) because both pieces already ship with the
 * app, run in-process without a native build step (prebuilt N-API binaries) and keep one PDF
 * interpreter for what the gate reads and what it sees.
 *
 * The page is first copied out by our lazy reader (core/stamp/page-extract.ts, images kept),
 * so pdf.js never parses the whole file. The page is drawn at its displayed orientation
 * (/Rotate applied) on white, at OCR_DPI.
 */
import { createRequire } from 'node:module';
import type { PdfDocument } from '../../core/pdf/index';
import { singlePagePdf } from '../../core/stamp/page-extract';

/** Enough for body text (12 pt ≈ 33 px high) and well inside 4 s a page on these machines. */
export const OCR_DPI = 200;

/** Bounds: a hostile MediaBox must not make a gigapixel canvas. */
const MAX_PIXELS = 40_000_000;

export interface RenderedPage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
  /** Share of dark pixels (luma < 128). */
  readonly inkRatio: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<PdfJs> | undefined;
const localRequire = createRequire(import.meta.url);

interface NapiCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    fillStyle: string;
    fillRect(x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
  encode(format: 'png'): Promise<Buffer>;
}

export async function renderPage(document: PdfDocument, pageIndex: number, dpi: number = OCR_DPI): Promise<RenderedPage> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await pdfjsModule;
  const { createCanvas } = localRequire('@napi-rs/canvas') as { createCanvas(w: number, h: number): NapiCanvas };
  const task = pdfjs.getDocument({ data: singlePagePdf(document, pageIndex, { images: true }), isEvalSupported: false, useSystemFonts: false, stopAtErrors: false, verbosity: 0 });
  try {
    const pdf = await task.promise;
    const page = await pdf.getPage(1);
    let scale = dpi / 72;
    let viewport = page.getViewport({ scale });
    if (viewport.width * viewport.height > MAX_PIXELS) {
      scale *= Math.sqrt(MAX_PIXELS / (viewport.width * viewport.height));
      viewport = page.getViewport({ scale });
    }
    const width = Math.max(1, Math.ceil(viewport.width));
    const height = Math.max(1, Math.ceil(viewport.height));
    const canvas = createCanvas(width, height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({ canvasContext: context as never, canvas: canvas as never, viewport }).promise;
    const pixels = context.getImageData(0, 0, width, height).data;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 16) {
      // Every 4th pixel is enough for a ratio.
      const luma = 0.299 * (pixels[i] as number) + 0.587 * (pixels[i + 1] as number) + 0.114 * (pixels[i + 2] as number);
      if (luma < 128) dark++;
    }
    const png = await canvas.encode('png');
    return { png, width, height, dpi: scale * 72, inkRatio: dark / Math.max(1, pixels.length / 16) };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

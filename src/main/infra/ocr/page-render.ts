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
  /** PNG (`format: 'png'`), or for OCR an 8-bit grey PGM (P5) cropped to the ink (`'pgm'`). */
  readonly image: Buffer;
  readonly format: 'png' | 'pgm';
  /** Size of the whole rendered page, pixels. */
  readonly width: number;
  readonly height: number;
  /** Where `image` sits on the rendered page (a PGM is cropped to the ink plus a margin). */
  readonly crop: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
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

/** White kept around the ink when cropping for OCR (tesseract wants a margin around text). */
const CROP_MARGIN = 24;

/**
 * The page's pixels as 8-bit grey, cropped to the box holding every dark pixel (plus a margin),
 * as a binary PGM: no PNG to encode here and decode again inside tesseract's worker (≈ 0.3 s
 * a page at 200 dpi), and the white margins of a page are not analysed.
 */
function greyCrop(rgba: Uint8ClampedArray, width: number, height: number): { pgm: Buffer; crop: RenderedPage['crop']; inkRatio: number } {
  const grey = new Uint8Array(width * height);
  // One 32-bit read a pixel; white (most of a page) takes the short way.
  const px = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
  let dark = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let rowMin = -1;
    let rowMax = -1;
    for (let x = 0; x < width; x++) {
      const v = px[row + x] as number;
      if (v === 0xffffffff) {
        grey[row + x] = 255;
        continue;
      }
      // ITU-R 601 luma in integers (the weights sum to 1024); byte order R, G, B, A.
      const luma = (306 * (v & 255) + 601 * ((v >>> 8) & 255) + 117 * ((v >>> 16) & 255)) >> 10;
      grey[row + x] = luma;
      if (luma < 128) {
        dark++;
        if (rowMin < 0) rowMin = x;
        rowMax = x;
      }
    }
    if (rowMin >= 0) {
      if (rowMin < minX) minX = rowMin;
      if (rowMax > maxX) maxX = rowMax;
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  const left = maxX < 0 ? 0 : Math.max(0, minX - CROP_MARGIN);
  const top = maxY < 0 ? 0 : Math.max(0, minY - CROP_MARGIN);
  const right = maxX < 0 ? Math.min(width, 1) : Math.min(width, maxX + 1 + CROP_MARGIN);
  const bottom = maxY < 0 ? Math.min(height, 1) : Math.min(height, maxY + 1 + CROP_MARGIN);
  const w = right - left;
  const h = bottom - top;
  const header = Buffer.from(`P5\n${w} ${h}\n255\n`, 'latin1');
  const pgm = Buffer.allocUnsafe(header.length + w * h);
  header.copy(pgm, 0);
  for (let y = 0; y < h; y++) pgm.set(grey.subarray((top + y) * width + left, (top + y) * width + right), header.length + y * w);
  return { pgm, crop: { left, top, width: w, height: h }, inkRatio: dark / Math.max(1, width * height) };
}

export async function renderPage(document: PdfDocument, pageIndex: number, dpi: number = OCR_DPI, format: 'png' | 'pgm' = 'png'): Promise<RenderedPage> {
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
    page.cleanup();
    const pixels = context.getImageData(0, 0, width, height).data;
    if (format === 'pgm') {
      const { pgm, crop, inkRatio } = greyCrop(pixels, width, height);
      return { image: pgm, format, width, height, crop, dpi: scale * 72, inkRatio };
    }
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 16) {
      // Every 4th pixel is enough for a ratio.
      const luma = 0.299 * (pixels[i] as number) + 0.587 * (pixels[i + 1] as number) + 0.114 * (pixels[i + 2] as number);
      if (luma < 128) dark++;
    }
    const png = await canvas.encode('png');
    return { image: png, format, width, height, crop: { left: 0, top: 0, width, height }, dpi: scale * 72, inkRatio: dark / Math.max(1, pixels.length / 16) };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

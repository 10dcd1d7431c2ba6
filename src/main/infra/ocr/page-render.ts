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
 *
 * A page that is what a scanner writes (one plain Flate, raw, baseline or progressive JPEG image,
 * plainScan) is drawn for OCR without pdf.js decoding it: our own reader inflates the image a row
 * at a time (row-inflate.ts) or decodes the JPEG a row of MCUs at a time (jpeg-rows.ts; a
 * progressive one from its coefficients, without a decoded image) into the same grey
 * pixels (directScanGrey), and pdf.js is asked only for the
 * page's viewport, from the page copied without its image data (issue 13's memory budget).
 */
import { createRequire } from 'node:module';
import { ContentLexer, PdfArray, PdfDict, PdfName, PdfStream, type PdfDocument, type PdfValue } from '../../core/pdf/index';
import { isSignatureWidget } from '../../core/policy/content-text';
import { decodedContents } from '../../core/policy/page-content';
import type { LayerView } from '../../core/policy/optional-content';
import { singlePagePdf } from '../../core/stamp/page-extract';
import { pagesOf } from '../../core/stamp/page-list';
import { jpegRows, plainJpeg } from './jpeg-rows';
import { inflateRows } from './row-inflate';

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

interface NapiContext {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
interface NapiCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): NapiContext;
  encode(format: 'png'): Promise<Buffer>;
}

/** Grey at least this light (0.94: the near-white of content-text.ts's white text) is drawn white for OCR. */
export const OCR_WHITE = 240;

/** White kept around the ink when cropping for OCR (tesseract wants a margin around text). */
const CROP_MARGIN = 24;

/** Rows of the canvas read at a time: 64 rows of an A4 page at 200 dpi are 0.4 MB of RGBA. */
const BAND_ROWS = 64;

/**
 * The canvas's pixels as 8-bit grey (ITU-R 601 luma in integers), read BAND_ROWS rows at a
 * time, never as a whole-page RGBA copy (15 MB at 200 dpi, issue 13's memory budget).
 */
function canvasGrey(context: NapiContext, width: number, height: number): Uint8Array {
  const grey = new Uint8Array(width * height);
  for (let y0 = 0; y0 < height; y0 += BAND_ROWS) {
    const rows = Math.min(BAND_ROWS, height - y0);
    const rgba = context.getImageData(0, y0, width, rows).data;
    // One 32-bit read a pixel; white (most of a page) takes the short way. Byte order R, G, B, A.
    const px = new Uint32Array(rgba.buffer, rgba.byteOffset, width * rows);
    const out = y0 * width;
    for (let i = 0; i < width * rows; i++) {
      const v = px[i] as number;
      grey[out + i] = v === 0xffffffff ? 255 : (306 * (v & 255) + 601 * ((v >>> 8) & 255) + 117 * ((v >>> 16) & 255)) >> 10;
    }
  }
  return grey;
}

/**
 * `grey` cropped to the box holding every dark pixel (plus a margin), as a binary PGM: no PNG
 * to encode here and decode again inside tesseract's worker (≈ 0.3 s a page at 200 dpi), and
 * the white margins of a page are not analysed.
 */
function greyCrop(grey: Uint8Array, width: number, height: number): { pgm: Buffer; crop: RenderedPage['crop']; inkRatio: number } {
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
      if ((grey[row + x] as number) < 128) {
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
  // U2: what no reader tells from white is white for OCR too. Characters in grey 0.97 between a
  // title's characters (flagged as near-white text, content-text.ts) were seen by tesseract's
  // binarisation and broke the title it read (房屋租赁合同 under a line of noise, 出租人 as HAA).
  for (let i = header.length; i < pgm.length; i++) if ((pgm[i] as number) >= OCR_WHITE) pgm[i] = 255;
  return { pgm, crop: { left, top, width: w, height: h }, inkRatio: dark / Math.max(1, width * height) };
}

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];

/** pdf.js's decoded image (ImageKind 1: 1 bit grey, 1 = white; 2: RGB; 3: RGBA). */
interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly kind: number;
  readonly data?: Uint8Array | Uint8ClampedArray;
}

/** Source luma of row `j` of `image` into `out` (RGBA composited over white). */
function imageRowLuma(image: DecodedImage & { data: Uint8Array | Uint8ClampedArray }, j: number, out: Uint8Array): void {
  const { width, data } = image;
  if (image.kind === 1) {
    const stride = (width + 7) >> 3;
    for (let i = 0; i < width; i++) out[i] = ((data[j * stride + (i >> 3)] as number) >> (7 - (i & 7))) & 1 ? 255 : 0;
  } else if (image.kind === 2) {
    for (let i = 0, k = j * width * 3; i < width; i++, k += 3) out[i] = (306 * (data[k] as number) + 601 * (data[k + 1] as number) + 117 * (data[k + 2] as number)) >> 10;
  } else {
    for (let i = 0, k = j * width * 4; i < width; i++, k += 4) {
      const luma = (306 * (data[k] as number) + 601 * (data[k + 1] as number) + 117 * (data[k + 2] as number)) >> 10;
      const alpha = data[k + 3] as number;
      out[i] = (luma * alpha + 255 * (255 - alpha) + 127) / 255;
    }
  }
}

interface PdfJsPage {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[] }>;
  objs: { get(id: string, callback: (data: unknown) => void): void };
}

/**
 * A scanned page the short way: a page whose whole content is one image painted without
 * rotation (the operator list is save/transform/paintImageXObject/restore and nothing else:
 * no text, vector, clip, mask, transfer function or blend) is drawn by scaling pdf.js's decoded
 * image straight to grey at the target resolution, sampled as the canvas samples it (bilinear,
 * reduced at most 2×, pdf.js's own limit before it halves first), two source rows held at a
 * time. A box filter was tried first: softer glyph edges, and tesseract read three lines of a
 * dense page with less than RETRY_BELOW_CONFIDENCE (73–77) that it reads at ≥ 85 from the
 * canvas, each then read again with the three models. What is drawn is the same (pdf.js still decodes the image: its filters, colour
 * spaces, /Decode, an SMask composited on white), but the canvas path holds, for an A4 RGB
 * scan at 300 dpi, the image again as a 35 MB canvas and the page as a 15 MB canvas and its
 * copies; this holds the decoded image and the grey page (issue 13's memory budget).
 * Undefined for anything else (an image enlarged, or reduced more than 2×): the canvas draws it.
 */
async function scannedPageGrey(pdfjs: PdfJs, page: PdfJsPage, viewportTransform: Matrix, width: number, height: number): Promise<Uint8Array | undefined> {
  const { fnArray, argsArray } = await page.getOperatorList();
  const { OPS } = pdfjs;
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  let painted: { id: string; ctm: Matrix } | undefined;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix);
    else if (fn === OPS.dependency) continue;
    else if (fn === OPS.paintImageXObject && !painted && typeof args?.[0] === 'string') painted = { id: args[0], ctm };
    else return undefined;
  }
  if (!painted) return undefined;
  const device = multiply(viewportTransform, painted.ctm);
  if (!drawable(device)) return undefined;
  const id = painted.id;
  const image = await new Promise<DecodedImage | undefined>((resolve) => {
    page.objs.get(id, (data: unknown) => resolve(data as DecodedImage | undefined));
  });
  const data = image?.data;
  if (!image || !data || ![1, 2, 3].includes(image.kind)) return undefined;
  const source = { ...image, data };
  return imageGrey(image, (j, out) => imageRowLuma(source, j, out), device, width, height);
}

/** The image is drawn upright (no rotation or skew in `device`, the unit square to device pixels). */
const drawable = ([a, b, c, d]: Matrix): boolean => !(Math.abs(b) > 1e-6 || Math.abs(c) > 1e-6 || a === 0 || d === 0);

/**
 * The image of `size` (its rows as luma from `lumaRowOf`) drawn by `device` (unit square to
 * device pixels, upright) on a white page of `width` × `height`, sampled as the canvas samples
 * it (scannedPageGrey); undefined when it is enlarged or reduced more than 2×.
 */
function imageGrey(image: { readonly width: number; readonly height: number }, lumaRowOf: (j: number, out: Uint8Array) => void, device: Matrix, width: number, height: number): Uint8Array | undefined {
  const plan = samplingOf(image, device, width, height);
  if (!plan) return undefined;
  // Two source rows as luma, reused as the output walks down the page.
  const held = [new Uint8Array(image.width), new Uint8Array(image.width)];
  const heldRow = [-1, -1];
  const lumaRow = (j: number, keep: number): Uint8Array => {
    const slot = heldRow[0] === j ? 0 : heldRow[1] === j ? 1 : heldRow[0] === keep ? 1 : 0;
    if (heldRow[slot] !== j) {
      lumaRowOf(j, held[slot] as Uint8Array);
      heldRow[slot] = j;
    }
    return held[slot] as Uint8Array;
  };
  const grey = new Uint8Array(width * height).fill(255);
  for (let y = plan.firstY; y <= plan.lastY; y++) {
    const { j0, j1, fy } = rowSpan(plan, y);
    blendRow(grey, width, plan, y, lumaRow(j0, j1), lumaRow(j1, j0), fy);
  }
  return grey;
}

/** Where the image lands on the page and which source columns each device column samples (imageGrey). */
interface Sampling {
  readonly imageHeight: number;
  readonly d: number;
  readonly top: number;
  readonly bottom: number;
  readonly firstX: number;
  readonly columns: number;
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly fx: Float32Array;
  readonly firstY: number;
  readonly lastY: number;
}

function samplingOf(image: { readonly width: number; readonly height: number }, device: Matrix, width: number, height: number): Sampling | undefined {
  const [a, , , d, e, f] = device;
  const scaleX = image.width / Math.abs(a);
  const scaleY = image.height / Math.abs(d);
  if (scaleX < 1 || scaleY < 1 || scaleX > 2 || scaleY > 2) return undefined;
  // Unit square to device: x = a·u + e, y = d·v + f; the image's first row is at v = 1, its
  // first column at u = 0. pdf.js draws it on the rectangle rounded to whole pixels
  // (drawImageAtIntegerCoords); a device pixel whose centre falls on it samples the image there.
  const left = Math.round(Math.min(e, e + a));
  const right = Math.round(Math.max(e, e + a));
  const top = Math.round(Math.min(f, f + d));
  const bottom = Math.round(Math.max(f, f + d));
  if (right <= left || bottom <= top) return undefined;
  const clampColumn = (i: number): number => Math.min(image.width - 1, Math.max(0, i));
  const firstX = Math.max(0, Math.ceil(left - 0.5));
  const lastX = Math.min(width - 1, Math.floor(right - 0.5));
  const columns = Math.max(0, lastX - firstX + 1);
  const i0 = new Int32Array(columns);
  const i1 = new Int32Array(columns);
  const fx = new Float32Array(columns);
  for (let n = 0; n < columns; n++) {
    const t = (firstX + n + 0.5 - left) / (right - left);
    const at = (a > 0 ? t : 1 - t) * image.width - 0.5;
    const whole = Math.floor(at);
    i0[n] = clampColumn(whole);
    i1[n] = clampColumn(whole + 1);
    fx[n] = at - whole;
  }
  const firstY = Math.max(0, Math.ceil(top - 0.5));
  const lastY = Math.min(height - 1, Math.floor(bottom - 0.5));
  return { imageHeight: image.height, d, top, bottom, firstX, columns, i0, i1, fx, firstY, lastY };
}

/** The two source rows device row `y` samples, and its weight between them. */
function rowSpan(plan: Sampling, y: number): { j0: number; j1: number; fy: number } {
  const clampRow = (j: number): number => Math.min(plan.imageHeight - 1, Math.max(0, j));
  const t = (y + 0.5 - plan.top) / (plan.bottom - plan.top);
  const at = (plan.d < 0 ? t : 1 - t) * plan.imageHeight - 0.5;
  const whole = Math.floor(at);
  return { j0: clampRow(whole), j1: clampRow(whole + 1), fy: at - whole };
}

/** Device row `y` of `grey` from source rows `upper` and `lower` (luma), bilinear. */
function blendRow(grey: Uint8Array, width: number, plan: Sampling, y: number, upper: Uint8Array, lower: Uint8Array, fy: number): void {
  const { i0, i1, fx, columns } = plan;
  const base = y * width + plan.firstX;
  for (let n = 0; n < columns; n++) {
    const l = i0[n] as number;
    const r = i1[n] as number;
    const t = fx[n] as number;
    const above = (upper[l] as number) + ((upper[r] as number) - (upper[l] as number)) * t;
    const below = (lower[l] as number) + ((lower[r] as number) - (lower[l] as number)) * t;
    grey[base + n] = Math.round(above + (below - above) * fy);
  }
}

/**
 * Keys an image XObject may carry and still be drawn by our own decoder (directScanGrey): none
 * of them changes what is drawn. Anything else (SMask, Mask, Decode, ImageMask, OC, the
 * abbreviations pdf.js also accepts…) leaves the page to pdf.js.
 */
const PLAIN_IMAGE_KEYS = new Set(['Type', 'Subtype', 'Width', 'Height', 'ColorSpace', 'BitsPerComponent', 'Filter', 'DecodeParms', 'Length', 'Interpolate', 'Intent', 'Name', 'Metadata', 'StructParent']);

/** A page that is one plain image (plainScan): the image's stream, its layout and its CTM. */
interface PlainScan {
  readonly stream: PdfStream;
  /** 8-bit samples, raw or Flate (`samples`), or a plain JPEG (`jpeg`: DCTDecode, jpeg-layout.ts). */
  readonly encoding: 'samples' | 'jpeg';
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 3;
  /** The samples are PNG-predicted (Predictor 10–15, one filter byte a row). */
  readonly png: boolean;
  readonly ctm: Matrix;
}

/** `value` resolved; a one-element array read as its element (a filter list, its parameters). */
function single(document: PdfDocument, value: PdfValue | undefined): PdfValue | undefined {
  const resolved = document.resolve(value);
  if (!(resolved instanceof PdfArray)) return resolved;
  return resolved.items.length === 1 ? document.resolve(resolved.items[0]) : resolved;
}

/**
 * The page, read with our own PDF reader, when it is what a scanner writes: its content only
 * q, Q, cm and one Do of an image XObject, that image 8-bit DeviceGray or DeviceRGB, raw or
 * FlateDecode (PNG predictors allowed) or a plain JPEG (DCTDecode alone, no /DecodeParms, the
 * JPEG's own markers checked by plainJpeg), nothing else about it (PLAIN_IMAGE_KEYS), and the page
 * without a transparency group or annotations other than signatures' (those are drawn for OCR,
 * by pdf.js). Then pdf.js's operator list would be
 * save/transform/paintImageXObject/restore (scannedPageGrey's condition) and its decoded image
 * the stream's samples as they are: directScanGrey draws the same grey page from the stream
 * without pdf.js decoding it. Undefined for anything else (pdf.js draws it, as before).
 */
function plainScan(document: PdfDocument, pageIndex: number): PlainScan | undefined {
  if (document.isEncrypted) return undefined;
  const pageRef = pagesOf(document)[pageIndex];
  const page = document.latest.resolveDict(pageRef);
  if (!pageRef || !page || page.has('Group')) return undefined;
  // Annotations other than signatures are drawn for OCR (core/stamp/page-extract.ts, U2): a
  // page with one is drawn by pdf.js, its annotations with it.
  const annotations = document.latest.resolveArray(page.get('Annots'))?.items ?? [];
  if (annotations.some((item) => {
    const annotation = document.latest.resolveDict(item);
    return annotation !== undefined && !isSignatureWidget(document, annotation);
  })) return undefined;
  const resources = document.pageAttributes(pageRef).resources;
  const contents = decodedContents(document, pageIndex, page.get('Contents'));
  if (contents.truncated || contents.streams.length === 0) return undefined;
  // pdf.js reads a page's content streams as one, joined by a space.
  const parts: Uint8Array[] = [];
  for (const stream of contents.streams) parts.push(stream, new Uint8Array([0x20]));
  const bytes = parts.length === 2 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  let painted: { name: string; ctm: Matrix } | undefined;
  const lexer = new ContentLexer(bytes);
  for (let op = lexer.next(); op !== undefined; op = lexer.next()) {
    const operands = lexer.operands;
    if (op === 'q' && operands.length === 0) stack.push(ctm);
    else if (op === 'Q' && operands.length === 0) ctm = stack.pop() ?? ctm;
    else if (op === 'cm' && operands.length === 6 && operands.every((n) => typeof n === 'number')) ctm = multiply(ctm, operands as Matrix);
    else if (op === 'Do' && !painted && operands.length === 1 && typeof operands[0] === 'object' && operands[0] !== null && 'name' in operands[0]) painted = { name: operands[0].name, ctm };
    else return undefined;
  }
  if (!painted) return undefined;
  const stream = document.resolve(document.latest.resolveDict(resources?.get('XObject'))?.get(painted.name));
  if (!(stream instanceof PdfStream)) return undefined;
  const dict = stream.dict;
  if (dict.getName('Subtype') !== 'Image' || [...dict.keys()].some((key) => !PLAIN_IMAGE_KEYS.has(key))) return undefined;
  const width = document.resolve(dict.get('Width'));
  const height = document.resolve(dict.get('Height'));
  const bits = document.resolve(dict.get('BitsPerComponent'));
  const space = document.resolve(dict.get('ColorSpace'));
  if (typeof width !== 'number' || typeof height !== 'number' || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_PIXELS) return undefined;
  if (bits !== 8 || !(space instanceof PdfName) || (space.value !== 'DeviceGray' && space.value !== 'DeviceRGB')) return undefined;
  const colors = space.value === 'DeviceRGB' ? 3 : 1;
  const filter = single(document, dict.get('Filter'));
  if (filter instanceof PdfName && filter.value === 'DCTDecode') {
    // /DecodeParms of a DCT stream is its /ColorTransform, which pdf.js honours: left to it.
    if (dict.has('DecodeParms') || !plainJpeg(document.rawStreamData(stream), width, height, colors)) return undefined;
    return { stream, encoding: 'jpeg', width, height, colors, png: false, ctm: painted.ctm };
  }
  if (filter !== undefined && !(filter instanceof PdfName && filter.value === 'FlateDecode')) return undefined;
  const parms = single(document, dict.get('DecodeParms'));
  let png = false;
  if (parms instanceof PdfDict) {
    if (filter === undefined) return undefined;
    const parm = (key: string, fallback: number): PdfValue | undefined => (parms.has(key) ? document.resolve(parms.get(key)) : fallback);
    const predictor = parm('Predictor', 1);
    if (predictor !== 1) {
      if (typeof predictor !== 'number' || predictor < 10 || predictor > 15) return undefined;
      if (parm('Colors', 1) !== colors || parm('BitsPerComponent', 8) !== 8 || parm('Columns', 1) !== width) return undefined;
      png = true;
    }
  } else if (parms !== undefined && parms !== null) return undefined;
  return { stream, encoding: 'samples', width, height, colors, png, ctm: painted.ctm };
}

/** One PNG-predicted row (filter byte first) into `out`, `previous` the row above; false for an unknown filter type. */
function unpredictRow(row: Uint8Array, previous: Uint8Array, out: Uint8Array, bpp: number): boolean {
  const type = row[0] as number;
  const n = out.length;
  switch (type) {
    case 0:
      out.set(row.subarray(1, n + 1));
      return true;
    case 1:
      for (let i = 0; i < n; i++) out[i] = ((row[i + 1] as number) + (i >= bpp ? (out[i - bpp] as number) : 0)) & 0xff;
      return true;
    case 2:
      for (let i = 0; i < n; i++) out[i] = ((row[i + 1] as number) + (previous[i] as number)) & 0xff;
      return true;
    case 3:
      for (let i = 0; i < n; i++) out[i] = ((row[i + 1] as number) + (((i >= bpp ? (out[i - bpp] as number) : 0) + (previous[i] as number)) >> 1)) & 0xff;
      return true;
    case 4:
      for (let i = 0; i < n; i++) {
        const left = i >= bpp ? (out[i - bpp] as number) : 0;
        const up = previous[i] as number;
        const upLeft = i >= bpp ? (previous[i - bpp] as number) : 0;
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        out[i] = ((row[i + 1] as number) + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft)) & 0xff;
      }
      return true;
    default:
      return false;
  }
}

/** Whether page `pageIndex` is one plain image our own decoder draws (plainScan), for tests. */
export function drawnDirectly(document: PdfDocument, pageIndex: number): boolean {
  return plainScanOrNone(document, pageIndex) !== undefined;
}

/** plainScan, with a page our reader cannot read left to pdf.js. */
function plainScanOrNone(document: PdfDocument, pageIndex: number): PlainScan | undefined {
  try {
    return plainScan(document, pageIndex);
  } catch {
    return undefined;
  }
}

/**
 * A plain scanned page (plainScan) drawn to grey from its image stream: the same pixels
 * scannedPageGrey draws from pdf.js's decoded image (the same samples, luma and sampling), but
 * the stream is inflated a row at a time (row-inflate.ts), a JPEG decoded a row of MCUs at a
 * time (jpeg-rows.ts), and each device row is drawn as soon
 * as its two source rows are in: the page holds two rows of the image, not its samples (26 MB
 * for an A4 RGB scan at 300 dpi), nor pdf.js's growing decode buffers and their copies (60–75
 * MB a page, part of which the allocator kept: issue 13's memory budget). Undefined when the
 * image does not decode whole, is not drawn upright within 1–2×, or is drawn upside down (its
 * rows would be needed bottom first): pdf.js then draws the page, as before.
 */
function directScanGrey(document: PdfDocument, scan: PlainScan, viewportTransform: Matrix, width: number, height: number): Uint8Array | undefined {
  const device = multiply(viewportTransform, scan.ctm);
  if (!drawable(device) || device[3] >= 0) return undefined;
  const image = { width: scan.width, height: scan.height };
  const plan = samplingOf(image, device, width, height);
  if (!plan) return undefined;
  const { colors, png } = scan;
  const rowBytes = image.width * colors;
  const grey = new Uint8Array(width * height).fill(255);
  let previous = new Uint8Array(image.width);
  let current = new Uint8Array(image.width);
  // PNG-predicted rows are undone against the row above.
  let above = new Uint8Array(rowBytes);
  let samples = new Uint8Array(rowBytes);
  let j = -1;
  let y = plan.firstY;
  let bad = false;
  const onRow = (row: Uint8Array): void => {
    if (bad) return;
    let values = row;
    if (png) {
      if (!unpredictRow(row, above, samples, colors)) {
        bad = true;
        return;
      }
      values = samples;
      [above, samples] = [samples, above];
    }
    j++;
    [previous, current] = [current, previous];
    // The samples as pdf.js hands them over: RGB as they are (ImageKind 2); grey as opaque RGBA
    // with r = g = b (kind 3), whose luma is the grey value itself.
    if (colors === 1) current.set(values.subarray(0, image.width));
    else imageRowLuma({ width: image.width, height: 1, kind: 2, data: values }, 0, current);
    // Device rows sample rows j0 ≤ j1 that never decrease down the page (d < 0): each is drawn
    // once its lower row j1 has come, from it and the row before.
    for (; y <= plan.lastY; y++) {
      const span = rowSpan(plan, y);
      if (span.j1 > j) break;
      blendRow(grey, width, plan, y, span.j0 === j ? current : previous, current, span.fy);
    }
  };
  const inRow = rowBytes + (png ? 1 : 0);
  const raw = document.rawStreamData(scan.stream);
  let complete: boolean;
  if (scan.encoding === 'jpeg') complete = jpegRows(raw, onRow);
  else if (document.resolve(scan.stream.dict.get('Filter')) === undefined) {
    complete = raw.length >= inRow * image.height;
    for (let k = 0; complete && k < image.height; k++) onRow(raw.subarray(k * inRow, (k + 1) * inRow));
  } else complete = inflateRows(raw, inRow, image.height, onRow);
  return complete && !bad && y > plan.lastY ? grey : undefined;
}

type PdfJsPageProxy = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;

/** The page's viewport at `dpi` as pdf.js draws it (bounded by MAX_PIXELS), and its size in whole pixels. */
function viewportOf(page: PdfJsPageProxy, dpi: number): { scale: number; viewport: ReturnType<PdfJsPageProxy['getViewport']>; width: number; height: number } {
  let scale = dpi / 72;
  let viewport = page.getViewport({ scale });
  if (viewport.width * viewport.height > MAX_PIXELS) {
    scale *= Math.sqrt(MAX_PIXELS / (viewport.width * viewport.height));
    viewport = page.getViewport({ scale });
  }
  return { scale, viewport, width: Math.max(1, Math.ceil(viewport.width)), height: Math.max(1, Math.ceil(viewport.height)) };
}

const PDFJS_OPTIONS = { isEvalSupported: false, useSystemFonts: false, stopAtErrors: false, verbosity: 0 } as const;

/**
 * A plain scanned page (plainScan) for OCR, drawn by directScanGrey. pdf.js only gives the
 * page's geometry (its viewport, as it would draw the page), from the page copied without its
 * image data: copying the scan's stream out for pdf.js (singlePagePdf with images) cost the
 * 50-page scan 70 MB of the process's memory by itself. Undefined when directScanGrey gives up.
 */
async function renderPlainScan(document: PdfDocument, pageIndex: number, plain: PlainScan, dpi: number): Promise<RenderedPage | undefined> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await pdfjsModule;
  const task = pdfjs.getDocument({ data: singlePagePdf(document, pageIndex, { images: false }), ...PDFJS_OPTIONS });
  try {
    const page = await (await task.promise).getPage(1);
    const { scale, viewport, width, height } = viewportOf(page, dpi);
    const grey = directScanGrey(document, plain, viewport.transform as Matrix, width, height);
    if (!grey) return undefined;
    const { pgm, crop, inkRatio } = greyCrop(grey, width, height);
    return { image: pgm, format: 'pgm', width, height, crop, dpi: scale * 72, inkRatio };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

/**
 * Page `pageIndex` drawn at `dpi`; `view`: its optional content shown as another reader shows
 * it (core/policy/optional-content.ts: printed, say), each group set as `visible` says (a group
 * not named keeps pdf.js's state for the intent), with pdf.js's rendering intent (on 'print',
 * annotations are drawn as printed). Without it, as pdf.js shows the page on screen.
 */
export async function renderPage(document: PdfDocument, pageIndex: number, dpi: number = OCR_DPI, format: 'png' | 'pgm' = 'png', view?: Pick<LayerView, 'intent' | 'visible'>): Promise<RenderedPage> {
  const plain = format === 'pgm' && !view ? plainScanOrNone(document, pageIndex) : undefined;
  const direct = plain ? await renderPlainScan(document, pageIndex, plain, dpi) : undefined;
  if (direct) return direct;
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await pdfjsModule;
  const { createCanvas } = localRequire('@napi-rs/canvas') as { createCanvas(w: number, h: number): NapiCanvas };
  const task = pdfjs.getDocument({ data: singlePagePdf(document, pageIndex, { images: true }), ...PDFJS_OPTIONS });
  try {
    const pdf = await task.promise;
    const page = await pdf.getPage(1);
    const { scale, viewport, width, height } = viewportOf(page, dpi);
    if (format === 'pgm' && !view) {
      const scanned = await scannedPageGrey(pdfjs, page as unknown as PdfJsPage, viewport.transform as Matrix, width, height);
      if (scanned) {
        page.cleanup();
        const { pgm, crop, inkRatio } = greyCrop(scanned, width, height);
        return { image: pgm, format, width, height, crop, dpi: scale * 72, inkRatio };
      }
    }
    const canvas = createCanvas(width, height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    const intent = view?.intent ?? 'display';
    let layers: ReturnType<typeof pdf.getOptionalContentConfig> | undefined;
    if (view) {
      const config = await pdf.getOptionalContentConfig({ intent });
      // Object numbers are kept in the page's copy (page-extract.ts): pdf.js names a group "12R".
      for (const [key, visible] of view.visible) {
        const gen = key % 65_536;
        const id = `${Math.floor(key / 65_536)}R${gen === 0 ? '' : gen}`;
        if (config.getGroup(id)) config.setVisibility(id, visible, false);
      }
      layers = Promise.resolve(config);
    }
    await page.render({ canvasContext: context as never, canvas: canvas as never, viewport, intent, ...(layers ? { optionalContentConfigPromise: layers } : {}) }).promise;
    // pdf.js's share of the page (the decoded images: 26 MB for an RGB A4 scan at 300 dpi) is
    // let go before the pixels are read: the canvas holds what is needed.
    page.cleanup();
    await task.destroy().catch(() => undefined);
    try {
      if (format === 'pgm') {
        const { pgm, crop, inkRatio } = greyCrop(canvasGrey(context, width, height), width, height);
        return { image: pgm, format, width, height, crop, dpi: scale * 72, inkRatio };
      }
      const pixels = context.getImageData(0, 0, width, height).data;
      let dark = 0;
      for (let i = 0; i < pixels.length; i += 16) {
        // Every 4th pixel is enough for a ratio.
        const luma = 0.299 * (pixels[i] as number) + 0.587 * (pixels[i + 1] as number) + 0.114 * (pixels[i + 2] as number);
        if (luma < 128) dark++;
      }
      const png = await canvas.encode('png');
      return { image: png, format, width, height, crop: { left: 0, top: 0, width, height }, dpi: scale * 72, inkRatio: dark / Math.max(1, pixels.length / 16) };
    } finally {
      // The canvas's surface (15 MB at 200 dpi) freed now rather than when the collector gets to it.
      canvas.width = 0;
      canvas.height = 0;
    }
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

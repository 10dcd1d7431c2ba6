/**
 * Test documents of our own for the U2 gate (issue 13), made by test code from documents the
 * test itself writes: scans (a document rendered to an image, optionally turned a little and
 * speckled, then put on a page as its only content), a ToUnicode map edited so extraction no
 * longer yields what is drawn, and an invisible-text layer laid over a scan.
 */
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, TextRenderingMode, rgb, setTextRenderingMode, type PDFFont } from 'pdf-lib';
import { embedShippedFontSubset } from '../../src/main/core/appearance/index';
import { PdfDocument } from '../../src/main/core/pdf/index';
import { renderPage } from '../../src/main/infra/ocr/page-render';
import { shippedFont } from '../integration/stamp/fixture';

const localRequire = createRequire(import.meta.url);
const A4: [number, number] = [595.28, 841.89];

interface NapiCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    fillStyle: string;
    fillRect(x: number, y: number, w: number, h: number): void;
    translate(x: number, y: number): void;
    rotate(a: number): void;
    setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
    drawImage(image: unknown, x: number, y: number): void;
  };
  encode(format: 'png'): Promise<Buffer>;
}
interface NapiCanvasModule {
  createCanvas(w: number, h: number): NapiCanvas;
  loadImage(data: Buffer): Promise<{ width: number; height: number }>;
  GlobalFonts: { registerFromPath(path: string, alias?: string): boolean };
}

/** A deterministic pseudo-random sequence (tests must not depend on chance). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export interface ScanOptions {
  readonly dpi?: number;
  /** Degrees, clockwise. */
  readonly skew?: number;
  /** Share of pixels turned to random grey specks. */
  readonly noise?: number;
  readonly seed?: number;
}

/** Page `pageIndex` of `pdf` as a scanner would return it: a PNG. */
export async function scanImage(pdf: Uint8Array, pageIndex = 0, options: ScanOptions = {}): Promise<Buffer> {
  const rendered = await renderPage(PdfDocument.open(pdf), pageIndex, options.dpi ?? 150);
  if (!options.skew && !options.noise) return rendered.image;
  const canvasModule = localRequire('@napi-rs/canvas') as NapiCanvasModule;
  const image = await canvasModule.loadImage(rendered.image);
  const canvas = canvasModule.createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate(((options.skew ?? 0) * Math.PI) / 180);
  context.translate(-canvas.width / 2, -canvas.height / 2);
  context.drawImage(image, 0, 0);
  const random = seeded(options.seed ?? 7);
  const specks = Math.round(canvas.width * canvas.height * (options.noise ?? 0));
  for (let i = 0; i < specks; i++) {
    const grey = Math.floor(random() * 200);
    context.fillStyle = `rgb(${grey},${grey},${grey})`;
    context.fillRect(Math.floor(random() * canvas.width), Math.floor(random() * canvas.height), 2, 2);
  }
  return canvas.encode('png');
}

/** A system font a scan can be typeset in: its file and the Debian package that ships it. */
export interface SystemFont {
  readonly family: string;
  readonly file: string;
  readonly debianPackage: string;
}

/**
 * CJK faces other than the one the app ships (Noto Serif CJK SC), for scans "in several fonts"
 * (issue 13): a Hei (sans), a Kai (brush) and a Ming (serif of another design). CI installs
 * their packages (.ci/run); elsewhere a missing one is reported and its documents skipped.
 */
export const SYSTEM_CJK_FONTS: readonly SystemFont[] = [
  { family: 'WenQuanYi Micro Hei', file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', debianPackage: 'fonts-wqy-microhei' },
  { family: 'AR PL UKai CN', file: '/usr/share/fonts/truetype/arphic/ukai.ttc', debianPackage: 'fonts-arphic-ukai' },
  { family: 'AR PL UMing CN', file: '/usr/share/fonts/truetype/arphic/uming.ttc', debianPackage: 'fonts-arphic-uming' },
];

/**
 * A page typeset in `font` (a system font file, not embedded in any PDF) and scanned: lines of
 * `size` points from the top left of an A4 page, drawn at `dpi` on white, optionally turned and
 * speckled like scanImage's, as a PNG for imagePdf.
 */
export async function fontScanImage(font: SystemFont, lines: readonly { text: string; size: number }[], options: ScanOptions = {}): Promise<Buffer> {
  const canvasModule = localRequire('@napi-rs/canvas') as NapiCanvasModule;
  if (!canvasModule.GlobalFonts.registerFromPath(font.file, font.family)) throw new Error(`font not loadable: ${font.file}`);
  const dpi = options.dpi ?? 150;
  const k = dpi / 72;
  const canvas = canvasModule.createCanvas(Math.round(A4[0] * k), Math.round(A4[1] * k));
  const context = canvas.getContext('2d') as ReturnType<NapiCanvas['getContext']> & { font: string; textBaseline: string; fillText(text: string, x: number, y: number): void };
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate(((options.skew ?? 0) * Math.PI) / 180);
  context.translate(-canvas.width / 2, -canvas.height / 2);
  context.fillStyle = '#1a1a1a';
  context.textBaseline = 'alphabetic';
  let y = 90;
  for (const line of lines) {
    context.font = `${line.size * k}px "${font.family}"`;
    context.fillText(line.text, 80 * k, y * k);
    y += line.size * 2;
  }
  const random = seeded(options.seed ?? 7);
  const specks = Math.round(canvas.width * canvas.height * (options.noise ?? 0));
  context.setTransform(1, 0, 0, 1, 0, 0);
  for (let i = 0; i < specks; i++) {
    const grey = Math.floor(random() * 200);
    context.fillStyle = `rgb(${grey},${grey},${grey})`;
    context.fillRect(Math.floor(random() * canvas.width), Math.floor(random() * canvas.height), 2, 2);
  }
  return canvas.encode('png');
}

/** A PDF whose pages are images only (no text layer): each PNG fills an A4 page. */
export async function imagePdf(images: readonly Buffer[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const png of images) {
    const image = await pdf.embedPng(png);
    const page = pdf.addPage(A4);
    page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
  }
  return pdf.save({ useObjectStreams: false });
}

/** A PDF of random grey noise pages: ink everywhere, nothing to read. */
export async function noisePdf(seed = 3): Promise<Uint8Array> {
  const canvasModule = localRequire('@napi-rs/canvas') as NapiCanvasModule;
  const canvas = canvasModule.createCanvas(620, 877);
  const context = canvas.getContext('2d');
  const random = seeded(seed);
  for (let y = 0; y < canvas.height; y += 3) {
    for (let x = 0; x < canvas.width; x += 3) {
      const grey = Math.floor(random() * 256);
      context.fillStyle = `rgb(${grey},${grey},${grey})`;
      context.fillRect(x, y, 3, 3);
    }
  }
  return imagePdf([await canvas.encode('png')]);
}

/**
 * The same document with its ToUnicode maps edited: every code that maps to a character of
 * `from` now maps to the character at the same place in `to`. What is drawn does not change
 * (the glyphs and the codes in the content stay), only what text extraction yields.
 */
export async function withEditedToUnicode(pdf: Uint8Array, from: string, to: string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf);
  const hex = (ch: string): string => (ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  let edited = 0;
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Subtype')) !== PDFName.of('Type0')) continue;
    const ref = object.get(PDFName.of('ToUnicode'));
    if (!(ref instanceof PDFRef)) continue;
    const stream = doc.context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) continue;
    const compressed = stream.dict.get(PDFName.of('Filter')) === PDFName.of('FlateDecode');
    let text = Buffer.from(compressed ? inflateSync(stream.contents) : stream.contents).toString('latin1');
    for (let i = 0; i < from.length; i++) {
      const before = text;
      text = text.replace(new RegExp(`<${hex(from[i] as string)}>`, 'giu'), `<${hex(to[i] as string)}>`);
      if (text !== before) edited++;
    }
    const data = Buffer.from(text, 'latin1');
    doc.context.assign(ref, doc.context.flateStream(data));
  }
  if (edited === 0) throw new Error('no ToUnicode entry of the characters to edit');
  return doc.save({ useObjectStreams: false });
}

/**
 * A scan with an invisible text layer (render mode 3) laid over it, as OCR software makes
 * "searchable" scans, but saying something else than the image: `layer` lines in the shipped font.
 */
export async function scanWithInvisibleLayer(png: Buffer, layer: readonly string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font: PDFFont = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage(A4);
  page.drawImage(await pdf.embedPng(png), { x: 0, y: 0, width: A4[0], height: A4[1] });
  let y = A4[1] - 90;
  for (const line of layer) {
    page.pushOperators(setTextRenderingMode(TextRenderingMode.Invisible));
    page.drawText(line, { x: 90, y, size: line === layer[0] ? 22 : 14, font, color: rgb(0, 0, 0) });
    y -= 30;
  }
  return pdf.save({ useObjectStreams: false });
}

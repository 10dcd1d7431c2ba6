/**
 * Test documents of our own for the U2 gate (issue 13), made by test code from documents the
 * test itself writes: scans (a document rendered to an image, optionally turned a little and
 * speckled, then put on a page as its only content), a ToUnicode map edited so extraction no
 * longer yields what is drawn, and an invisible-text layer laid over a scan.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, TextRenderingMode, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState, rgb, setTextRenderingMode, type PDFFont } from 'pdf-lib';
import { embedShippedFontSubset } from '../../src/main/core/appearance/index';
import { PdfDocument } from '../../src/main/core/pdf/index';
import { renderPage } from '../../src/main/infra/ocr/page-render';
import { shippedFont } from '../integration/stamp/fixture';
import { encodeJpeg } from './jpeg-encode';

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
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
  encode(format: 'png'): Promise<Buffer>;
  encode(format: 'jpeg', quality: number): Promise<Buffer>;
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

/**
 * How a scanner stores a page image: `png` as PNG's samples (8-bit, Flate with PNG predictors:
 * pdf-lib's embedPng), `jpeg` as a baseline JPEG (DCTDecode, RGB in YCbCr, quality 80, as office
 * scanners write colour and grey scans; @napi-rs/canvas's encoder), `bilevel` as a black-and-white
 * scan, 1 bit a pixel, Flate (luma below 128 is black), `ccitt` the same bits as CCITT G4
 * (CCITTFaxDecode, K -1), as black-and-white scanners write them: encoded by MuPDF's `mutool`
 * (Debian's mupdf-tools; no npm package encodes G4), so only where it is installed (benchmarks).
 * `progressive` is a progressive JPEG (YCbCr 4:2:0, quality 80, libjpeg's progression: what
 * scanners' and phone apps' "progressive" setting writes), `cmyk` an Adobe CMYK JPEG (4
 * components, inverted as Photoshop stores them, /Decode [1 0 …] as pdf-lib embeds it), both by
 * our own encoder (jpeg-encode.ts).
 */
export type ScanFormat = 'png' | 'jpeg' | 'progressive' | 'cmyk' | 'bilevel' | 'ccitt';

/** A PNG's pixels (RGBA) through the canvas. */
async function pixelsOf(png: Buffer): Promise<{ width: number; height: number; rgba: Uint8ClampedArray; canvas: NapiCanvas }> {
  const canvasModule = localRequire('@napi-rs/canvas') as NapiCanvasModule;
  const image = await canvasModule.loadImage(png);
  const canvas = canvasModule.createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, rgba: context.getImageData(0, 0, image.width, image.height).data, canvas };
}

/** A PNG re-encoded as a baseline JPEG of `quality` (0–100). */
export async function jpegOf(png: Buffer, quality = 80): Promise<Buffer> {
  const { canvas } = await pixelsOf(png);
  try {
    return await canvas.encode('jpeg', quality);
  } finally {
    canvas.width = 0;
    canvas.height = 0;
  }
}

/** A PNG as a progressive (YCbCr 4:2:0) or an Adobe CMYK JPEG of quality 80, by our own encoder. */
export async function encodedJpeg(png: Buffer, format: 'progressive' | 'cmyk'): Promise<Buffer> {
  const { width, height, rgba, canvas } = await pixelsOf(png);
  canvas.width = 0;
  canvas.height = 0;
  return format === 'progressive' ? encodeJpeg(rgba, width, height, { colour: 'ycc420', progressive: true }) : encodeJpeg(rgba, width, height, { colour: 'cmyk' });
}

/** A PNG as 1-bit samples (rows padded to a byte, 0 = black as DeviceGray reads them). */
export async function bilevelOf(png: Buffer): Promise<{ width: number; height: number; bits: Uint8Array }> {
  const { width, height, rgba, canvas } = await pixelsOf(png);
  canvas.width = 0;
  canvas.height = 0;
  const stride = (width + 7) >> 3;
  const bits = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 4;
      const luma = (306 * (rgba[k] as number) + 601 * (rgba[k + 1] as number) + 117 * (rgba[k + 2] as number)) >> 10;
      if (luma >= 128) bits[y * stride + (x >> 3)] = (bits[y * stride + (x >> 3)] as number) | (0x80 >> (x & 7));
    }
  }
  return { width, height, bits };
}

/**
 * A PNG as a CCITT G4 stream (1 bit, luma below 128 black) and its /DecodeParms: the bits as a
 * PBM, put in a PDF by `mutool convert -O compress-images` (which encodes 1-bit images as G4),
 * taken out of it again.
 */
export async function ccittOf(png: Buffer): Promise<{ width: number; height: number; data: Uint8Array; parms: PDFDict }> {
  const { width, height, bits } = await bilevelOf(png);
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-ccitt-'));
  try {
    // PBM's 1 is black, DeviceGray's 0 is.
    writeFileSync(join(dir, 'scan.pbm'), Buffer.concat([Buffer.from(`P4\n${width} ${height}\n`, 'latin1'), Uint8Array.from(bits, (b) => ~b & 0xff)]));
    execFileSync('mutool', ['convert', '-O', 'compress-images', '-o', join(dir, 'scan.pdf'), join(dir, 'scan.pbm')], { stdio: 'ignore' });
    const doc = await PDFDocument.load(readFileSync(join(dir, 'scan.pdf')));
    for (const [, object] of doc.context.enumerateIndirectObjects()) {
      if (!(object instanceof PDFRawStream) || object.dict.get(PDFName.of('Filter')) !== PDFName.of('CCITTFaxDecode')) continue;
      const parms = object.dict.get(PDFName.of('DecodeParms'));
      if (!(parms instanceof PDFDict)) break;
      return { width, height, data: object.contents, parms };
    }
    throw new Error('mutool wrote no CCITTFaxDecode image');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PDF whose pages are images only (no text layer): each PNG fills an A4 page, stored as `format` says. */
export async function imagePdf(images: readonly Buffer[], options: { readonly format?: ScanFormat } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const png of images) {
    if (options.format === 'bilevel' || options.format === 'ccitt') {
      const page = pdf.addPage(A4);
      const dict = { Type: 'XObject', Subtype: 'Image', ColorSpace: 'DeviceGray', BitsPerComponent: 1 };
      let stream: PDFRawStream;
      if (options.format === 'bilevel') {
        const { width, height, bits } = await bilevelOf(png);
        stream = pdf.context.flateStream(bits, { ...dict, Width: width, Height: height });
      } else {
        const { width, height, data, parms } = await ccittOf(png);
        stream = pdf.context.stream(data, { ...dict, Width: width, Height: height, Filter: 'CCITTFaxDecode', DecodeParms: pdf.context.obj(Object.fromEntries(parms.entries().map(([k, v]) => [k.decodeText(), v])) as never) });
      }
      const name = page.node.newXObject('Scan', pdf.context.register(stream));
      page.pushOperators(pushGraphicsState(), concatTransformationMatrix(A4[0], 0, 0, A4[1], 0, 0), drawObject(name), popGraphicsState());
      continue;
    }
    const image = options.format === 'jpeg' ? await pdf.embedJpg(await jpegOf(png)) : options.format === 'progressive' || options.format === 'cmyk' ? await pdf.embedJpg(await encodedJpeg(png, options.format)) : await pdf.embedPng(png);
    pdf.addPage(A4).drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
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

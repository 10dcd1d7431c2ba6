/**
 * The seal's appearance from the register, as PDF drawing operators for the signature widget's
 * appearance stream (so the impression appears and disappears with the signature, U1), at its
 * physical size (1:1: the SVG's width/height in mm become points at 72/25.4 per mm).
 *
 * The register stores what the office made (M1): the SVG of the generated impression
 * (appearance/svg.ts: one colour, absolute M/L/C/Z paths, glyphs also stroked) or the SVG
 * wrapping a supplied PNG/JPEG (appearance/supplied-image.ts), else a bare PNG. Only those
 * shapes are read; anything else is STAMP_APPEARANCE_UNSUPPORTED, never a half-drawn seal.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { YinjianError } from '../../../shared/errors/index';
// Straight from pdf-operators, not the appearance barrel: the barrel's seal-spec builds zod schemas at import, which a stamping does not need (CLI start-up, issue #15).
import { PT_PER_MM } from '../appearance/pdf-operators';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream } from '../pdf/index';
import type { SealAppearance } from '../register/types';
import { uprightMatrix, type PageRotation } from './page-frame';

/** An impression ready to be drawn: operators in points, origin at the lower-left corner. */
export interface ImpressionDrawing {
  readonly widthPt: number;
  readonly heightPt: number;
  readonly operators: string;
  /** Image XObjects the operators use, by resource name (written as indirect objects). */
  readonly images: ReadonlyMap<string, ImpressionImage>;
}

/** An image XObject and its soft mask (alpha), each a stream that must be an indirect object. */
export interface ImpressionImage {
  readonly image: PdfStream;
  readonly softMask?: PdfStream;
}

function unsupported(detail: string): YinjianError {
  return new YinjianError('STAMP_APPEARANCE_UNSUPPORTED', { detail });
}

function num(value: number): string {
  if (!Number.isFinite(value)) throw unsupported('non-finite number');
  const text = value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

function mm(value: string | undefined, what: string): number {
  const match = /^([0-9.]+)mm$/.exec(value ?? '');
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isFinite(n) || n < 5 || n > 100) throw unsupported(`${what} ${String(value)}`);
  return n;
}

function rgbOf(value: string | undefined): string {
  const m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(value ?? '');
  if (!m) throw unsupported(`colour ${String(value)}`);
  return [m[1], m[2], m[3]].map((c) => num(Math.min(255, Number(c)) / 255)).join(' ');
}

/** SVG path data (absolute or relative M, L, H, V, C, Z) → PDF path operators in points. */
function pathOperators(d: string, toPdf: (x: number, y: number) => string): string {
  const tokens = d.match(/[MLHVCZmlhvcz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?/g) ?? [];
  const out: string[] = [];
  let i = 0;
  let command = '';
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  const next = (): number => {
    const token = tokens[i++];
    const value = Number(token);
    if (token === undefined || !Number.isFinite(value)) throw unsupported('path data');
    return value;
  };
  while (i < tokens.length) {
    const token = tokens[i] as string;
    if (/[A-Za-z]/.test(token)) {
      command = token;
      i++;
      if (command === 'Z' || command === 'z') {
        out.push('h');
        x = startX;
        y = startY;
        continue;
      }
    }
    const relative = command === command.toLowerCase();
    const bx = relative ? x : 0;
    const by = relative ? y : 0;
    switch (command.toUpperCase()) {
      case 'M':
        x = bx + next();
        y = by + next();
        startX = x;
        startY = y;
        out.push(`${toPdf(x, y)} m`);
        command = relative ? 'l' : 'L'; // further pairs after M are line-tos
        break;
      case 'L':
        x = bx + next();
        y = by + next();
        out.push(`${toPdf(x, y)} l`);
        break;
      case 'H':
        x = bx + next();
        out.push(`${toPdf(x, y)} l`);
        break;
      case 'V':
        y = (relative ? y : 0) + next();
        out.push(`${toPdf(x, y)} l`);
        break;
      case 'C': {
        const x1 = bx + next();
        const y1 = by + next();
        const x2 = bx + next();
        const y2 = by + next();
        x = bx + next();
        y = by + next();
        out.push(`${toPdf(x1, y1)} ${toPdf(x2, y2)} ${toPdf(x, y)} c`);
        break;
      }
      default:
        throw unsupported(`path command ${command || token}`);
    }
  }
  return out.join('\n');
}

function base64Image(href: string): { mime: string; bytes: Uint8Array } {
  const m = /^data:(image\/(?:png|jpeg));base64,([A-Za-z0-9+/=\s]+)$/.exec(href);
  if (!m) throw unsupported('image is not an inline PNG or JPEG');
  return { mime: m[1] as string, bytes: new Uint8Array(Buffer.from(m[2] as string, 'base64')) };
}

/** Our SVG: viewBox in mm, one <g fill>, paths (the generated seal) or one inline image. */
function drawingFromSvg(svg: string): ImpressionDrawing {
  if (svg.length > 8 * 1024 * 1024) throw unsupported('SVG larger than 8 MB');
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!root) throw unsupported('no <svg> element');
  const widthMm = mm(attr(root, 'width'), 'width');
  const heightMm = mm(attr(root, 'height'), 'height');
  const viewBox = (attr(root, 'viewBox') ?? `0 0 ${widthMm} ${heightMm}`).trim().split(/[\s,]+/).map(Number);
  const [vx, vy, vw, vh] = viewBox as [number, number, number, number];
  if (viewBox.length !== 4 || !viewBox.every(Number.isFinite) || vw <= 0 || vh <= 0) throw unsupported('viewBox');
  const widthPt = widthMm * PT_PER_MM;
  const heightPt = heightMm * PT_PER_MM;
  const sx = widthPt / vw;
  const sy = heightPt / vh;
  // SVG's y axis points down, PDF's up.
  const toPdf = (x: number, y: number): string => `${num((x - vx) * sx)} ${num(heightPt - (y - vy) * sy)}`;
  const image = /<image\b[^>]*>/.exec(svg)?.[0];
  if (image) {
    const href = attr(image, 'href') ?? attr(image, 'xlink:href') ?? '';
    const { bytes } = base64Image(href);
    const w = Number(attr(image, 'width') ?? vw);
    const h = Number(attr(image, 'height') ?? vh);
    const x = Number(attr(image, 'x') ?? 0);
    const y = Number(attr(image, 'y') ?? 0);
    const ops = `q ${num(w * sx)} 0 0 ${num(h * sy)} ${num((x - vx) * sx)} ${num(heightPt - (y - vy + h) * sy)} cm /Im0 Do Q\n`;
    return { widthPt, heightPt, operators: ops, images: new Map([['Im0', imageXObject(bytes)]]) };
  }
  const group = /<g\b[^>]*>/.exec(svg)?.[0] ?? '';
  const groupFill = attr(group, 'fill');
  const ops: string[] = [];
  for (const [tag] of svg.matchAll(/<path\b[^>]*>/g)) {
    const d = attr(tag, 'd');
    if (d === undefined) continue;
    const fill = attr(tag, 'fill') ?? groupFill;
    const stroke = attr(tag, 'stroke');
    const strokeWidth = Number(attr(tag, 'stroke-width') ?? 0);
    const parts: string[] = ['q'];
    if (fill !== undefined && fill !== 'none') parts.push(`${rgbOf(fill)} rg`);
    if (stroke !== undefined && stroke !== 'none') parts.push(`${rgbOf(stroke)} RG ${num(strokeWidth * sx)} w 1 j`);
    parts.push(pathOperators(d, toPdf));
    const filled = fill !== 'none';
    const stroked = stroke !== undefined && stroke !== 'none';
    parts.push(filled && stroked ? 'B' : stroked ? 'S' : 'f', 'Q');
    ops.push(parts.join('\n'));
  }
  if (ops.length === 0) throw unsupported('SVG has no paths');
  return { widthPt, heightPt, operators: `${ops.join('\n')}\n`, images: new Map() };
}

// ---- images ---------------------------------------------------------------------------------

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}
function u32(b: Uint8Array, at: number): number {
  return u16(b, at) * 0x10000 + u16(b, at + 2);
}

function jpegXObject(bytes: Uint8Array): ImpressionImage {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) throw unsupported('JPEG marker');
    const marker = bytes[at + 1] ?? 0;
    const length = u16(bytes, at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = u16(bytes, at + 5);
      const width = u16(bytes, at + 7);
      const components = bytes[at + 9];
      const colorSpace = components === 1 ? 'DeviceGray' : components === 3 ? 'DeviceRGB' : components === 4 ? 'DeviceCMYK' : undefined;
      if (!colorSpace) throw unsupported('JPEG colour components');
      return {
        image: PdfStream.withData(
          PdfDict.of({ Type: PdfName.of('XObject'), Subtype: PdfName.of('Image'), Width: width, Height: height, ColorSpace: PdfName.of(colorSpace), BitsPerComponent: 8, Filter: PdfName.of('DCTDecode') }),
          bytes,
        ),
      };
    }
    at += 2 + length;
  }
  throw unsupported('JPEG without a frame header');
}

/** PNG (8-bit grey, RGB, grey+alpha or RGBA, not interlaced): colour and alpha (SMask) split. */
function pngXObject(bytes: Uint8Array): ImpressionImage {
  let at = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = u32(data, 0);
      height = u32(data, 4);
      colorType = data[9] ?? -1;
      if (data[8] !== 8 || data[12] !== 0) throw unsupported('PNG must be 8-bit and not interlaced');
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
  if (channels === undefined || width < 1 || height < 1 || width * height > 6000 * 6000) throw unsupported(`PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (width * channels + 1) * height });
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    const out = pixels.subarray(row * stride, (row + 1) * stride);
    const prev = row > 0 ? pixels.subarray((row - 1) * stride, row * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (out[i - channels] as number) : 0;
      const b = prev[i] as number;
      const c = i >= channels ? (prev[i - channels] as number) : 0;
      const x = line[i] ?? 0;
      let value: number;
      switch (filter) {
        case 0: value = x; break;
        case 1: value = x + a; break;
        case 2: value = x + b; break;
        case 3: value = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          value = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw unsupported(`PNG filter ${String(filter)}`);
      }
      out[i] = value & 0xff;
    }
  }
  const colorChannels = colorType === 0 || colorType === 4 ? 1 : 3;
  const hasAlpha = colorType === 4 || colorType === 6;
  const color = new Uint8Array(width * height * colorChannels);
  const alpha = hasAlpha ? new Uint8Array(width * height) : undefined;
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < colorChannels; k++) color[p * colorChannels + k] = pixels[p * channels + k] as number;
    if (alpha) alpha[p] = pixels[p * channels + channels - 1] as number;
  }
  const base = { Type: PdfName.of('XObject'), Subtype: PdfName.of('Image'), Width: width, Height: height, BitsPerComponent: 8, Filter: PdfName.of('FlateDecode') };
  const image = PdfStream.withData(PdfDict.of({ ...base, ColorSpace: PdfName.of(colorChannels === 1 ? 'DeviceGray' : 'DeviceRGB') }), new Uint8Array(deflateSync(color)));
  if (!alpha) return { image };
  return { image, softMask: PdfStream.withData(PdfDict.of({ ...base, ColorSpace: PdfName.of('DeviceGray') }), new Uint8Array(deflateSync(alpha))) };
}

function imageXObject(bytes: Uint8Array): ImpressionImage {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegXObject(bytes);
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return pngXObject(bytes);
  throw unsupported('image is neither PNG nor JPEG');
}

/**
 * The drawing of a register appearance. The SVG wins (vector, exact size); a bare PNG is drawn
 * at `pngSizeMm` (the seal's physical diameter).
 */
/**
 * The last seal's drawing, by its SVG. A batch stamps many files with one seal, and turning the
 * SVG's paths into operators took ~35 ms a file (issue #4 profile); the drawing is immutable
 * data (operators string, image streams only read), so the same one serves every file. One
 * entry: a workstation holds one seal at a time, and the memory stays bounded.
 */
let lastSvgDrawing: { readonly svg: string; readonly drawing: ImpressionDrawing } | undefined;

export function impressionDrawing(appearance: SealAppearance, pngSizeMm = 42): ImpressionDrawing {
  if (appearance.svg !== null && appearance.svg.trim() !== '') {
    if (lastSvgDrawing?.svg !== appearance.svg) lastSvgDrawing = { svg: appearance.svg, drawing: drawingFromSvg(appearance.svg) };
    return lastSvgDrawing.drawing;
  }
  if (appearance.png !== null) {
    const size = pngSizeMm * PT_PER_MM;
    return { widthPt: size, heightPt: size, operators: `q ${num(size)} 0 0 ${num(size)} 0 0 cm /Im0 Do Q\n`, images: new Map([['Im0', imageXObject(appearance.png)]]) };
  }
  throw unsupported('the seal has no appearance in the register');
}

/**
 * The appearance stream (a form XObject, §12.5.5) for the whole impression or, for a seam seal
 * (骑缝章), for the `index`-th of `count` vertical slices: clipped to its strip and shifted to
 * the origin, so the strips on N pages fanned out side by side join into the whole seal.
 */
export function appearanceStream(
  drawing: ImpressionDrawing,
  imageRefs: ReadonlyMap<string, PdfRef>,
  slice: { index: number; count: number } = { index: 0, count: 1 },
  rotate: PageRotation = 0,
): PdfStream {
  const sliceWidth = drawing.widthPt / slice.count;
  let operators = drawing.operators;
  if (slice.count > 1) {
    operators = `q 0 0 ${num(sliceWidth)} ${num(drawing.heightPt)} re W n 1 0 0 1 ${num(-slice.index * sliceWidth)} 0 cm\n${operators}Q\n`;
  }
  const resources = imageRefs.size > 0 ? PdfDict.of({ XObject: new PdfDict([...imageRefs.entries()]) }) : new PdfDict();
  return PdfStream.withData(
    PdfDict.of({
      Type: PdfName.of('XObject'),
      Subtype: PdfName.of('Form'),
      BBox: new PdfArray([0, 0, Number(num(sliceWidth)), Number(num(drawing.heightPt))]),
      // Omitted when unrotated (the identity is the default), so unrotated seals are byte-for-byte as before.
      ...(rotate === 0 ? {} : { Matrix: new PdfArray(uprightMatrix(rotate)) }),
      Resources: resources,
    }),
    new TextEncoder().encode(operators),
  );
}

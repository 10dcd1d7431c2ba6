import { YinjianError } from '../../../shared/errors/index';
import type { SealArtwork } from './seal-artwork';
import { formatNumber as n } from './path';
import { sealToSvg } from './svg';

/**
 * What a seal shows when stamped: the impression generated from the seal's data, or an image
 * the office supplied in its place (a scan of the physical seal's impression, say).
 */
export type SealImpression =
  | { readonly kind: 'generated'; readonly artwork: SealArtwork }
  | {
      readonly kind: 'image';
      readonly mime: SuppliedImageMime;
      readonly bytes: Uint8Array;
      readonly widthPx: number;
      readonly heightPx: number;
      readonly widthMm: number;
      readonly heightMm: number;
    };

export type SuppliedImageMime = 'image/png' | 'image/jpeg';

/** Bounds that keep a hostile or mistaken file from bloating every stamped PDF. */
export const SUPPLIED_IMAGE_LIMITS = {
  maxBytes: 4 * 1024 * 1024,
  minPx: 32,
  maxPx: 6000,
  minMm: 10,
  maxMm: 80,
} as const;

export interface SuppliedImageOptions {
  /** Physical width; defaults to 42 mm, the company seal. */
  readonly widthMm?: number;
  /** Physical height; defaults to the width times the image's aspect ratio. */
  readonly heightMm?: number;
}

function invalid(reason: string): YinjianError {
  return new YinjianError('APPEARANCE_IMAGE_INVALID', { reason });
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 0x10000 + u16(bytes, at + 2);
}

/** PNG: the IHDR chunk must come first and carry the size. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 33 || u32(bytes, 8) !== 13 || ihdr !== 'IHDR') throw invalid('PNG without an IHDR header');
  return { width: u32(bytes, 16), height: u32(bytes, 20) };
}

/** JPEG: walk the marker segments to the first start-of-frame, which carries the size. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw invalid('JPEG marker expected');
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or scan data before any frame
    const length = u16(bytes, at + 2);
    if (length < 2) throw invalid('JPEG segment length');
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > bytes.length) break;
      return { width: u16(bytes, at + 7), height: u16(bytes, at + 5) };
    }
    at += 2 + length;
  }
  throw invalid('JPEG without a frame header');
}

/**
 * Checks a supplied PNG or JPEG (by its magic bytes, not its file name), reads its pixel size
 * and gives it a physical size. Anything else is APPEARANCE_IMAGE_INVALID.
 */
export function suppliedImageImpression(bytes: Uint8Array, options: SuppliedImageOptions = {}): SealImpression {
  const L = SUPPLIED_IMAGE_LIMITS;
  if (bytes.length === 0) throw invalid('empty file');
  if (bytes.length > L.maxBytes) throw invalid(`larger than ${L.maxBytes} bytes`);
  let mime: SuppliedImageMime;
  let size: { width: number; height: number };
  if (startsWith(bytes, PNG_SIGNATURE)) {
    mime = 'image/png';
    size = pngSize(bytes);
  } else if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    mime = 'image/jpeg';
    size = jpegSize(bytes);
  } else {
    throw invalid('neither PNG nor JPEG');
  }
  for (const side of [size.width, size.height]) {
    if (side < L.minPx || side > L.maxPx) throw invalid(`${size.width}×${size.height} px outside ${L.minPx}–${L.maxPx} px`);
  }
  const widthMm = options.widthMm ?? 42;
  const heightMm = options.heightMm ?? (widthMm * size.height) / size.width;
  for (const side of [widthMm, heightMm]) {
    if (!Number.isFinite(side) || side < L.minMm || side > L.maxMm) {
      throw invalid(`${n(widthMm)}×${n(heightMm)} mm outside ${L.minMm}–${L.maxMm} mm`);
    }
  }
  return { kind: 'image', mime, bytes, widthPx: size.width, heightPx: size.height, widthMm, heightMm };
}

export function generatedImpression(artwork: SealArtwork): SealImpression {
  return { kind: 'generated', artwork };
}

/** Physical size of an impression, in millimetres. */
export function impressionSizeMm(impression: SealImpression): { widthMm: number; heightMm: number } {
  return impression.kind === 'generated'
    ? { widthMm: impression.artwork.diameterMm, heightMm: impression.artwork.diameterMm }
    : { widthMm: impression.widthMm, heightMm: impression.heightMm };
}

/** Either kind as a standalone SVG; a supplied image is inlined as a data URI, never linked. */
export function impressionToSvg(impression: SealImpression): string {
  if (impression.kind === 'generated') return sealToSvg(impression.artwork);
  const { widthMm: w, heightMm: h } = impression;
  const data = Buffer.from(impression.bytes).toString('base64');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(w)}mm" height="${n(h)}mm" viewBox="0 0 ${n(w)} ${n(h)}">`,
    `<image width="${n(w)}" height="${n(h)}" preserveAspectRatio="none" href="data:${impression.mime};base64,${data}"/>`,
    '</svg>',
    '',
  ].join('\n');
}

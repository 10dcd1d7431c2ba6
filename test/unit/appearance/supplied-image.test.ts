import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  SUPPLIED_IMAGE_LIMITS,
  impressionSizeMm,
  impressionToSvg,
  suppliedImageImpression,
} from '../../../src/main/core/appearance/index';
import { YinjianError } from '../../../src/shared/errors/index';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof YinjianError ? e.code : `not a YinjianError: ${String(e)}`;
  }
  return undefined;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // the CRC is not checked by the validator; a real one keeps the file valid for other readers
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A real RGBA PNG of the given size, all red. */
function png(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 4);
  for (let x = 0; x < width; x++) row.set([230, 0, 18, 255], 1 + x * 4);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The header segments of a baseline JPEG: SOI, APP0, SOF0 with the size. */
function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

describe('supplied impression images', () => {
  it('accepts a PNG, reads its size and gives it a physical size', () => {
    const imp = suppliedImageImpression(png(400, 200), { widthMm: 40 });
    expect(imp).toMatchObject({ kind: 'image', mime: 'image/png', widthPx: 400, heightPx: 200, widthMm: 40, heightMm: 20 });
    expect(impressionSizeMm(imp)).toEqual({ widthMm: 40, heightMm: 20 });
    const svg = impressionToSvg(imp);
    expect(svg).toContain('href="data:image/png;base64,');
    expect(svg).toContain('width="40mm" height="20mm"');
  });

  it('accepts a JPEG by its magic bytes and frame header', () => {
    const imp = suppliedImageImpression(jpegHeader(500, 480));
    expect(imp).toMatchObject({ kind: 'image', mime: 'image/jpeg', widthPx: 500, heightPx: 480, widthMm: 42 });
    if (imp.kind !== 'image') throw new Error('not an image');
    expect(imp.heightMm).toBeCloseTo(40.32, 9);
  });

  it('refuses anything else with APPEARANCE_IMAGE_INVALID', () => {
    const gif = new TextEncoder().encode('GIF89a\u0001\u0000\u0001\u0000');
    const truncatedPng = png(100, 100).subarray(0, 20);
    const jpegWithoutFrame = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const cases: [string, Uint8Array, object?][] = [
      ['empty', new Uint8Array(0)],
      ['gif', gif],
      ['svg text', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
      ['truncated png', truncatedPng],
      ['jpeg without frame', jpegWithoutFrame],
      ['too few pixels', png(8, 8)],
      ['too many pixels', jpegHeader(SUPPLIED_IMAGE_LIMITS.maxPx + 1, 100)],
      ['too many bytes', new Uint8Array(SUPPLIED_IMAGE_LIMITS.maxBytes + 1).fill(0x89)],
      ['too small on paper', png(100, 100), { widthMm: 5 }],
      ['too large on paper', png(100, 100), { widthMm: 40, heightMm: 400 }],
      ['not a number', png(100, 100), { widthMm: Number.NaN }],
    ];
    for (const [label, bytes, options] of cases) {
      expect(codeOf(() => suppliedImageImpression(bytes, options)), label).toBe('APPEARANCE_IMAGE_INVALID');
    }
  });
});

/**
 * The row inflater the OCR page renderer uses for scanned images (issue 13's memory budget,
 * infra/ocr/row-inflate.ts): every block type zlib writes, rows handed over whole and in order,
 * and anything malformed or cut short refused (the renderer then lets pdf.js decode the image).
 */
import { constants, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateRows } from '../../../src/main/infra/ocr/row-inflate';

/** A scan-like image: long white runs, strokes, and some noise (seeded). */
function image(bytes: number, seed = 3): Uint8Array {
  const out = new Uint8Array(bytes);
  let state = seed;
  const random = (): number => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < bytes; i++) out[i] = (i >> 6) % 13 === 0 ? Math.floor(random() * 256) : i % 997 < 40 ? 20 : 255;
  return out;
}

function rowsOf(stream: Uint8Array, rowBytes: number, rows: number): { ok: boolean; data: Uint8Array } {
  const data = new Uint8Array(rowBytes * rows);
  let at = 0;
  const ok = inflateRows(stream, rowBytes, rows, (row) => {
    expect(row.length).toBe(rowBytes);
    data.set(row, at);
    at += rowBytes;
  });
  return { ok, data: data.subarray(0, at) };
}

describe('row inflater', () => {
  const rowBytes = 2481 * 3;
  const rows = 120;
  const raw = image(rowBytes * rows);

  it('stored, fixed-Huffman and dynamic-Huffman blocks: the rows are the bytes zlib wrote', () => {
    for (const [label, options] of [
      ['stored (level 0)', { level: 0 }],
      ['fixed Huffman', { strategy: constants.Z_FIXED }],
      ['dynamic, default level', {}],
      ['dynamic, level 9', { level: 9 }],
      ['run-length', { strategy: constants.Z_RLE }],
    ] as const) {
      const { ok, data } = rowsOf(deflateSync(raw, options), rowBytes, rows);
      expect(ok, label).toBe(true);
      expect(Buffer.compare(data, raw), label).toBe(0);
    }
  });

  it('fewer rows asked than the stream holds: those rows, and the rest left unread', () => {
    const { ok, data } = rowsOf(deflateSync(raw), rowBytes, 50);
    expect(ok).toBe(true);
    expect(Buffer.compare(data, raw.subarray(0, rowBytes * 50))).toBe(0);
  });

  it('a stream cut short, a bad header, a preset dictionary, corrupt codes: refused', () => {
    const good = deflateSync(raw);
    expect(rowsOf(good.subarray(0, good.length >> 1), rowBytes, rows).ok).toBe(false);
    expect(rowsOf(Uint8Array.from(good, (b, i) => (i === 0 ? 0x79 : b)), rowBytes, rows).ok).toBe(false);
    expect(rowsOf(Uint8Array.from(good, (b, i) => (i === 1 ? b | 0x20 : b)), rowBytes, rows).ok).toBe(false);
    // Garbage after a valid header: refused (or, were it to decode, never past what was written).
    const corrupt = Uint8Array.from(good, (b, i) => (i >= 2 && i < 200 ? (b * 31 + i) & 0xff : b));
    const result = rowsOf(corrupt, rowBytes, rows);
    expect(result.ok).toBe(false);
    // A deflate stream without the zlib wrapper is not a PDF Flate stream.
    expect(rowsOf(good.subarray(2), rowBytes, rows).ok).toBe(false);
  });
});

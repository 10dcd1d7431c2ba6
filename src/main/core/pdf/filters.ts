/**
 * Stream filters (ISO 32000-1 §7.4). Every decoder is capped by the per-stream output limit:
 * a few KB of Flate can claim gigabytes of zeros (a decompression bomb), so inflation stops
 * at the cap with PDF_LIMIT_EXCEEDED instead of allocating.
 */
import { constants, inflateSync } from 'node:zlib';
import { YinjianError } from '../../../shared/errors/index';
import { limitExceeded, malformed } from './limits';
import type { PdfDict } from './objects';

export interface FilterStep {
  readonly name: string;
  readonly parms: PdfDict | undefined;
}

export function decodeFilters(raw: Uint8Array, steps: readonly FilterStep[], maxBytes: number): Uint8Array {
  let data = raw;
  for (const step of steps) {
    data = decodeOne(data, step, maxBytes);
    if (data.length > maxBytes) throw limitExceeded('maxStreamBytes', `decoded stream larger than ${maxBytes} bytes`);
  }
  return data;
}

function decodeOne(data: Uint8Array, step: FilterStep, maxBytes: number): Uint8Array {
  switch (step.name) {
    case 'FlateDecode':
    case 'Fl':
      return applyPredictor(inflate(data, maxBytes), step.parms, maxBytes);
    case 'ASCIIHexDecode':
    case 'AHx':
      return asciiHex(data);
    case 'ASCII85Decode':
    case 'A85':
      return ascii85(data, maxBytes);
    default:
      throw new YinjianError('PDF_UNSUPPORTED_FILTER', { filter: step.name });
  }
}

/** Compressed streams up to this size inflate in chunks of POOLED_CHUNK bytes (below Buffer's pool threshold, poolSize / 2). */
const SMALL_FLATE = 2048;
const POOLED_CHUNK = 4032;

function inflate(data: Uint8Array, maxBytes: number): Uint8Array {
  try {
    // Z_SYNC_FLUSH accepts a stream truncated before its checksum, which many writers emit.
    // A small stream (a page's content, a ToUnicode map) inflates into Buffer's shared pool
    // (chunks under 4 KiB) instead of a fresh 16 KiB buffer each: the gate inflates every page.
    return inflateSync(data, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH, ...(data.length <= SMALL_FLATE ? { chunkSize: POOLED_CHUNK } : {}) });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw limitExceeded('maxStreamBytes', `inflated stream larger than ${maxBytes} bytes`);
    }
    throw malformed(`corrupt Flate data (${(error as Error).message})`);
  }
}

function intParm(parms: PdfDict | undefined, key: string, fallback: number): number {
  const value = parms?.getInteger(key);
  return value === undefined ? fallback : value;
}

/** PNG (10–15) and TIFF 2 predictors (§7.4.4.4). */
export function applyPredictor(data: Uint8Array, parms: PdfDict | undefined, maxBytes: number): Uint8Array {
  const predictor = intParm(parms, 'Predictor', 1);
  if (predictor === 1) return data;
  const colors = intParm(parms, 'Colors', 1);
  const bits = intParm(parms, 'BitsPerComponent', 8);
  const columns = intParm(parms, 'Columns', 1);
  if (colors < 1 || colors > 32 || ![1, 2, 4, 8, 16].includes(bits) || columns < 1 || columns > 1 << 24) {
    throw malformed('bad predictor parameters');
  }
  const bpp = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowBytes = Math.ceil((colors * bits * columns) / 8);
  if (predictor === 2) {
    if (bits !== 8) throw new YinjianError('PDF_UNSUPPORTED_FILTER', { filter: `TIFF predictor, ${bits} bits` });
    const out = Uint8Array.from(data);
    for (let row = 0; row + rowBytes <= out.length; row += rowBytes) {
      for (let i = bpp; i < rowBytes; i++) out[row + i] = ((out[row + i] as number) + (out[row + i - bpp] as number)) & 0xff;
    }
    return out;
  }
  if (predictor < 10 || predictor > 15) throw new YinjianError('PDF_UNSUPPORTED_FILTER', { filter: `Predictor ${predictor}` });
  const rows = Math.floor(data.length / (rowBytes + 1));
  if (rows * rowBytes > maxBytes) throw limitExceeded('maxStreamBytes', 'predicted stream too large');
  const out = new Uint8Array(rows * rowBytes);
  const previous = new Uint8Array(rowBytes);
  for (let row = 0; row < rows; row++) {
    const inStart = row * (rowBytes + 1);
    const type = data[inStart] as number;
    const outStart = row * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const raw = data[inStart + 1 + i] as number;
      const left = i >= bpp ? (out[outStart + i - bpp] as number) : 0;
      const up = previous[i] as number;
      const upLeft = i >= bpp ? (previous[i - bpp] as number) : 0;
      let value: number;
      switch (type) {
        case 0: value = raw; break;
        case 1: value = raw + left; break;
        case 2: value = raw + up; break;
        case 3: value = raw + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw malformed(`bad PNG predictor row type ${type}`);
      }
      out[outStart + i] = value & 0xff;
    }
    previous.set(out.subarray(outStart, outStart + rowBytes));
  }
  return out;
}

function asciiHex(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 2));
  let count = 0;
  let high = -1;
  for (const byte of data) {
    if (byte === 0x3e) break;
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00) continue;
    const value =
      byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x41 && byte <= 0x46 ? byte - 0x37 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : -1;
    if (value < 0) throw malformed('bad ASCIIHex digit');
    if (high < 0) high = value;
    else {
      out[count++] = high * 16 + value;
      high = -1;
    }
  }
  if (high >= 0) out[count++] = high * 16;
  return out.slice(0, count);
}

function ascii85(data: Uint8Array, maxBytes: number): Uint8Array {
  const out: number[] = [];
  const group: number[] = [];
  let i = 0;
  if (data[0] === 0x3c && data[1] === 0x7e) i = 2;
  for (; i < data.length; i++) {
    const byte = data[i] as number;
    if (byte === 0x7e) break; // '~>' ends the data
    if (byte <= 0x20) continue;
    if (byte === 0x7a && group.length === 0) {
      out.push(0, 0, 0, 0);
    } else {
      if (byte < 0x21 || byte > 0x75) throw malformed('bad ASCII85 character');
      group.push(byte - 0x21);
      if (group.length === 5) {
        pushGroup(out, group, 4);
        group.length = 0;
      }
    }
    if (out.length > maxBytes) throw limitExceeded('maxStreamBytes', 'ASCII85 stream too large');
  }
  if (group.length === 1) throw malformed('bad ASCII85 final group');
  if (group.length > 0) {
    const used = group.length - 1;
    while (group.length < 5) group.push(84);
    pushGroup(out, group, used);
  }
  return Uint8Array.from(out);
}

function pushGroup(out: number[], group: readonly number[], count: number): void {
  let value = 0;
  for (const digit of group) value = value * 85 + digit;
  if (value > 0xffffffff) throw malformed('ASCII85 group overflow');
  const bytes = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  for (let k = 0; k < count; k++) out.push(bytes[k] as number);
}

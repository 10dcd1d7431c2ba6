import { inflateSync } from 'node:zlib';

/**
 * A minimal PNG reader for the tests (8-bit grey, RGB, RGBA; no interlace): independent of
 * the renderer under test, so a test judges its output instead of trusting it.
 */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, alpha 255 when the PNG has none. */
  at(x: number, y: number): [number, number, number, number];
}

export function readPng(bytes: Uint8Array): Pixels {
  const buf = Buffer.from(bytes);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colorType = data[9];
      if (depth !== 8 || data[12] !== 0) throw new Error(`unsupported PNG depth ${depth} / interlace`);
      channels = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 6 ? 4 : 0;
      if (!channels) throw new Error(`unsupported PNG colour type ${colorType}`);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] ?? 0;
      const a = i >= channels ? (out[y * stride + i - channels] ?? 0) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (out[(y - 1) * stride + i - channels] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      out[y * stride + i] = v & 0xff;
    }
  }
  return {
    width,
    height,
    at(x, y) {
      const i = Math.round(y) * stride + Math.round(x) * channels;
      if (channels === 1) return [out[i] ?? 0, out[i] ?? 0, out[i] ?? 0, 255];
      return [out[i] ?? 0, out[i + 1] ?? 0, out[i + 2] ?? 0, channels === 4 ? (out[i + 3] ?? 0) : 255];
    },
  };
}

/** Seal red within tolerance (anti-aliasing and colour management stay well inside it). */
export function isSealRed([r, g, b, a]: [number, number, number, number]): boolean {
  return a > 200 && r > 200 && g < 60 && b < 70;
}

export function isWhite([r, g, b, a]: [number, number, number, number]): boolean {
  return a === 255 && r > 245 && g > 245 && b > 245;
}

/**
 * A JPEG encoder for test documents (issue 13): baseline (sequential) or progressive, grey,
 * YCbCr (4:4:4, 4:2:2, 4:2:0) or Adobe CMYK, optional restart markers, Huffman tables made for
 * each scan (JPEG's Annex K.2). Written here because nothing installed writes a progressive
 * or a CMYK JPEG (the canvas's encoder writes baseline YCbCr 4:2:0 only; no ImageMagick or
 * libjpeg tools on these machines). The progressive script is libjpeg's
 * (jpeg_simple_progression): DC first at Al 1, AC bands with successive approximation, their
 * refinements, as scanners and phone apps that write progressive JPEGs (libjpeg, libjpeg-turbo)
 * store them; the encoding of each scan follows libjpeg's jcphuff.c (EOB runs, buffered
 * correction bits).
 */

export type JpegColour = 'grey' | 'ycc444' | 'ycc422' | 'ycc420' | 'cmyk';

export interface JpegOptions {
  readonly colour: JpegColour;
  readonly progressive?: boolean;
  /** 1–100, libjpeg's scaling of Annex K's tables. */
  readonly quality?: number;
  /** A restart marker every this many MCUs (0: none). */
  readonly restartInterval?: number;
  /** Sampling factors [h, v] of each component instead of the colour's usual ones. */
  readonly factors?: readonly (readonly [number, number])[];
  /** The progressive script's scans (defaults to libjpeg's); a component index list, Ss, Se, Ah, Al. */
  readonly script?: readonly Scan[];
}

export interface Scan {
  readonly components: readonly number[];
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
}

const ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];
const LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
const CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99];
const COS = Array.from({ length: 64 }, (_, i) => (((i & 7) === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * (i >> 3) + 1) * (i & 7) * Math.PI) / 16));

/** libjpeg's default progression for `count` components (jcparam.c, jpeg_simple_progression). */
export function simpleProgression(count: number): Scan[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count === 3) {
    return [
      { components: all, ss: 0, se: 0, ah: 0, al: 1 },
      { components: [0], ss: 1, se: 5, ah: 0, al: 2 },
      { components: [2], ss: 1, se: 63, ah: 0, al: 1 },
      { components: [1], ss: 1, se: 63, ah: 0, al: 1 },
      { components: [0], ss: 6, se: 63, ah: 0, al: 2 },
      { components: [0], ss: 1, se: 63, ah: 2, al: 1 },
      { components: all, ss: 0, se: 0, ah: 1, al: 0 },
      { components: [2], ss: 1, se: 63, ah: 1, al: 0 },
      { components: [1], ss: 1, se: 63, ah: 1, al: 0 },
      { components: [0], ss: 1, se: 63, ah: 1, al: 0 },
    ];
  }
  const scans: Scan[] = [{ components: count > 4 ? [0] : all, ss: 0, se: 0, ah: 0, al: 1 }];
  for (const c of all) scans.push({ components: [c], ss: 1, se: 5, ah: 0, al: 2 }, { components: [c], ss: 6, se: 63, ah: 0, al: 2 }, { components: [c], ss: 1, se: 63, ah: 2, al: 1 });
  scans.push({ components: all, ss: 0, se: 0, ah: 1, al: 0 });
  for (const c of all) scans.push({ components: [c], ss: 1, se: 63, ah: 1, al: 0 });
  return scans;
}

interface Plane {
  readonly h: number;
  readonly v: number;
  readonly table: number;
  /** Blocks across and down as stored (padded to whole MCUs), and as a one-component scan covers them. */
  readonly stride: number;
  readonly rows: number;
  readonly blocksPerLine: number;
  readonly blocksPerColumn: number;
  /** Quantized coefficients, 64 a block in natural order, block rows `stride` blocks wide. */
  readonly coefficients: Int32Array;
}

/** A JPEG of `rgba` (width × height, 4 bytes a pixel). */
export function encodeJpeg(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, options: JpegOptions): Buffer {
  const quality = options.quality ?? 80;
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
  const quant = [LUMA, CHROMA].map((base) => base.map((q) => Math.min(255, Math.max(1, Math.floor((q * scale + 50) / 100)))));
  const colour = options.colour;
  const factors: readonly (readonly [number, number])[] =
    options.factors ?? (colour === 'grey' ? [[1, 1]] : colour === 'cmyk' ? [[1, 1], [1, 1], [1, 1], [1, 1]] : [[colour === 'ycc444' ? 1 : 2, colour === 'ycc420' ? 2 : 1], [1, 1], [1, 1]]);
  const count = factors.length;
  const hMax = Math.max(...factors.map((f) => f[0]));
  const vMax = Math.max(...factors.map((f) => f[1]));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcuRows = Math.ceil(height / (8 * vMax));
  // Full-resolution component samples.
  const sample = (c: number, x: number, y: number): number => {
    const k = (Math.min(height - 1, y) * width + Math.min(width - 1, x)) * 4;
    const r = rgba[k] as number;
    const g = rgba[k + 1] as number;
    const b = rgba[k + 2] as number;
    if (colour === 'grey') return 0.299 * r + 0.587 * g + 0.114 * b;
    if (colour === 'cmyk') {
      const key = 255 - Math.max(r, g, b);
      // Adobe's CMYK JPEGs store the inks inverted (255: no ink).
      return 255 - (c === 3 ? key : Math.max(0, 255 - [r, g, b][c]! - key));
    }
    if (c === 0) return 0.299 * r + 0.587 * g + 0.114 * b;
    if (c === 1) return -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
    return 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
  };
  const planes: Plane[] = factors.map(([h, v], c) => {
    const single = count === 1;
    const stride = single ? Math.ceil(width / 8) : mcusPerLine * h;
    const rows = single ? Math.ceil(height / 8) : mcuRows * v;
    const sx = hMax / h;
    const sy = vMax / v;
    const coefficients = new Int32Array(stride * rows * 64);
    const table = quant[colour === 'cmyk' || c === 0 ? 0 : 1] as number[];
    const block = new Float64Array(64);
    const partial = new Float64Array(64);
    for (let by = 0; by < rows; by++) {
      for (let bx = 0; bx < stride; bx++) {
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            let sum = 0;
            for (let dy = 0; dy < sy; dy++) for (let dx = 0; dx < sx; dx++) sum += sample(c, ((bx * 8 + x) * sx + dx), ((by * 8 + y) * sy + dy));
            block[y * 8 + x] = sum / (sx * sy) - 128;
          }
        }
        const at = (by * stride + bx) * 64;
        // Separable: rows (x → u), then columns (y → v).
        for (let y = 0; y < 8; y++) {
          for (let u = 0; u < 8; u++) {
            let sum = 0;
            for (let x = 0; x < 8; x++) sum += (COS[x * 8 + u] as number) * (block[y * 8 + x] as number);
            partial[y * 8 + u] = sum;
          }
        }
        for (let v2 = 0; v2 < 8; v2++) {
          for (let u = 0; u < 8; u++) {
            let sum = 0;
            for (let y = 0; y < 8; y++) sum += (COS[y * 8 + v2] as number) * (partial[y * 8 + u] as number);
            coefficients[at + v2 * 8 + u] = Math.round(sum / (table[v2 * 8 + u] as number));
          }
        }
      }
    }
    return { h: single ? 1 : h, v: single ? 1 : v, table: colour === 'cmyk' || c === 0 ? 0 : 1, stride, rows, blocksPerLine: Math.ceil(Math.ceil((width * h) / hMax) / 8), blocksPerColumn: Math.ceil(Math.ceil((height * v) / vMax) / 8), coefficients };
  });

  const out = new Writer();
  out.bytes(0xff, 0xd8);
  if (colour === 'cmyk') out.segment(0xee, [...Buffer.from('Adobe', 'latin1'), 0, 100, 0, 0, 0, 0, 0]);
  else out.segment(0xe0, [...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  for (const [id, table] of quant.entries()) if (id === 0 || colour.startsWith('ycc')) out.segment(0xdb, [id, ...ZIGZAG.map((z) => table[z] as number)]);
  const frame = [8, height >> 8, height & 255, width >> 8, width & 255, count];
  for (const [c, [h, v]] of factors.entries()) frame.push(c + 1, (h << 4) | v, planes[c]!.table);
  out.segment(options.progressive ? 0xc2 : 0xc0, frame);
  const restartInterval = options.restartInterval ?? 0;
  if (restartInterval > 0) out.segment(0xdd, [restartInterval >> 8, restartInterval & 255]);
  const all = Array.from({ length: count }, (_, i) => i);
  const scans = options.progressive ? (options.script ?? simpleProgression(count)) : [{ components: all, ss: 0, se: 63, ah: 0, al: 0 }];
  for (const scan of scans) encodeScan(out, planes, scan, { mcusPerLine, mcuRows, restartInterval, progressive: options.progressive === true });
  out.bytes(0xff, 0xd9);
  return out.done();
}

class Writer {
  private chunks: number[] = [];
  private buffer = 0;
  private count = 0;
  bytes(...values: number[]): void {
    for (const v of values) this.chunks.push(v);
  }
  segment(marker: number, body: number[]): void {
    this.bytes(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  }
  bits(value: number, length: number): void {
    for (let b = length - 1; b >= 0; b--) {
      this.buffer = (this.buffer << 1) | ((value >> b) & 1);
      if (++this.count === 8) {
        this.chunks.push(this.buffer);
        if (this.buffer === 0xff) this.chunks.push(0);
        this.buffer = 0;
        this.count = 0;
      }
    }
  }
  /** Pads the last byte with ones. */
  flush(): void {
    if (this.count > 0) this.bits((1 << (8 - this.count)) - 1, 8 - this.count);
  }
  done(): Buffer {
    return Buffer.from(this.chunks);
  }
}

/** Huffman code lengths from symbol frequencies (Annex K.2, libjpeg's jpeg_gen_optimal_table): the DHT body's counts and values. */
function optimalTable(frequencies: readonly number[]): { counts: number[]; values: number[] } {
  const freq = [...frequencies.slice(0, 256), ...new Array<number>(Math.max(0, 256 - frequencies.length)).fill(0), 1];
  const codesize = new Array<number>(257).fill(0);
  const others = new Array<number>(257).fill(-1);
  for (;;) {
    let c1 = -1;
    let v = 1e12;
    for (let i = 0; i <= 256; i++) if (freq[i]! > 0 && freq[i]! <= v) [v, c1] = [freq[i]!, i];
    let c2 = -1;
    v = 1e12;
    for (let i = 0; i <= 256; i++) if (freq[i]! > 0 && freq[i]! <= v && i !== c1) [v, c2] = [freq[i]!, i];
    if (c2 < 0) break;
    freq[c1]! += freq[c2]!;
    freq[c2] = 0;
    codesize[c1]!++;
    while (others[c1]! >= 0) codesize[(c1 = others[c1]!)]!++;
    others[c1] = c2;
    codesize[c2]!++;
    while (others[c2]! >= 0) codesize[(c2 = others[c2]!)]!++;
  }
  const bits = new Array<number>(33).fill(0);
  for (let i = 0; i <= 256; i++) if (codesize[i]! > 0) bits[codesize[i]!]!++;
  for (let i = 32; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i]! -= 2;
      bits[i - 1]!++;
      bits[j + 1]! += 2;
      bits[j]!--;
    }
  }
  let i = 16;
  while (bits[i] === 0) i--;
  bits[i]!--;
  const values: number[] = [];
  for (let length = 1; length <= 32; length++) for (let s = 0; s < 256; s++) if (codesize[s] === length) values.push(s);
  return { counts: bits.slice(1, 17), values };
}

/** Canonical codes of a table: symbol → [code, length]. */
function codesOf(table: { counts: number[]; values: number[] }): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++, code <<= 1) for (let n = 0; n < table.counts[length - 1]!; n++) codes.set(table.values[k++]!, [code++, length]);
  return codes;
}

const bitLength = (value: number): number => (value === 0 ? 0 : 32 - Math.clz32(value));

interface Sink {
  symbol(kind: 'dc' | 'ac', component: number, symbol: number): void;
  bits(value: number, length: number): void;
  restart(index: number): void;
}

/** One scan: its entropy-coded data through `sink` (twice: once counting symbols, once writing). */
function scanData(planes: readonly Plane[], scan: Scan, layout: { mcusPerLine: number; mcuRows: number; restartInterval: number; progressive: boolean }, sink: Sink): void {
  const { ss, se, ah, al } = scan;
  const last = new Array<number>(planes.length).fill(0);
  let eobrun = 0;
  let pendingBits: number[] = [];
  const flushEobrun = (): void => {
    if (eobrun > 0) {
      const n = bitLength(eobrun) - 1;
      sink.symbol('ac', scan.components[0]!, n << 4);
      if (n > 0) sink.bits(eobrun, n);
      eobrun = 0;
      for (const b of pendingBits) sink.bits(b, 1);
      pendingBits = [];
    }
  };
  const block = (c: number, at: number): void => {
    const data = planes[c]!.coefficients;
    if (!layout.progressive) {
      const dc = data[at]!;
      const diff = dc - last[c]!;
      last[c] = dc;
      const n = bitLength(Math.abs(diff));
      sink.symbol('dc', c, n);
      if (n > 0) sink.bits(diff < 0 ? diff - 1 : diff, n);
      let r = 0;
      for (let k = 1; k < 64; k++) {
        const value = data[at + ZIGZAG[k]!]!;
        if (value === 0) {
          r++;
          continue;
        }
        while (r > 15) {
          sink.symbol('ac', c, 0xf0);
          r -= 16;
        }
        const size = bitLength(Math.abs(value));
        sink.symbol('ac', c, (r << 4) | size);
        sink.bits(value < 0 ? value - 1 : value, size);
        r = 0;
      }
      if (r > 0) sink.symbol('ac', c, 0);
      return;
    }
    if (ss === 0) {
      if (ah === 0) {
        const value = data[at]! >> al;
        const diff = value - last[c]!;
        last[c] = value;
        const n = bitLength(Math.abs(diff));
        sink.symbol('dc', c, n);
        if (n > 0) sink.bits(diff < 0 ? diff - 1 : diff, n);
      } else sink.bits((data[at]! >> al) & 1, 1);
      return;
    }
    if (ah === 0) {
      let r = 0;
      for (let k = ss; k <= se; k++) {
        const coefficient = data[at + ZIGZAG[k]!]!;
        const magnitude = Math.abs(coefficient) >> al;
        if (magnitude === 0) {
          r++;
          continue;
        }
        flushEobrun();
        while (r > 15) {
          sink.symbol('ac', c, 0xf0);
          r -= 16;
        }
        const size = bitLength(magnitude);
        sink.symbol('ac', c, (r << 4) | size);
        sink.bits(coefficient < 0 ? ~magnitude : magnitude, size);
        r = 0;
      }
      if (r > 0) {
        eobrun++;
        if (eobrun === 0x7fff) flushEobrun();
      }
      return;
    }
    // AC refinement (jcphuff.c's encode_mcu_AC_refine).
    const absolute: number[] = [];
    let eob = 0;
    for (let k = ss; k <= se; k++) {
      absolute[k] = Math.abs(data[at + ZIGZAG[k]!]!) >> al;
      if (absolute[k] === 1) eob = k;
    }
    let r = 0;
    let corrections: number[] = [];
    for (let k = ss; k <= se; k++) {
      const magnitude = absolute[k]!;
      if (magnitude === 0) {
        r++;
        continue;
      }
      while (r > 15 && k <= eob) {
        flushEobrun();
        sink.symbol('ac', c, 0xf0);
        r -= 16;
        for (const b of corrections) sink.bits(b, 1);
        corrections = [];
      }
      if (magnitude > 1) {
        corrections.push(magnitude & 1);
        continue;
      }
      flushEobrun();
      sink.symbol('ac', c, (r << 4) | 1);
      sink.bits(data[at + ZIGZAG[k]!]! < 0 ? 0 : 1, 1);
      for (const b of corrections) sink.bits(b, 1);
      corrections = [];
      r = 0;
    }
    if (r > 0 || corrections.length > 0) {
      eobrun++;
      pendingBits.push(...corrections);
      if (eobrun === 0x7fff || pendingBits.length > 1000 - 64 + 1) flushEobrun();
    }
  };
  const single = scan.components.length === 1;
  const first = planes[scan.components[0]!]!;
  const units = single ? first.blocksPerLine * first.blocksPerColumn : layout.mcusPerLine * layout.mcuRows;
  let restarts = 0;
  for (let unit = 0; unit < units; unit++) {
    if (layout.restartInterval > 0 && unit > 0 && unit % layout.restartInterval === 0) {
      flushEobrun();
      sink.restart(restarts++ & 7);
      last.fill(0);
    }
    if (single) {
      const c = scan.components[0]!;
      const row = Math.floor(unit / first.blocksPerLine);
      const column = unit % first.blocksPerLine;
      block(c, (row * first.stride + column) * 64);
      continue;
    }
    const mcuRow = Math.floor(unit / layout.mcusPerLine);
    const mcuColumn = unit % layout.mcusPerLine;
    for (const c of scan.components) {
      const plane = planes[c]!;
      for (let y = 0; y < plane.v; y++) for (let x = 0; x < plane.h; x++) block(c, ((mcuRow * plane.v + y) * plane.stride + mcuColumn * plane.h + x) * 64);
    }
  }
  flushEobrun();
}

function encodeScan(out: Writer, planes: readonly Plane[], scan: Scan, layout: { mcusPerLine: number; mcuRows: number; restartInterval: number; progressive: boolean }): void {
  // Tables: DC table 0 for the first component (luma), 1 for the others; the same for AC.
  const tableOf = (c: number): number => (c === 0 ? 0 : 1);
  const frequencies = { dc: [new Array<number>(256).fill(0), new Array<number>(256).fill(0)], ac: [new Array<number>(256).fill(0), new Array<number>(256).fill(0)] };
  scanData(planes, scan, layout, {
    symbol: (kind, c, symbol) => frequencies[kind][tableOf(c)]![symbol]!++,
    bits: () => undefined,
    restart: () => undefined,
  });
  const codes: { dc: Map<number, [number, number]>[]; ac: Map<number, [number, number]>[] } = { dc: [], ac: [] };
  const dht: number[] = [];
  for (const kind of ['dc', 'ac'] as const) {
    for (const id of [0, 1]) {
      const f = frequencies[kind][id]!;
      if (!f.some((n) => n > 0)) continue;
      const table = optimalTable(f);
      codes[kind][id] = codesOf(table);
      dht.push((kind === 'dc' ? 0 : 16) | id, ...table.counts, ...table.values);
    }
  }
  if (dht.length > 0) out.segment(0xc4, dht);
  const sos = [scan.components.length];
  for (const c of scan.components) sos.push(c + 1, (tableOf(c) << 4) | tableOf(c));
  sos.push(scan.ss, scan.se, (scan.ah << 4) | scan.al);
  out.segment(0xda, sos);
  scanData(planes, scan, layout, {
    symbol: (kind, c, symbol) => {
      const [code, length] = codes[kind][tableOf(c)]!.get(symbol)!;
      out.bits(code, length);
    },
    bits: (value, length) => out.bits(value, length),
    restart: (index) => {
      out.flush();
      out.bytes(0xff, 0xd0 + index);
    },
  });
  out.flush();
}

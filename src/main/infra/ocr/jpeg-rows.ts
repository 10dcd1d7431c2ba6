/**
 * A scanner's JPEG (a DCTDecode image stream) decoded a band of rows at a time, for the direct
 * scan path of OCR (page-render.ts, issue 13's memory budget): pdf.js's decoder keeps every
 * block's coefficients (2 bytes a sample), each component decoded, the whole image and its
 * colour-converted copy (≈ 80 MB for an A4 RGB scan at 300 dpi, part of which the allocator
 * keeps, and 406 MB above the app's baseline over a 50-page scan); a baseline JPEG here holds
 * one row of MCUs (16 rows of the image) and hands each image row over as soon as it is
 * decoded. A progressive JPEG (what scanners' and phone apps' "progressive" setting writes)
 * needs every coefficient before its first row: its scans are read into the coefficients
 * (Int16, 26 MB for that A4 page), then each row of MCUs is inverse-transformed and handed
 * over in the same way (no decoded image, no copy).
 *
 * Only what a scanner writes and pdf.js draws the same way (plainJpeg): one baseline, extended
 * sequential or progressive frame (SOF0, SOF1, SOF2; Huffman-coded, 8-bit samples) of the size
 * the image dictionary gives, grey (one component) or YCbCr (three, sampling factors 1, 2 or 4,
 * none whose MCUs overrun pdf.js's rows of blocks; not components named R, G, B, which pdf.js
 * reads as RGB; no Adobe marker, whose transform flag pdf.js honours); restart intervals
 * allowed. Baseline: one interleaved scan, then only EOI (pdf.js would read a second scan over
 * the first). Progressive: every scan is part of the image and is read, as pdf.js reads them;
 * a table or frame that would make pdf.js draw it otherwise, or a scan that does not decode,
 * leaves it to pdf.js (decodeProgressive). CMYK, YCCK and a /Decode array are pdf.js's too
 * (page-render.ts checks the dictionary).
 *
 * The samples are those pdf.js hands over for the image: components upsampled by repetition
 * (pdf.js's _getLinearizedBlockData, not libjpeg's smoothing), YCbCr to RGB by pdf.js's
 * coefficients into clamped bytes, each block inverse-transformed by pdf.js's own integer
 * inverse DCT (inverse): the samples pdf.js draws, level for level. Written here, not a library: no JPEG decoder
 * on npm streams rows, and the canvas's own decoder (@napi-rs/canvas, libjpeg-turbo) holds the
 * whole image as RGBA and ends the process (a segmentation fault) on a JPEG whose header it
 * cannot read.
 */

/** Natural (row-major) index of the k-th coefficient in zig-zag order. */
const ZIGZAG = Uint8Array.from([0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]);

/** A Huffman table as JPEG's F.2.2.3 decodes it: per code length, the largest code, and where its values start. */
interface Huffman {
  readonly maxCode: Int32Array;
  readonly valueOffset: Int32Array;
  readonly values: Uint8Array;
}

function huffman(counts: Uint8Array, values: Uint8Array): Huffman | undefined {
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1] as number;
    if (count > 0) {
      valueOffset[length] = k - code;
      code += count;
      k += count;
      maxCode[length] = code - 1;
      // More codes of this length than the length can hold: not a prefix code.
      if (code > 1 << length) return undefined;
    }
    code <<= 1;
  }
  // The values must cover every code.
  return k <= values.length ? { maxCode, valueOffset, values } : undefined;
}

interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly table: number;
}

interface Header {
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
  readonly quant: readonly (Uint16Array | undefined)[];
  readonly dc: readonly (Huffman | undefined)[];
  readonly ac: readonly (Huffman | undefined)[];
  readonly restartInterval: number;
  /** A progressive frame (SOF2): every scan adds to the coefficients (decodeProgressive). */
  readonly progressive: boolean;
  /** The first scan's components (indexes into `components`) and their DC and AC tables. */
  readonly scan: readonly ScanComponent[];
  /** The first scan's spectral selection and successive approximation (baseline: 0, 63, 0, 0). */
  readonly spectral: Spectral;
  /** Where the first scan's entropy-coded data begins. */
  readonly data: number;
}

interface ScanComponent {
  readonly component: number;
  readonly dc: number;
  readonly ac: number;
}

interface Spectral {
  readonly start: number;
  readonly end: number;
  readonly high: number;
  readonly low: number;
}

/** A DQT segment's tables into `quant` (natural order as pdf.js keeps them: `quant[id][ZIGZAG[k]]`); false when not whole. */
function readQuant(s: Uint8Array, quant: (Uint16Array | undefined)[]): boolean {
  for (let k = 0; k < s.length; ) {
    const precision = (s[k] as number) >> 4;
    const id = (s[k] as number) & 15;
    const size = precision === 0 ? 64 : 128;
    if (precision > 1 || id > 3 || k + 1 + size > s.length) return false;
    const table = new Uint16Array(64);
    for (let z = 0; z < 64; z++) table[ZIGZAG[z] as number] = precision === 0 ? (s[k + 1 + z] as number) : ((s[k + 1 + 2 * z] as number) << 8) | (s[k + 2 + 2 * z] as number);
    quant[id] = table;
    k += 1 + size;
  }
  return true;
}

/** A DHT segment's tables into `dc` and `ac`; false when one is not whole or not a prefix code. */
function readHuffman(s: Uint8Array, dc: (Huffman | undefined)[], ac: (Huffman | undefined)[]): boolean {
  for (let k = 0; k < s.length; ) {
    const kind = (s[k] as number) >> 4;
    const id = (s[k] as number) & 15;
    if (kind > 1 || id > 3 || k + 17 > s.length) return false;
    const counts = s.subarray(k + 1, k + 17);
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (total > 256 || k + 17 + total > s.length) return false;
    const table = huffman(counts, s.slice(k + 17, k + 17 + total));
    if (!table) return false;
    (kind === 0 ? dc : ac)[id] = table;
    k += 17 + total;
  }
  return true;
}

/**
 * A marker whose segment changes nothing pdf.js draws and which it skips by its length as we
 * do: APPn (Adobe's aside: readHeader and decodeProgressive look at it) and COM. Any other
 * marker pdf.js does not know (JPGn, DAC, a reserved one) it either refuses or searches past
 * for the next marker it knows, which may be a table inside that segment (the exploit: a
 * quantization table hidden in a marker 0xFF02 changed pdf.js's picture, not ours): not ours.
 * Nor is an APPn or COM segment not followed at once by a marker pdf.js knows (a fill byte
 * 0xFF, anything else): pdf.js then searches for one from the segment's start, into its data.
 */
const skippable = (marker: number): boolean => (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;

/**
 * An SOS segment's components and spectral parameters, when they are what the frame allows:
 * baseline, one interleaved scan of every component, 0–63, no approximation; progressive, a
 * DC scan (0–0) of one or more components, or an AC band (1 ≤ Ss ≤ Se ≤ 63) of one component,
 * approximation bits within 13, the tables each kind of scan uses defined.
 */
function readScan(s: Uint8Array, frame: { readonly components: readonly FrameComponent[]; readonly progressive: boolean }, dc: readonly (Huffman | undefined)[], ac: readonly (Huffman | undefined)[]): { scan: ScanComponent[]; spectral: Spectral } | undefined {
  const count = s[0] as number;
  if (count < 1 || count > frame.components.length || s.length !== 4 + 2 * count) return undefined;
  const spectral = { start: s[1 + 2 * count] as number, end: s[2 + 2 * count] as number, high: (s[3 + 2 * count] as number) >> 4, low: (s[3 + 2 * count] as number) & 15 };
  if (!frame.progressive) {
    if (count !== frame.components.length || spectral.start !== 0 || spectral.end !== 63 || spectral.high !== 0 || spectral.low !== 0) return undefined;
  } else {
    const dcScan = spectral.start === 0;
    if (dcScan ? spectral.end !== 0 : spectral.end < spectral.start || spectral.end > 63 || count !== 1) return undefined;
    if (spectral.high > 13 || spectral.low > 13) return undefined;
  }
  const scan: ScanComponent[] = [];
  for (let c = 0; c < count; c++) {
    const component = frame.components.findIndex((f) => f.id === s[1 + 2 * c]);
    const tables = s[2 + 2 * c] as number;
    if (component < 0 || scan.some((e) => e.component === component)) return undefined;
    scan.push({ component, dc: tables >> 4, ac: tables & 15 });
  }
  // The tables the scan decodes with: a DC scan's first pass its DC table, an AC scan its AC table (a baseline scan both).
  const needsDc = !frame.progressive || (spectral.start === 0 && spectral.high === 0);
  const needsAc = !frame.progressive || spectral.start > 0;
  if (scan.some((e) => (needsDc && !dc[e.dc]) || (needsAc && !ac[e.ac]))) return undefined;
  return { scan, spectral };
}

/**
 * The JPEG's markers up to its first scan, when it is one plain frame (see above): undefined
 * for anything else, for a segment that runs past the end, and for a table that is not whole.
 */
function readHeader(bytes: Uint8Array): Header | undefined {
  const n = bytes.length;
  if (n < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const quant: (Uint16Array | undefined)[] = [];
  const dc: (Huffman | undefined)[] = [];
  const ac: (Huffman | undefined)[] = [];
  let frame: { width: number; height: number; components: FrameComponent[]; progressive: boolean } | undefined;
  let restartInterval = 0;
  let i = 2;
  // After an APPn or COM segment, a marker at once: pdf.js looks for one from the segment's start otherwise (skippable).
  let afterData = false;
  while (i < n) {
    if (bytes[i] !== 0xff || (afterData && bytes[i + 1] === 0xff)) return undefined;
    while (i < n && bytes[i] === 0xff) i++;
    if (i + 2 >= n) return undefined;
    const marker = bytes[i++] as number;
    afterData = skippable(marker);
    // A standalone marker here (TEM, RSTn, another SOI, EOI before a scan): not a scanner's JPEG.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) return undefined;
    const length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    if (length < 2 || i + length > n) return undefined;
    const s = bytes.subarray(i + 2, i + length);
    i += length;
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame || s.length < 6) return undefined;
      const count = s[5] as number;
      if (s[0] !== 8 || (count !== 1 && count !== 3) || s.length !== 6 + 3 * count) return undefined;
      const components: FrameComponent[] = [];
      for (let c = 0; c < count; c++) {
        const at = 6 + 3 * c;
        const h = (s[at + 1] as number) >> 4;
        const v = (s[at + 1] as number) & 15;
        // Sampling factors 1, 2 or 4: a component's share of the image (h / hMax) is then exact in floating point, as pdf.js computes it.
        if (![1, 2, 4].includes(h) || ![1, 2, 4].includes(v) || (s[at + 2] as number) > 3) return undefined;
        components.push({ id: s[at] as number, h, v, table: s[at + 2] as number });
      }
      if (new Set(components.map((c) => c.id)).size !== count) return undefined;
      // Named R, G, B: pdf.js takes the samples as RGB (no colour transform).
      if (count === 3 && components[0]?.id === 0x52 && components[1]?.id === 0x47 && components[2]?.id === 0x42) return undefined;
      frame = { height: ((s[1] as number) << 8) | (s[2] as number), width: ((s[3] as number) << 8) | (s[4] as number), components, progressive: marker === 0xc2 };
      if (frame.width === 0 || frame.height === 0) return undefined;
      // pdf.js keeps a component's blocks in rows one block wider than the image needs; an
      // interleaved scan's MCUs padding a row by more (sampling factor 4) overwrite the next
      // row's first blocks in what it draws: left to it.
      if (count > 1) {
        const hMax = Math.max(...components.map((c) => c.h));
        const blocks = Math.ceil(frame.width / 8);
        const mcusPerLine = Math.ceil(blocks / hMax);
        if (components.some((c) => mcusPerLine * c.h > Math.ceil((blocks * c.h) / hMax) + 1)) return undefined;
      }
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // Lossless, hierarchical or arithmetic-coded.
      return undefined;
    } else if (marker === 0xdc || (marker === 0xee && s.length >= 5 && String.fromCharCode(...s.subarray(0, 5)) === 'Adobe')) {
      // DNL (the height given after the scan); Adobe's marker (its colour transform flag).
      return undefined;
    } else if (marker === 0xdb) {
      if (!readQuant(s, quant)) return undefined;
    } else if (marker === 0xc4) {
      if (!readHuffman(s, dc, ac)) return undefined;
    } else if (marker === 0xdd) {
      if (s.length !== 2) return undefined;
      restartInterval = ((s[0] as number) << 8) | (s[1] as number);
    } else if (marker === 0xda) {
      if (!frame) return undefined;
      const first = readScan(s, frame, dc, ac);
      // A progressive JPEG begins with a first pass over DC (G.1.1.1.1).
      if (!first || (frame.progressive && (first.spectral.start !== 0 || first.spectral.high !== 0))) return undefined;
      // Every component's table (a progressive JPEG's later scans may not define one: decodeProgressive refuses a DQT after the first scan).
      if (frame.components.some((c) => !quant[c.table])) return undefined;
      return { width: frame.width, height: frame.height, components: frame.components, quant, dc, ac, restartInterval, progressive: frame.progressive, scan: first.scan, spectral: first.spectral, data: i };
    } else if (!skippable(marker)) return undefined;
  }
  return undefined;
}

/** Whether `bytes` is a plain JPEG (see above) of `width` × `height` with `colors` components; reads only its markers up to the first scan. */
export function plainJpeg(bytes: Uint8Array, width: number, height: number, colors: 1 | 3): boolean {
  const header = readHeader(bytes);
  return header !== undefined && header.width === width && header.height === height && header.components.length === colors;
}

/**
 * Decodes a plain JPEG (plainJpeg), calling `onRow` with each image row top to bottom: grey
 * samples (one byte a pixel) or RGB (three), in a buffer reused for the next row. False, and
 * rows stop, when the stream is not plain, does not decode (a code no table has, a restart
 * marker out of place) or ends before the last row.
 */
export function jpegRows(bytes: Uint8Array, onRow: (row: Uint8Array) => void): boolean {
  try {
    return decodeRows(bytes, onRow);
  } catch {
    // Nothing here should throw; whatever does leaves the page to pdf.js.
    return false;
  }
}

/** Entropy-coded data from `pos`, bit by bit (0xFF 0x00 is a data byte 0xFF; any other marker ends it: `ended`, and zeros are read). */
class Bits {
  buffer = 0;
  count = 0;
  ended = false;
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  bit(): number {
    if (this.count === 0) {
      const bytes = this.bytes;
      const pos = this.pos;
      if (pos >= bytes.length || (bytes[pos] === 0xff && bytes[pos + 1] !== 0x00)) {
        this.ended = true;
        return 0;
      }
      this.buffer = bytes[pos] as number;
      this.pos = pos + (this.buffer === 0xff ? 2 : 1);
      this.count = 8;
    }
    this.count--;
    return (this.buffer >> this.count) & 1;
  }

  receive(count: number): number {
    let value = 0;
    for (let k = 0; k < count; k++) value = (value << 1) | this.bit();
    return value;
  }

  /** The next symbol of `table`; -1 for a code it does not have. */
  decode(table: Huffman): number {
    let code = this.bit();
    for (let length = 1; length <= 16; length++) {
      if (code <= (table.maxCode[length] as number)) return table.values[(table.valueOffset[length] as number) + code] ?? -1;
      code = (code << 1) | this.bit();
    }
    return -1;
  }

  /** At a restart: the byte-aligned marker RSTn (n counting 0–7) skipped; false when it is not there. */
  restart(n: number): boolean {
    const bytes = this.bytes;
    this.count = 0;
    while (bytes[this.pos] === 0xff && bytes[this.pos + 1] === 0xff) this.pos++;
    if (bytes[this.pos] !== 0xff || bytes[this.pos + 1] !== 0xd0 + (n & 7)) return false;
    this.pos += 2;
    return true;
  }
}

const extend = (value: number, count: number): number => (count === 0 ? 0 : value < 1 << (count - 1) ? value - (1 << count) + 1 : value);

/** pdf.js's fixed-point constants (cos and sin of kπ/16, √2 and √½, times 4096). */
const COS1 = 4017;
const SIN1 = 799;
const COS3 = 3406;
const SIN3 = 2276;
const COS6 = 1567;
const SIN6 = 3784;
const SQRT2 = 5793;
const SQRT1D2 = 2896;
/** The rows' pass, stored as pdf.js stores it (Int16: a wild coefficient wraps there as here). */
const pass = new Int16Array(64);
const clamp = (p: number): number => (p < 16 ? 0 : p >= 4080 ? 255 : p >> 4);

/**
 * One block's quantized coefficients (`data` from `from`, natural order) dequantized by `q`
 * (natural order) and inverse-transformed into `target` at `offset`, rows `stride` apart:
 * pdf.js's quantizeAndInverse (its integer inverse DCT, Apache-2.0) operation for operation,
 * so that every sample is the one pdf.js draws, a stream's wild coefficients (products past
 * 32 bits, the Int16 pass) included.
 */
function inverse(data: Int16Array, from: number, q: Uint16Array, target: Uint8Array, offset: number, stride: number): void {
  for (let row = 0; row < 64; row += 8) {
    const p0 = (data[from + row] as number) * (q[row] as number);
    let p1 = data[from + row + 1] as number;
    let p2 = data[from + row + 2] as number;
    let p3 = data[from + row + 3] as number;
    let p4 = data[from + row + 4] as number;
    let p5 = data[from + row + 5] as number;
    let p6 = data[from + row + 6] as number;
    let p7 = data[from + row + 7] as number;
    if ((p1 | p2 | p3 | p4 | p5 | p6 | p7) === 0) {
      pass.fill((SQRT2 * p0 + 512) >> 10, row, row + 8);
      continue;
    }
    p1 *= q[row + 1] as number;
    p2 *= q[row + 2] as number;
    p3 *= q[row + 3] as number;
    p4 *= q[row + 4] as number;
    p5 *= q[row + 5] as number;
    p6 *= q[row + 6] as number;
    p7 *= q[row + 7] as number;
    let v0 = (SQRT2 * p0 + 128) >> 8;
    let v1 = (SQRT2 * p4 + 128) >> 8;
    let v2 = p2;
    let v3 = p6;
    let v4 = (SQRT1D2 * (p1 - p7) + 128) >> 8;
    let v7 = (SQRT1D2 * (p1 + p7) + 128) >> 8;
    let v5 = p3 << 4;
    let v6 = p5 << 4;
    v0 = (v0 + v1 + 1) >> 1;
    v1 = v0 - v1;
    let t = (v2 * SIN6 + v3 * COS6 + 128) >> 8;
    v2 = (v2 * COS6 - v3 * SIN6 + 128) >> 8;
    v3 = t;
    v4 = (v4 + v6 + 1) >> 1;
    v6 = v4 - v6;
    v7 = (v7 + v5 + 1) >> 1;
    v5 = v7 - v5;
    v0 = (v0 + v3 + 1) >> 1;
    v3 = v0 - v3;
    v1 = (v1 + v2 + 1) >> 1;
    v2 = v1 - v2;
    t = (v4 * SIN3 + v7 * COS3 + 2048) >> 12;
    v4 = (v4 * COS3 - v7 * SIN3 + 2048) >> 12;
    v7 = t;
    t = (v5 * SIN1 + v6 * COS1 + 2048) >> 12;
    v5 = (v5 * COS1 - v6 * SIN1 + 2048) >> 12;
    v6 = t;
    pass[row] = v0 + v7;
    pass[row + 7] = v0 - v7;
    pass[row + 1] = v1 + v6;
    pass[row + 6] = v1 - v6;
    pass[row + 2] = v2 + v5;
    pass[row + 5] = v2 - v5;
    pass[row + 3] = v3 + v4;
    pass[row + 4] = v3 - v4;
  }
  for (let col = 0; col < 8; col++) {
    const p0 = pass[col] as number;
    const p1 = pass[col + 8] as number;
    const p2 = pass[col + 16] as number;
    const p3 = pass[col + 24] as number;
    const p4 = pass[col + 32] as number;
    const p5 = pass[col + 40] as number;
    const p6 = pass[col + 48] as number;
    const p7 = pass[col + 56] as number;
    const at = offset + col;
    if ((p1 | p2 | p3 | p4 | p5 | p6 | p7) === 0) {
      const t = (SQRT2 * p0 + 8192) >> 14;
      const value = t < -2040 ? 0 : t >= 2024 ? 255 : (t + 2056) >> 4;
      for (let y = 0; y < 8; y++) target[at + y * stride] = value;
      continue;
    }
    let v0 = (SQRT2 * p0 + 2048) >> 12;
    let v1 = (SQRT2 * p4 + 2048) >> 12;
    let v2 = p2;
    let v3 = p6;
    let v4 = (SQRT1D2 * (p1 - p7) + 2048) >> 12;
    let v7 = (SQRT1D2 * (p1 + p7) + 2048) >> 12;
    let v5 = p3;
    let v6 = p5;
    v0 = ((v0 + v1 + 1) >> 1) + 4112;
    v1 = v0 - v1;
    let t = (v2 * SIN6 + v3 * COS6 + 2048) >> 12;
    v2 = (v2 * COS6 - v3 * SIN6 + 2048) >> 12;
    v3 = t;
    v4 = (v4 + v6 + 1) >> 1;
    v6 = v4 - v6;
    v7 = (v7 + v5 + 1) >> 1;
    v5 = v7 - v5;
    v0 = (v0 + v3 + 1) >> 1;
    v3 = v0 - v3;
    v1 = (v1 + v2 + 1) >> 1;
    v2 = v1 - v2;
    t = (v4 * SIN3 + v7 * COS3 + 2048) >> 12;
    v4 = (v4 * COS3 - v7 * SIN3 + 2048) >> 12;
    v7 = t;
    t = (v5 * SIN1 + v6 * COS1 + 2048) >> 12;
    v5 = (v5 * COS1 - v6 * SIN1 + 2048) >> 12;
    v6 = t;
    target[at] = clamp(v0 + v7);
    target[at + 7 * stride] = clamp(v0 - v7);
    target[at + stride] = clamp(v1 + v6);
    target[at + 6 * stride] = clamp(v1 - v6);
    target[at + 2 * stride] = clamp(v2 + v5);
    target[at + 5 * stride] = clamp(v2 - v5);
    target[at + 3 * stride] = clamp(v3 + v4);
    target[at + 4 * stride] = clamp(v3 - v4);
  }
}

/** A frame's MCUs and, per component, one row of MCUs of its samples (`stride` samples a row). */
interface Geometry {
  readonly single: boolean;
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusPerLine: number;
  readonly mcuRows: number;
  readonly mcuHeight: number;
  readonly layout: readonly { readonly h: number; readonly v: number; readonly stride: number; readonly samples: Uint8Array }[];
}

function geometryOf(header: Header): Geometry {
  const { width, height, components } = header;
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const single = components.length === 1;
  // One component: a non-interleaved scan, one block an MCU whatever its sampling factors.
  const mcuWidth = single ? 8 : 8 * hMax;
  const mcuHeight = single ? 8 : 8 * vMax;
  const mcusPerLine = Math.ceil(width / mcuWidth);
  const mcuRows = Math.ceil(height / mcuHeight);
  const layout = components.map((c) => {
    const h = single ? 1 : c.h;
    const v = single ? 1 : c.v;
    const stride = mcusPerLine * h * 8;
    return { h, v, stride, samples: new Uint8Array(stride * v * 8) };
  });
  return { single, hMax, vMax, mcusPerLine, mcuRows, mcuHeight, layout };
}

/**
 * The image rows of one row of MCUs (its components' samples in the geometry's layout) to
 * `onRow`: components upsampled by repetition as pdf.js does (_getLinearizedBlockData), YCbCr
 * to RGB by pdf.js's coefficients into clamped bytes.
 */
function rowWriter(header: Header, geometry: Geometry, onRow: (row: Uint8Array) => void): (mcuRow: number) => void {
  const { width, height, components } = header;
  const { single, hMax, vMax, mcuHeight, layout } = geometry;
  const colors = components.length;
  const columnOf = layout.map((_, c) => {
    const scale = (components[c] as FrameComponent).h / hMax;
    return Int32Array.from({ length: width }, (_, x) => (x * (single ? 1 : scale)) | 0);
  });
  const row = colors === 1 ? new Uint8Array(width) : new Uint8ClampedArray(width * 3);
  const rowBytes = new Uint8Array(row.buffer, row.byteOffset, row.length);
  return (mcuRow) => {
    const last = Math.min(height, (mcuRow + 1) * mcuHeight);
    for (let y = mcuRow * mcuHeight; y < last; y++) {
      for (let c = 0; c < colors; c++) {
        const component = components[c] as FrameComponent;
        const { v, stride, samples } = layout[c] as Geometry['layout'][number];
        const sampleRow = (single ? y : (y * (component.v / vMax)) | 0) - mcuRow * v * 8;
        const from = sampleRow * stride;
        const columns = columnOf[c] as Int32Array;
        if (colors === 1) for (let x = 0; x < width; x++) row[x] = samples[from + (columns[x] as number)] as number;
        else for (let x = 0, k = c; x < width; x++, k += 3) rowBytes[k] = samples[from + (columns[x] as number)] as number;
      }
      if (colors === 3) {
        for (let k = 0; k < row.length; k += 3) {
          const luma = rowBytes[k] as number;
          const cb = rowBytes[k + 1] as number;
          const cr = rowBytes[k + 2] as number;
          // pdf.js's _convertYccToRgb, into clamped bytes (rounded as a Uint8ClampedArray rounds).
          row[k] = luma - 179.456 + 1.402 * cr;
          row[k + 1] = luma + 135.459 - 0.344 * cb - 0.714 * cr;
          row[k + 2] = luma - 226.816 + 1.772 * cb;
        }
      }
      onRow(rowBytes);
    }
  };
}

function decodeRows(bytes: Uint8Array, onRow: (row: Uint8Array) => void): boolean {
  const header = readHeader(bytes);
  if (!header) return false;
  return header.progressive ? decodeProgressive(bytes, header, onRow) : decodeBaseline(bytes, header, onRow);
}

/** A baseline JPEG: each row of MCUs decoded, inverse-transformed and handed over before the next is read. */
function decodeBaseline(bytes: Uint8Array, header: Header, onRow: (row: Uint8Array) => void): boolean {
  const { components, scan } = header;
  const geometry = geometryOf(header);
  const { mcusPerLine, mcuRows, layout } = geometry;
  const bits = new Bits(bytes, header.data);
  const coefficients = new Int16Array(64);
  const predictors = new Int32Array(components.length);
  /** One block decoded into `target` at `offset` (rows `stride` apart); false when it does not decode. */
  const block = (component: number, dcTable: Huffman, acTable: Huffman, target: Uint8Array, offset: number, stride: number): boolean => {
    coefficients.fill(0);
    const category = bits.decode(dcTable);
    if (category < 0 || category > 11) return false;
    predictors[component] = (predictors[component] as number) + extend(bits.receive(category), category);
    // Kept as pdf.js keeps it (Int16: a wild prediction wraps there as here).
    coefficients[0] = predictors[component] as number;
    for (let k = 1; k < 64; ) {
      const symbol = bits.decode(acTable);
      if (symbol < 0) return false;
      const run = symbol >> 4;
      const size = symbol & 15;
      if (size === 0) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63 || size > 10) return false;
      coefficients[ZIGZAG[k] as number] = extend(bits.receive(size), size);
      k++;
    }
    if (bits.ended) return false;
    inverse(coefficients, 0, header.quant[(components[component] as FrameComponent).table] as Uint16Array, target, offset, stride);
    return true;
  };

  const write = rowWriter(header, geometry, onRow);
  const scanTables = scan.map((e) => ({ component: e.component, dc: header.dc[e.dc] as Huffman, ac: header.ac[e.ac] as Huffman }));
  let restarts = 0;
  let mcu = 0;
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
    for (let mcuX = 0; mcuX < mcusPerLine; mcuX++, mcu++) {
      if (header.restartInterval > 0 && mcu > 0 && mcu % header.restartInterval === 0) {
        // Byte-aligned restart marker RSTn, n counting 0–7; the DC predictions start again.
        if (!bits.restart(restarts++)) return false;
        predictors.fill(0);
      }
      for (const { component, dc, ac } of scanTables) {
        const { h, v, stride, samples } = layout[component] as Geometry['layout'][number];
        for (let by = 0; by < v; by++) {
          for (let bx = 0; bx < h; bx++) {
            if (!block(component, dc, ac, samples, by * 8 * stride + (mcuX * h + bx) * 8, stride)) return false;
          }
        }
      }
    }
    write(mcuRow);
  }
  // After the scan, only its end (EOI) or nothing: pdf.js would read a second scan over the
  // first, and takes the quantization tables last defined anywhere, so a scan or table after
  // this one would change what it draws (and what a person's viewer may draw).
  const n = bytes.length;
  for (let i = bits.pos; i + 1 < n; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1] as number;
    if (next === 0x00 || next === 0xff) continue;
    return next === 0xd9;
  }
  return true;
}

/** A component's coefficients while a progressive JPEG's scans are read (pdf.js's blockData, Int16 as there). */
interface Plane {
  /** Blocks a row as stored (whole MCUs), and as a one-component scan covers the component (pdf.js's blocksPerLine, blocksPerColumn). */
  readonly stride: number;
  readonly blocksPerLine: number;
  readonly blocksPerColumn: number;
  readonly h: number;
  readonly v: number;
  /** 64 coefficients a block, natural order, quantized; block rows `stride` blocks apart. */
  readonly data: Int16Array;
  pred: number;
}

/**
 * The last page's coefficients, weakly held: the next progressive page reuses them (zeroed)
 * when the collector has not yet freed them, rather than holding a second 26 MB beside them.
 */
let spare: WeakRef<Int16Array> | undefined;
function coefficientBuffer(length: number): Int16Array {
  const cached = spare?.deref();
  if (cached && cached.length >= length) return cached.fill(0, 0, length).subarray(0, length);
  const fresh = new Int16Array(length);
  spare = new WeakRef(fresh);
  return fresh;
}

/**
 * A progressive JPEG (SOF2): every scan decoded into the coefficients (2 bytes each: 26 MB for
 * an A4 scan at 300 dpi in YCbCr 4:2:0, 17 MB grey), scan after scan as pdf.js's decodeScan
 * does (the same DC and AC passes, EOB runs, the same refinement of each coefficient, Int16
 * as it keeps them), then each row of MCUs inverse-transformed and its rows handed over. Only
 * what pdf.js reads the same way: tables redefined between scans (Huffman, restart interval)
 * as it does; a quantization table after the first scan (pdf.js applies the last one defined
 * to every scan), another frame, DNL, an Adobe marker, a restart marker out of turn, a scan
 * that does not decode or ends before its last block, or anything but a marker after a scan:
 * false (the page is left to pdf.js).
 */
function decodeProgressive(bytes: Uint8Array, header: Header, onRow: (row: Uint8Array) => void): boolean {
  const { width, height, components } = header;
  const geometry = geometryOf(header);
  const { hMax, vMax, mcusPerLine, mcuRows, layout } = geometry;
  const sizes = layout.map(({ v, stride }) => (stride / 8) * mcuRows * v * 64);
  const all = coefficientBuffer(sizes.reduce((sum, size) => sum + size, 0));
  let at = 0;
  const planes: Plane[] = components.map((c, index) => {
    const { h, v, stride } = layout[index] as Geometry['layout'][number];
    const blocksPerLine = Math.ceil((Math.ceil(width / 8) * c.h) / hMax);
    const blocksPerColumn = Math.ceil((Math.ceil(height / 8) * c.v) / vMax);
    const data = all.subarray(at, (at += sizes[index] as number));
    return { stride: stride / 8, blocksPerLine, blocksPerColumn, h, v, data, pred: 0 };
  });
  const dc = [...header.dc];
  const ac = [...header.ac];
  let restartInterval = header.restartInterval;
  let scan: readonly ScanComponent[] = header.scan;
  let spectral = header.spectral;
  let pos = header.data;
  const n = bytes.length;
  for (;;) {
    const end = progressiveScan(bytes, pos, scan.map((e) => ({ plane: planes[e.component] as Plane, dc: dc[e.dc], ac: ac[e.ac] })), spectral, restartInterval, mcusPerLine, mcuRows);
    if (end < 0) return false;
    // The markers up to the next scan, or the end.
    let i = end;
    let next: { scan: ScanComponent[]; spectral: Spectral } | undefined;
    let afterData = false;
    while (!next) {
      if (i >= n) break;
      if (bytes[i] !== 0xff || (afterData && bytes[i + 1] === 0xff)) return false;
      while (i < n && bytes[i] === 0xff) i++;
      if (i >= n) break;
      const marker = bytes[i++] as number;
      afterData = skippable(marker);
      if (marker === 0xd9) break;
      // TEM, RSTn out of a scan, another SOI.
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) return false;
      if (i + 2 > n) return false;
      const length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
      if (length < 2 || i + length > n) return false;
      const s = bytes.subarray(i + 2, i + length);
      i += length;
      if (marker === 0xc4) {
        if (!readHuffman(s, dc, ac)) return false;
      } else if (marker === 0xdd) {
        if (s.length !== 2) return false;
        restartInterval = ((s[0] as number) << 8) | (s[1] as number);
      } else if (marker === 0xda) {
        next = readScan(s, { components, progressive: true }, dc, ac);
        if (!next) return false;
      } else if (!skippable(marker) || (marker === 0xee && s.length >= 5 && String.fromCharCode(...s.subarray(0, 5)) === 'Adobe')) {
        // Another frame, a quantization table (pdf.js dequantizes every scan with the last), DNL, Adobe's marker, one pdf.js does not know.
        return false;
      }
    }
    if (!next) break;
    scan = next.scan;
    spectral = next.spectral;
    pos = i;
  }

  // Every scan read: each row of MCUs inverse-transformed, its rows handed over.
  const write = rowWriter(header, geometry, onRow);
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
    for (let c = 0; c < components.length; c++) {
      const plane = planes[c] as Plane;
      const { stride, samples } = layout[c] as Geometry['layout'][number];
      const q = header.quant[(components[c] as FrameComponent).table] as Uint16Array;
      for (let by = 0; by < plane.v; by++) {
        for (let bx = 0; bx < plane.stride; bx++) inverse(plane.data, ((mcuRow * plane.v + by) * plane.stride + bx) * 64, q, samples, by * 8 * stride + bx * 8, stride);
      }
    }
    write(mcuRow);
  }
  return true;
}

/**
 * One scan of a progressive JPEG from `pos` into the planes, block by block as pdf.js's
 * decodeScan reads it (decodeDCFirst, decodeDCSuccessive, decodeACFirst, decodeACSuccessive:
 * its refinement's states, so that a coefficient comes out as there); the position after the
 * scan's data, or -1 when it does not decode, ends early or a restart marker is out of turn.
 */
function progressiveScan(bytes: Uint8Array, pos: number, scan: readonly { plane: Plane; dc: Huffman | undefined; ac: Huffman | undefined }[], spectral: Spectral, restartInterval: number, mcusPerLine: number, mcuRows: number): number {
  const bits = new Bits(bytes, pos);
  const { start, end, high, low } = spectral;
  let eobrun = 0;
  // decodeACSuccessive's state: 0 a symbol next, 1 and 2 zeros to skip (a run of 16, a run
  // before a new coefficient), 3 the new coefficient at the next zero, 4 an EOB run.
  let state = 0;
  let nextValue = 0;
  const dcFirst = (plane: Plane, table: Huffman, offset: number): boolean => {
    const category = bits.decode(table);
    if (category < 0 || category > 11) return false;
    const diff = category === 0 ? 0 : extend(bits.receive(category), category) << low;
    plane.pred += diff;
    plane.data[offset] = plane.pred;
    return true;
  };
  const dcRefine = (plane: Plane, offset: number): boolean => {
    plane.data[offset] = (plane.data[offset] as number) | (bits.bit() << low);
    return true;
  };
  const acFirst = (plane: Plane, table: Huffman, offset: number): boolean => {
    if (eobrun > 0) {
      eobrun--;
      return true;
    }
    const data = plane.data;
    for (let k = start; k <= end; ) {
      const symbol = bits.decode(table);
      if (symbol < 0) return false;
      const size = symbol & 15;
      const run = symbol >> 4;
      if (size === 0) {
        if (run < 15) {
          eobrun = bits.receive(run) + (1 << run) - 1;
          break;
        }
        k += 16;
        continue;
      }
      k += run;
      if (k > end || size > 10) return false;
      data[offset + (ZIGZAG[k] as number)] = extend(bits.receive(size), size) * (1 << low);
      k++;
    }
    return true;
  };
  const acRefine = (plane: Plane, table: Huffman, offset: number): boolean => {
    const data = plane.data;
    let run = 0;
    for (let k = start; k <= end; ) {
      const z = offset + (ZIGZAG[k] as number);
      const value = data[z] as number;
      switch (state) {
        case 0: {
          const symbol = bits.decode(table);
          if (symbol < 0) return false;
          const size = symbol & 15;
          run = symbol >> 4;
          if (size === 0) {
            if (run < 15) {
              eobrun = bits.receive(run) + (1 << run);
              state = 4;
            } else {
              run = 16;
              state = 1;
            }
          } else {
            if (size !== 1) return false;
            nextValue = bits.bit() === 1 ? 1 : -1;
            state = run ? 2 : 3;
          }
          continue;
        }
        case 1:
        case 2:
          if (value) data[z] = value + (value < 0 ? -1 : 1) * (bits.bit() << low);
          else if (--run === 0) state = state === 2 ? 3 : 0;
          break;
        case 3:
          if (value) data[z] = value + (value < 0 ? -1 : 1) * (bits.bit() << low);
          else {
            data[z] = nextValue << low;
            state = 0;
          }
          break;
        default:
          if (value) data[z] = value + (value < 0 ? -1 : 1) * (bits.bit() << low);
      }
      k++;
    }
    if (state === 4 && --eobrun === 0) state = 0;
    // A run or a new coefficient left over at the block's end: not a JPEG encoder's (pdf.js would carry it on).
    return state === 0 || state === 4;
  };
  const decodeBlock = (plane: Plane, dc: Huffman | undefined, ac: Huffman | undefined, offset: number): boolean => {
    if (start === 0) return high === 0 ? dcFirst(plane, dc as Huffman, offset) : dcRefine(plane, offset);
    return high === 0 ? acFirst(plane, ac as Huffman, offset) : acRefine(plane, ac as Huffman, offset);
  };

  const only = scan.length === 1 ? (scan[0] as (typeof scan)[number]) : undefined;
  const units = only ? only.plane.blocksPerLine * only.plane.blocksPerColumn : mcusPerLine * mcuRows;
  for (const { plane } of scan) plane.pred = 0;
  let restarts = 0;
  for (let unit = 0; unit < units; unit++) {
    if (restartInterval > 0 && unit > 0 && unit % restartInterval === 0) {
      // pdf.js starts the predictions and EOB runs again; its refinement's state carries over: a run left open is not an encoder's.
      if (state !== 0) return -1;
      if (!bits.restart(restarts++)) return -1;
      for (const { plane } of scan) plane.pred = 0;
      eobrun = 0;
      state = 0;
    }
    if (only) {
      const { plane } = only;
      const row = (unit / plane.blocksPerLine) | 0;
      const column = unit % plane.blocksPerLine;
      if (!decodeBlock(plane, only.dc, only.ac, (row * plane.stride + column) * 64)) return -1;
    } else {
      const mcuRow = (unit / mcusPerLine) | 0;
      const mcuColumn = unit % mcusPerLine;
      for (const { plane, dc, ac } of scan) {
        for (let y = 0; y < plane.v; y++) {
          for (let x = 0; x < plane.h; x++) {
            if (!decodeBlock(plane, dc, ac, ((mcuRow * plane.v + y) * plane.stride + mcuColumn * plane.h + x) * 64)) return -1;
          }
        }
      }
    }
    if (bits.ended) return -1;
  }
  return bits.pos;
}

/**
 * A scanner's JPEG (a DCTDecode image stream) decoded a band of rows at a time, for the direct
 * scan path of OCR (page-render.ts, issue 13's memory budget): pdf.js's decoder keeps every
 * block's coefficients (2 bytes a sample), each component decoded, the whole image and its
 * colour-converted copy (≈ 80 MB for an A4 RGB scan at 300 dpi, part of which the allocator
 * keeps); this holds one row of MCUs (16 rows of the image) and hands each image row over as
 * soon as it is decoded.
 *
 * Only what a scanner writes and pdf.js draws the same way (plainJpeg): one baseline or
 * extended sequential frame (SOF0, SOF1; Huffman-coded, 8-bit samples) of the size the image
 * dictionary gives, grey (one component) or YCbCr (three, in one interleaved scan, sampling
 * factors 1, 2 or 4; not
 * components named R, G, B, which pdf.js reads as RGB; no Adobe marker, whose transform flag
 * pdf.js honours); restart intervals allowed. A progressive or multi-scan JPEG needs every
 * coefficient before the first row (the memory this saves): it is left to pdf.js, as is one
 * with anything but EOI after its scan, CMYK, YCCK and a /Decode array (page-render.ts checks
 * the dictionary).
 *
 * The samples are those pdf.js hands over for the image: components upsampled by repetition
 * (pdf.js's _getLinearizedBlockData, not libjpeg's smoothing), YCbCr to RGB by pdf.js's
 * coefficients into clamped bytes. The inverse DCT is computed in floating point (pdf.js: an
 * integer one): a sample may differ by one level. Written here, not a library: no JPEG decoder
 * on npm streams rows, and the canvas's own decoder (@napi-rs/canvas, libjpeg-turbo) holds the
 * whole image as RGBA and ends the process (a segmentation fault) on a JPEG whose header it
 * cannot read.
 */

/** Natural (row-major) index of the k-th coefficient in zig-zag order. */
const ZIGZAG = Uint8Array.from([0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]);

/** COS[x * 8 + u] = C(u)/2 · cos((2x + 1)uπ/16), C(0) = 1/√2: the 1-D inverse DCT's basis. */
const COS = (() => {
  const table = new Float64Array(64);
  for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) table[x * 8 + u] = ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return table;
})();

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
  /** The scan's components (indexes into `components`) and their DC and AC tables. */
  readonly scan: readonly { readonly component: number; readonly dc: number; readonly ac: number }[];
  /** Where the first scan's entropy-coded data begins. */
  readonly data: number;
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
  let frame: { width: number; height: number; components: FrameComponent[] } | undefined;
  let restartInterval = 0;
  let i = 2;
  while (i < n) {
    if (bytes[i] !== 0xff) return undefined;
    while (i < n && bytes[i] === 0xff) i++;
    if (i + 2 >= n) return undefined;
    const marker = bytes[i++] as number;
    // A standalone marker here (TEM, RSTn, another SOI, EOI before a scan): not a scanner's JPEG.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) return undefined;
    const length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    if (length < 2 || i + length > n) return undefined;
    const s = bytes.subarray(i + 2, i + length);
    i += length;
    if (marker === 0xc0 || marker === 0xc1) {
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
      frame = { height: ((s[1] as number) << 8) | (s[2] as number), width: ((s[3] as number) << 8) | (s[4] as number), components };
      if (frame.width === 0 || frame.height === 0) return undefined;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // Progressive, lossless, hierarchical or arithmetic-coded.
      return undefined;
    } else if (marker === 0xdc || (marker === 0xee && s.length >= 5 && String.fromCharCode(...s.subarray(0, 5)) === 'Adobe')) {
      // DNL (the height given after the scan); Adobe's marker (its colour transform flag).
      return undefined;
    } else if (marker === 0xdb) {
      for (let k = 0; k < s.length; ) {
        const precision = (s[k] as number) >> 4;
        const id = (s[k] as number) & 15;
        const size = precision === 0 ? 64 : 128;
        if (precision > 1 || id > 3 || k + 1 + size > s.length) return undefined;
        const table = new Uint16Array(64);
        for (let z = 0; z < 64; z++) table[z] = precision === 0 ? (s[k + 1 + z] as number) : ((s[k + 1 + 2 * z] as number) << 8) | (s[k + 2 + 2 * z] as number);
        quant[id] = table;
        k += 1 + size;
      }
    } else if (marker === 0xc4) {
      for (let k = 0; k < s.length; ) {
        const kind = (s[k] as number) >> 4;
        const id = (s[k] as number) & 15;
        if (kind > 1 || id > 3 || k + 17 > s.length) return undefined;
        const counts = s.subarray(k + 1, k + 17);
        const total = counts.reduce((sum, count) => sum + count, 0);
        if (total > 256 || k + 17 + total > s.length) return undefined;
        const table = huffman(counts, s.slice(k + 17, k + 17 + total));
        if (!table) return undefined;
        (kind === 0 ? dc : ac)[id] = table;
        k += 17 + total;
      }
    } else if (marker === 0xdd) {
      if (s.length !== 2) return undefined;
      restartInterval = ((s[0] as number) << 8) | (s[1] as number);
    } else if (marker === 0xda) {
      if (!frame) return undefined;
      const count = s[0] as number;
      // One interleaved scan of every component, sequential (Ss 0, Se 63, no approximation).
      if (count !== frame.components.length || s.length !== 4 + 2 * count) return undefined;
      if (s[1 + 2 * count] !== 0 || s[2 + 2 * count] !== 63 || s[3 + 2 * count] !== 0) return undefined;
      const scan: Header['scan'][number][] = [];
      for (let c = 0; c < count; c++) {
        const component = frame.components.findIndex((f) => f.id === s[1 + 2 * c]);
        const tables = s[2 + 2 * c] as number;
        if (component < 0 || scan.some((e) => e.component === component)) return undefined;
        scan.push({ component, dc: tables >> 4, ac: tables & 15 });
      }
      if (scan.some((e) => !dc[e.dc] || !ac[e.ac] || !quant[(frame as { components: FrameComponent[] }).components[e.component]?.table ?? 0])) return undefined;
      return { ...frame, quant, dc, ac, restartInterval, scan, data: i };
    }
    // APPn, COM and the like: nothing that changes the picture.
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

function decodeRows(bytes: Uint8Array, onRow: (row: Uint8Array) => void): boolean {
  const header = readHeader(bytes);
  if (!header) return false;
  const { width, height, components, scan } = header;
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

  // Entropy-coded data, bit by bit (0xFF 0x00 is a data byte 0xFF; any other marker ends it).
  const n = bytes.length;
  let pos = header.data;
  let bitBuffer = 0;
  let bitCount = 0;
  let ended = false;
  const bit = (): number => {
    if (bitCount === 0) {
      if (pos >= n || (bytes[pos] === 0xff && bytes[pos + 1] !== 0x00)) {
        ended = true;
        return 0;
      }
      bitBuffer = bytes[pos] as number;
      pos += bitBuffer === 0xff ? 2 : 1;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuffer >> bitCount) & 1;
  };
  const receive = (count: number): number => {
    let value = 0;
    for (let k = 0; k < count; k++) value = (value << 1) | bit();
    return value;
  };
  const extend = (value: number, count: number): number => (count === 0 ? 0 : value < 1 << (count - 1) ? value - (1 << count) + 1 : value);
  const decode = (table: Huffman): number => {
    let code = bit();
    for (let length = 1; length <= 16; length++) {
      if (code <= (table.maxCode[length] as number)) return table.values[(table.valueOffset[length] as number) + code] ?? -1;
      code = (code << 1) | bit();
    }
    return -1;
  };

  const coefficients = new Float64Array(64);
  const rows = new Float64Array(64);
  const predictors = new Int32Array(components.length);
  /** One block decoded into `target` at `offset` (rows `stride` apart); false when it does not decode. */
  const block = (component: number, dcTable: Huffman, acTable: Huffman, target: Uint8Array, offset: number, stride: number): boolean => {
    const q = header.quant[(components[component] as FrameComponent).table] as Uint16Array;
    coefficients.fill(0);
    const category = decode(dcTable);
    if (category < 0 || category > 11) return false;
    predictors[component] = (predictors[component] as number) + extend(receive(category), category);
    coefficients[0] = (predictors[component] as number) * (q[0] as number);
    let flat = true;
    for (let k = 1; k < 64; ) {
      const symbol = decode(acTable);
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
      coefficients[ZIGZAG[k] as number] = extend(receive(size), size) * (q[k] as number);
      flat = false;
      k++;
    }
    if (ended) return false;
    if (flat) {
      const value = Math.min(255, Math.max(0, Math.round((coefficients[0] as number) / 8 + 128)));
      for (let y = 0; y < 8; y++) target.fill(value, offset + y * stride, offset + y * stride + 8);
      return true;
    }
    // Rows of coefficients first (a row of zeros stays zero), then columns.
    for (let v = 0; v < 8; v++) {
      let zero = true;
      for (let u = 0; u < 8; u++) if (coefficients[v * 8 + u] !== 0) zero = false;
      for (let x = 0; x < 8; x++) {
        let sum = 0;
        if (!zero) for (let u = 0; u < 8; u++) sum += (COS[x * 8 + u] as number) * (coefficients[v * 8 + u] as number);
        rows[v * 8 + x] = sum;
      }
    }
    for (let x = 0; x < 8; x++) {
      for (let y = 0; y < 8; y++) {
        let sum = 0;
        for (let v = 0; v < 8; v++) sum += (COS[y * 8 + v] as number) * (rows[v * 8 + x] as number);
        target[offset + y * stride + x] = Math.min(255, Math.max(0, Math.round(sum + 128)));
      }
    }
    return true;
  };

  // Output: which sample of each component a pixel takes (pdf.js's repetition), and the row.
  const colors = components.length;
  const columnOf = layout.map((_, c) => {
    const scale = (components[c] as FrameComponent).h / hMax;
    return Int32Array.from({ length: width }, (_, x) => (x * (single ? 1 : scale)) | 0);
  });
  const row = colors === 1 ? new Uint8Array(width) : new Uint8ClampedArray(width * 3);
  const rowBytes = new Uint8Array(row.buffer, row.byteOffset, row.length);

  const scanTables = scan.map((e) => ({ component: e.component, dc: header.dc[e.dc] as Huffman, ac: header.ac[e.ac] as Huffman }));
  let restarts = 0;
  let mcu = 0;
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
    for (let mcuX = 0; mcuX < mcusPerLine; mcuX++, mcu++) {
      if (header.restartInterval > 0 && mcu > 0 && mcu % header.restartInterval === 0) {
        // Byte-aligned restart marker RSTn, n counting 0–7; the DC predictions start again.
        bitCount = 0;
        while (bytes[pos] === 0xff && bytes[pos + 1] === 0xff) pos++;
        if (bytes[pos] !== 0xff || bytes[pos + 1] !== 0xd0 + (restarts & 7)) return false;
        pos += 2;
        restarts++;
        predictors.fill(0);
      }
      for (const { component, dc, ac } of scanTables) {
        const { h, v, stride, samples } = layout[component] as (typeof layout)[number];
        for (let by = 0; by < v; by++) {
          for (let bx = 0; bx < h; bx++) {
            if (!block(component, dc, ac, samples, by * 8 * stride + (mcuX * h + bx) * 8, stride)) return false;
          }
        }
      }
    }
    const last = Math.min(height, (mcuRow + 1) * mcuHeight);
    for (let y = mcuRow * mcuHeight; y < last; y++) {
      for (let c = 0; c < colors; c++) {
        const component = components[c] as FrameComponent;
        const { v, stride, samples } = layout[c] as (typeof layout)[number];
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
  }
  // After the scan, only its end (EOI) or nothing: pdf.js would read a second scan over the
  // first, and takes the quantization tables last defined anywhere, so a scan or table after
  // this one would change what it draws (and what a person's viewer may draw).
  for (let i = pos; i + 1 < n; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1] as number;
    if (next === 0x00 || next === 0xff) continue;
    return next === 0xd9;
  }
  return true;
}

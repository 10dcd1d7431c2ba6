/**
 * Inflate (RFC 1950/1951) handing the output over a row at a time, for a scanned page's image
 * (page-render.ts, issue 13's memory budget): the output is never held whole, only the 32 KB
 * window deflate refers back to and the row being filled, so a page's 26 MB of RGB samples
 * make no garbage (Node's zlib streams allocate a fresh buffer for every chunk they hand over,
 * which the process's allocator then keeps between collections).
 *
 * Strict: anything but a well-formed zlib stream (header, block types, complete Huffman codes,
 * distances within what was written) makes it give up, and its caller then lets pdf.js decode
 * the image as before. The Adler-32 checksum is not checked (pdf.js does not either), and the
 * stream may end early: only the rows asked for must be there.
 */

const WINDOW = 1 << 15;
const RING = 1 << 16;
const MASK = RING - 1;

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

class Malformed extends Error {}

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (LSB
 * first, as deflate packs them): entry = symbol << 4 | length; 0 where no code (never read:
 * the code is complete).
 */
interface Code {
  readonly table: Uint32Array;
  readonly bits: number;
}

/** The code of `lengths`; throws Malformed for an over-subscribed or (unless `allowSingle` and one code) incomplete set. */
function codeOf(lengths: ArrayLike<number>, allowSingle: boolean): Code {
  let max = 0;
  const count = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i] as number;
    if (l > 0) {
      count[l] = (count[l] as number) + 1;
      if (l > max) max = l;
    }
  }
  if (max === 0) throw new Malformed('empty code');
  let left = 1;
  for (let l = 1; l <= 15; l++) {
    left = (left << 1) - (count[l] as number);
    if (left < 0) throw new Malformed('over-subscribed code');
  }
  const used = lengths.length === 0 ? 0 : Array.prototype.filter.call(lengths, (l: number) => l > 0).length;
  if (left > 0 && !(allowSingle && used === 1)) throw new Malformed('incomplete code');
  const next = new Uint16Array(16);
  for (let l = 1, code = 0; l <= 15; l++) {
    code = (code + (count[l - 1] as number)) << 1;
    next[l] = code;
  }
  const bits = max;
  const table = new Uint32Array(1 << bits);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const l = lengths[symbol] as number;
    if (l === 0) continue;
    let code = next[l] as number;
    next[l] = code + 1;
    // Reverse the code's bits: deflate sends Huffman codes most significant bit first.
    let reversed = 0;
    for (let k = 0; k < l; k++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    for (let i = reversed; i < 1 << bits; i += 1 << l) table[i] = (symbol << 4) | l;
  }
  return { table, bits };
}

let fixed: { literal: Code; distance: Code } | undefined;
function fixedCodes(): { literal: Code; distance: Code } {
  if (!fixed) {
    const lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    // The fixed distance code has 30 used symbols of 32: incomplete by design.
    const distance = new Uint8Array(30).fill(5);
    fixed = { literal: codeOf(lengths, false), distance: codeOfFixedDistance(distance) };
  }
  return fixed;
}

function codeOfFixedDistance(lengths: Uint8Array): Code {
  const table = new Uint32Array(32);
  for (let symbol = 0; symbol < 32; symbol++) {
    let reversed = 0;
    for (let k = 0, code = symbol; k < 5; k++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    table[reversed] = symbol < lengths.length ? (symbol << 4) | 5 : 0;
  }
  return { table, bits: 5 };
}

/**
 * Inflates the zlib stream `input`, calling `onRow` with each complete row of `rowBytes`
 * bytes (the same buffer every time: copy what is kept) until `rows` rows were handed over.
 * True when they all were; false for a malformed stream or one that ends before them.
 */
export function inflateRows(input: Uint8Array, rowBytes: number, rows: number, onRow: (row: Uint8Array) => void): boolean {
  try {
    return inflate(input, rowBytes, rows, onRow);
  } catch (error) {
    if (error instanceof Malformed) return false;
    throw error;
  }
}

function inflate(input: Uint8Array, rowBytes: number, rows: number, onRow: (row: Uint8Array) => void): boolean {
  if (input.length < 2) return false;
  const cmf = input[0] as number;
  const flg = input[1] as number;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) return false;
  let pos = 2;
  let bitBuffer = 0;
  let bitCount = 0;
  const n = input.length;
  const need = (count: number): void => {
    while (bitCount < count) {
      if (pos >= n) throw new Malformed('stream ends');
      bitBuffer |= (input[pos++] as number) << bitCount;
      bitCount += 8;
    }
  };
  const bits = (count: number): number => {
    need(count);
    const value = bitBuffer & ((1 << count) - 1);
    bitBuffer >>>= count;
    bitCount -= count;
    return value;
  };
  const decode = (code: Code): number => {
    // Up to code.bits bits; at the stream's end fewer may be left, enough for a shorter code.
    while (bitCount < code.bits && pos < n) {
      bitBuffer |= (input[pos++] as number) << bitCount;
      bitCount += 8;
    }
    const entry = code.table[bitBuffer & ((1 << code.bits) - 1)] as number;
    const length = entry & 15;
    if (length === 0 || length > bitCount) throw new Malformed('bad code');
    bitBuffer >>>= length;
    bitCount -= length;
    return entry >> 4;
  };

  const ring = new Uint8Array(RING);
  let written = 0;
  const row = new Uint8Array(rowBytes);
  let fill = 0;
  let done = 0;
  const put = (byte: number): void => {
    ring[written & MASK] = byte;
    written++;
    row[fill++] = byte;
    if (fill === rowBytes) {
      fill = 0;
      onRow(row);
      done++;
    }
  };

  for (;;) {
    const final = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitBuffer = 0;
      bitCount = 0;
      if (pos + 4 > n) throw new Malformed('stream ends');
      const length = (input[pos] as number) | ((input[pos + 1] as number) << 8);
      const check = (input[pos + 2] as number) | ((input[pos + 3] as number) << 8);
      pos += 4;
      if (length !== (~check & 0xffff)) throw new Malformed('bad stored block length');
      for (let i = 0; i < length && done < rows; i++) {
        if (pos >= n) throw new Malformed('stream ends');
        put(input[pos++] as number);
      }
    } else if (type === 1 || type === 2) {
      let literal: Code;
      let distance: Code;
      if (type === 1) ({ literal, distance } = fixedCodes());
      else {
        const literals = bits(5) + 257;
        const distances = bits(5) + 1;
        const codeLengths = bits(4) + 4;
        if (literals > 286 || distances > 30) throw new Malformed('too many codes');
        const lengthLengths = new Uint8Array(19);
        for (let i = 0; i < codeLengths; i++) lengthLengths[CODE_LENGTH_ORDER[i] as number] = bits(3);
        const lengthCode = codeOf(lengthLengths, false);
        const lengths = new Uint8Array(literals + distances);
        for (let i = 0; i < literals + distances; ) {
          const symbol = decode(lengthCode);
          if (symbol < 16) lengths[i++] = symbol;
          else {
            let repeat: number;
            let value = 0;
            if (symbol === 16) {
              if (i === 0) throw new Malformed('repeat with nothing before');
              value = lengths[i - 1] as number;
              repeat = 3 + bits(2);
            } else if (symbol === 17) repeat = 3 + bits(3);
            else repeat = 11 + bits(7);
            if (i + repeat > literals + distances) throw new Malformed('too many lengths');
            lengths.fill(value, i, i + repeat);
            i += repeat;
          }
        }
        if (lengths[256] === 0) throw new Malformed('no end-of-block code');
        literal = codeOf(lengths.subarray(0, literals), false);
        const distanceLengths = lengths.subarray(literals);
        distance = distanceLengths.some((l) => l > 0) ? codeOf(distanceLengths, true) : { table: new Uint32Array(1), bits: 1 };
      }
      for (;;) {
        if (done >= rows) return true;
        const symbol = decode(literal);
        if (symbol < 256) put(symbol);
        else if (symbol === 256) break;
        else {
          const index = symbol - 257;
          if (index >= 29) throw new Malformed('bad length symbol');
          const length = (LENGTH_BASE[index] as number) + bits(LENGTH_EXTRA[index] as number);
          const d = decode(distance);
          if (d >= 30) throw new Malformed('bad distance symbol');
          const back = (DIST_BASE[d] as number) + bits(DIST_EXTRA[d] as number);
          if (back > written || back > WINDOW) throw new Malformed('distance too far back');
          for (let i = 0; i < length; i++) put(ring[(written - back) & MASK] as number);
        }
      }
    } else throw new Malformed('bad block type');
    if (done >= rows) return true;
    if (final) return false;
  }
}

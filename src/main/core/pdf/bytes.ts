/**
 * The byte source the reader pulls from. The reader asks only for the ranges it needs, so an
 * implementation over a file descriptor (infra) can serve a 300 MB file without loading it.
 */
import { Buffer } from 'node:buffer';

export interface PdfBytes {
  readonly length: number;
  /**
   * Up to `length` bytes starting at `offset` (fewer at the end of the source). The result
   * may be a view into shared memory: callers must not modify it.
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Optional: hands [offset, offset + length) to `visit` in order, in pieces that are valid only
   * during their call (a source over a file reuses one buffer, so hashing 30 MB touches no fresh
   * memory). Stops early at the end of the source. Without it, callers read in chunks.
   */
  scan?(offset: number, length: number, visit: (piece: Uint8Array) => void): void;
  /**
   * Optional: copies up to `length` bytes from `offset` into `target` and returns how many
   * (fewer at the end). A source over a file offers it so a scan of the whole file reads
   * through one reused buffer: a fresh 4 MiB buffer per window cost the stamp of a 30 MB file
   * about 100 ms cold (fresh memory, and the collections its external size triggers).
   */
  readInto?(target: Uint8Array, offset: number, length: number): number;
  /**
   * Optional: how many bytes a ByteReader reads at a time from this source (default 64 KiB).
   * A source over a file asks for less: the parser's reads are a few hundred bytes around an
   * object, and every byte read lands in memory the process has to be handed first.
   */
  readonly readAhead?: number;
}

/** A byte source over bytes already in memory. Reads are zero-copy views. */
export class InMemoryPdfBytes implements PdfBytes {
  constructor(private readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.bytes.length));
    const end = Math.max(start, Math.min(offset + length, this.bytes.length));
    return this.bytes.subarray(start, end);
  }
}

/**
 * A byte source over parts in memory, read as one: an original file and the updates appended
 * to it, without copying the file into a new buffer (a 30 MB copy costs more than the rest of
 * the B-LT update it is read for). A read inside one part is a zero-copy view; only a read
 * across a boundary copies, and then just the bytes asked for.
 */
export class ConcatenatedPdfBytes implements PdfBytes {
  private readonly parts: readonly (Uint8Array | PdfBytes)[];
  private readonly starts: readonly number[];
  readonly length: number;

  /** Parts in memory, or a source read on demand (the stamped file on disk, issue #15). */
  constructor(parts: readonly (Uint8Array | PdfBytes)[]) {
    const flat = parts.flatMap((part) => (part instanceof ConcatenatedPdfBytes ? part.parts : [part])).filter((part) => part.length > 0);
    const starts: number[] = [];
    let total = 0;
    for (const part of flat) {
      starts.push(total);
      total += part.length;
    }
    this.parts = flat;
    this.starts = starts;
    this.length = total;
  }

  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.length));
    const end = Math.max(start, Math.min(offset + length, this.length));
    if (start === end) return new Uint8Array(0);
    let i = this.partAt(start);
    const first = this.parts[i] as Uint8Array | PdfBytes;
    const firstStart = this.starts[i] as number;
    if (end <= firstStart + first.length) return pieceOf(first, start - firstStart, end - firstStart);
    const out = new Uint8Array(end - start);
    let pos = start;
    while (pos < end) {
      const part = this.parts[i] as Uint8Array | PdfBytes;
      const partStart = this.starts[i] as number;
      const piece = pieceOf(part, pos - partStart, Math.min(part.length, end - partStart));
      out.set(piece, pos - start);
      pos += piece.length;
      i++;
    }
    return out;
  }

  /** The whole source as one buffer (a copy when there is more than one part, or a part on disk). */
  toBytes(): Uint8Array {
    const whole = this.parts.map((part) => (part instanceof Uint8Array ? part : part.read(0, part.length)));
    return whole.length === 1 ? (whole[0] as Uint8Array) : concatBytes(whole);
  }

  /** Index of the part holding byte `offset` (0 ≤ offset < length): binary search over the starts. */
  private partAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Bytes [from, to) of a part: a view of bytes in memory, a read of a source. */
function pieceOf(part: Uint8Array | PdfBytes, from: number, to: number): Uint8Array {
  return part instanceof Uint8Array ? part.subarray(from, to) : part.read(from, to - from);
}

const CHUNK = 64 * 1024;

/**
 * Byte-at-a-time access over a PdfBytes through a one-chunk window, so the lexer can walk
 * byte by byte while the source is read in 64 KiB pieces (or the source's readAhead).
 */
export class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkStart = 0;
  private readonly window: number;
  readonly length: number;

  constructor(readonly source: PdfBytes) {
    this.length = source.length;
    this.window = source.readAhead ?? CHUNK;
  }

  /** The byte at `pos`, or -1 outside the source. */
  at(pos: number): number {
    const rel = pos - this.chunkStart;
    if (rel >= 0 && rel < this.chunk.length) return this.chunk[rel] as number;
    if (pos < 0 || pos >= this.length) return -1;
    this.chunkStart = pos - (pos % this.window);
    this.chunk = this.source.read(this.chunkStart, this.window);
    return this.chunk[pos - this.chunkStart] ?? -1;
  }

  slice(offset: number, length: number): Uint8Array {
    return this.source.read(offset, length);
  }

  /**
   * Up to `length` bytes from `offset`, as slice(), but read into `scratch` (at least `length`
   * long) where the source can (PdfBytes.readInto): valid until `scratch` is used again.
   */
  sliceInto(offset: number, length: number, scratch: Uint8Array): Uint8Array {
    if (!this.source.readInto) return this.source.read(offset, length);
    return scratch.subarray(0, this.source.readInto(scratch, offset, Math.min(length, scratch.length)));
  }

  /**
   * First offset of `pattern` in [from, limit), or -1. Reads in chunks so a scan costs memory
   * of one chunk, not of the range.
   */
  indexOf(pattern: Uint8Array, from: number, limit = this.length): number {
    const end = Math.min(limit, this.length);
    const step = 1024 * 1024;
    for (let pos = Math.max(0, from); pos < end; pos += step) {
      const windowEnd = Math.min(end, pos + step + pattern.length - 1);
      const window = this.source.read(pos, windowEnd - pos);
      const found = Buffer.from(window.buffer, window.byteOffset, window.length).indexOf(pattern);
      if (found >= 0) return pos + found;
    }
    return -1;
  }

  /** Last offset of `pattern` starting in [from, limit), or -1. */
  lastIndexOf(pattern: Uint8Array, from: number, limit = this.length): number {
    const end = Math.min(limit, this.length);
    const step = 1024 * 1024;
    for (let windowEnd = end; windowEnd > from; windowEnd -= step) {
      const start = Math.max(from, windowEnd - step);
      const window = this.source.read(start, Math.min(end, windowEnd + pattern.length - 1) - start);
      const found = Buffer.from(window.buffer, window.byteOffset, window.length).lastIndexOf(pattern);
      if (found >= 0) return start + found;
    }
    return -1;
  }
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** One char per byte (true ISO-8859-1; TextDecoder's "latin1" is windows-1252). */
export function bytesToLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

export function latin1ToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

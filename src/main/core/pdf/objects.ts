/**
 * The immutable PDF object model. Values are plain JS where the PDF type maps cleanly
 * (null, boolean, number) and small frozen classes elsewhere, so a value read from a file
 * can be shared between callers without defensive copies.
 */
import { YinjianError } from '../../../shared/errors/index';
import { bytesToLatin1 } from './bytes';

/**
 * A PDF name. `value` holds the name's bytes after #xx decoding, one char per byte
 * (latin1), because a name is a byte string, not text. Interned: compare with `===`.
 */
export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly value: string) {
    Object.freeze(this);
  }
  static of(value: string): PdfName {
    let name = PdfName.interned.get(value);
    if (!name) {
      name = new PdfName(value);
      // Hostile files can hold millions of distinct names; cap the intern table so it cannot
      // grow without bound (names past the cap are still correct, just not shared).
      if (PdfName.interned.size < 100_000) PdfName.interned.set(value, name);
    }
    return name;
  }
  equals(other: unknown): boolean {
    return other instanceof PdfName && other.value === this.value;
  }
  toString(): string {
    return `/${this.value}`;
  }
}

/** An indirect reference `num gen R`. */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {
    Object.freeze(this);
  }
  equals(other: unknown): boolean {
    return other instanceof PdfRef && other.num === this.num && other.gen === this.gen;
  }
  /** A stable key for maps and sets. */
  get key(): string {
    return `${this.num} ${this.gen}`;
  }
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

/** A string object: raw bytes, plus whether it was written as `<hex>` (kept for round trips). */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
  ) {
    Object.freeze(this);
  }
  static fromText(text: string): PdfString {
    return new PdfString(encodeTextString(text));
  }
  /** Decodes a PDF text string (UTF-16BE or UTF-8 with BOM, else PDFDocEncoding). */
  get text(): string {
    return decodeTextString(this.bytes);
  }
  /** The bytes as a latin1 string, for byte-oriented comparisons. */
  get latin1(): string {
    return bytesToLatin1(this.bytes);
  }
}

export class PdfArray {
  readonly items: readonly PdfValue[];
  constructor(items: readonly PdfValue[]) {
    this.items = Object.freeze([...items]);
    Object.freeze(this);
  }
  get length(): number {
    return this.items.length;
  }
  get(index: number): PdfValue | undefined {
    return this.items[index];
  }
  [Symbol.iterator](): Iterator<PdfValue> {
    return this.items[Symbol.iterator]();
  }
}

export class PdfDict {
  private readonly map: ReadonlyMap<string, PdfValue>;
  constructor(entries: Iterable<readonly [string | PdfName, PdfValue]> = []) {
    const map = new Map<string, PdfValue>();
    for (const [key, value] of entries) map.set(key instanceof PdfName ? key.value : key, value);
    this.map = map;
    Object.freeze(this);
  }
  static of(entries: Record<string, PdfValue>): PdfDict {
    return new PdfDict(Object.entries(entries));
  }
  get size(): number {
    return this.map.size;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  /** The raw (unresolved) value, or undefined when absent. */
  get(key: string): PdfValue | undefined {
    return this.map.get(key);
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  entries(): IterableIterator<[string, PdfValue]> {
    return this.map.entries();
  }
  /** A copy with `key` set (or removed when `value` is undefined). */
  with(key: string, value: PdfValue | undefined): PdfDict {
    const entries = new Map(this.map);
    if (value === undefined) entries.delete(key);
    else entries.set(key, value);
    return new PdfDict(entries);
  }
  /** The value if it is a name, by its string value. */
  getName(key: string): string | undefined {
    const value = this.map.get(key);
    return value instanceof PdfName ? value.value : undefined;
  }
  getNumber(key: string): number | undefined {
    const value = this.map.get(key);
    return typeof value === 'number' ? value : undefined;
  }
  getInteger(key: string): number | undefined {
    const value = this.map.get(key);
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  }
  getRef(key: string): PdfRef | undefined {
    const value = this.map.get(key);
    return value instanceof PdfRef ? value : undefined;
  }
  getDict(key: string): PdfDict | undefined {
    const value = this.map.get(key);
    return value instanceof PdfDict ? value : undefined;
  }
  getArray(key: string): PdfArray | undefined {
    const value = this.map.get(key);
    return value instanceof PdfArray ? value : undefined;
  }
  getString(key: string): PdfString | undefined {
    const value = this.map.get(key);
    return value instanceof PdfString ? value : undefined;
  }
}

/** Where a stream's raw (still encoded) data lies in the file it was read from. */
export interface StreamLocation {
  readonly offset: number;
  readonly length: number;
}

/**
 * A stream: its dictionary and either the location of its raw data in the source (streams
 * read from a file: the data is not loaded until asked for) or the raw data itself (streams
 * built for writing).
 */
export class PdfStream {
  private constructor(
    readonly dict: PdfDict,
    readonly location: StreamLocation | undefined,
    readonly data: Uint8Array | undefined,
  ) {
    Object.freeze(this);
  }
  static located(dict: PdfDict, location: StreamLocation): PdfStream {
    return new PdfStream(dict, Object.freeze({ ...location }), undefined);
  }
  /** A stream holding `data` already encoded as `dict` says (the writer sets /Length). */
  static withData(dict: PdfDict, data: Uint8Array): PdfStream {
    return new PdfStream(dict, undefined, data);
  }
}

export type PlaceholderKind = 'hex' | 'raw';

/**
 * A fixed-width run the serializer writes without knowing what it will hold, and whose
 * absolute offset the incremental writer reports, so a later step can patch it in place
 * without moving any byte (how a signature's /ByteRange and /Contents get filled).
 *
 * - `hex`: written `<00…0>` with `width` hex digits; the run is `width + 2` bytes long.
 * - `raw`: written as `initial` serialized and right-padded with spaces to `width` bytes
 *   (default `null`, which is valid in any value position until patched).
 */
export class PdfPlaceholder {
  constructor(
    readonly name: string,
    readonly width: number,
    readonly kind: PlaceholderKind,
    readonly initial: PdfValue = null,
  ) {
    if (!Number.isInteger(width) || width < 1 || width > 16 * 1024 * 1024) {
      throw new YinjianError('PDF_UPDATE_INVALID', { detail: `placeholder ${name}: bad width ${width}` });
    }
    Object.freeze(this);
  }
}

export type PdfValue =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfArray
  | PdfDict
  | PdfRef
  | PdfStream
  | PdfPlaceholder;

// ---- text strings -------------------------------------------------------------------------

/** PDFDocEncoding code points that differ from latin1 (ISO 32000-1, Annex D). */
const PDF_DOC_DIFFERENCES: Readonly<Record<number, number>> = {
  0x18: 0x02d8, 0x19: 0x02c7, 0x1a: 0x02c6, 0x1b: 0x02d9, 0x1c: 0x02dd, 0x1d: 0x02db, 0x1e: 0x02da, 0x1f: 0x02dc,
  0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026, 0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
  0x88: 0x2039, 0x89: 0x203a, 0x8a: 0x2212, 0x8b: 0x2030, 0x8c: 0x201e, 0x8d: 0x201c, 0x8e: 0x201d, 0x8f: 0x2018,
  0x90: 0x2019, 0x91: 0x201a, 0x92: 0x2122, 0x93: 0xfb01, 0x94: 0xfb02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
  0x98: 0x0178, 0x99: 0x017d, 0x9a: 0x0131, 0x9b: 0x0142, 0x9c: 0x0153, 0x9d: 0x0161, 0x9e: 0x017e, 0xa0: 0x20ac,
};

export function decodeTextString(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  }
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(PDF_DOC_DIFFERENCES[byte] ?? byte);
  return text;
}

/** Encodes text as PDFDocEncoding when it is plain ASCII, else as UTF-16BE with a BOM. */
export function encodeTextString(text: string): Uint8Array {
  if (/^[\x20-\x7e\t\r\n]*$/.test(text)) return new TextEncoder().encode(text);
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 + i * 2] = unit >> 8;
    out[3 + i * 2] = unit & 0xff;
  }
  return out;
}

/** Shorthand constructors, so building objects for the writer reads like PDF. */
export const name = (value: string): PdfName => PdfName.of(value);
export const ref = (num: number, gen = 0): PdfRef => new PdfRef(num, gen);

/**
 * A small, bounded ASN.1 codec: a BER reader (definite and indefinite lengths, because old
 * adbe.pkcs7 signers emit indefinite-length BER) and a DER writer.
 *
 * Why not asn1js for this: asn1js decodes an OID arc above 2^53 as "{hex}", and our own arc
 * (2.25.<UUID>, oids.ts) is far above it; we also need the exact bytes of every element
 * (to-be-signed parts, signed attributes) and hard limits against hostile input (a verifier
 * reads any PDF: nesting depth and element count are capped so a crafted blob cannot exhaust
 * the stack or the heap).
 */

export const TagClass = { Universal: 0, Application: 1, Context: 2, Private: 3 } as const;
export type TagClass = (typeof TagClass)[keyof typeof TagClass];

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE_STRING: 26,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

export interface Asn1Node {
  readonly tagClass: TagClass;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole element (identifier, length, content), as it was received. */
  readonly raw: Uint8Array;
  /** The content octets (for an indefinite length: without the end-of-contents marker). */
  readonly content: Uint8Array;
  readonly children: readonly Asn1Node[];
}

/** Thrown by the reader; callers turn it into their own typed error (CMS_MALFORMED, …). */
export class Asn1DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Asn1DecodeError';
  }
}

const MAX_DEPTH = 48;
const MAX_NODES = 200_000;

interface ReadState {
  nodes: number;
}

function readElement(buf: Uint8Array, offset: number, end: number, depth: number, state: ReadState): { node: Asn1Node; next: number } {
  if (depth > MAX_DEPTH) throw new Asn1DecodeError('nesting too deep');
  if (++state.nodes > MAX_NODES) throw new Asn1DecodeError('too many elements');
  let p = offset;
  if (p >= end) throw new Asn1DecodeError('truncated identifier');
  const first = buf[p++]!;
  const tagClass = (first >> 6) as TagClass;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      if (p >= end || i > 3) throw new Asn1DecodeError('bad high tag number');
      const b = buf[p++]!;
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= end) throw new Asn1DecodeError('truncated length');
  const lenByte = buf[p++]!;
  if (lenByte === 0x80) {
    if (!constructed) throw new Asn1DecodeError('indefinite length on a primitive element');
    const children: Asn1Node[] = [];
    const contentStart = p;
    for (;;) {
      if (p + 2 > end) throw new Asn1DecodeError('missing end-of-contents');
      if (buf[p] === 0 && buf[p + 1] === 0) {
        const contentEnd = p;
        p += 2;
        return {
          node: { tagClass, constructed, tag, raw: buf.subarray(offset, p), content: buf.subarray(contentStart, contentEnd), children },
          next: p,
        };
      }
      const child = readElement(buf, p, end, depth + 1, state);
      children.push(child.node);
      p = child.next;
    }
  }
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else {
    const count = lenByte & 0x7f;
    if (count > 4) throw new Asn1DecodeError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      if (p >= end) throw new Asn1DecodeError('truncated length');
      length = length * 256 + buf[p++]!;
    }
  }
  const contentStart = p;
  const contentEnd = p + length;
  if (contentEnd > end) throw new Asn1DecodeError('element longer than its container');
  const children: Asn1Node[] = [];
  if (constructed) {
    let q = contentStart;
    while (q < contentEnd) {
      const child = readElement(buf, q, contentEnd, depth + 1, state);
      children.push(child.node);
      q = child.next;
    }
  }
  return {
    node: { tagClass, constructed, tag, raw: buf.subarray(offset, contentEnd), content: buf.subarray(contentStart, contentEnd), children },
    next: contentEnd,
  };
}

/**
 * Reads one element. `trailing` says what may follow it: nothing (certificates, CRLs), or
 * zero bytes (a PDF /Contents string is padded with zeros after the CMS).
 */
export function readDer(input: Uint8Array, trailing: 'none' | 'zeros' = 'none'): Asn1Node {
  // A private copy: the nodes are views into it, and the caller's buffer (maybe a Node Buffer
  // from a pool) may change after we return.
  const bytes = new Uint8Array(input);
  const { node, next } = readElement(bytes, 0, bytes.length, 0, { nodes: 0 });
  for (let i = next; i < bytes.length; i++) {
    if (trailing === 'none' || bytes[i] !== 0) throw new Asn1DecodeError('data after the end of the element');
  }
  return node;
}

// ---------- typed accessors (throw Asn1DecodeError on the wrong shape) ----------

export function isUniversal(node: Asn1Node, tag: number): boolean {
  return node.tagClass === TagClass.Universal && node.tag === tag;
}

export function isContext(node: Asn1Node | undefined, tag: number): node is Asn1Node {
  return node !== undefined && node.tagClass === TagClass.Context && node.tag === tag;
}

export function expectUniversal(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node || !isUniversal(node, tag)) throw new Asn1DecodeError(`${what}: unexpected element`);
  return node;
}

export function child(node: Asn1Node, index: number, what: string): Asn1Node {
  const c = node.children[index];
  if (!c) throw new Asn1DecodeError(`${what}: missing element`);
  return c;
}

export function readOid(node: Asn1Node | undefined, what = 'object identifier'): string {
  const n = expectUniversal(node, TAG.OID, what);
  return decodeOidContent(n.content);
}

export function decodeOidContent(content: Uint8Array): string {
  if (content.length === 0 || content.length > 256) throw new Asn1DecodeError('bad object identifier length');
  const arcs: bigint[] = [];
  let value = 0n;
  let started = false;
  for (const b of content) {
    if (!started && b === 0x80) throw new Asn1DecodeError('non-minimal object identifier arc');
    started = true;
    value = (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
      started = false;
    }
  }
  if (started) throw new Asn1DecodeError('truncated object identifier');
  const firstArc = arcs[0]!;
  const head = firstArc < 40n ? [0n, firstArc] : firstArc < 80n ? [1n, firstArc - 40n] : [2n, firstArc - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

/** Two's-complement INTEGER content as an unsigned big-endian magnitude (for serials). */
export function readIntegerBytes(node: Asn1Node | undefined, what = 'integer'): Uint8Array {
  const n = expectUniversal(node, TAG.INTEGER, what);
  if (n.content.length === 0) throw new Asn1DecodeError(`${what}: empty integer`);
  return n.content;
}

export function readSmallInteger(node: Asn1Node | undefined, what = 'integer'): number {
  return contentToSmallInteger(readIntegerBytes(node, what), what);
}

function contentToSmallInteger(content: Uint8Array, what: string): number {
  if (content.length > 6) throw new Asn1DecodeError(`${what}: integer too large`);
  let acc = 0;
  for (const b of content) acc = acc * 256 + b;
  // Two's complement: a set top bit means negative.
  if ((content[0]! & 0x80) !== 0) acc -= 2 ** (8 * content.length);
  return acc;
}

export function readEnumerated(node: Asn1Node | undefined, what = 'enumerated'): number {
  const n = expectUniversal(node, TAG.ENUMERATED, what);
  if (n.content.length === 0) throw new Asn1DecodeError(`${what}: empty enumerated`);
  return contentToSmallInteger(n.content, what);
}

export function readBoolean(node: Asn1Node | undefined, what = 'boolean'): boolean {
  const n = expectUniversal(node, TAG.BOOLEAN, what);
  if (n.content.length !== 1) throw new Asn1DecodeError(`${what}: bad boolean`);
  return n.content[0] !== 0;
}

/** OCTET STRING content; a constructed (BER) octet string is concatenated. */
export function readOctetString(node: Asn1Node | undefined, what = 'octet string'): Uint8Array {
  const n = expectUniversal(node, TAG.OCTET_STRING, what);
  if (!n.constructed) return n.content;
  const parts = n.children.map((c) => readOctetString(c, what));
  return concatBytes(...parts);
}

export function readBitString(node: Asn1Node | undefined, what = 'bit string'): { bytes: Uint8Array; unusedBits: number } {
  const n = expectUniversal(node, TAG.BIT_STRING, what);
  if (n.constructed || n.content.length === 0) throw new Asn1DecodeError(`${what}: bad bit string`);
  const unusedBits = n.content[0]!;
  if (unusedBits > 7) throw new Asn1DecodeError(`${what}: bad unused bit count`);
  return { bytes: n.content.subarray(1), unusedBits };
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });
const latin1Decoder = new TextDecoder('latin1');

/** Any of the directory string types, as text. */
export function readString(node: Asn1Node | undefined, what = 'string'): string {
  if (!node || node.tagClass !== TagClass.Universal || node.constructed) throw new Asn1DecodeError(`${what}: unexpected element`);
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return textDecoder.decode(node.content);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.T61_STRING:
      return latin1Decoder.decode(node.content);
    case TAG.BMP_STRING: {
      let s = '';
      for (let i = 0; i + 1 < node.content.length; i += 2) s += String.fromCharCode((node.content[i]! << 8) | node.content[i + 1]!);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      let s = '';
      for (let i = 0; i + 3 < node.content.length; i += 4) {
        s += String.fromCodePoint(((node.content[i]! << 24) | (node.content[i + 1]! << 16) | (node.content[i + 2]! << 8) | node.content[i + 3]!) >>> 0);
      }
      return s;
    }
    default:
      throw new Asn1DecodeError(`${what}: not a string`);
  }
}

export function readTime(node: Asn1Node | undefined, what = 'time'): Date {
  if (!node || node.tagClass !== TagClass.Universal) throw new Asn1DecodeError(`${what}: unexpected element`);
  const text = latin1Decoder.decode(node.content);
  let m: RegExpExecArray | null;
  if (node.tag === TAG.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
    if (!m) throw new Asn1DecodeError(`${what}: bad UTCTime`);
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? '0')));
  }
  if (node.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/.exec(text);
    if (!m) throw new Asn1DecodeError(`${what}: bad GeneralizedTime`);
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5] ?? '0'), Number(m[6] ?? '0'), ms);
    const zone = m[8];
    if (zone && zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
    }
    return new Date(t);
  }
  throw new Asn1DecodeError(`${what}: not a time`);
}

// ---------- DER writer ----------

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Element with a raw identifier octet (tags below 31 only, which is all we write). */
export function tlv(identifier: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(identifier), encodeLength(body.length), body);
}

export const der = {
  sequence: (...items: readonly Uint8Array[]): Uint8Array => tlv(0x30, ...items),
  /** SET: `items` in the given order (use setOf for DER-sorted SET OF). */
  set: (...items: readonly Uint8Array[]): Uint8Array => tlv(0x31, ...items),
  /** SET OF, sorted by encoding as DER requires (X.690 §11.6). */
  setOf: (items: readonly Uint8Array[]): Uint8Array => tlv(0x31, ...sortDer(items)),
  oid: (dotted: string): Uint8Array => tlv(0x06, encodeOidContent(dotted)),
  integerBytes: (unsigned: Uint8Array): Uint8Array => tlv(0x02, minimalUnsigned(unsigned)),
  integer: (n: number | bigint): Uint8Array => tlv(0x02, encodeSmallInteger(BigInt(n))),
  enumerated: (n: number): Uint8Array => tlv(0x0a, encodeSmallInteger(BigInt(n))),
  boolean: (b: boolean): Uint8Array => tlv(0x01, Uint8Array.of(b ? 0xff : 0x00)),
  null: (): Uint8Array => Uint8Array.of(0x05, 0x00),
  octetString: (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes),
  bitString: (bytes: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, Uint8Array.of(unusedBits), bytes),
  utf8: (text: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(text)),
  printable: (text: string): Uint8Array => tlv(0x13, asciiBytes(text)),
  ia5: (text: string): Uint8Array => tlv(0x16, asciiBytes(text)),
  /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
  time: (date: Date): Uint8Array => {
    const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
    const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
    const year = date.getUTCFullYear();
    return year >= 1950 && year < 2050 ? tlv(0x17, asciiBytes(`${digits.slice(2)}Z`)) : tlv(0x18, asciiBytes(`${digits}Z`));
  },
  generalizedTime: (date: Date): Uint8Array => {
    const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
    return tlv(0x18, asciiBytes(`${iso.slice(0, 19).replace(/[-T:]/g, '')}Z`));
  },
  /** [n] EXPLICIT. */
  explicit: (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner),
  /** [n] IMPLICIT of a constructed type: the content of `inner`, retagged. */
  implicitConstructed: (n: number, inner: Uint8Array): Uint8Array => retag(inner, 0xa0 | n),
  /** [n] IMPLICIT of a primitive type. */
  implicitPrimitive: (n: number, inner: Uint8Array): Uint8Array => retag(inner, 0x80 | n),
};

/** Same element with another identifier octet (for IMPLICIT tags and signed attributes). */
export function retag(element: Uint8Array, identifier: number): Uint8Array {
  // new Uint8Array copies; Buffer.prototype.slice would alias the caller's memory.
  const out = new Uint8Array(element);
  out[0] = identifier;
  return out;
}

function sortDer(items: readonly Uint8Array[]): Uint8Array[] {
  return [...items].sort(compareBytes);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export function encodeOidContent(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new Error(`not an object identifier: ${dotted}`);
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const out: number[] = [];
  const pushArc = (value: bigint): void => {
    const chunk: number[] = [Number(value & 0x7fn)];
    let v = value >> 7n;
    while (v > 0n) {
      chunk.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...chunk);
  };
  pushArc(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return Uint8Array.from(out);
}

function minimalUnsigned(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  if (trimmed.length === 0) return Uint8Array.of(0);
  return (trimmed[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), trimmed) : trimmed;
}

function encodeSmallInteger(n: bigint): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  for (;;) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
    if ((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Serial number magnitude as hex without leading zero bytes (openssl style, lower case). */
export function serialHex(integerContent: Uint8Array): string {
  let i = 0;
  while (i < integerContent.length - 1 && integerContent[i] === 0) i++;
  return toHex(integerContent.subarray(i));
}

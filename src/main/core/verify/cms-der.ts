/**
 * DER strictness of a signature's /Contents (issue #11, "consistent report"). ISO 32000-1
 * §12.8.3.3.1 and ETSI EN 319 142-1 require the CMS object to be DER-encoded; a BER reader
 * (ours included) accepts much more: indefinite lengths, long-form lengths for short values,
 * leading zero bytes in lengths and integers, constructed strings. Those bytes lie outside what
 * the signature protects (only the signed attributes are hashed), so a file can carry two
 * encodings of "the same" signature: one for us, another for a stricter or laxer validator.
 * Such a signature is reported as CMS_NOT_DER, never silently accepted.
 *
 * The walk is iterative over a bounded number of nodes (CMS_DER_MAX_NODES), so a hostile
 * /Contents cannot cost more than a linear scan.
 */

/** At most this many TLVs are examined; a CMS with more is itself reported. */
export const CMS_DER_MAX_NODES = 200_000;
/** Nesting deeper than this is not a CMS any validator produces. */
export const CMS_DER_MAX_DEPTH = 64;

export interface DerProblem {
  /** Byte offset in the CMS where the problem is. */
  readonly offset: number;
  readonly problem: string;
  /**
   * 'ber': a valid BER form real streaming encoders write (indefinite lengths, constructed
   * strings; RFC 5652 §5.1 allows BER outside the signed attributes) — reported as a warning.
   * 'malformed': no encoder writes it by accident (padded integers, non-minimal or wrong
   * lengths, bytes after the object) — reported as an integrity error.
   */
  readonly kind: 'ber' | 'malformed';
}

const UNIVERSAL_INTEGER = 0x02;
const UNIVERSAL_BOOLEAN = 0x01;
const UNIVERSAL_BIT_STRING = 0x03;
const UNIVERSAL_NULL = 0x05;
/** Universal string types whose constructed form DER forbids (X.690 §10.2). */
const STRING_TAGS = new Set([0x03, 0x04, 0x0c, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1e]);

/**
 * Checks that `cms` is one DER TLV followed only by zero bytes (the /Contents padding).
 * Returns the first problem found, or undefined when the encoding is strict DER.
 */
export function derProblem(cms: Uint8Array): DerProblem | undefined {
  if (cms.length === 0) return { offset: 0, problem: 'empty', kind: 'malformed' };
  // The first BER-only form seen; the walk goes on to look for worse.
  let ber: DerProblem | undefined;
  // Open constructed values: their end offset, or -1 while of indefinite length (BER).
  const ends: number[] = [];
  const limit = (): number => {
    for (let i = ends.length - 1; i >= 0; i--) if ((ends[i] as number) >= 0) return ends[i] as number;
    return cms.length;
  };
  let pos = 0;
  let nodes = 0;
  let topEnd = -1;
  const malformed = (offset: number, problem: string): DerProblem => ({ offset, problem, kind: 'malformed' });
  for (;;) {
    // Close every value that ends here (definite: at its end; indefinite: at 00 00).
    for (;;) {
      const top = ends[ends.length - 1];
      if (top === undefined) break;
      if (top >= 0 && pos === top) ends.pop();
      else if (top < 0 && cms[pos] === 0 && cms[pos + 1] === 0 && pos + 2 <= limit()) {
        pos += 2;
        ends.pop();
        if (ends.length === 0) topEnd = pos;
      } else break;
    }
    if (ends.length === 0 && topEnd >= 0) break;
    if (++nodes > CMS_DER_MAX_NODES) return malformed(pos, `more than ${CMS_DER_MAX_NODES} elements`);
    const parentEnd = limit();
    const start = pos;
    if (pos >= parentEnd) return malformed(pos, 'element runs past its parent (wrong length)');
    const first = cms[pos++] as number;
    const constructed = (first & 0x20) !== 0;
    const tagClass = first >> 6;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      // High tag number form: base-128, minimal (no leading 0x80), and only for tags >= 31.
      tag = 0;
      if (cms[pos] === 0x80) return malformed(start, 'tag number with a leading zero group');
      for (let i = 0; ; i++) {
        if (pos >= parentEnd || i > 4) return malformed(start, 'tag number runs past its parent');
        const b = cms[pos++] as number;
        tag = tag * 128 + (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
      if (tag < 31) return malformed(start, 'high-tag form for a low tag number');
    }
    if (pos >= parentEnd) return malformed(start, 'length missing');
    const lengthByte = cms[pos++] as number;
    let length: number;
    if (lengthByte === 0x80) {
      if (!constructed) return malformed(start, 'indefinite length on a primitive value');
      ber ??= { offset: start, problem: 'indefinite length (BER, not DER)', kind: 'ber' };
      if (ends.length >= CMS_DER_MAX_DEPTH) return malformed(start, `nested deeper than ${CMS_DER_MAX_DEPTH}`);
      ends.push(-1);
      continue;
    }
    if (lengthByte < 0x80) length = lengthByte;
    else {
      const count = lengthByte & 0x7f;
      if (count > 4) return malformed(start, `length in ${count} bytes`);
      if (pos + count > parentEnd) return malformed(start, 'length runs past its parent');
      if (cms[pos] === 0) return malformed(start, 'length with a leading zero byte (not minimal)');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (cms[pos++] as number);
      if (length < 0x80) return malformed(start, `long-form length for ${length} bytes (not minimal)`);
    }
    const end = pos + length;
    if (end > parentEnd) return malformed(start, `length ${length} runs past its parent (wrong length)`);
    if (ends.length === 0) topEnd = end;
    if (tagClass === 0) {
      // Universal tag 0 is the end-of-contents marker of BER: never an element, least of all
      // the zero padding of /Contents swallowed by a length that claims too much.
      if (tag === 0) return malformed(start, 'end-of-contents marker inside a definite length (wrong length)');
      if (constructed && STRING_TAGS.has(tag)) ber ??= { offset: start, problem: 'constructed string (BER, not DER)', kind: 'ber' };
      if (!constructed && tag === UNIVERSAL_INTEGER) {
        if (length === 0) return malformed(start, 'empty INTEGER');
        const b0 = cms[pos] as number;
        const b1 = cms[pos + 1] as number;
        if (length > 1 && ((b0 === 0x00 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80))) return malformed(start, 'INTEGER padded with a redundant leading byte');
      }
      if (!constructed && tag === UNIVERSAL_BOOLEAN && (length !== 1 || (cms[pos] !== 0 && cms[pos] !== 0xff))) return malformed(start, 'BOOLEAN not encoded as 00 or FF');
      if (!constructed && tag === UNIVERSAL_NULL && length !== 0) return malformed(start, 'NULL with content');
      if (!constructed && tag === UNIVERSAL_BIT_STRING && (length === 0 || (cms[pos] as number) > 7)) return malformed(start, 'BIT STRING with a bad unused-bits count');
    }
    if (constructed) {
      if (ends.length >= CMS_DER_MAX_DEPTH) return malformed(start, `nested deeper than ${CMS_DER_MAX_DEPTH}`);
      ends.push(end);
    } else pos = end;
    if (ends.length === 0) break;
  }
  // After the one top-level element only the zero padding of /Contents may follow.
  for (let i = topEnd; i < cms.length; i++) {
    if (cms[i] !== 0) return malformed(i, `${cms.length - topEnd} bytes after the CMS object, not zero padding (trailing bytes)`);
  }
  return ber;
}

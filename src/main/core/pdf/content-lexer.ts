/**
 * One tokenizer for page content streams (ISO 32000-1 §7.8.2), shared by the stamping gate's
 * two readers of a page: what its text layer says (core/policy/content-text.ts) and whether
 * that layer can be trusted (core/policy/text-layer.ts). The gate reads every page of every
 * document (U2), so this is the hottest loop of stamping a long text PDF (issue #13 budget):
 * no generator, no buffer or regular expression per token, numbers read from the bytes,
 * strings without escapes returned as views of the content.
 *
 * Usage: `for (let op = lexer.next(); op !== undefined; op = lexer.next()) use(op, lexer.operands)`.
 * `operands` are the operator's top-level operands, a new array for each operator.
 *
 * Reading rules (what a viewer does): a malformed number such as "1.2.3" or "--1" reads as 0;
 * `true`/`false`/`null` are operands; an inline dictionary (BDC properties) is skipped whole
 * and stands as one operand; an inline image's data (BI … ID … EI) is skipped and reported as
 * the operator BI; stray `)`, `>`, `{`, `}` are ignored. A hex string with a character other
 * than hex digits and white space is a ContentSyntaxError unless the lexer is lenient (then it
 * reads as an empty string).
 */
import { PdfString } from './objects';

export type ContentOperand = number | string | PdfString | ContentOperand[] | { readonly name: string };

/** Content this lexer cannot read (a malformed hex string, outside lenient mode). */
export class ContentSyntaxError extends Error {}

/** Character classes of the 256 byte values: 1 white space, 2 delimiter, 0 regular. */
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09, 0x0c, 0x00]) CLASS[c] = 1;
for (const c of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[c] = 2;

/** Hex digit values of the 256 byte values, -1 for a byte that is none. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x41 + c] = HEX[0x61 + c] = 10 + c;

function hexDigit(c: number): number {
  return HEX[c] as number;
}

/**
 * The operators of ISO 32000-1 (annex A), by their bytes: the lexer returns these very strings
 * (internalised constants), so a reader's `switch (op)` compares pointers, not characters.
 */
const OPERATORS = new Map<number, string>();
for (const op of ['b', 'B', 'b*', 'B*', 'BDC', 'BI', 'BMC', 'BT', 'BX', 'c', 'cm', 'CS', 'cs', 'd', 'd0', 'd1', 'Do', 'DP', 'EI', 'EMC', 'ET', 'EX', 'f', 'F', 'f*', 'G', 'g', 'gs', 'h', 'i', 'ID', 'j', 'J', 'K', 'k', 'l', 'm', 'M', 'MP', 'n', 'q', 'Q', 're', 'RG', 'rg', 'ri', 's', 'S', 'SC', 'sc', 'SCN', 'scn', 'sh', 'T*', 'Tc', 'Td', 'TD', 'Tf', 'TJ', 'Tj', 'TL', 'Tm', 'Tr', 'Ts', 'Tw', 'Tz', 'v', 'w', 'W', 'W*', 'y', "'", '"', 'true', 'false', 'null']) {
  let key = 0;
  for (let k = op.length - 1; k >= 0; k--) key = key * 256 + op.charCodeAt(k);
  OPERATORS.set(key, op);
}

/** The word [start, end) as a string: a known operator's constant, else its bytes. */
function word(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 5) {
    let key = 0;
    for (let k = end - 1; k >= start; k--) key = key * 256 + (bytes[k] as number);
    const known = OPERATORS.get(key);
    if (known !== undefined) return known;
  }
  return latin1(bytes, start, end);
}

/** Where the string literalString or hexString read last ended (a field, not a result object per string). */
let stringEnd = 0;
/** The hex string hexString read last was malformed (lenient mode). */
let stringMalformed = false;

const isSpace = (c: number): boolean => CLASS[c] === 1;

export class ContentLexer {
  /** The operands of the operator `next()` returned last. */
  operands: ContentOperand[] = [];
  /** A malformed hex string was read (lenient mode only; it read as an empty string). */
  malformedHex = false;
  private pos = 0;
  private readonly n: number;

  private readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly options: { readonly lenientHex?: boolean } = {},
  ) {
    // A plain Uint8Array view, never a Buffer: the strings and names read are subarrays of it,
    // and Buffer's subarray is a JavaScript function of Node's (its own checks, a Buffer made
    // per call) where Uint8Array's is a builtin: ~5 ms of a 300-page gate's cold start.
    this.bytes = Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.n = bytes.length;
  }

  /** The next operator, its operands in `operands`; undefined at the end of the content. */
  next(): string | undefined {
    const bytes = this.bytes;
    const n = this.n;
    let stack: ContentOperand[][] | undefined;
    let top: ContentOperand[] = [];
    let i = this.pos;
    while (i < n) {
      const c = bytes[i] as number;
      const cls = CLASS[c] as number;
      if (cls === 1) {
        i++;
        continue;
      }
      if (cls === 0) {
        const start = i;
        while (i < n && CLASS[bytes[i] as number] === 0) i++;
        if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
          top.push(readNumber(bytes, start, i));
          continue;
        }
        const op = word(bytes, start, i);
        if (op === 'true' || op === 'false' || op === 'null') {
          top.push(op);
          continue;
        }
        if (op === 'BI') {
          // Inline image: its data up to EI is not content syntax.
          while (i < n && !(bytes[i] === 0x45 && bytes[i + 1] === 0x49 && (i + 2 >= n || isSpace(bytes[i + 2] as number)) && isSpace(bytes[i - 1] as number))) i++;
          i += 2;
          this.pos = i;
          this.operands = [];
          return op;
        }
        this.pos = i;
        this.operands = stack !== undefined && stack.length > 0 ? (stack[0] as ContentOperand[]) : top;
        return op;
      }
      switch (c) {
        case 0x25: // % comment
          while (i < n && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
          break;
        case 0x28:
          top.push(literalString(bytes, i + 1));
          i = stringEnd;
          break;
        case 0x3c:
          if (bytes[i + 1] === 0x3c) {
            // An inline dictionary (BDC properties): skipped with its nesting.
            let depth = 0;
            while (i < n) {
              if (bytes[i] === 0x3c && bytes[i + 1] === 0x3c) {
                depth++;
                i += 2;
              } else if (bytes[i] === 0x3e && bytes[i + 1] === 0x3e) {
                depth--;
                i += 2;
                if (depth === 0) break;
              } else i++;
            }
            top.push('<<>>');
          } else {
            top.push(hexString(bytes, i + 1, this.options.lenientHex === true));
            if (stringMalformed) this.malformedHex = true;
            i = stringEnd;
          }
          break;
        case 0x5b:
          (stack ??= []).push(top);
          top = [];
          i++;
          break;
        case 0x5d: {
          i++;
          const outer = stack?.pop();
          if (outer) {
            outer.push(top);
            top = outer;
          }
          break;
        }
        case 0x2f: {
          const start = ++i;
          while (i < n && CLASS[bytes[i] as number] === 0) i++;
          top.push({ name: nameOf(bytes, start, i) });
          break;
        }
        default:
          // ) > { } on their own: nothing a viewer reads.
          i++;
      }
    }
    this.pos = n;
    this.operands = [];
    return undefined;
  }
}

/**
 * Bytes as one char each, as a flat string: built by concatenation, a long name would be a
 * rope that every Map lookup (a font or XObject by name) flattens again.
 */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start === 1) return String.fromCharCode(bytes[start] as number);
  if (end - start === 2) return String.fromCharCode(bytes[start] as number, bytes[start + 1] as number);
  if (end - start <= 4096) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let s = '';
  for (let k = start; k < end; k += 4096) s += String.fromCharCode.apply(null, bytes.subarray(k, Math.min(end, k + 4096)) as unknown as number[]);
  return s;
}

/** A name's text with its #xx escapes decoded. */
function nameOf(bytes: Uint8Array, start: number, end: number): string {
  let escaped = false;
  for (let k = start; k < end && !escaped; k++) escaped = bytes[k] === 0x23;
  if (!escaped) return latin1(bytes, start, end);
  const codes: number[] = [];
  for (let k = start; k < end; k++) {
    const b = bytes[k] as number;
    if (b === 0x23 && k + 2 < end) {
      const hi = hexDigit(bytes[k + 1] as number);
      const lo = hexDigit(bytes[k + 2] as number);
      if (hi >= 0 && lo >= 0) {
        codes.push(hi * 16 + lo);
        k += 2;
        continue;
      }
    }
    codes.push(b);
  }
  return latin1(Uint8Array.from(codes), 0, codes.length);
}

/**
 * A number token [start, end). Up to 15 digits, a well-formed number is computed from its
 * digits (the same double as Number(text)); anything else goes through Number(), and what
 * that cannot read is 0, as viewers read "1.2.3" or "--1".
 */
function readNumber(bytes: Uint8Array, start: number, end: number): number {
  let k = start;
  let negative = false;
  const first = bytes[k] as number;
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    k++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; k < end; k++) {
    const b = bytes[k] as number;
    if (b >= 0x30 && b <= 0x39) {
      mantissa = mantissa * 10 + (b - 0x30);
      digits++;
      if (dot) fraction++;
    } else if (b === 0x2e && !dot) dot = true;
    else break;
  }
  if (k === end && digits > 0 && digits <= 15) {
    const magnitude = fraction === 0 ? mantissa : mantissa / 10 ** fraction;
    return negative ? -magnitude : magnitude;
  }
  const value = Number(latin1(bytes, start, end));
  return Number.isFinite(value) ? value : 0;
}

/** `( … )` from just after the opening parenthesis: escapes decoded; a view when there are none. */
function literalString(bytes: Uint8Array, from: number): PdfString {
  const n = bytes.length;
  let i = from;
  let depth = 1;
  // Fast path: no backslash before the closing parenthesis.
  for (; i < n; i++) {
    const d = bytes[i] as number;
    if (d === 0x5c) break;
    if (d === 0x28) depth++;
    else if (d === 0x29 && --depth === 0) {
      stringEnd = i + 1;
      return new PdfString(bytes.subarray(from, i));
    }
  }
  if (i >= n) {
    stringEnd = n;
    return new PdfString(bytes.subarray(from, n));
  }
  const out: number[] = Array.from(bytes.subarray(from, i));
  while (i < n) {
    const d = bytes[i] as number;
    if (d === 0x5c) {
      const e = bytes[i + 1] as number;
      i += 2;
      if (e === 0x6e) out.push(0x0a);
      else if (e === 0x72) out.push(0x0d);
      else if (e === 0x74) out.push(0x09);
      else if (e === 0x62) out.push(0x08);
      else if (e === 0x66) out.push(0x0c);
      else if (e >= 0x30 && e <= 0x37) {
        let v = e - 0x30;
        for (let k = 0; k < 2 && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x37; k++) v = v * 8 + ((bytes[i++] as number) - 0x30);
        out.push(v & 0xff);
      } else if (e === 0x0d) {
        if (bytes[i] === 0x0a) i++;
      } else if (e !== 0x0a && e !== undefined) out.push(e);
      continue;
    }
    if (d === 0x28) depth++;
    else if (d === 0x29 && --depth === 0) {
      i++;
      break;
    }
    out.push(d);
    i++;
  }
  stringEnd = i;
  return new PdfString(Uint8Array.from(out));
}

/** `< … >` from just after `<`: hex digits, white space ignored, an odd last digit padded with 0. */
function hexString(bytes: Uint8Array, from: number, lenient: boolean): PdfString {
  const n = bytes.length;
  let close = from;
  while (close < n && bytes[close] !== 0x3e) close++;
  stringEnd = close + 1;
  stringMalformed = false;
  const out = new Uint8Array((close - from + 1) >> 1);
  let length = 0;
  let high = -1;
  for (let k = from; k < close; k++) {
    const c = bytes[k] as number;
    if (isSpace(c)) continue;
    const v = hexDigit(c);
    if (v < 0) {
      if (lenient) {
        stringMalformed = true;
        return new PdfString(new Uint8Array(0), true);
      }
      throw new ContentSyntaxError('bad hex string');
    }
    if (high < 0) high = v;
    else {
      out[length++] = high * 16 + v;
      high = -1;
    }
  }
  if (high >= 0) out[length++] = high * 16;
  return new PdfString(length === out.length ? out : out.subarray(0, length), true);
}

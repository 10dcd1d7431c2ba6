/**
 * Lexer and object parser (ISO 32000-1 §7.2–7.3). It reads from a ByteReader at an offset and
 * stops at the end of the one object asked for: nothing else in the file is touched.
 */
import { Buffer } from 'node:buffer';
import { ByteReader, ascii, bytesToLatin1 } from './bytes';
import { DEFAULT_PDF_LIMITS, limitExceeded, malformed, type PdfLimits } from './limits';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects';

export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly integer: boolean }
  | { readonly kind: 'name'; readonly value: string }
  | { readonly kind: 'string'; readonly value: PdfString }
  | { readonly kind: 'keyword'; readonly value: string }
  | { readonly kind: 'punct'; readonly value: '[' | ']' | '<<' | '>>' | '{' | '}' }
  | { readonly kind: 'eof' };

export function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;
}

export function isDelimiter(byte: number): boolean {
  return (
    byte === 0x28 || byte === 0x29 || byte === 0x3c || byte === 0x3e || byte === 0x5b ||
    byte === 0x5d || byte === 0x7b || byte === 0x7d || byte === 0x2f || byte === 0x25
  );
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Scratch for the name being read (the lexer never reads two names at once). */
const nameCodes: number[] = [];

/** plainHexString looks for the closing `>` in 4 KiB, then 64 KiB, then 1 MiB, then 16 MiB. */
const PLAIN_HEX_FIRST_WINDOW = 4096;
const PLAIN_HEX_LAST_WINDOW = 16 * 1024 * 1024;
const HEX_DIGITS = /^[0-9A-Fa-f]*$/;

/** Regular-character runs (numbers, keywords, names) longer than this are not PDF. */
const MAX_TOKEN_LENGTH = 64 * 1024;

export class Lexer {
  constructor(
    readonly reader: ByteReader,
    public pos: number,
  ) {}

  skipWhitespace(): void {
    for (;;) {
      const byte = this.reader.at(this.pos);
      if (byte === 0x25) {
        // Comment: to end of line.
        while (this.pos < this.reader.length) {
          const c = this.reader.at(this.pos);
          if (c === 0x0a || c === 0x0d) break;
          this.pos++;
        }
      } else if (byte >= 0 && isWhitespace(byte)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipWhitespace();
    const start = this.pos;
    const byte = this.reader.at(this.pos);
    if (byte < 0) return { kind: 'eof' };
    switch (byte) {
      case 0x5b:
        this.pos++;
        return { kind: 'punct', value: '[' };
      case 0x5d:
        this.pos++;
        return { kind: 'punct', value: ']' };
      case 0x7b:
        this.pos++;
        return { kind: 'punct', value: '{' };
      case 0x7d:
        this.pos++;
        return { kind: 'punct', value: '}' };
      case 0x3c:
        if (this.reader.at(this.pos + 1) === 0x3c) {
          this.pos += 2;
          return { kind: 'punct', value: '<<' };
        }
        return { kind: 'string', value: this.hexString() };
      case 0x3e:
        if (this.reader.at(this.pos + 1) === 0x3e) {
          this.pos += 2;
          return { kind: 'punct', value: '>>' };
        }
        throw malformed(`unexpected '>' at ${start}`);
      case 0x28:
        return { kind: 'string', value: this.literalString() };
      case 0x29:
        throw malformed(`unexpected ')' at ${start}`);
      case 0x2f:
        return { kind: 'name', value: this.nameToken() };
      default:
        return this.regularToken();
    }
  }

  /**
   * A run of regular characters: a number or a keyword. A well-formed number (the grammar
   * below) is read straight from the bytes, without building its text: a 30 MB file's xref
   * table and objects are mostly numbers, and this is the parser's hottest path (issue #15).
   */
  private regularToken(): Token {
    const start = this.pos;
    const reader = this.reader;
    // [+-]? (digits [. digits?] | . digits), the grammar Number() reads exactly as we do below.
    let strict = true;
    let negative = false;
    let dot = false;
    let intDigits = 0;
    let fracDigits = 0;
    let mantissa = 0;
    let pos = start;
    for (;;) {
      const byte = reader.at(pos);
      if (byte < 0 || isWhitespace(byte) || isDelimiter(byte)) break;
      if (strict) {
        if (byte >= 0x30 && byte <= 0x39) {
          mantissa = mantissa * 10 + (byte - 0x30);
          if (dot) fracDigits++;
          else intDigits++;
        } else if (byte === 0x2e && !dot) dot = true;
        else if ((byte === 0x2b || byte === 0x2d) && pos === start) negative = byte === 0x2d;
        else strict = false;
      }
      pos++;
      if (pos - start > MAX_TOKEN_LENGTH) {
        this.pos = pos;
        throw limitExceeded('token', `token at ${start} too long`);
      }
    }
    this.pos = pos;
    // Up to 15 digits the mantissa is exact and one division by an exact power of ten is
    // correctly rounded, i.e. the same double as Number(text).
    if (strict && (intDigits > 0 || fracDigits > 0) && intDigits + fracDigits <= 15) {
      const magnitude = fracDigits === 0 ? mantissa : mantissa / 10 ** fracDigits;
      const value = negative ? -magnitude : magnitude;
      return { kind: 'number', value, integer: !dot && Number.isSafeInteger(value) };
    }
    let text: string;
    if (pos - start <= 12) {
      // Short enough that V8 keeps the concatenation flat.
      text = '';
      for (let i = start; i < pos; i++) text += String.fromCharCode(reader.at(i));
    } else text = bytesToLatin1(reader.slice(start, pos - start));
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) {
      const value = Number(text);
      return { kind: 'number', value, integer: /^[+-]?\d+$/.test(text) && Number.isSafeInteger(value) };
    }
    // Some writers emit "--5" or "1.2.3": treat as a number the way viewers do, rather
    // than as a keyword that would derail the parse.
    if (/^[+-]*\d*\.?\d*[.\d]*$/.test(text) && /\d/.test(text)) {
      const cleaned = text.replace(/^[+-]*/, (m) => (m.includes('-') ? '-' : '')).replace(/(\..*?)\./g, '$1');
      const value = Number.parseFloat(cleaned);
      if (Number.isFinite(value)) return { kind: 'number', value, integer: false };
    }
    return { kind: 'keyword', value: text };
  }

  private nameToken(): string {
    const start = this.pos;
    this.pos++; // '/'
    // One char per byte (latin1), #xx escapes decoded. Made in one piece: a string grown by
    // concatenation would be a rope that every lookup of the dictionary key flattens again.
    const codes = nameCodes;
    codes.length = 0;
    for (;;) {
      const byte = this.reader.at(this.pos);
      if (byte < 0 || isWhitespace(byte) || isDelimiter(byte)) break;
      if (byte === 0x23) {
        const hi = hexValue(this.reader.at(this.pos + 1));
        const lo = hexValue(this.reader.at(this.pos + 2));
        if (hi >= 0 && lo >= 0) {
          codes.push(hi * 16 + lo);
          this.pos += 3;
          continue;
        }
      }
      codes.push(byte);
      this.pos++;
      if (this.pos - start > MAX_TOKEN_LENGTH) throw limitExceeded('token', `name at ${start} too long`);
    }
    if (codes.length <= 4096) return String.fromCharCode.apply(null, codes);
    return bytesToLatin1(Uint8Array.from(codes));
  }

  private hexString(): PdfString {
    const start = this.pos;
    const plain = this.plainHexString(start + 1);
    if (plain) return plain;
    this.pos++; // '<'
    const out: number[] = [];
    let high = -1;
    for (;;) {
      const byte = this.reader.at(this.pos++);
      if (byte < 0) throw malformed(`unterminated hex string at ${start}`);
      if (byte === 0x3e) break;
      if (isWhitespace(byte)) continue;
      const value = hexValue(byte);
      if (value < 0) throw malformed(`bad hex digit in string at ${start}`);
      if (high < 0) high = value;
      else {
        out.push(high * 16 + value);
        high = -1;
      }
    }
    // An odd final digit is padded with 0 (§7.3.4.3).
    if (high >= 0) out.push(high * 16);
    return new PdfString(Uint8Array.from(out), true);
  }

  /**
   * The hex string whose digits start at `from`, when it is written as most are (a signature's
   * /Contents always): an even number of hex digits and nothing else up to its `>`. Found and
   * decoded natively, which hexString's byte loop took ~20 ms for on a signed 30 MB file
   * (issue #15). Undefined, with nothing consumed, for anything else (whitespace, an odd
   * digit, a bad byte, no `>`): the loop then reads it, with its errors.
   */
  private plainHexString(from: number): PdfString | undefined {
    for (let window = PLAIN_HEX_FIRST_WINDOW; window <= PLAIN_HEX_LAST_WINDOW; window *= 16) {
      const bytes = this.reader.slice(from, Math.min(window, this.reader.length - from));
      const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(0x3e);
      if (end < 0) {
        if (from + bytes.length >= this.reader.length) return undefined;
        continue;
      }
      if (end % 2 !== 0) return undefined;
      const digits = bytesToLatin1(bytes.subarray(0, end));
      if (!HEX_DIGITS.test(digits)) return undefined;
      const out = new Uint8Array(end / 2);
      Buffer.from(out.buffer, out.byteOffset, out.length).write(digits, 'hex');
      this.pos = from + end + 1;
      return new PdfString(out, true);
    }
    return undefined;
  }

  private literalString(): PdfString {
    const start = this.pos;
    this.pos++; // '('
    const out: number[] = [];
    let depth = 1;
    for (;;) {
      const byte = this.reader.at(this.pos++);
      if (byte < 0) throw malformed(`unterminated string at ${start}`);
      if (byte === 0x28) {
        depth++;
        out.push(byte);
      } else if (byte === 0x29) {
        depth--;
        if (depth === 0) break;
        out.push(byte);
      } else if (byte === 0x5c) {
        const next = this.reader.at(this.pos++);
        switch (next) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x28: case 0x29: case 0x5c: out.push(next); break;
          case 0x0d:
            // Backslash-EOL is a line continuation: neither is part of the string.
            if (this.reader.at(this.pos) === 0x0a) this.pos++;
            break;
          case 0x0a:
            break;
          case -1:
            throw malformed(`unterminated string at ${start}`);
          default:
            if (next >= 0x30 && next <= 0x37) {
              let value = next - 0x30;
              for (let i = 0; i < 2; i++) {
                const digit = this.reader.at(this.pos);
                if (digit < 0x30 || digit > 0x37) break;
                value = value * 8 + (digit - 0x30);
                this.pos++;
              }
              out.push(value & 0xff);
            } else {
              // An unknown escape: the backslash is ignored (§7.3.4.2).
              out.push(next);
            }
        }
      } else if (byte === 0x0d) {
        // An unescaped EOL of any kind reads as a single LF (§7.3.4.2).
        if (this.reader.at(this.pos) === 0x0a) this.pos++;
        out.push(0x0a);
      } else {
        out.push(byte);
      }
    }
    return new PdfString(Uint8Array.from(out), false);
  }
}

export interface IndirectObject {
  readonly num: number;
  readonly gen: number;
  readonly value: PdfValue;
  /** Offset just past the object (after `endobj` when present). */
  readonly end: number;
}

/** Resolves an indirect /Length while a stream is being parsed; may throw. */
export type LengthResolver = (ref: PdfRef) => PdfValue;

const ENDSTREAM = ascii('endstream');

export class PdfParser {
  constructor(
    readonly reader: ByteReader,
    readonly limits: PdfLimits = DEFAULT_PDF_LIMITS,
  ) {}

  /** Parses one direct value at `pos`. */
  parseValueAt(pos: number): { value: PdfValue; end: number } {
    const lexer = new Lexer(this.reader, pos);
    const value = this.parseValue(lexer, 0);
    return { value, end: lexer.pos };
  }

  parseValue(lexer: Lexer, depth: number): PdfValue {
    const token = lexer.next();
    return this.valueFromToken(lexer, token, depth);
  }

  private valueFromToken(lexer: Lexer, token: Token, depth: number): PdfValue {
    if (depth > this.limits.maxDepth) throw limitExceeded('maxDepth', `nesting deeper than ${this.limits.maxDepth}`);
    switch (token.kind) {
      case 'eof':
        throw malformed('unexpected end of file');
      case 'number':
        if (token.integer && token.value >= 0) {
          // `n g R`: look two tokens ahead, rewind when it is not a reference.
          const save = lexer.pos;
          const second = lexer.next();
          if (second.kind === 'number' && second.integer && second.value >= 0) {
            const third = lexer.next();
            if (third.kind === 'keyword' && third.value === 'R') return new PdfRef(token.value, second.value);
          }
          lexer.pos = save;
        }
        return token.value;
      case 'name':
        return PdfName.of(token.value);
      case 'string':
        return token.value;
      case 'keyword':
        if (token.value === 'true') return true;
        if (token.value === 'false') return false;
        if (token.value === 'null') return null;
        throw malformed(`unexpected keyword '${token.value.slice(0, 32)}' at ${lexer.pos}`);
      case 'punct':
        if (token.value === '[') return this.parseArray(lexer, depth + 1);
        if (token.value === '<<') return this.parseDict(lexer, depth + 1);
        throw malformed(`unexpected '${token.value}' at ${lexer.pos}`);
    }
  }

  private parseArray(lexer: Lexer, depth: number): PdfArray {
    if (depth > this.limits.maxDepth) throw limitExceeded('maxDepth', `nesting deeper than ${this.limits.maxDepth}`);
    const items: PdfValue[] = [];
    for (;;) {
      const token = lexer.next();
      if (token.kind === 'punct' && token.value === ']') return new PdfArray(items);
      if (token.kind === 'eof') throw malformed('unterminated array');
      items.push(this.valueFromToken(lexer, token, depth));
    }
  }

  private parseDict(lexer: Lexer, depth: number): PdfDict {
    if (depth > this.limits.maxDepth) throw limitExceeded('maxDepth', `nesting deeper than ${this.limits.maxDepth}`);
    const entries: [string, PdfValue][] = [];
    for (;;) {
      const token = lexer.next();
      if (token.kind === 'punct' && token.value === '>>') break;
      if (token.kind === 'eof') throw malformed('unterminated dictionary');
      if (token.kind !== 'name') throw malformed(`dictionary key is not a name at ${lexer.pos}`);
      const value = this.parseValue(lexer, depth);
      // A null value is the same as an absent key (§7.3.7).
      if (value !== null) entries.push([token.value, value]);
    }
    return new PdfDict(entries);
  }

  /**
   * Parses `num gen obj … endobj` at `pos`. A stream's data is located, not read: /Length is
   * trusted only when `endstream` follows it; otherwise (bogus, huge, unresolvable) the data
   * runs to the next `endstream`.
   */
  parseIndirectObject(pos: number, resolveLength?: LengthResolver): IndirectObject {
    const lexer = new Lexer(this.reader, pos);
    const num = lexer.next();
    const gen = lexer.next();
    const obj = lexer.next();
    if (
      num.kind !== 'number' || !num.integer || gen.kind !== 'number' || !gen.integer ||
      obj.kind !== 'keyword' || obj.value !== 'obj'
    ) {
      throw malformed(`no object header at offset ${pos}`);
    }
    let value = this.parseValue(lexer, 0);
    const afterValue = lexer.pos;
    let next = lexer.next();
    if (value instanceof PdfDict && next.kind === 'keyword' && next.value === 'stream') {
      const located = this.locateStreamData(lexer.pos, value, resolveLength);
      value = PdfStream.located(value, { offset: located.offset, length: located.length });
      lexer.pos = located.end;
      next = lexer.next();
    }
    if (next.kind === 'keyword' && next.value === 'endobj') return { num: num.value, gen: gen.value, value, end: lexer.pos };
    // A missing `endobj` is common in damaged files and harmless: the object is complete.
    return { num: num.value, gen: gen.value, value, end: afterValue };
  }

  private locateStreamData(
    afterKeyword: number,
    dict: PdfDict,
    resolveLength: LengthResolver | undefined,
  ): { offset: number; length: number; end: number } {
    let start = afterKeyword;
    while (this.reader.at(start) === 0x20) start++;
    if (this.reader.at(start) === 0x0d) start++;
    if (this.reader.at(start) === 0x0a) start++;

    let declared: number | undefined;
    const lengthValue = dict.get('Length');
    if (typeof lengthValue === 'number') declared = lengthValue;
    else if (lengthValue instanceof PdfRef && resolveLength) {
      try {
        const resolved = resolveLength(lengthValue);
        if (typeof resolved === 'number') declared = resolved;
      } catch {
        // An unresolvable /Length is recovered by scanning below.
        declared = undefined;
      }
    }
    if (declared !== undefined && Number.isInteger(declared) && declared >= 0 && start + declared <= this.reader.length) {
      const lexer = new Lexer(this.reader, start + declared);
      lexer.skipWhitespace();
      if (this.matches(lexer.pos, ENDSTREAM)) return { offset: start, length: declared, end: lexer.pos + ENDSTREAM.length };
    }
    const found = this.reader.indexOf(ENDSTREAM, start);
    if (found < 0) throw malformed(`stream at ${afterKeyword} has no endstream`);
    let end = found;
    // The EOL before `endstream` is not data (§7.3.8.1).
    if (end > start && this.reader.at(end - 1) === 0x0a) end--;
    if (end > start && this.reader.at(end - 1) === 0x0d) end--;
    return { offset: start, length: end - start, end: found + ENDSTREAM.length };
  }

  matches(pos: number, pattern: Uint8Array): boolean {
    for (let i = 0; i < pattern.length; i++) if (this.reader.at(pos + i) !== pattern[i]) return false;
    return true;
  }
}

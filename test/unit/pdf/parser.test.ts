import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import {
  ByteReader,
  InMemoryPdfBytes,
  PdfArray,
  PdfDict,
  PdfName,
  PdfParser,
  PdfPlaceholder,
  PdfRef,
  PdfStream,
  PdfString,
  formatNumber,
  serializeValue,
  type PdfValue,
} from '../../../src/main/core/pdf/index';
import { decodeFilters } from '../../../src/main/core/pdf/filters';
import { isYinjianError } from '../../../src/shared/errors/index';

const enc = new TextEncoder();
const dec = new TextDecoder();

function parserOver(text: string | Uint8Array): PdfParser {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  return new PdfParser(new ByteReader(new InMemoryPdfBytes(bytes)));
}
const parse = (text: string): PdfValue => parserOver(text).parseValueAt(0).value;

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isYinjianError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('lexer and parser', () => {
  it('reads the scalar types', () => {
    expect(parse('null')).toBe(null);
    expect(parse('true')).toBe(true);
    expect(parse('false')).toBe(false);
    expect(parse('42')).toBe(42);
    expect(parse('-17')).toBe(-17);
    expect(parse('+3.5')).toBe(3.5);
    expect(parse('.25')).toBe(0.25);
    expect(parse('-.5')).toBe(-0.5);
    expect(parse('4.')).toBe(4);
  });

  it('reads literal strings with escapes, octal codes, balanced parentheses and line continuations', () => {
    const value = parse('(a\\(b\\)c (nested (deep)) \\n\\r\\t\\b\\f\\\\ \\101\\60\\0063 x\\\ny)') as PdfString;
    expect(value).toBeInstanceOf(PdfString);
    expect(value.latin1).toBe('a(b)c (nested (deep)) \n\r\t\b\f\\ A0\x063 xy');
    expect(value.hex).toBe(false);
  });

  it('reads an unescaped CR LF inside a literal string as a single LF', () => {
    expect((parse('(a\r\nb\rc)') as PdfString).latin1).toBe('a\nb\nc');
  });

  it('reads hex strings, ignoring whitespace and padding an odd final digit', () => {
    const value = parse('<48 65 6C6c 6F7>') as PdfString;
    expect(value.latin1).toBe('Hellop');
    expect(value.hex).toBe(true);
  });

  it('reads long hex strings (read natively when plain) byte for byte, whatever the case, spacing or length', () => {
    // Plain runs are decoded natively (issue #15), others by the byte loop: both must give the
    // bytes written, across the 4 KiB and 64 KiB windows the '>' is looked for in.
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    for (const size of [0, 1, 2047, 2048, 2049, 32_000, 40_000, 100_000]) {
      const bytes = Uint8Array.from({ length: size }, () => next() & 0xff);
      const hex = Buffer.from(bytes).toString('hex');
      const mixed = [...hex].map((c) => (next() & 1 ? c.toUpperCase() : c)).join('');
      for (const written of [hex, mixed, hex.replace(/(.{64})/g, '$1\n'), `${hex}0`]) {
        const value = parse(`[<${written}> 5]`) as PdfArray;
        const expected = written === `${hex}0` ? Uint8Array.from([...bytes, 0]) : bytes;
        expect(Buffer.from((value.items[0] as PdfString).bytes).equals(Buffer.from(expected)), `${size} bytes`).toBe(true);
        expect(value.items[1]).toBe(5);
      }
    }
    expect(codeOf(() => parse(`<${'ab'.repeat(5000)}x0>`))).toBe('PDF_MALFORMED');
    expect(codeOf(() => parse(`<${'ab'.repeat(5000)}`))).toBe('PDF_MALFORMED');
  });

  it('decodes #xx escapes in names', () => {
    expect(parse('/A#20B#2Fc')).toBe(PdfName.of('A B/c'));
    expect((parse('/Lime#20Green') as PdfName).value).toBe('Lime Green');
  });

  it('reads references, and numbers that only look like the start of one', () => {
    expect(parse('12 0 R')).toEqual(new PdfRef(12, 0));
    const array = parse('[1 2 3 0 R 4 5]') as PdfArray;
    expect(array.items).toEqual([1, 2, new PdfRef(3, 0), 4, 5]);
  });

  it('reads dictionaries, drops null values, and skips comments', () => {
    const dict = parse('<< /Type /Page % a comment\n /Count 3 /Gone null /Kids [1 0 R] /Sub << /X (y) >> >>') as PdfDict;
    expect(dict.getName('Type')).toBe('Page');
    expect(dict.getInteger('Count')).toBe(3);
    expect(dict.has('Gone')).toBe(false);
    expect(dict.getArray('Kids')?.items).toEqual([new PdfRef(1, 0)]);
    expect(dict.getDict('Sub')?.getString('X')?.latin1).toBe('y');
  });

  it('reads an indirect object with a stream whose /Length is right', () => {
    const text = '7 0 obj\n<< /Length 5 >>\nstream\r\nhello\r\nendstream\nendobj\n';
    const object = parserOver(text).parseIndirectObject(0);
    expect(object.num).toBe(7);
    const stream = object.value as PdfStream;
    expect(stream).toBeInstanceOf(PdfStream);
    expect(stream.location).toEqual({ offset: text.indexOf('hello'), length: 5 });
    expect(object.end).toBe(text.indexOf('endobj') + 6);
  });

  it('falls back to scanning for endstream when /Length is wrong, huge or unresolvable', () => {
    for (const length of ['3', '999999999999', '-4', '9 0 R']) {
      const text = `7 0 obj\n<< /Length ${length} >>\nstream\nhello world\nendstream\nendobj\n`;
      const stream = parserOver(text).parseIndirectObject(0, () => {
        throw new Error('unresolvable');
      }).value as PdfStream;
      expect(stream.location).toEqual({ offset: text.indexOf('hello'), length: 11 });
    }
  });

  it('uses an indirect /Length when it resolves', () => {
    const text = '7 0 obj\n<< /Length 8 0 R >>\nstream\nabcdefendstream-not\nendstream\nendobj\n';
    const stream = parserOver(text).parseIndirectObject(0, () => 6).value as PdfStream;
    // With the resolved length the data is "abcdef" even though "endstream" follows immediately.
    expect(stream.location?.length).toBe(6);
  });

  it('turns malformed input into PDF_MALFORMED', () => {
    for (const text of ['(unterminated', '<4142', '<< /A 1', '[1 2', '<< 1 2 >>', '<zz>', ')', 'endobj', '']) {
      expect(codeOf(() => parse(text)), text).toBe('PDF_MALFORMED');
    }
    expect(codeOf(() => parserOver('7 0 R').parseIndirectObject(0))).toBe('PDF_MALFORMED');
    expect(codeOf(() => parserOver('1 0 obj << /Length 3 >> stream\nabc').parseIndirectObject(0))).toBe('PDF_MALFORMED');
  });

  it('bounds nesting depth: 100 000 open brackets end in PDF_LIMIT_EXCEEDED', () => {
    expect(codeOf(() => parse('['.repeat(100_000)))).toBe('PDF_LIMIT_EXCEEDED');
    expect(codeOf(() => parse('<< /A '.repeat(10_000)))).toBe('PDF_LIMIT_EXCEEDED');
    // 200 levels is within the default bound of 256.
    expect(parse(`${'['.repeat(200)}${']'.repeat(200)}`)).toBeInstanceOf(PdfArray);
  });

  it('bounds the length of a single token', () => {
    expect(codeOf(() => parse(`/${'a'.repeat(70_000)}`))).toBe('PDF_LIMIT_EXCEEDED');
  });
});

describe('serializer', () => {
  it('writes reals without exponent and rejects non-finite numbers', () => {
    expect(formatNumber(1e-7)).toBe('0');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(-0.0000001)).toBe('0');
    expect(formatNumber(123456789.125)).toBe('123456789.125');
    expect(formatNumber(-2.5)).toBe('-2.5');
    expect(codeOf(() => formatNumber(Number.NaN))).toBe('PDF_UPDATE_INVALID');
    expect(codeOf(() => formatNumber(1e300))).toBe('PDF_UPDATE_INVALID');
  });

  it('escapes names and strings so they parse back to the same value', () => {
    const value = PdfDict.of({
      'A B/#(x)': PdfName.of('with space\u00ff'),
      Str: new PdfString(Uint8Array.from([0x28, 0x29, 0x5c, 0x0d, 0x0a, 0x00, 0xff, 0x41])),
      Hex: new PdfString(Uint8Array.from([1, 2, 0xab]), true),
      Arr: new PdfArray([1, -2.5, true, false, null, new PdfRef(3, 1)]),
    });
    const text = serializeValue(value);
    const back = parserOver(text).parseValueAt(0).value as PdfDict;
    expect(back.getName('A B/#(x)')).toBe('with space\u00ff');
    expect([...(back.getString('Str')?.bytes ?? [])]).toEqual([0x28, 0x29, 0x5c, 0x0d, 0x0a, 0x00, 0xff, 0x41]);
    expect(back.getString('Hex')?.hex).toBe(true);
    expect([...(back.getString('Hex')?.bytes ?? [])]).toEqual([1, 2, 0xab]);
    // `null` inside an array is kept (only dictionary nulls mean "absent").
    expect(back.getArray('Arr')?.items).toEqual([1, -2.5, true, false, null, new PdfRef(3, 1)]);
  });

  it('writes streams with their true /Length', () => {
    const stream = PdfStream.withData(PdfDict.of({ Length: 999 }), enc.encode('abc'));
    expect(dec.decode(serializeValue(stream))).toBe('<</Length 3 >>\nstream\nabc\nendstream');
  });

  it('writes placeholders as fixed-width runs', () => {
    const hex = new PdfPlaceholder('contents', 8, 'hex');
    const raw = new PdfPlaceholder('range', 12, 'raw');
    expect(dec.decode(serializeValue(new PdfArray([hex, raw])))).toBe('[<00000000> null        ]');
    const tooWide = new PdfPlaceholder('x', 3, 'raw', new PdfArray([1, 2, 3]));
    expect(codeOf(() => serializeValue(tooWide))).toBe('PDF_UPDATE_INVALID');
  });
});

describe('stream filters', () => {
  it('inflates Flate data and undoes the PNG Up predictor', () => {
    const rows = [
      [2, 1, 2, 3],
      [2, 1, 1, 1],
    ];
    const encoded = deflateSync(Uint8Array.from(rows.flat()));
    const parms = PdfDict.of({ Predictor: 12, Columns: 3 });
    expect([...decodeFilters(encoded, [{ name: 'FlateDecode', parms }], 1024)]).toEqual([1, 2, 3, 2, 3, 4]);
  });

  it('undoes the PNG Sub, Average and Paeth predictors', () => {
    const data = Uint8Array.from([1, 5, 1, 1, 3, 2, 2, 2, 4, 1, 1, 1]);
    const out = decodeFilters(deflateSync(data), [{ name: 'FlateDecode', parms: PdfDict.of({ Predictor: 15, Columns: 3 }) }], 1024);
    // Row 1 (Sub): 5, 6, 7. Row 2 (Average): 2+(0+5>>1)=4, 2+(4+6>>1)=7, 2+(7+7>>1)=9.
    // Row 3 (Paeth): 1+paeth(0,4,0)=5, 1+paeth(5,7,4)=8, 1+paeth(8,9,7)=10.
    expect([...out]).toEqual([5, 6, 7, 4, 7, 9, 5, 8, 10]);
  });

  it('decodes ASCIIHex and ASCII85', () => {
    expect(dec.decode(decodeFilters(enc.encode('48 65 6c 6C 6f>'), [{ name: 'ASCIIHexDecode', parms: undefined }], 100))).toBe('Hello');
    expect(dec.decode(decodeFilters(enc.encode('87cURD]i,"Ebo7~>'), [{ name: 'ASCII85Decode', parms: undefined }], 100))).toBe('Hello World');
    expect([...decodeFilters(enc.encode('z~>'), [{ name: 'A85', parms: undefined }], 100)]).toEqual([0, 0, 0, 0]);
  });

  it('refuses unsupported filters and corrupt data with typed errors', () => {
    expect(codeOf(() => decodeFilters(enc.encode('x'), [{ name: 'JBIG2Decode', parms: undefined }], 100))).toBe('PDF_UNSUPPORTED_FILTER');
    expect(codeOf(() => decodeFilters(enc.encode('not zlib at all'), [{ name: 'FlateDecode', parms: undefined }], 100))).toBe('PDF_MALFORMED');
    expect(codeOf(() => decodeFilters(enc.encode('4G'), [{ name: 'ASCIIHexDecode', parms: undefined }], 100))).toBe('PDF_MALFORMED');
  });

  it('stops inflating at the cap', () => {
    const bomb = deflateSync(new Uint8Array(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    expect(codeOf(() => decodeFilters(bomb, [{ name: 'FlateDecode', parms: undefined }], 1024 * 1024))).toBe('PDF_LIMIT_EXCEEDED');
  });
});

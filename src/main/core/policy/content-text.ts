/**
 * The text layer of a page read straight from its content stream (U2, issue #13 budget): the
 * gate reads every page, and pdf.js's text extraction on every page of a 300-page document
 * nearly quadrupled the stamping time. The gate only needs what the text-showing operators
 * say and where: this interpreter follows the text state (Tf, Tm, Td/TD/T*, TL, Tc, Tw, Tz,
 * Ts), the graphics state's CTM (cm, q/Q) and form XObjects, decodes the strings through the
 * font's ToUnicode map (or a simple font's standard encoding) and reports one run per string
 * piece, positioned on the displayed page like the pdf.js reader's runs (document-text.ts).
 *
 * Where it cannot decode what it meets (a Type3 font, a predefined CJK CMap other than the
 * UCS-2/UTF-16 ones, a composite font without ToUnicode, a simple font with custom glyph
 * names and no ToUnicode, a content stream it cannot tokenise), it returns undefined and the
 * caller falls back to pdf.js for that page. It never guesses: a wrong guess would be a text
 * layer saying something else than the page, which is exactly what the gate guards against.
 * Whether the layer it reads can be trusted (ToUnicode against the font, invisible text, …)
 * is text-layer.ts's question, answered separately.
 */
import { ContentLexer, ContentSyntaxError, IDENTITY, multiply, PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type ContentOperand, type Matrix, type PdfDocument, type PdfValue } from '../pdf/index';
import { pageFrame, userToDisplayed } from '../stamp/page-frame';
import { pagesOf } from '../stamp/page-list';
import type { PageText, TextRun } from './document-text';
import { decodedContents, MAX_PAGE_CONTENT_BYTES } from './page-content';
import { parseToUnicode } from './text-layer';




/** Bounds against hostile files (the reader below has its own on streams). */
const MAX_CONTENT_BYTES = MAX_PAGE_CONTENT_BYTES;
const MAX_FORM_DEPTH = 8;
const MAX_RUNS = 200_000;

/** The page cannot be read here: the caller falls back to pdf.js. */
class Unsupported extends Error {}

type Operand = ContentOperand;

/** A font as the interpreter needs it: codes out of string bytes, their text and advance width. */
interface FontDecoder {
  /** Bytes a code takes: 1 for a simple font, 2 for a composite one (a trailing odd byte is no code). */
  readonly bytesPerCode: 1 | 2;
  text(code: number): string | undefined;
  /** Glyph width in thousandths of text space. */
  width(code: number): number;
  readonly vertical: boolean;
}

function numbers(value: PdfValue | undefined, document: PdfDocument): number[] | undefined {
  const array = document.resolve(value);
  if (!(array instanceof PdfArray)) return undefined;
  return array.items.map((v) => {
    const r = document.resolve(v);
    return typeof r === 'number' ? r : 0;
  });
}

/** The CID widths of a descendant font (/W, /DW). */
function cidWidths(document: PdfDocument, descendant: PdfDict | undefined): (cid: number) => number {
  const dw = descendant?.getNumber('DW') ?? 1000;
  const widths = new Map<number, number>();
  const w = document.resolve(descendant?.get('W'));
  if (w instanceof PdfArray) {
    const items = w.items.map((v) => document.resolve(v));
    for (let k = 0; k < items.length && widths.size < 70_000; ) {
      const first = items[k];
      const next = items[k + 1];
      if (typeof first !== 'number') break;
      if (next instanceof PdfArray) {
        next.items.forEach((v, j) => {
          const r = document.resolve(v);
          if (typeof r === 'number') widths.set(first + j, r);
        });
        k += 2;
      } else {
        const last = next;
        const width = items[k + 2];
        if (typeof last !== 'number' || typeof width !== 'number') break;
        for (let cid = first; cid <= Math.min(last, first + 65_535); cid++) widths.set(cid, width);
        k += 3;
      }
    }
  }
  return (cid) => widths.get(cid) ?? dw;
}

/** WinAnsi/Standard/MacRoman agree with ASCII on 0x20–0x7E except two quotes; enough for a simple font without ToUnicode. */
function asciiOf(code: number): string | undefined {
  if (code >= 0x20 && code <= 0x7e) return String.fromCharCode(code);
  return undefined;
}

function decoderOf(document: PdfDocument, font: PdfDict): FontDecoder {
  const subtype = font.getName('Subtype');
  const toUnicodeStream = document.resolve(font.get('ToUnicode'));
  const toUnicode = toUnicodeStream instanceof PdfStream ? parseToUnicode(document.decodedStreamData(toUnicodeStream)) : undefined;
  if (subtype === 'Type0') {
    const encoding = document.resolve(font.get('Encoding'));
    const name = encoding instanceof PdfName ? encoding.value : undefined;
    const descendant = document.latest.resolveDict(document.latest.resolveArray(font.get('DescendantFonts'))?.items[0]);
    const width = cidWidths(document, descendant);
    if (name === 'Identity-H' || name === 'Identity-V') {
      // A composite font without ToUnicode: pdf.js would guess from the embedded font's cmap.
      if (!toUnicode) throw new Unsupported('composite font without ToUnicode');
      return { bytesPerCode: 2, text: (code) => toUnicode.get(code), width, vertical: name === 'Identity-V' };
    }
    if (name === 'UniGB-UCS2-H' || name === 'UniGB-UCS2-V' || name === 'UniCNS-UCS2-H' || name === 'UniCNS-UCS2-V' || name === 'UniGB-UTF16-H' || name === 'UniGB-UTF16-V' || name === 'UniCNS-UTF16-H' || name === 'UniCNS-UTF16-V') {
      // The codes are Unicode itself; the CIDs (for widths) are not known without the CMap: the default width.
      return {
        bytesPerCode: 2,
        text: (code) => toUnicode?.get(code) ?? String.fromCharCode(code),
        width: () => descendant?.getNumber('DW') ?? 1000,
        vertical: name.endsWith('-V'),
      };
    }
    throw new Unsupported(`CMap ${name ?? 'embedded'}`);
  }
  if (subtype === 'Type3') throw new Unsupported('Type3 font');
  // Simple fonts: one byte a code.
  const first = font.getNumber('FirstChar') ?? 0;
  const widths = numbers(font.get('Widths'), document);
  const descriptor = document.latest.resolveDict(font.get('FontDescriptor'));
  const missing = descriptor?.getNumber('MissingWidth') ?? 0;
  let text: (code: number) => string | undefined;
  if (toUnicode) text = (code) => toUnicode.get(code);
  else {
    const encoding = document.resolve(font.get('Encoding'));
    // Custom glyph names (Differences) or a symbolic font's own encoding: only ToUnicode would tell.
    if (encoding instanceof PdfDict && document.resolve(encoding.get('Differences')) !== undefined) throw new Unsupported('Differences without ToUnicode');
    const flags = descriptor?.getNumber('Flags') ?? 0;
    if (flags & 4 && !(encoding instanceof PdfName)) throw new Unsupported('symbolic font without ToUnicode');
    text = (code) => asciiOf(code);
  }
  return {
    bytesPerCode: 1,
    text,
    width: (code) => (widths && code >= first && code - first < widths.length ? (widths[code - first] as number) : missing),
    vertical: false,
  };
}

const fontCache = new WeakMap<PdfDocument, Map<number | PdfDict, FontDecoder | Unsupported>>();

interface TextState {
  font: FontDecoder | undefined;
  size: number;
  charSpacing: number;
  wordSpacing: number;
  scale: number;
  leading: number;
  rise: number;
}

interface GraphicsState {
  ctm: Matrix;
  text: TextState;
}

function num(value: Operand | undefined): number {
  return typeof value === 'number' ? value : 0;
}

/**
 * The text runs of page `pageIndex` (0-based) from its content, in displayed-page coordinates
 * as document-text.ts describes; undefined when this reader cannot decode the page (fall back).
 */
export function contentPageText(document: PdfDocument, pageIndex: number): PageText | undefined {
  const pageRef = pagesOf(document)[pageIndex];
  const page = document.latest.resolveDict(pageRef);
  if (!pageRef || !page) return undefined;
  const frame = pageFrame(document, pageIndex);
  const runs: TextRun[] = [];
  let fonts = fontCache.get(document);
  if (!fonts) fontCache.set(document, (fonts = new Map()));
  const documentFonts = fonts;
  let contentBytes = 0;

  const run = (data: readonly Uint8Array[], resources: PdfDict | undefined, start: GraphicsState, depth: number): void => {
    const fontDict = document.latest.resolveDict(resources?.get('Font'));
    const xobjects = document.latest.resolveDict(resources?.get('XObject'));
    let gs: GraphicsState = { ctm: start.ctm, text: { ...start.text } };
    const saved: GraphicsState[] = [];
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;

    const fontOf = (name: string): FontDecoder => {
      const value = fontDict?.get(name);
      const dict = document.latest.resolveDict(value);
      if (!dict) throw new Unsupported(`font ${name} missing`);
      // One decoder per font object and document: a 300-page document parses its ToUnicode once.
      const key = value instanceof PdfRef ? value.num : dict;
      let decoder = documentFonts.get(key);
      if (!decoder) {
        try {
          decoder = decoderOf(document, dict);
        } catch (error) {
          decoder = error instanceof Unsupported ? error : new Unsupported(String(error));
        }
        documentFonts.set(key, decoder);
      }
      if (decoder instanceof Unsupported) throw decoder;
      return decoder;
    };

    const show = (pieces: readonly (PdfString | number)[]): void => {
      const t = gs.text;
      const font = t.font;
      if (!font) throw new Unsupported('text without a font');
      const th = t.scale / 100;
      let text = '';
      let startTm: Matrix | undefined;
      let advance = 0;
      const flush = (): void => {
        if (text !== '' && startTm) {
          const trm = multiply([t.size * th, 0, 0, t.size, 0, t.rise], multiply(startTm, gs.ctm));
          const along = multiply([advance, 0, 0, 1, 0, 0], multiply(startTm, gs.ctm));
          const at = userToDisplayed(frame, trm[4], trm[5]);
          if (runs.length >= MAX_RUNS) throw new Unsupported('too many text runs');
          runs.push({ text, x: at.u, y: at.v, width: Math.hypot(along[0], along[1]), fontSize: Math.hypot(trm[2], trm[3]) });
        }
        text = '';
        startTm = undefined;
        advance = 0;
      };
      for (const piece of pieces) {
        if (typeof piece === 'number') {
          const shift = (-piece / 1000) * t.size * th;
          // A wide gap inside TJ is a word break: a new run (textLines adds the space).
          if (-piece > 250) flush();
          else if (startTm) advance += shift;
          tm = multiply([1, 0, 0, 1, font.vertical ? 0 : shift, font.vertical ? (-piece / 1000) * t.size : 0], tm);
          continue;
        }
        // The glyphs of one string move the text matrix along one axis: summed, applied once.
        let dx = 0;
        let dy = 0;
        const bytes = piece.bytes;
        const length = font.bytesPerCode;
        for (let k = 0; k + length <= bytes.length; k += length) {
          const code = length === 2 ? ((bytes[k] as number) << 8) | (bytes[k + 1] as number) : (bytes[k] as number);
          const glyph = font.text(code);
          if (glyph === undefined) throw new Unsupported(`code ${code} without text`);
          startTm ??= tm;
          text += glyph;
          if (font.vertical) dy -= t.size + t.charSpacing;
          else dx += ((font.width(code) / 1000) * t.size + t.charSpacing + (length === 1 && code === 32 ? t.wordSpacing : 0)) * th;
        }
        advance += dx;
        if (dx !== 0 || dy !== 0) tm = multiply([1, 0, 0, 1, dx, dy], tm);
      }
      flush();
    };

    for (const bytes of data) {
      const lexer = new ContentLexer(bytes);
      for (let op = lexer.next(); op !== undefined; op = lexer.next()) {
        const operands = lexer.operands;
        switch (op) {
          case 'q':
            saved.push({ ctm: gs.ctm, text: { ...gs.text } });
            break;
          case 'Q':
            gs = saved.pop() ?? gs;
            break;
          case 'cm':
            if (operands.length === 6) gs.ctm = multiply(operands.map(num) as Matrix, gs.ctm);
            break;
          case 'BT':
            tm = IDENTITY;
            tlm = IDENTITY;
            break;
          case 'Tf': {
            const name = operands[0];
            if (typeof name === 'object' && name !== null && 'name' in name) gs.text.font = fontOf(name.name);
            gs.text.size = num(operands[1]);
            break;
          }
          case 'Tc':
            gs.text.charSpacing = num(operands[0]);
            break;
          case 'Tw':
            gs.text.wordSpacing = num(operands[0]);
            break;
          case 'Tz':
            gs.text.scale = num(operands[0]);
            break;
          case 'TL':
            gs.text.leading = num(operands[0]);
            break;
          case 'Ts':
            gs.text.rise = num(operands[0]);
            break;
          case 'Td':
            tlm = multiply([1, 0, 0, 1, num(operands[0]), num(operands[1])], tlm);
            tm = tlm;
            break;
          case 'TD':
            gs.text.leading = -num(operands[1]);
            tlm = multiply([1, 0, 0, 1, num(operands[0]), num(operands[1])], tlm);
            tm = tlm;
            break;
          case 'Tm':
            if (operands.length === 6) {
              tlm = operands.map(num) as Matrix;
              tm = tlm;
            }
            break;
          case 'T*':
            tlm = multiply([1, 0, 0, 1, 0, -gs.text.leading], tlm);
            tm = tlm;
            break;
          case 'Tj':
            if (operands[0] instanceof PdfString) show([operands[0]]);
            break;
          case "'":
            tlm = multiply([1, 0, 0, 1, 0, -gs.text.leading], tlm);
            tm = tlm;
            if (operands[0] instanceof PdfString) show([operands[0]]);
            break;
          case '"':
            gs.text.wordSpacing = num(operands[0]);
            gs.text.charSpacing = num(operands[1]);
            tlm = multiply([1, 0, 0, 1, 0, -gs.text.leading], tlm);
            tm = tlm;
            if (operands[2] instanceof PdfString) show([operands[2]]);
            break;
          case 'TJ': {
            const array = operands[0];
            if (Array.isArray(array)) show(array.filter((p): p is PdfString | number => p instanceof PdfString || typeof p === 'number'));
            break;
          }
          case 'Do': {
            const name = operands[0];
            if (typeof name !== 'object' || name === null || !('name' in name)) break;
            const target = document.resolve(xobjects?.get(name.name));
            if (!(target instanceof PdfStream) || target.dict.getName('Subtype') !== 'Form') break;
            if (depth >= MAX_FORM_DEPTH) throw new Unsupported('forms nested too deep');
            const formData = document.decodedStreamData(target);
            contentBytes += formData.length;
            if (contentBytes > MAX_CONTENT_BYTES) throw new Unsupported('content too large');
            const matrix = numbers(target.dict.get('Matrix'), document);
            const ctm = matrix && matrix.length === 6 ? multiply(matrix as Matrix, gs.ctm) : gs.ctm;
            run([formData], document.latest.resolveDict(target.dict.get('Resources')) ?? resources, { ctm, text: gs.text }, depth + 1);
            break;
          }
          default:
            break;
        }
      }
    }
  };

  try {
    const resources = document.pageAttributes(pageRef).resources;
    const contents = decodedContents(document, pageIndex, page.get('Contents'));
    if (contents.truncated) return undefined;
    contentBytes = contents.bytes;
    run(contents.streams, resources, { ctm: IDENTITY, text: { font: undefined, size: 0, charSpacing: 0, wordSpacing: 0, scale: 100, leading: 0, rise: 0 } }, 0);
  } catch (error) {
    if (error instanceof Unsupported || error instanceof ContentSyntaxError) return undefined;
    throw error;
  }
  return { pageIndex, box: { x: 0, y: 0, width: frame.width, height: frame.height }, runs };
}

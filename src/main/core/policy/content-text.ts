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
import { ContentLexer, PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type ContentOperand, type Matrix, type PdfDocument, type PdfValue } from '../pdf/index';
import { frameOf, userToDisplayed, type PageFrame } from '../stamp/page-frame';
import { pagesOf } from '../stamp/page-list';
import type { PageText, TextRun } from './document-text';
import { decodedContents, MAX_PAGE_CONTENT_BYTES } from './page-content';
import { parseToUnicode } from './to-unicode';

/** Bounds against hostile files (the reader below has its own on streams). */
const MAX_CONTENT_BYTES = MAX_PAGE_CONTENT_BYTES;
const MAX_FORM_DEPTH = 8;
const MAX_RUNS = 200_000;
/** Annotations read on one page; past them what the page shows is left to OCR. */
const MAX_ANNOTATIONS = 500;

/** The page cannot be read here: the caller falls back to pdf.js. */
class Unsupported extends Error {}

type Operand = ContentOperand;

/**
 * A font as the interpreter needs it, as tables (the gate decodes every glyph of every page):
 * codes out of string bytes, their text and advance width.
 */
interface FontDecoder {
  /** Bytes a code takes: 1 for a simple font, 2 for a composite one (a trailing odd byte is no code). */
  readonly bytesPerCode: 1 | 2;
  /** The text of each code (undefined: none), indexed by code. */
  readonly texts: readonly (string | undefined)[];
  /**
   * The same table for the common case, as numbers: the one UTF-16 unit a code's text is, or -1
   * (no text, or more than one unit: `texts` says). The gate decodes every glyph of every page.
   */
  readonly units: Int32Array;
  /** A code with no entry in `texts` is its own UTF-16 unit (the UCS-2/UTF-16 CMaps). */
  readonly codeIsText: boolean;
  /** Glyph widths in thousandths of text space, indexed by code (or CID); beyond: `defaultWidth`. */
  readonly widths: Float64Array;
  readonly defaultWidth: number;
  readonly vertical: boolean;
}

/** A code → text table for codes below `limit` (one byte: 256, two: 65 536) from a ToUnicode map and/or a function. */
function textTable(limit: number, toUnicode: ReadonlyMap<number, string> | undefined, fill?: (code: number) => string | undefined): (string | undefined)[] {
  let size = 0;
  if (fill) size = limit;
  else for (const code of toUnicode?.keys() ?? []) if (code < limit && code >= size) size = code + 1;
  const table = new Array<string | undefined>(size).fill(undefined);
  if (fill) for (let code = 0; code < size; code++) table[code] = fill(code);
  for (const [code, text] of toUnicode ?? []) if (code < size) table[code] = text;
  return table;
}

function numbers(value: PdfValue | undefined, document: PdfDocument): number[] | undefined {
  const array = document.resolve(value);
  if (!(array instanceof PdfArray)) return undefined;
  return array.items.map((v) => {
    const r = document.resolve(v);
    return typeof r === 'number' ? r : 0;
  });
}

/** The CID widths of a descendant font (/W), as a table; a CID beyond it takes /DW. */
function cidWidths(document: PdfDocument, descendant: PdfDict | undefined, dw: number): Float64Array {
  const widths = new Map<number, number>();
  let size = 0;
  const set = (cid: number, width: number): void => {
    widths.set(cid, width);
    if (cid >= size) size = cid + 1;
  };
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
          if (typeof r === 'number') set(first + j, r);
        });
        k += 2;
      } else {
        const last = next;
        const width = items[k + 2];
        if (typeof last !== 'number' || typeof width !== 'number') break;
        // Counted by j: first + 1 === first for a huge first (a loop on cid would never end).
        for (let j = 0; j <= Math.min(last - first, 65_535); j++) set(first + j, width);
        k += 3;
      }
    }
  }
  // Codes are two bytes: a CID outside 0–65 535 (negative, fractional, larger) is never looked up.
  const table = new Float64Array(Math.min(Math.floor(size), 65_536)).fill(dw);
  for (const [cid, width] of widths) if (Number.isInteger(cid) && cid >= 0 && cid < table.length) table[cid] = width;
  return table;
}

/** WinAnsi/Standard/MacRoman agree with ASCII on 0x20–0x7E except two quotes; enough for a simple font without ToUnicode. */
function asciiOf(code: number): string | undefined {
  if (code >= 0x20 && code <= 0x7e) return String.fromCharCode(code);
  return undefined;
}

/** `texts` as single UTF-16 units (FontDecoder.units). */
function unitTable(texts: readonly (string | undefined)[]): Int32Array {
  const table = new Int32Array(texts.length);
  for (let code = 0; code < texts.length; code++) {
    const text = texts[code];
    table[code] = text !== undefined && text.length === 1 ? text.charCodeAt(0) : -1;
  }
  return table;
}

function decoderOf(document: PdfDocument, font: PdfDict): FontDecoder {
  const decoder = decoderTables(document, font);
  return { ...decoder, units: unitTable(decoder.texts) };
}

function decoderTables(document: PdfDocument, font: PdfDict): Omit<FontDecoder, 'units'> {
  const subtype = font.getName('Subtype');
  const toUnicodeStream = document.resolve(font.get('ToUnicode'));
  const toUnicode = toUnicodeStream instanceof PdfStream ? parseToUnicode(document.decodedStreamData(toUnicodeStream)) : undefined;
  if (subtype === 'Type0') {
    const encoding = document.resolve(font.get('Encoding'));
    const name = encoding instanceof PdfName ? encoding.value : undefined;
    const descendant = document.latest.resolveDict(document.latest.resolveArray(font.get('DescendantFonts'))?.items[0]);
    const dw = descendant?.getNumber('DW') ?? 1000;
    if (name === 'Identity-H' || name === 'Identity-V') {
      // A composite font without ToUnicode: pdf.js would guess from the embedded font's cmap.
      if (!toUnicode) throw new Unsupported('composite font without ToUnicode');
      return { bytesPerCode: 2, texts: textTable(65_536, toUnicode), codeIsText: false, widths: cidWidths(document, descendant, dw), defaultWidth: dw, vertical: name === 'Identity-V' };
    }
    if (name === 'UniGB-UCS2-H' || name === 'UniGB-UCS2-V' || name === 'UniCNS-UCS2-H' || name === 'UniCNS-UCS2-V' || name === 'UniGB-UTF16-H' || name === 'UniGB-UTF16-V' || name === 'UniCNS-UTF16-H' || name === 'UniCNS-UTF16-V') {
      // The codes are Unicode itself; the CIDs (for widths) are not known without the CMap: the default width.
      return { bytesPerCode: 2, texts: textTable(65_536, toUnicode), codeIsText: true, widths: new Float64Array(0), defaultWidth: dw, vertical: name.endsWith('-V') };
    }
    throw new Unsupported(`CMap ${name ?? 'embedded'}`);
  }
  if (subtype === 'Type3') throw new Unsupported('Type3 font');
  // Simple fonts: one byte a code.
  const first = font.getNumber('FirstChar') ?? 0;
  const listed = numbers(font.get('Widths'), document);
  const descriptor = document.latest.resolveDict(font.get('FontDescriptor'));
  const missing = descriptor?.getNumber('MissingWidth') ?? 0;
  let texts: (string | undefined)[];
  if (toUnicode) texts = textTable(256, toUnicode);
  else {
    const encoding = document.resolve(font.get('Encoding'));
    // Custom glyph names (Differences) or a symbolic font's own encoding: only ToUnicode would tell.
    if (encoding instanceof PdfDict && document.resolve(encoding.get('Differences')) !== undefined) throw new Unsupported('Differences without ToUnicode');
    const flags = descriptor?.getNumber('Flags') ?? 0;
    if (flags & 4 && !(encoding instanceof PdfName)) throw new Unsupported('symbolic font without ToUnicode');
    texts = textTable(256, undefined, asciiOf);
  }
  const widths = new Float64Array(256).fill(missing);
  for (let code = 0; code < 256; code++) if (listed && code >= first && code - first < listed.length) widths[code] = listed[code - first] as number;
  return { bytesPerCode: 1, texts, codeIsText: false, widths, defaultWidth: missing, vertical: false };
}

/** Text gathered for one run, as UTF-16 units (one string made at the end, not one per glyph). */
let units = new Uint16Array(1024);
let unitCount = 0;

function pushText(text: string): void {
  if (unitCount + text.length > units.length) {
    const grown = new Uint16Array(Math.max(units.length * 2, unitCount + text.length));
    grown.set(units.subarray(0, unitCount));
    units = grown;
  }
  for (let k = 0; k < text.length; k++) units[unitCount++] = text.charCodeAt(k);
}

function takeText(): string {
  let text = '';
  for (let k = 0; k < unitCount; k += 4096) text += String.fromCharCode.apply(null, units.subarray(k, Math.min(unitCount, k + 4096)) as unknown as number[]);
  unitCount = 0;
  // A hostile page's one huge string must not keep its buffer alive.
  if (units.length > 65_536) units = new Uint16Array(1024);
  return text;
}

const fontCache = new WeakMap<PdfDocument, Map<number | PdfDict, FontDecoder | Unsupported>>();

/** A reference as one number (object number and generation), for the per-document caches; undefined for a direct object or an outlandish generation. */
export function refKey(value: PdfValue | undefined): number | undefined {
  return value instanceof PdfRef && value.gen >= 0 && value.gen < 65_536 && Number.isSafeInteger(value.num * 65_536 + value.gen) ? value.num * 65_536 + value.gen : undefined;
}

interface TextState {
  font: FontDecoder | undefined;
  size: number;
  charSpacing: number;
  wordSpacing: number;
  scale: number;
  leading: number;
  rise: number;
  /** Tr (text-layer facts: modes 3 and 7 draw nothing). */
  renderMode: number;
  /** The font is a Type3 font: its glyphs are content streams of its own (U2: what they draw only OCR tells). */
  type3: boolean;
}

/** A copy of the text state (q, a form's Do): written out, an object spread is several times slower before the JIT compiles it. */
function copyOf(t: TextState): TextState {
  return { font: t.font, size: t.size, charSpacing: t.charSpacing, wordSpacing: t.wordSpacing, scale: t.scale, leading: t.leading, rise: t.rise, renderMode: t.renderMode, type3: t.type3 };
}

interface GraphicsState {
  ctm: Matrix;
  text: TextState;
  /** The fill colour is white (g 1, rg 1 1 1, k 0 0 0 0, sc/scn all 1): text filled so cannot be seen. */
  whiteFill: boolean;
  /** How the fill colour space's components read (cs; g, rg and k set their own). */
  fillSpace: FillSpace;
  /** The stroke colour is white or near white (G, RG, K, SC, SCN; CS), and how its space reads. */
  whiteStroke: boolean;
  strokeSpace: FillSpace;
  /** The ExtGState parameters in force that can hide what is painted (gs). */
  ext: ExtState;
}

/** Of a graphics state's ExtGState parameters, those that can make text unseen (U2). */
interface ExtState {
  /** ca, CA: 0 paints nothing. */
  readonly fillAlpha: number;
  readonly strokeAlpha: number;
  /** A blend mode that leaves a white page as it is under black (Lighten, Screen, ColorDodge, Difference, Exclusion). */
  readonly hidingBlend: boolean;
  /** A soft mask: what is painted may not show at all. */
  readonly softMask: boolean;
}

const OPAQUE: ExtState = { fillAlpha: 1, strokeAlpha: 1, hidingBlend: false, softMask: false };

/** The graphics state a page, an annotation's appearance or a pattern cell starts from (ISO 32000-1 §8.4.1), placed by `ctm`. */
function initialState(ctm: Matrix): GraphicsState {
  return { ctm, text: { font: undefined, size: 0, charSpacing: 0, wordSpacing: 0, scale: 100, leading: 0, rise: 0, renderMode: 0, type3: false }, whiteFill: false, fillSpace: 'light', whiteStroke: false, strokeSpace: 'light', ext: OPAQUE };
}

/** `gs` saved (q) or handed to a form (Do, placed by `ctm`): the text state copied, the rest immutable or scalar. */
function stateCopy(gs: GraphicsState, ctm: Matrix = gs.ctm): GraphicsState {
  return { ctm, text: copyOf(gs.text), whiteFill: gs.whiteFill, fillSpace: gs.fillSpace, whiteStroke: gs.whiteStroke, strokeSpace: gs.strokeSpace, ext: gs.ext };
}

/** A /Matrix entry as a matrix, or undefined when it is not six numbers. */
function matrixEntry(document: PdfDocument, value: PdfValue | undefined): Matrix | undefined {
  const given = numbers(value, document);
  return given && given.length === 6 ? matrix(given[0] as number, given[1] as number, given[2] as number, given[3] as number, given[4] as number, given[5] as number) : undefined;
}

/** Blend modes under which black paint leaves a white backdrop white. */
const HIDING_BLEND_MODES = new Set(['Lighten', 'Screen', 'ColorDodge', 'Difference', 'Exclusion']);

/**
 * U2: text drawn smaller than this (points on the page, its height or its width at 100%
 * horizontal scaling) is no text a person reads: noise characters a fraction of a point high
 * placed between a title's characters made the layer read 房通屋通租通… where every viewer
 * shows 房屋租赁合同.
 */
export const MIN_VISIBLE_TEXT_POINTS = 2;

/**
 * What the page's content says about whether its text layer can be trusted (text-layer.ts
 * turns these into suspicions): counted in the same pass that reads the text.
 */
export interface ContentFacts {
  /** Image XObjects and inline images painted. */
  images: number;
  /**
   * Of those, images that can show text: drawn at least MIN_TEXT_IMAGE_POINTS in both directions
   * and (an XObject) at least MIN_TEXT_IMAGE_PIXELS in both. What they show only OCR can tell.
   */
  textImages: number;
  /** Text-showing operators (Tj, TJ, ', "). */
  textShows: number;
  /** Text shows in render mode 3 or 7 (neither fill nor stroke). */
  invisible: number;
  /** Text shows filled in white (render mode 0 or 4). */
  white: number;
  /** An image XObject is painted after some text was shown. */
  textBeforeImage: boolean;
  /** The content could not be read to its end (a stream that does not decode, say). */
  unreadable: boolean;
  /** Annotation appearances drawn over the page (read with the content: pdf.js's text has none of them). */
  appearances: number;
  /** Tiling pattern cells read (with the content: pdf.js's text has none of them either). */
  patternCells: number;
  /**
   * Text shows in a Type3 font. Its glyphs are drawn by its own content streams (paths, images)
   * and its text is only what its ToUnicode claims: what the glyphs show only OCR can tell.
   */
  type3Shows: number;
  /**
   * Shapes filled (paths, image masks) or stroked with a colorant None (a Separation or DeviceN
   * of None), and shadings painted in it (`sh`, shading patterns): poppler and Acrobat draw no
   * shape so filled, pdf.js (OCR's renderer) and MuPDF draw it in the alternate colour; such a
   * shading is drawn by poppler, MuPDF and pdf.js and not by a conforming reader (§8.6.6.4). A
   * white rectangle so painted over a contract's title pictured showed the contract in one and a
   * blank to OCR. Such a page cannot be drawn for OCR as every viewer shows it (page-gate.ts: unreadable).
   */
  noneFills: number;
  /**
   * Segments that can draw letters as outlines: the curves (c, v, y) of painted paths, and the
   * straight segments (l) of filled ones (a glyph's outline flattened to a polygon), and both of
   * clipping paths of more than 4 segments (letters as a clip, a fill painted through them). Not
   * rectangles (re: table rules) nor stroked straight lines (a table's grid).
   */
  outlineSegments: number;
  /**
   * The optional content groups (refKey) marked on what the page draws: marked content
   * (`/OC /name BDC`), forms and images with /OC, annotations with /OC; an OCMD's groups. Readers
   * differ on which of them they show (on screen, printed: optional-content.ts). Undefined: none.
   */
  optionalGroups: Set<number> | undefined;
  /** Annotations printed but hidden on screen (flags Print and NoView): what they show is seen only in print. */
  printOnly: number;
}

/**
 * U2: an image drawn smaller than this (points, either direction) cannot show a legible line of
 * text; one at least this large may (a title or a party's line scanned or pasted in as a picture
 * beside a text layer that says something else). 6 pt: the smallest print a reader reads.
 */
export const MIN_TEXT_IMAGE_POINTS = 6;
/** An image with fewer pixels than this in either direction cannot hold a legible character. */
export const MIN_TEXT_IMAGE_PIXELS = 8;

/** The unit square drawn through `ctm` (an image) is large enough, on the page and in pixels, to show text. */
function canShowText(ctm: Matrix, width: number, height: number): boolean {
  if (!(width >= MIN_TEXT_IMAGE_PIXELS && height >= MIN_TEXT_IMAGE_PIXELS)) return false;
  // The image is the unit square through the CTM, a parallelogram: its narrowest extent is its
  // area over its longer side (a sheared image is as narrow as that, however long its sides).
  const across = Math.sqrt(ctm[0] * ctm[0] + ctm[1] * ctm[1]);
  const up = Math.sqrt(ctm[2] * ctm[2] + ctm[3] * ctm[3]);
  const longer = Math.max(across, up);
  const narrowest = longer > 0 ? Math.abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) / longer : 0;
  return narrowest >= MIN_TEXT_IMAGE_POINTS;
}

/** A widget of a signature field (/FT /Sig on the widget or the field above it). */
export function isSignatureWidget(document: PdfDocument, annotation: PdfDict): boolean {
  if (annotation.getName('Subtype') !== 'Widget') return false;
  let field: PdfDict | undefined = annotation;
  for (let depth = 0; field && depth < 16; depth++) {
    const type = field.getName('FT');
    if (type !== undefined) return type === 'Sig';
    field = document.latest.resolveDict(field.get('Parent'));
  }
  return false;
}

/** One page read once: its text layer (when this reader can decode it) and its content facts. */
export interface PageReading {
  /** Undefined: this reader cannot decode the page's text; pdf.js reads it. */
  readonly text: PageText | undefined;
  /** Thrown by contentPageText: the page cannot be read at all (a bounded decode refused it, say). */
  readonly error: unknown;
  readonly facts: ContentFacts;
  /** False: no such page (or not a dictionary); nothing was read. */
  readonly found: boolean;
  /** The page's resources (inherited through the page tree). */
  readonly resources: PdfDict | undefined;
}

function num(value: Operand | undefined): number {
  return typeof value === 'number' ? value : 0;
}

function nameOperand(value: Operand | undefined): string | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PdfString) ? value.name : undefined;
}

function lastNumber(operands: readonly Operand[]): number | undefined {
  for (let k = operands.length - 1; k >= 0; k--) {
    const operand = operands[k];
    if (typeof operand === 'number') return operand;
  }
  return undefined;
}

function lastName(operands: readonly Operand[]): string | undefined {
  for (let k = operands.length - 1; k >= 0; k--) {
    const name = nameOperand(operands[k]);
    if (name !== undefined) return name;
  }
  return undefined;
}

/**
 * How a fill colour space's components read (U2, white text): 'light' (grey, RGB, Cal, ICC of 1 or
 * 3 components, Lab's L: higher is lighter), 'ink' (CMYK, ICC of 4, a Separation or DeviceN:
 * higher is more ink), 'none' (a Separation or DeviceN of the colorant None, which never marks
 * the page), 'other' (Indexed, Pattern, …: not judged).
 */
type FillSpace = 'light' | 'ink' | 'none' | 'other';

/**
 * U2: a fill colour no reader tells from a white page: light components all at least this, or
 * ink components all at most 1 − this (g 0.97, a spot colour at tint 0: characters so filled
 * between a title's visible characters hid it from the layer as white ones did).
 */
const NEAR_WHITE = 0.95;

/** The fill-colour operands (numbers only) set white or near white, read in `space`. */
function isWhite(operands: readonly Operand[], space: FillSpace): boolean {
  if (space === 'none') return true;
  if (space === 'other') return false;
  let count = 0;
  for (const operand of operands) {
    if (typeof operand !== 'number') continue;
    count++;
    if (space === 'ink' ? operand > 1 - NEAR_WHITE : operand < NEAR_WHITE) return false;
  }
  return count > 0;
}

/**
 * The operators the page walk acts on, as small integers: its switch is a jump table, also
 * before the JIT compiles it (the walk runs for every operator of every page, most of them
 * operators it passes over).
 */
const OPERATOR_CODES: ReadonlyMap<string, number> = new Map([
  ['q', 1],
  ['Q', 2],
  ['cm', 3],
  ['BT', 4],
  ['Tr', 5],
  ['g', 6],
  ['rg', 7],
  ['k', 8],
  ['sc', 9],
  ['scn', 10],
  ['Tf', 11],
  ['Tc', 12],
  ['Tw', 13],
  ['Tz', 14],
  ['TL', 15],
  ['Ts', 16],
  ['Td', 17],
  ['TD', 18],
  ['Tm', 19],
  ['T*', 20],
  ['Tj', 21],
  ["'", 22],
  ['"', 23],
  ['TJ', 24],
  ['BI', 25],
  ['Do', 26],
  ['c', 27],
  ['v', 27],
  ['y', 27],
  ['f', 28],
  ['F', 28],
  ['f*', 28],
  ['B', 28],
  ['B*', 28],
  ['b', 28],
  ['b*', 28],
  ['S', 30],
  ['s', 30],
  ['n', 29],
  ['l', 31],
  ['W', 32],
  ['W*', 32],
  ['SCN', 33],
  ['gs', 34],
  ['cs', 35],
  ['G', 36],
  ['RG', 36],
  ['K', 36],
  ['SC', 36],
  ['CS', 37],
  ['sh', 38],
  ['BDC', 39],
]);

/**
 * A matrix as an array of doubles, always (never an array of small integers): the walk keeps
 * matrices in object fields, and a field that once held one kind of array and then the other
 * makes V8 throw away and recompile the walk's optimised code, in every process that stamps.
 */
function matrix(a: number, b: number, c: number, d: number, e: number, f: number): Matrix {
  const m: Matrix = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  m[0] = a;
  m[1] = b;
  m[2] = c;
  m[3] = d;
  m[4] = e;
  m[5] = f;
  return m;
}

const IDENTITY = matrix(1, 0, 0, 1, 0, 0);

/** m × n (as pdf/matrix.ts multiply, the result always doubles). */
function multiply(m: Matrix, n: Matrix): Matrix {
  return matrix(m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]);
}

/** Six numeric operands (cm, Tm) as a matrix; non-numbers read as 0. */
function operandMatrix(o: readonly Operand[]): Matrix {
  return matrix(num(o[0]), num(o[1]), num(o[2]), num(o[3]), num(o[4]), num(o[5]));
}

/** m translated by (dx, dy) in its own space: [1 0 0 1 dx dy] × m. */
function translated(m: Matrix, dx: number, dy: number): Matrix {
  return matrix(m[0], m[1], m[2], m[3], dx * m[0] + dy * m[2] + m[4], dx * m[1] + dy * m[3] + m[5]);
}

/**
 * The page's content walked once for both of the gate's questions: what its text layer says
 * (runs, as pdf.js would report them) and whether that layer can be trusted (ContentFacts).
 * The text part stops at the first thing it cannot decode (`textAlive` false; the page then
 * goes to pdf.js), the facts part always reads on to the end.
 */
class PageWalk {
  readonly runs: TextRun[] = [];
  readonly facts: ContentFacts = { images: 0, textImages: 0, textShows: 0, invisible: 0, white: 0, textBeforeImage: false, unreadable: false, appearances: 0, patternCells: 0, type3Shows: 0, noneFills: 0, outlineSegments: 0, optionalGroups: undefined, printOnly: 0 };
  textAlive = true;
  /** Inside a signature field's appearance (annotations()). */
  private inSignature = false;
  /** Curves and straight segments of the path being built, until it is painted or ended. */
  private pathCurves = 0;
  private pathLines = 0;
  /** Fonts of this page known to be Type3 or not, by reference. */
  private readonly type3Fonts = new Map<number, boolean>();
  /** Tiling patterns whose cell was read on this page (by reference, else the stream). */
  private readonly patternsRead = new Set<number | PdfStream>();
  /** The path being built is a clipping path (W, W*), counted when it ends (n). */
  private pathClip = false;
  /** Decoded content read so far (page streams and forms): bounded by MAX_CONTENT_BYTES. */
  bytes = 0;
  private gs: GraphicsState;
  private tm: Matrix = IDENTITY;
  private tlm: Matrix = IDENTITY;

  constructor(
    private readonly document: PdfDocument,
    private readonly frame: PageFrame | undefined,
    private readonly fonts: Map<number | PdfDict, FontDecoder | Unsupported>,
  ) {
    this.gs = initialState(IDENTITY);
  }

  /** Whether font `name` is a Type3 font (per page, by reference). */
  private isType3(fontDict: PdfDict | undefined, name: string): boolean {
    const value = fontDict?.get(name);
    const key = refKey(value);
    const known = key === undefined ? undefined : this.type3Fonts.get(key);
    if (known !== undefined) return known;
    const type3 = this.document.latest.resolveDict(value)?.getName('Subtype') === 'Type3';
    if (key !== undefined) this.type3Fonts.set(key, type3);
    return type3;
  }

  private fontOf(fontDict: PdfDict | undefined, name: string): FontDecoder {
    const value = fontDict?.get(name);
    // One decoder per font object and document: a 300-page document parses its ToUnicode once.
    // Keyed by the reference (number and generation) in the document's latest revision, the
    // only one read here: a reference that resolved to a font once is not resolved again.
    const key = refKey(value);
    let decoder = key === undefined ? undefined : this.fonts.get(key);
    if (decoder instanceof Unsupported) throw decoder;
    if (decoder) return decoder;
    const dict = this.document.latest.resolveDict(value);
    if (!dict) throw new Unsupported(`font ${name} missing`);
    decoder = this.fonts.get(key ?? dict);
    if (!decoder) {
      try {
        decoder = decoderOf(this.document, dict);
      } catch (error) {
        decoder = error instanceof Unsupported ? error : new Unsupported(String(error));
      }
      this.fonts.set(key ?? dict, decoder);
    }
    if (decoder instanceof Unsupported) throw decoder;
    return decoder;
  }

  /**
   * U2: text a person does not see although it is filled or stroked: transparent (ca/CA below
   * 0.1), under a soft mask or a blend mode that leaves the page as it is, or drawn smaller
   * than MIN_VISIBLE_TEXT_POINTS. Interleaved with a contract's visible characters, such text
   * made the layer say something else than the page (its page is now read by OCR).
   */
  private unseen(mode: number): boolean {
    const { ext, ctm } = this.gs;
    const fills = mode === 0 || mode === 2 || mode === 4 || mode === 6;
    const strokes = mode === 1 || mode === 2 || mode === 5 || mode === 6;
    if (ext.hidingBlend || ext.softMask || ((!fills || ext.fillAlpha < 0.1) && (!strokes || ext.strokeAlpha < 0.1))) return true;
    const t = this.gs.text;
    const tm = this.tm;
    const m0 = tm[0] * ctm[0] + tm[1] * ctm[2];
    const m1 = tm[0] * ctm[1] + tm[1] * ctm[3];
    const m2 = tm[2] * ctm[0] + tm[3] * ctm[2];
    const m3 = tm[2] * ctm[1] + tm[3] * ctm[3];
    const high = Math.abs(t.size) * Math.sqrt(m2 * m2 + m3 * m3);
    const wide = Math.abs((t.size * t.scale) / 100) * Math.sqrt(m0 * m0 + m1 * m1);
    return high < MIN_VISIBLE_TEXT_POINTS || wide < MIN_VISIBLE_TEXT_POINTS;
  }

  /** cs: how colour space `name` (a device space, or one of `resources`' /ColorSpace) reads its components. */
  private fillSpaceOf(resources: PdfDict | undefined, name: string | undefined): FillSpace {
    if (name === 'DeviceGray' || name === 'DeviceRGB' || name === 'CalGray' || name === 'CalRGB' || name === 'G' || name === 'RGB') return 'light';
    if (name === 'DeviceCMYK' || name === 'CMYK') return 'ink';
    if (name === undefined || name === 'Pattern') return 'other';
    const document = this.document;
    return this.spaceOf(document.resolve(document.latest.resolveDict(resources?.get('ColorSpace'))?.get(name)));
  }

  /** How a colour space given as a value (a device space's name, or an array) reads its components (fillSpaceOf). */
  private spaceOf(space: PdfValue | undefined): FillSpace {
    const document = this.document;
    if (space instanceof PdfName) return this.fillSpaceOf(undefined, space.value);
    if (!(space instanceof PdfArray)) return 'other';
    const family = document.resolve(space.items[0]);
    const kind = family instanceof PdfName ? family.value : undefined;
    if (kind === 'CalGray' || kind === 'CalRGB') return 'light';
    if (kind === 'ICCBased') {
      const profile = document.resolve(space.items[1]);
      const n = profile instanceof PdfStream ? document.resolve(profile.dict.get('N')) : undefined;
      return n === 4 ? 'ink' : n === 1 || n === 3 ? 'light' : 'other';
    }
    if (kind === 'Separation' || kind === 'DeviceN') {
      const colorants = document.resolve(space.items[1]);
      const names = colorants instanceof PdfArray ? colorants.items.map((item) => document.resolve(item)) : [colorants];
      return names.length > 0 && names.every((n) => n instanceof PdfName && n.value === 'None') ? 'none' : 'ink';
    }
    return 'other';
  }

  /** gs: the ExtGState `name` of `resources` over `current` (ca, CA, BM, SMask; the rest does not hide text). */
  private extState(resources: PdfDict | undefined, name: string | undefined, current: ExtState): ExtState {
    if (name === undefined) return current;
    const document = this.document;
    const dict = document.latest.resolveDict(document.latest.resolveDict(resources?.get('ExtGState'))?.get(name));
    if (!dict) return current;
    const ca = document.resolve(dict.get('ca'));
    const CA = document.resolve(dict.get('CA'));
    const bm = document.resolve(dict.get('BM'));
    const smask = document.resolve(dict.get('SMask'));
    const blend = bm instanceof PdfArray ? document.resolve(bm.items[0]) : bm;
    return {
      fillAlpha: typeof ca === 'number' ? ca : current.fillAlpha,
      strokeAlpha: typeof CA === 'number' ? CA : current.strokeAlpha,
      hidingBlend: blend instanceof PdfName ? HIDING_BLEND_MODES.has(blend.value) : current.hidingBlend,
      softMask: smask === undefined ? current.softMask : !(smask instanceof PdfName && smask.value === 'None'),
    };
  }

  /** Tj/TJ/'/": the text part (a string or a TJ array) and the facts part (render mode, fill). */
  private show(operand: Operand | undefined): void {
    const facts = this.facts;
    facts.textShows++;
    const mode = this.gs.text.renderMode;
    if (this.gs.text.type3) facts.type3Shows++;
    if (mode === 3 || mode === 7 || this.unseen(mode)) facts.invisible++;
    else if (this.gs.whiteFill && (mode === 0 || mode === 4)) facts.white++;
    // Stroked only (1, 5), or filled and stroked (2, 6) with both white: as unseen as white fill.
    else if (this.gs.whiteStroke && (mode === 1 || mode === 5 || ((mode === 2 || mode === 6) && this.gs.whiteFill))) facts.white++;
    if (!this.textAlive) return;
    if (operand instanceof PdfString) this.showPieces([operand]);
    else if (Array.isArray(operand)) this.showPieces(operand);
  }

  private showPieces(pieces: readonly Operand[]): void {
    const t = this.gs.text;
    const font = t.font;
    if (!font) throw new Unsupported('text without a font');
    const th = t.scale / 100;
    const { texts, units: unitOf, widths, defaultWidth, vertical, codeIsText } = font;
    // Read once, not per glyph: the text state cannot change inside one show.
    const size = t.size;
    const spacing = t.charSpacing;
    const wordSpacing = t.wordSpacing;
    const step = t.size + spacing;
    unitCount = 0;
    let startTm: Matrix | undefined;
    let advance = 0;
    // Where each glyph starts along the line, from the show's start: a glyph that starts before
    // the one shown ahead of it in the string (negative spacing, a TJ move back) reverses the
    // order the reader sees (showGlyphs).
    const showStart = this.tm;
    const firstRun = this.runs.length;
    let pos = 0;
    let lastStart = -Infinity;
    let reversed = false;
    for (let p = 0; p < pieces.length; p++) {
      const piece = pieces[p];
      if (typeof piece === 'number') {
        const shift = (-piece / 1000) * t.size * th;
        pos += vertical ? (piece / 1000) * t.size : shift;
        // A wide gap inside TJ is a word break: a new run (textLines adds the space).
        if (-piece > 250) {
          this.flush(takeText(), startTm, advance);
          startTm = undefined;
          advance = 0;
        } else if (startTm) advance += shift;
        this.tm = translated(this.tm, vertical ? 0 : shift, vertical ? (-piece / 1000) * t.size : 0);
        continue;
      }
      if (!(piece instanceof PdfString)) continue;
      // The glyphs of one string move the text matrix along one axis: summed, applied once.
      let dx = 0;
      let dy = 0;
      const bytes = piece.bytes;
      const length = font.bytesPerCode;
      const end = bytes.length - length;
      if (end >= 0) startTm ??= this.tm;
      for (let k = 0; k <= end; k += length) {
        const code = length === 2 ? ((bytes[k] as number) << 8) | (bytes[k + 1] as number) : (bytes[k] as number);
        const unit = code < unitOf.length ? (unitOf[code] as number) : -1;
        if (unit >= 0 && unitCount < units.length) units[unitCount++] = unit;
        else {
          const glyph = code < texts.length ? texts[code] : undefined;
          if (glyph !== undefined) pushText(glyph);
          else if (codeIsText) pushText(String.fromCharCode(code));
          else throw new Unsupported(`code ${code} without text`);
        }
        const at = pos + dx - dy;
        if (at < lastStart - 1e-6) reversed = true;
        lastStart = at;
        if (vertical) dy -= step;
        else dx += (((code < widths.length ? (widths[code] as number) : defaultWidth) / 1000) * size + spacing + (length === 1 && code === 32 ? wordSpacing : 0)) * th;
      }
      advance += dx;
      pos += dx - dy;
      if (dx !== 0 || dy !== 0) this.tm = translated(this.tm, dx, dy);
    }
    if (reversed) {
      // The runs this show made say the glyphs in the string's order, not the page's.
      this.runs.length = firstRun;
      unitCount = 0;
      this.showGlyphs(pieces, showStart);
      return;
    }
    this.flush(takeText(), startTm, advance);
  }

  /**
   * U2: a show whose glyphs do not advance along the line (a title written 同合赁租屋房 with a
   * negative character spacing or TJ moves back, so that every viewer draws 房屋租赁合同) as one
   * run per glyph, each where it is drawn: textLines puts them in the page's order.
   */
  private showGlyphs(pieces: readonly Operand[], start: Matrix): void {
    const t = this.gs.text;
    const font = t.font as FontDecoder;
    const th = t.scale / 100;
    const length = font.bytesPerCode;
    this.tm = start;
    for (const piece of pieces) {
      if (typeof piece === 'number') {
        this.tm = translated(this.tm, font.vertical ? 0 : (-piece / 1000) * t.size * th, font.vertical ? (-piece / 1000) * t.size : 0);
        continue;
      }
      if (!(piece instanceof PdfString)) continue;
      const bytes = piece.bytes;
      for (let k = 0; k + length <= bytes.length; k += length) {
        const code = length === 2 ? ((bytes[k] as number) << 8) | (bytes[k + 1] as number) : (bytes[k] as number);
        const glyph = code < font.texts.length ? font.texts[code] : undefined;
        if (glyph !== undefined) pushText(glyph);
        else if (font.codeIsText) pushText(String.fromCharCode(code));
        else throw new Unsupported(`code ${code} without text`);
        const width = font.vertical ? 0 : ((code < font.widths.length ? (font.widths[code] as number) : font.defaultWidth) / 1000) * t.size * th;
        const advance = font.vertical ? 0 : width + (t.charSpacing + (length === 1 && code === 32 ? t.wordSpacing : 0)) * th;
        const glyphStart = this.tm;
        this.tm = translated(this.tm, advance, font.vertical ? -(t.size + t.charSpacing) : 0);
        // The run is the glyph as drawn: its own width, whatever the spacing moves next.
        this.flush(takeText(), glyphStart, width);
      }
    }
  }

  private flush(text: string, startTm: Matrix | undefined, advance: number): void {
    if (text === '' || !startTm || !this.frame) return;
    const t = this.gs.text;
    // Trm = [size·Th 0 0 size 0 rise] × Tm × CTM; the run's width is its advance along Tm × CTM.
    // Tm × CTM as multiply() computes it, into locals (a run each: no matrix allocated).
    const a = startTm;
    const n = this.gs.ctm;
    const m0 = a[0] * n[0] + a[1] * n[2];
    const m1 = a[0] * n[1] + a[1] * n[3];
    const m2 = a[2] * n[0] + a[3] * n[2];
    const m3 = a[2] * n[1] + a[3] * n[3];
    const m4 = a[4] * n[0] + a[5] * n[2] + n[4];
    const m5 = a[4] * n[1] + a[5] * n[3] + n[5];
    const at = userToDisplayed(this.frame, t.rise * m2 + m4, t.rise * m3 + m5);
    if (this.runs.length >= MAX_RUNS) throw new Unsupported('too many text runs');
    // Lengths as sqrt(x² + y²): Math.hypot guards against overflow these magnitudes never reach, and is several times slower cold.
    const wx = advance * m0;
    const wy = advance * m1;
    const sx = t.size * m2;
    const sy = t.size * m3;
    this.runs.push({ text, x: at.u, y: at.v, width: Math.sqrt(wx * wx + wy * wy), fontSize: Math.sqrt(sx * sx + sy * sy) });
  }

  /** One content stream list (a page's, or a form's) with its resources; forms recurse. */
  run(data: readonly Uint8Array[], resources: PdfDict | undefined, depth: number): void {
    const document = this.document;
    const fontDict = document.latest.resolveDict(resources?.get('Font'));
    const xobjects = document.latest.resolveDict(resources?.get('XObject'));
    const saved: GraphicsState[] = [];
    // This content's own space (the page's, a form's): where its patterns are placed (§8.7.2).
    const base = this.gs.ctm;
    const outerTm = this.tm;
    const outerTlm = this.tlm;
    this.tm = IDENTITY;
    this.tlm = IDENTITY;
    // U2: a page's content streams are one content (ISO 32000-1 §7.8.2), split only between
    // tokens: an operator's operands may end one stream and the operator open the next. Read
    // stream by stream, a contract's title and parties shown as `<…>` | `Tj` across the split
    // were never shown to the gate, while every viewer drew them. Joined by a space, as pdf.js does.
    const joined: Uint8Array[] = [];
    if (data.length > 1) {
      let size = 0;
      for (const bytes of data) size += bytes.length + 1;
      const all = new Uint8Array(size);
      let at = 0;
      for (const bytes of data) {
        all.set(bytes, at);
        at += bytes.length;
        all[at++] = 0x20;
      }
      joined.push(all);
    } else joined.push(...data);
    for (const bytes of joined) {
      // Lenient: a malformed hex string reads as empty, and the lexer says so (the text part
      // then gives up on the page; the facts part reads on).
      const lexer = new ContentLexer(bytes, { lenientHex: true });
      for (let op = lexer.next(); op !== undefined; op = lexer.next()) {
        if (lexer.malformedHex && this.textAlive) this.textAlive = false;
        const operands = lexer.operands;
        const gs = this.gs;
        try {
          switch (OPERATOR_CODES.get(op) ?? 0) {
            case 1: // 'q'
              saved.push(stateCopy(gs));
              break;
            case 2: // 'Q'
              this.gs = saved.pop() ?? gs;
              break;
            case 3: // 'cm'
              if (operands.length === 6) gs.ctm = multiply(operandMatrix(operands), gs.ctm);
              break;
            case 4: // 'BT'
              this.tm = IDENTITY;
              this.tlm = IDENTITY;
              break;
            case 5: // 'Tr'
              gs.text.renderMode = lastNumber(operands) ?? 0;
              break;
            case 6: // 'g'
            case 7: // 'rg'
            case 8: // 'k'
            case 9: // 'sc'
            case 10: {
              // 'scn'
              if (op === 'g' || op === 'rg') gs.fillSpace = 'light';
              else if (op === 'k') gs.fillSpace = 'ink';
              const name = op === 'scn' ? lastName(operands) : undefined;
              if (name !== undefined) {
                // A pattern: a shading pattern in the colorant None paints as a fill in None does.
                const none = this.pattern(resources, name, base, depth);
                gs.fillSpace = none ? 'none' : 'other';
                gs.whiteFill = none;
              } else gs.whiteFill = isWhite(operands, gs.fillSpace);
              break;
            }
            case 33: {
              // 'SCN': a stroke colour, a pattern's cell drawn as much as a fill's
              const name = lastName(operands);
              if (name !== undefined) {
                const none = this.pattern(resources, name, base, depth);
                gs.strokeSpace = none ? 'none' : 'other';
                gs.whiteStroke = none;
              } else gs.whiteStroke = isWhite(operands, gs.strokeSpace);
              break;
            }
            case 39: // 'BDC': marked content; /OC marks optional content, named in /Properties
              if (nameOperand(operands[0]) === 'OC') this.optional(document.latest.resolveDict(resources?.get('Properties'))?.get(lastName(operands) ?? ''));
              break;
            case 38: // 'sh': a shading painted through the clip
              if (this.noneShading(document.latest.resolveDict(resources?.get('Shading'))?.get(lastName(operands) ?? ''))) this.facts.noneFills++;
              break;
            case 36: // 'G', 'RG', 'K', 'SC': the stroke colour (U2: text stroked in white, Tr 1)
              if (op === 'G' || op === 'RG') gs.strokeSpace = 'light';
              else if (op === 'K') gs.strokeSpace = 'ink';
              gs.whiteStroke = isWhite(operands, gs.strokeSpace);
              break;
            case 37: // 'CS'
              gs.strokeSpace = this.fillSpaceOf(resources, lastName(operands));
              gs.whiteStroke = gs.strokeSpace === 'none';
              break;
            case 35: // 'cs': a new fill colour space, its initial colour (black, full ink; None marks nothing)
              gs.fillSpace = this.fillSpaceOf(resources, lastName(operands));
              gs.whiteFill = gs.fillSpace === 'none';
              break;
            case 34: // 'gs'
              gs.ext = this.extState(resources, lastName(operands), gs.ext);
              break;
            case 11: {
              // Tf
              gs.text.size = num(operands[1]);
              const name = nameOperand(operands[0]);
              gs.text.type3 = name !== undefined && this.isType3(fontDict, name);
              if (name !== undefined && this.textAlive) gs.text.font = this.fontOf(fontDict, name);
              break;
            }
            case 12: // 'Tc'
              gs.text.charSpacing = num(operands[0]);
              break;
            case 13: // 'Tw'
              gs.text.wordSpacing = num(operands[0]);
              break;
            case 14: // 'Tz'
              gs.text.scale = num(operands[0]);
              break;
            case 15: // 'TL'
              gs.text.leading = num(operands[0]);
              break;
            case 16: // 'Ts'
              gs.text.rise = num(operands[0]);
              break;
            case 17: // 'Td'
              this.tlm = translated(this.tlm, num(operands[0]), num(operands[1]));
              this.tm = this.tlm;
              break;
            case 18: // 'TD'
              gs.text.leading = -num(operands[1]);
              this.tlm = translated(this.tlm, num(operands[0]), num(operands[1]));
              this.tm = this.tlm;
              break;
            case 19: // 'Tm'
              if (operands.length === 6) {
                this.tlm = operandMatrix(operands);
                this.tm = this.tlm;
              }
              break;
            case 20: // 'T*'
              this.tlm = translated(this.tlm, 0, -gs.text.leading);
              this.tm = this.tlm;
              break;
            case 21: // 'Tj'
              this.show(operands[0]);
              break;
            case 22: // "'"
              this.tlm = translated(this.tlm, 0, -gs.text.leading);
              this.tm = this.tlm;
              this.show(operands[0]);
              break;
            case 23: // '"'
              gs.text.wordSpacing = num(operands[0]);
              gs.text.charSpacing = num(operands[1]);
              this.tlm = translated(this.tlm, 0, -gs.text.leading);
              this.tm = this.tlm;
              this.show(operands[2]);
              break;
            case 24: // 'TJ'
              this.show(operands[0]);
              break;
            case 25: // 'BI'
              this.facts.images++;
              // An inline image's own size is not read here: its size on the page decides.
              if (!this.inSignature && canShowText(gs.ctm, MIN_TEXT_IMAGE_PIXELS, MIN_TEXT_IMAGE_PIXELS)) this.facts.textImages++;
              break;
            case 26: // 'Do'
              this.paint(xobjects, lastName(operands), resources, depth);
              break;
            case 27: // 'c', 'v', 'y': a curve of the path being built
              this.pathCurves++;
              break;
            case 28: // a path filled (and maybe stroked): its curves and straight segments are seen
              if (!this.inSignature) this.facts.outlineSegments += this.pathCurves + this.pathLines;
              if (gs.fillSpace === 'none' || (gs.strokeSpace === 'none' && (op === 'B' || op === 'B*' || op === 'b' || op === 'b*'))) this.facts.noneFills++;
              this.pathCurves = 0;
              this.pathLines = 0;
              this.pathClip = false;
              break;
            case 30: // 'S', 's': a path stroked only: its curves
              if (!this.inSignature) this.facts.outlineSegments += this.pathCurves;
              if (gs.strokeSpace === 'none') this.facts.noneFills++;
              this.pathCurves = 0;
              this.pathLines = 0;
              this.pathClip = false;
              break;
            case 29: // 'n': a path ended unpainted
              // U2: a clipping path (W n) of glyph outlines, then a rectangle filled through it,
              // draws the letters as surely as filling them: a contract's title and parties drawn
              // so above harmless clauses were sealed unread. Its segments count like a filled
              // path's; a clip of at most 4 segments (a cell, a box) does not count.
              if (this.pathClip && !this.inSignature && this.pathCurves + this.pathLines > 4) this.facts.outlineSegments += this.pathCurves + this.pathLines;
              this.pathCurves = 0;
              this.pathLines = 0;
              this.pathClip = false;
              break;
            case 32: // 'W', 'W*': the path being built clips what follows
              this.pathClip = true;
              break;
            case 31: // 'l': a straight segment of the path being built
              this.pathLines++;
              break;
            default:
              break;
          }
        } catch (error) {
          // The text part cannot decode this page (pdf.js reads it); the facts part reads on.
          if (!(error instanceof Unsupported)) throw error;
          this.textAlive = false;
        }
      }
    }
    this.tm = outerTm;
    this.tlm = outerTlm;
  }

  /**
   * U2: what the page's annotations show, read as the viewer draws it: each one's normal
   * appearance (a form) over the page, mapped onto its /Rect (ISO 32000-1 §12.5.5). A contract's
   * title and parties in a stamp annotation's appearance above a text layer of harmless clauses
   * were drawn by every viewer and sealed unread. Hidden ones are read too: a flag is one edit
   * away from showing them, and a forbidden word hidden in a document is no better.
   */
  annotations(value: PdfValue | undefined): void {
    const document = this.document;
    const list = document.latest.resolveArray(value);
    if (!list) return;
    if (list.items.length > MAX_ANNOTATIONS) {
      // Too many to read here: what the page shows is left to OCR (text-layer.ts).
      this.facts.unreadable = true;
      this.textAlive = false;
      return;
    }
    for (const item of list.items) {
      const annotation = document.latest.resolveDict(item);
      if (!annotation || annotation.getName('Subtype') === 'Popup') continue;
      if (annotation.has('OC')) this.optional(annotation.get('OC'));
      const flags = document.resolve(annotation.get('F'));
      // Print (4) and NoView (32), not Hidden (2): printed, never on screen.
      if (typeof flags === 'number' && (flags & 38) === 36) this.facts.printOnly++;
      let appearance = document.resolve(document.latest.resolveDict(annotation.get('AP'))?.get('N'));
      // A widget with states (a check box): the state shown.
      if (appearance instanceof PdfDict) {
        const state = annotation.getName('AS');
        appearance = state === undefined ? undefined : document.resolve(appearance.get(state));
      }
      const rect = numbers(annotation.get('Rect'), document);
      if (rect && rect.length === 4) this.fieldValue(annotation, rect as [number, number, number, number]);
      if (!(appearance instanceof PdfStream) || !rect || rect.length !== 4) continue;
      this.facts.appearances++;
      // A signature's appearance (a seal impression: a ring of curved text no OCR reads) is
      // read for its text; its images are not taken as text to look at (SECURITY.md).
      this.inSignature = isSignatureWidget(document, annotation);
      try {
        this.appearance(appearance, rect as [number, number, number, number]);
      } finally {
        this.inSignature = false;
      }
    }
  }

  /**
   * U2: a text or choice field's value (/V) is what viewers draw in its widget when it has no
   * appearance or the form asks for appearances to be made (/NeedAppearances): poppler and
   * MuPDF drew a contract's title and parties from field values with no appearance above
   * harmless clauses, sealed unread. The value is read as text in the widget's rectangle,
   * whatever its appearance says (that appearance is read too; a flag is one edit away from
   * the value being drawn instead), a line a line, at the size its /DA asks (0: auto, the
   * rectangle's height), from the top.
   */
  private fieldValue(annotation: PdfDict, rect: readonly [number, number, number, number]): void {
    if (annotation.getName('Subtype') !== 'Widget') return;
    const document = this.document;
    let type: string | undefined;
    let value: PdfValue | undefined;
    let da: PdfValue | undefined;
    let field: PdfDict | undefined = annotation;
    for (let depth = 0; field && depth < 16; depth++) {
      type ??= field.getName('FT');
      value ??= field.get('V');
      da ??= field.get('DA');
      field = document.latest.resolveDict(field.get('Parent'));
    }
    if (type !== 'Tx' && type !== 'Ch') return;
    const resolved = document.resolve(value);
    const items = resolved instanceof PdfArray ? resolved.items.map((item) => document.resolve(item)) : [resolved];
    const lines = items.flatMap((item) => (item instanceof PdfString ? item.text.split(/\r\n|\r|\n/u) : [])).filter((line) => line.trim() !== '');
    if (lines.length === 0) return;
    this.facts.appearances++;
    if (!this.textAlive || !this.frame) return;
    const left = Math.min(rect[0], rect[2]);
    const top = Math.max(rect[1], rect[3]);
    const width = Math.abs(rect[2] - rect[0]);
    const height = Math.abs(rect[3] - rect[1]);
    const asked = /([-+]?\d*\.?\d+)\s+Tf\b/u.exec(document.resolve(da) instanceof PdfString ? (document.resolve(da) as PdfString).latin1 : '');
    const size = asked && Number(asked[1]) > 0 ? Number(asked[1]) : Math.max(1, height / lines.length);
    lines.forEach((line, i) => {
      const at = userToDisplayed(this.frame as PageFrame, left + 2, top - (i + 1) * size);
      if (this.runs.length >= MAX_RUNS) throw new Unsupported('too many text runs');
      this.runs.push({ text: line, x: at.u, y: at.v, width, fontSize: size });
    });
  }

  /** One appearance stream drawn into `rect`: its /BBox through its /Matrix, scaled and moved onto the rectangle (§12.5.5, algorithm 8.1). */
  private appearance(stream: PdfStream, rect: readonly [number, number, number, number]): void {
    const document = this.document;
    const box = numbers(stream.dict.get('BBox'), document);
    if (!box || box.length !== 4) return;
    const m = matrixEntry(document, stream.dict.get('Matrix')) ?? IDENTITY;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [x, y] of [[box[0], box[1]], [box[0], box[3]], [box[2], box[1]], [box[2], box[3]]] as [number, number][]) {
      const u = x * m[0] + y * m[2] + m[4];
      const v = x * m[1] + y * m[3] + m[5];
      minX = Math.min(minX, u);
      minY = Math.min(minY, v);
      maxX = Math.max(maxX, u);
      maxY = Math.max(maxY, v);
    }
    if (!(maxX > minX && maxY > minY)) return;
    const sx = Math.abs(rect[2] - rect[0]) / (maxX - minX);
    const sy = Math.abs(rect[3] - rect[1]) / (maxY - minY);
    const onto = matrix(sx, 0, 0, sy, Math.min(rect[0], rect[2]) - minX * sx, Math.min(rect[1], rect[3]) - minY * sy);
    // An appearance starts from the default graphics state, not from where the page's content ended.
    this.walkStream(stream, () => initialState(multiply(m, onto)), document.latest.resolveDict(stream.dict.get('Resources')), 1);
  }

  /**
   * A content stream of its own (a form, an annotation's appearance, a pattern cell) read in the
   * graphics state `enter` makes of the current one, with `resources`, within MAX_CONTENT_BYTES
   * (beyond it the text part gives up on the page); the current state is back afterwards.
   */
  private walkStream(stream: PdfStream, enter: (outer: GraphicsState) => GraphicsState, resources: PdfDict | undefined, depth: number): void {
    if (this.bytes > MAX_CONTENT_BYTES) return;
    const data = this.document.decodedStreamData(stream);
    this.bytes += data.length;
    if (this.bytes > MAX_CONTENT_BYTES) this.textAlive = false;
    const outer = this.gs;
    this.gs = enter(outer);
    try {
      this.run([data], resources, depth);
    } finally {
      this.gs = outer;
    }
  }

  /**
   * U2: a tiling pattern's cell is a content stream of its own, drawn wherever the pattern paints
   * (a rectangle filled with it): a contract's title and parties written in one cell, its steps
   * wider than the page, and a rectangle filled with the pattern above harmless clauses were
   * sealed unread while every viewer drew them. The cell is read like a form, once per page,
   * placed by the pattern's /Matrix in the space of the content that names it (`base`); its text
   * joins the layer (drawn once, where the first cell is), its images and outlines count.
   */
  private pattern(resources: PdfDict | undefined, name: string | undefined, base: Matrix, depth: number): boolean {
    if (name === undefined) return false;
    const document = this.document;
    const value = document.latest.resolveDict(resources?.get('Pattern'))?.get(name);
    const target = document.resolve(value);
    // A shading pattern: says whether it paints in the colorant None (noneShading).
    if (target instanceof PdfDict && document.resolve(target.get('PatternType')) === 2) return this.noneShading(target.get('Shading'));
    if (!(target instanceof PdfStream) || document.resolve(target.dict.get('PatternType')) !== 1) return false;
    const key = refKey(value) ?? target;
    if (this.patternsRead.has(key)) return false;
    this.patternsRead.add(key);
    this.facts.patternCells++;
    if (depth >= MAX_FORM_DEPTH) {
      if (this.textAlive) throw new Unsupported('patterns nested too deep');
      return false;
    }
    const given = matrixEntry(document, target.dict.get('Matrix'));
    // A cell starts from the default graphics state, in pattern space.
    this.walkStream(target, () => initialState(given ? multiply(given, base) : base), document.latest.resolveDict(target.dict.get('Resources')), depth + 1);
    return false;
  }

  /**
   * An optional content group or membership dictionary (/OC) marked on what is drawn: its groups
   * join facts.optionalGroups (an OCMD's /OCGs and the groups of its /VE expression).
   */
  private optional(value: PdfValue | undefined): void {
    const document = this.document;
    const groups = (this.facts.optionalGroups ??= new Set());
    const add = (item: PdfValue | undefined, depth: number): void => {
      if (depth > 8 || groups.size >= 256) return;
      const resolved = document.resolve(item);
      if (resolved instanceof PdfArray) for (const element of resolved.items) add(element, depth + 1);
      else if (resolved instanceof PdfDict) {
        if (resolved.getName('Type') === 'OCMD') {
          add(resolved.get('OCGs'), depth + 1);
          add(resolved.get('VE'), depth + 1);
        } else {
          const key = refKey(item);
          if (key !== undefined) groups.add(key);
        }
      }
    };
    add(value, 0);
  }

  /**
   * U2: whether a shading (a dictionary, or a stream for types 4–7) paints in a Separation or
   * DeviceN of the colorant None. Painting in None has no effect (ISO 32000-1 §8.6.6.4), but
   * poppler, MuPDF and pdf.js paint such a shading in its alternate colour: a white cover so
   * painted (`sh` through a clip, or a shading pattern filling a rectangle) over a contract's
   * title pictured showed OCR a blank where a conforming reader shows the contract. Counted as
   * a fill in None (noneFills: the page is unreadable).
   */
  private noneShading(value: PdfValue | undefined): boolean {
    const document = this.document;
    const shading = document.resolve(value);
    const dict = shading instanceof PdfStream ? shading.dict : shading instanceof PdfDict ? shading : undefined;
    return dict !== undefined && this.spaceOf(document.resolve(dict.get('ColorSpace'))) === 'none';
  }

  /** Do: an image counts (after text: text under an image), a form is read with its resources. */
  private paint(xobjects: PdfDict | undefined, name: string | undefined, resources: PdfDict | undefined, depth: number): void {
    if (name === undefined) return;
    const document = this.document;
    const target = document.resolve(xobjects?.get(name));
    if (!(target instanceof PdfStream)) return;
    const subtype = target.dict.getName('Subtype');
    if (target.dict.has('OC')) this.optional(target.dict.get('OC'));
    if (subtype === 'Image') {
      this.facts.images++;
      const width = document.resolve(target.dict.get('Width'));
      const height = document.resolve(target.dict.get('Height'));
      if (!this.inSignature && canShowText(this.gs.ctm, typeof width === 'number' ? width : 0, typeof height === 'number' ? height : 0)) this.facts.textImages++;
      if (this.facts.textShows > 0) this.facts.textBeforeImage = true;
      if (this.gs.fillSpace === 'none' && document.resolve(target.dict.get('ImageMask')) === true) this.facts.noneFills++;
      return;
    }
    if (subtype !== 'Form') return;
    if (depth >= MAX_FORM_DEPTH) {
      if (this.textAlive) throw new Unsupported('forms nested too deep');
      return;
    }
    const formMatrix = matrixEntry(document, target.dict.get('Matrix'));
    // The form starts from the graphics state at its Do (its text state, render mode and fill
    // included) and leaves it as it found it.
    this.walkStream(target, (outer) => stateCopy(outer, formMatrix ? multiply(formMatrix, outer.ctm) : outer.ctm), document.latest.resolveDict(target.dict.get('Resources')) ?? resources, depth + 1);
  }
}

const lastReading = new WeakMap<PdfDocument, { pageIndex: number; reading: PageReading }>();

/**
 * Page `pageIndex` (0-based) read once for the gate: its text layer and its content facts.
 * The last page read is remembered per document, so the gate's two questions about a page
 * (contentPageText, then text-layer.ts's textLayerFacts) walk its content once.
 */
export function readPage(document: PdfDocument, pageIndex: number): PageReading {
  const remembered = lastReading.get(document);
  if (remembered && remembered.pageIndex === pageIndex) return remembered.reading;
  const reading = readPageOnce(document, pageIndex);
  lastReading.set(document, { pageIndex, reading });
  return reading;
}

function readPageOnce(document: PdfDocument, pageIndex: number): PageReading {
  const pageRef = pagesOf(document)[pageIndex];
  const page = document.latest.resolveDict(pageRef);
  const empty: ContentFacts = { images: 0, textImages: 0, textShows: 0, invisible: 0, white: 0, textBeforeImage: false, unreadable: false, appearances: 0, patternCells: 0, type3Shows: 0, noneFills: 0, outlineSegments: 0, optionalGroups: undefined, printOnly: 0 };
  if (!pageRef || !page) return { text: undefined, error: undefined, facts: empty, found: false, resources: undefined };
  let fonts = fontCache.get(document);
  if (!fonts) fontCache.set(document, (fonts = new Map()));
  const attributes = document.pageAttributes(pageRef);
  let frame: PageFrame | undefined;
  let error: unknown;
  try {
    frame = frameOf(attributes, pageIndex);
  } catch (e) {
    error = e;
  }
  const walk = new PageWalk(document, frame, fonts);
  if (!frame) walk.textAlive = false;
  try {
    const contents = decodedContents(document, pageIndex, page.get('Contents'));
    if (contents.truncated) walk.textAlive = false;
    walk.bytes = contents.bytes;
    walk.run(contents.streams, attributes.resources, 0);
    const annotations = page.get('Annots');
    if (annotations !== undefined) walk.annotations(annotations);
  } catch (e) {
    // A content stream that does not decode is judged by what is drawn (text-layer.ts: OCR);
    // what the text part met first is contentPageText's to throw.
    walk.facts.unreadable = true;
    if (walk.textAlive) error ??= e;
    walk.textAlive = false;
  }
  const text = walk.textAlive && frame ? { pageIndex, box: { x: 0, y: 0, width: frame.width, height: frame.height }, runs: walk.runs } : undefined;
  return { text, error, facts: walk.facts, found: true, resources: attributes.resources };
}

/**
 * The text runs of page `pageIndex` (0-based) from its content, in displayed-page coordinates
 * as document-text.ts describes; undefined when this reader cannot decode the page (fall back).
 */
export function contentPageText(document: PdfDocument, pageIndex: number): PageText | undefined {
  const reading = readPage(document, pageIndex);
  if (reading.error !== undefined) throw reading.error;
  return reading.text;
}

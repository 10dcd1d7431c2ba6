/**
 * U2: can a page's text layer be trusted to say what the page shows? The gate reads what a
 * person sees; the text layer is only a claim about it. Found here, from the PDF's own
 * structure (no rendering):
 *
 * - a ToUnicode map that disagrees with the embedded font's own character map: the glyph drawn
 *   for a code is 合 by the font's cmap while ToUnicode says the code is 台 (the extraction no
 *   longer yields 合同 while every renderer draws it);
 * - glyphs without any mapping: a composite font with no ToUnicode and no cmap to fall back on;
 * - invisible text: render mode 3 or 7 (neither fill nor stroke), or text filled in white;
 * - text drawn before an image that is painted over it.
 *
 * A page with such a finding is read by OCR as well (core/policy/page-gate.ts); a page whose
 * layer is missing altogether (a scan) is read by OCR alone.
 */
import { Buffer } from 'node:buffer';
import fontkit from '@pdf-lib/fontkit';
import { PdfDict, PdfName, PdfStream, type PdfDocument } from '../pdf/index';
import { readPage, refKey } from './content-text';
import { layerViews, type LayerView } from './optional-content';
import { parseToUnicode } from './to-unicode';

export { parseToUnicode } from './to-unicode';

export type TextLayerSuspicion = 'to-unicode-mismatch' | 'unmapped-glyphs' | 'invisible-text' | 'white-text' | 'text-under-image';

export interface TextLayerFacts {
  /** Image XObjects (and inline images) the page paints. */
  readonly images: number;
  /** Of those, images large enough to show text (content-text.ts): the page is also read by OCR. */
  readonly textImages: number;
  /** Segments of painted paths that can draw letters (content-text.ts): enough of them may be text drawn as outlines. */
  readonly outlineSegments: number;
  /** Text-showing operators in the page's content. */
  readonly textShows: number;
  /** Of those, shows in a Type3 font (content-text.ts): the page is also read by OCR. */
  readonly type3Shows: number;
  /** Shapes filled with the colorant None (content-text.ts): viewers differ on the page; OCR cannot tell what it shows. */
  readonly noneFills?: number;
  /**
   * Ways readers show the page's optional content (printed, or on screen by another reader)
   * that differ from how OCR draws it by default, and the page as printed when annotations show
   * only in print (optional-content.ts): the page is read by OCR in each too. Absent: none.
   */
  readonly layerViews?: readonly LayerView[];
  /** Why the layer cannot be trusted, with a detail for the message (empty: nothing found). */
  readonly suspicions: readonly { readonly kind: TextLayerSuspicion; readonly detail: string }[];
}

/** Bounds against hostile files: fonts examined, XObject depth (content: content-text.ts). */
const MAX_FONTS = 64;
const MAX_FORM_DEPTH = 8;

/** Whether an sfnt (TrueType/OpenType) font file has table `tag` in its table directory. */
function hasTable(bytes: Buffer, tag: string): boolean {
  if (bytes.length < 12) return false;
  const count = Math.min(bytes.readUInt16BE(4), 512);
  for (let i = 0; i < count && 12 + 16 * i + 4 <= bytes.length; i++) {
    if (bytes.toString('latin1', 12 + 16 * i, 16 + 16 * i) === tag) return true;
  }
  return false;
}

interface FontFacts {
  readonly mismatch: string | undefined;
  readonly unmapped: boolean;
}

const fontCache = new WeakMap<PdfDocument, Map<number, FontFacts>>();

/**
 * A composite (Type0, Identity) TrueType font: for every code its ToUnicode maps, the glyph
 * the code draws (CID → GID) must be the glyph the font's own cmap gives that character, or
 * a glyph the font's cmap does not name at all (then nothing contradicts it).
 */
function examineFont(document: PdfDocument, font: PdfDict): FontFacts {
  if (font.getName('Subtype') !== 'Type0') return { mismatch: undefined, unmapped: false };
  const descendant = document.latest.resolveDict(document.latest.resolveArray(font.get('DescendantFonts'))?.items[0]);
  const toUnicodeStream = document.resolve(font.get('ToUnicode'));
  const descriptor = document.latest.resolveDict(descendant?.get('FontDescriptor'));
  const file = document.resolve(descriptor?.get('FontFile2'));
  const encoding = font.getName('Encoding');
  const cidToGid = document.resolve(descendant?.get('CIDToGIDMap'));
  if (!(toUnicodeStream instanceof PdfStream)) {
    // No ToUnicode: text extraction can only guess from the font's cmap; without one, nothing maps.
    return { mismatch: undefined, unmapped: !(file instanceof PdfStream) };
  }
  if (!(file instanceof PdfStream) || (encoding !== 'Identity-H' && encoding !== 'Identity-V')) return { mismatch: undefined, unmapped: false };
  let gidOf = (cid: number): number => cid;
  if (cidToGid instanceof PdfStream) {
    const table = document.decodedStreamData(cidToGid);
    gidOf = (cid) => (2 * cid + 1 < table.length ? ((table[2 * cid] as number) << 8) | (table[2 * cid + 1] as number) : 0);
  } else if (cidToGid instanceof PdfName && cidToGid.value !== 'Identity') return { mismatch: undefined, unmapped: false };
  const bytes = Buffer.from(document.decodedStreamData(file));
  // A subset without its own cmap (pdf-lib and some other writers drop it) has nothing to
  // contradict ToUnicode with: that check stops here (SECURITY.md, what the gate reads).
  if (!hasTable(bytes, 'cmap')) return { mismatch: undefined, unmapped: false };
  let parsed: { characterSet: number[]; glyphForCodePoint(cp: number): { id: number } };
  try {
    parsed = fontkit.create(bytes) as unknown as typeof parsed;
  } catch {
    return { mismatch: undefined, unmapped: false };
  }
  const charsOfGlyph = new Map<number, number[]>();
  for (const cp of parsed.characterSet ?? []) {
    const gid = parsed.glyphForCodePoint(cp).id;
    if (gid === 0) continue;
    const list = charsOfGlyph.get(gid);
    if (list) list.push(cp);
    else charsOfGlyph.set(gid, [cp]);
  }
  const fold = (s: string): string => s.normalize('NFKC');
  for (const [code, text] of parseToUnicode(document.decodedStreamData(toUnicodeStream))) {
    const drawn = charsOfGlyph.get(gidOf(code));
    if (!drawn || drawn.length === 0) continue;
    if (!drawn.some((cp) => fold(String.fromCodePoint(cp)) === fold(text))) {
      return { mismatch: `code ${code.toString(16).padStart(4, '0')}: ToUnicode “${text}”, font draws “${String.fromCodePoint(drawn[0] as number)}”`, unmapped: false };
    }
  }
  return { mismatch: undefined, unmapped: false };
}

/** Font references already resolved, per document (the same font on 300 pages is looked up once). */
const resolvedFonts = new WeakMap<PdfDocument, Map<number, PdfDict | null>>();

/**
 * The fonts a page's resources (and its forms') name, each once: keyed by reference (a number,
 * refKey) or, for a font written in place, `direct-N`. A page's /Font dictionary often names
 * one font under many names (pdf-lib: a name per line drawn): it is resolved and examined once.
 */
function fontsOf(document: PdfDocument, resources: PdfDict | undefined, into: Map<number | string, PdfDict>, depth: number): void {
  const fonts = document.latest.resolveDict(resources?.get('Font'));
  let resolved = resolvedFonts.get(document);
  if (!resolved) resolvedFonts.set(document, (resolved = new Map()));
  for (const [, value] of fonts?.entries() ?? []) {
    if (into.size >= MAX_FONTS) return;
    const key = refKey(value);
    if (key !== undefined && into.has(key)) continue;
    let font = key === undefined ? undefined : resolved.get(key);
    if (font === undefined) {
      font = document.latest.resolveDict(value) ?? null;
      if (key !== undefined) resolved.set(key, font);
    }
    if (font) into.set(key ?? `direct-${into.size}`, font);
  }
  if (depth >= MAX_FORM_DEPTH) return;
  const xobjects = document.latest.resolveDict(resources?.get('XObject'));
  for (const [, value] of xobjects?.entries() ?? []) {
    const target = document.resolve(value);
    if (target instanceof PdfStream && target.dict.getName('Subtype') === 'Form') fontsOf(document, document.latest.resolveDict(target.dict.get('Resources')), into, depth + 1);
  }
}

/** The facts of page `pageIndex` (0-based) that say whether its text layer can be trusted. */
export function textLayerFacts(document: PdfDocument, pageIndex: number): TextLayerFacts {
  // The content was walked once, with the text (content-text.ts): only its facts are read here.
  const reading = readPage(document, pageIndex);
  if (!reading.found) return { images: 0, textImages: 0, outlineSegments: 0, textShows: 0, type3Shows: 0, suspicions: [] };
  const { facts: scan, resources } = reading;
  const suspicions: { kind: TextLayerSuspicion; detail: string }[] = [];
  // A content stream our reader cannot decode is judged by what is drawn: read by OCR.
  if (scan.unreadable) suspicions.push({ kind: 'unmapped-glyphs', detail: 'content stream unreadable' });
  // The page's text comes from pdf.js, whose text has nothing of what annotations show.
  else if (reading.text === undefined && scan.appearances > 0) suspicions.push({ kind: 'unmapped-glyphs', detail: `${scan.appearances} annotation appearances the text layer does not include` });
  // Nor what tiling patterns' cells draw (U2: a contract's title in a cell).
  else if (reading.text === undefined && scan.patternCells > 0) suspicions.push({ kind: 'unmapped-glyphs', detail: `${scan.patternCells} tiling pattern cells the text layer does not include` });
  if (scan.invisible > 0) suspicions.push({ kind: 'invisible-text', detail: `${scan.invisible} invisible text operations (render mode 3/7, transparent, masked or under 2 pt)` });
  if (scan.white > 0) suspicions.push({ kind: 'white-text', detail: `${scan.white} text operations filled or stroked in white` });
  if (scan.textBeforeImage) suspicions.push({ kind: 'text-under-image', detail: 'an image is painted after text' });
  let cache = fontCache.get(document);
  if (!cache) fontCache.set(document, (cache = new Map()));
  const fonts = new Map<number | string, PdfDict>();
  fontsOf(document, resources, fonts, 0);
  for (const [key, font] of fonts) {
    let facts = typeof key === 'number' ? cache.get(key) : undefined;
    if (!facts) {
      try {
        facts = examineFont(document, font);
      } catch {
        // A font our reader cannot take apart proves nothing either way.
        facts = { mismatch: undefined, unmapped: false };
      }
      if (typeof key === 'number') cache.set(key, facts);
    }
    // Named for the message by its BaseFont, else its object number.
    const name = font.getName('BaseFont') ?? (typeof key === 'number' ? String(Math.floor(key / 65_536)) : key);
    if (facts.mismatch) suspicions.push({ kind: 'to-unicode-mismatch', detail: `${name} ${facts.mismatch}` });
    if (facts.unmapped) suspicions.push({ kind: 'unmapped-glyphs', detail: `${name} has no character map` });
  }
  // Only a page marked with optional content, or with annotations shown only in print, is looked at.
  const views = scan.optionalGroups !== undefined || scan.printOnly > 0 ? layerViews(document, scan.optionalGroups, scan.printOnly > 0) : [];
  return { images: scan.images, textImages: scan.textImages, outlineSegments: scan.outlineSegments, textShows: scan.textShows, type3Shows: scan.type3Shows, noneFills: scan.noneFills, ...(views.length > 0 ? { layerViews: views } : {}), suspicions };
}

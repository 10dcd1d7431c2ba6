/**
 * The U2 gate's per-document caches (issue #13 budget) must not let a page through on what was
 * learnt from another page or another revision. The gate reads a page's content once for its
 * text and its integrity facts (content-text.ts readPage, remembered for the last page), and it
 * examines a font object once per document (decoders and font facts keyed by the reference):
 *
 * - a font object shared by two pages is examined once, but how a page USES it (invisible or
 *   white text) is that page's own: the suspect page is caught, before or after the clean one;
 * - a font redefined in a later revision (its ToUnicode object replaced by an incremental
 *   update) is read as the latest revision has it, also after the earlier revision's document
 *   was gated in the same process;
 * - a reference to the same object number with another generation is not the cached font.
 *
 * Real PDFs (pdf-lib with the shipped CJK font, a hand-written incremental update), the gate
 * without an OCR engine: a page that would need OCR refuses as SCANNED_PAGE_UNREADABLE, naming
 * the page and why.
 */
import { PDFDocument, TextRenderingMode, rgb, setTextRenderingMode, type PDFFont, type PDFPage } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../../src/main/core/appearance/index';
import { PdfArray, PdfDict, PdfDocument, PdfRef, PdfStream } from '../../../src/main/core/pdf/index';
import { contentPageText, readPage } from '../../../src/main/core/policy/content-text';
import { textLines } from '../../../src/main/core/policy/document-text';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { pagesOf } from '../../../src/main/core/stamp/page-list';
import { appendRaw, serialize, streamBody } from '../../attacks/raw-update';
import { NOTICE, makePdf, shippedFont, textGateOutcome } from './fixture';

const CONTRACT_TITLE = '房屋租赁合同';

/** Notice pages in one font object; on the pages listed in `suspect`, a contract title drawn invisible (Tr 3) or white. */
async function sharedFontPdf(pages: number, suspect: ReadonlyMap<number, 'invisible' | 'white'>): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font: PDFFont = await embedShippedFontSubset(pdf, shippedFont());
  for (let p = 0; p < pages; p++) {
    const page: PDFPage = pdf.addPage([595.28, 841.89]);
    let y = 841.89 - 90;
    for (const line of NOTICE) {
      page.drawText(line.text, { x: line.x ?? 80, y, size: line.size, font });
      y -= line.size * 2;
    }
    const how = suspect.get(p);
    if (how === 'invisible') {
      page.pushOperators(setTextRenderingMode(TextRenderingMode.Invisible));
      page.drawText(CONTRACT_TITLE, { x: 80, y: 200, size: 26, font });
      page.pushOperators(setTextRenderingMode(TextRenderingMode.Fill));
    } else if (how === 'white') page.drawText(CONTRACT_TITLE, { x: 80, y: 200, size: 26, font, color: rgb(1, 1, 1) });
  }
  return pdf.save({ useObjectStreams: false });
}

/** The Type0 fonts of a document: the font dictionary's reference and its ToUnicode stream's. */
function type0Fonts(document: PdfDocument): { font: PdfRef; toUnicode: PdfRef }[] {
  const out: { font: PdfRef; toUnicode: PdfRef }[] = [];
  const resources = document.pageAttributes(pagesOf(document)[0] as PdfRef).resources;
  const fonts = document.latest.resolveDict(resources?.get('Font'));
  for (const [, value] of fonts?.entries() ?? []) {
    const font = document.latest.resolveDict(value);
    const toUnicode = font?.get('ToUnicode');
    if (value instanceof PdfRef && font?.getName('Subtype') === 'Type0' && toUnicode instanceof PdfRef) out.push({ font: value, toUnicode });
  }
  return out;
}

/** An incremental update that replaces the ToUnicode object of `font` (same number): codes of 合 and 同 now say 台 and 司. */
function redefineToUnicode(bytes: Uint8Array): Uint8Array {
  const document = PdfDocument.open(bytes);
  const [font] = type0Fonts(document);
  if (!font) throw new Error('no Type0 font');
  const stream = document.resolve(font.toUnicode);
  if (!(stream instanceof PdfStream)) throw new Error('ToUnicode is not a stream');
  const original = Buffer.from(document.decodedStreamData(stream)).toString('latin1');
  const edited = original.replace(/<5408>/giu, '<53F0>').replace(/<540C>/giu, '<53F8>');
  if (edited === original) throw new Error('the ToUnicode map has no 合 or 同');
  return appendRaw(bytes, { objects: [{ num: font.toUnicode.num, gen: font.toUnicode.gen, body: streamBody('', edited) }] }).bytes;
}

describe('U2 gate font tables: a hostile /W does not hold the gate (issue #13)', () => {
  it('a /W range starting at a CID too large to count by (1e17 + 1 === 1e17) is read, not looped on forever', async () => {
    const bytes = await sharedFontPdf(1, new Map());
    const document = PdfDocument.open(bytes);
    const [font] = type0Fonts(document);
    if (!font) throw new Error('no Type0 font');
    const descendantRef = document.latest.resolveArray((document.latest.resolveDict(font.font) as PdfDict).get('DescendantFonts'))?.items[0];
    if (!(descendantRef instanceof PdfRef)) throw new Error('descendant font is not indirect');
    const descendant = document.latest.resolveDict(descendantRef) as PdfDict;
    // The font's own widths, then one range from CID 10^17 (a double's step there is 16).
    const widths = document.latest.resolveArray(descendant.get('W'))?.items ?? [];
    // (Our writer refuses such integers: the range is put into the text of the object by hand.)
    const hostile = serialize(descendant.with('W', new PdfArray([...widths, 7_777_777, 7_777_778, 500]))).replace('7777777 7777778 500', '100000000000000000 100000000000065535 500');
    expect(hostile).toContain('100000000000000000');
    const reread = PdfDocument.open(appendRaw(bytes, { objects: [{ num: descendantRef.num, body: hostile }] }).bytes);
    expect(reread.latest.resolveArray((reread.latest.resolveDict(descendantRef) as PdfDict).get('W'))?.items).toContain(1e17);
    // Before the fix the range loop never ended (cid++ leaves 1e17 unchanged); now the page reads as before.
    expect(textLines(contentPageText(reread, 0) as never).map((l) => l.text)).toEqual(textLines(contentPageText(document, 0) as never).map((l) => l.text));
  });
});

describe('U2 gate caches: what one page or revision taught is not another’s verdict (issue #13)', () => {
  it('two pages share one font object: the page that uses it invisibly is caught, before or after the clean page', async () => {
    for (const [pages, suspectPage] of [
      [2, 1],
      [2, 0],
      [5, 3],
    ] as const) {
      const bytes = await sharedFontPdf(pages, new Map([[suspectPage, 'invisible']]));
      const document = PdfDocument.open(bytes);
      // One font object, used by every page.
      const fontObjects = new Set<string>();
      for (let i = 0; i < pages; i++) for (const [, value] of document.latest.resolveDict(readPage(document, i).resources?.get('Font'))?.entries() ?? []) fontObjects.add(String(value));
      expect(fontObjects.size).toBe(1);
      for (let i = 0; i < pages; i++) {
        const kinds = textLayerFacts(document, i).suspicions.map((s) => s.kind);
        expect(kinds, `page ${i + 1}`).toEqual(i === suspectPage ? ['invisible-text'] : []);
      }
      const result = await textGateOutcome(bytes);
      expect(result.code).toBe('SCANNED_PAGE_UNREADABLE');
      expect(result.params['page']).toBe(suspectPage + 1);
      expect(String(result.params['why'])).toMatch(/invisible text/u);
    }
  });

  it('white text on one page of a shared font is that page’s, and the clean document passes', async () => {
    const white = await sharedFontPdf(3, new Map([[2, 'white']]));
    const document = PdfDocument.open(white);
    expect([0, 1, 2].map((i) => textLayerFacts(document, i).suspicions.map((s) => s.kind))).toEqual([[], [], ['white-text']]);
    expect(await textGateOutcome(white)).toMatchObject({ code: 'SCANNED_PAGE_UNREADABLE', params: { page: 3 } });
    expect((await textGateOutcome(await sharedFontPdf(3, new Map()))).code).toBe('passed');
  });

  it('a font whose ToUnicode is redefined in a later revision is read as the latest revision has it, after the earlier one was gated', async () => {
    const contract = [{ text: CONTRACT_TITLE, size: 26 }, ...NOTICE.slice(1)];
    // The whole font, its own cmap included: the ToUnicode check has something to compare with.
    const original = await makePdf([contract, NOTICE], { fullFont: true });
    // The earlier revision first, in the same process: it fills the caches of its own document.
    expect(await textGateOutcome(original)).toMatchObject({ code: 'DOCUMENT_CONTENT_FORBIDDEN', params: { term: '合同', page: 1 } });
    const updated = redefineToUnicode(original);
    const document = PdfDocument.open(updated);
    expect(document.revisions.length).toBeGreaterThan(1);
    // The text layer now hides the title; the font facts of the latest revision say so, on both pages.
    expect(textLines(contentPageText(document, 0) as never)[0]?.text).toBe('房屋租赁台司');
    for (const i of [0, 1]) expect(textLayerFacts(document, i).suspicions.map((s) => s.kind)).toContain('to-unicode-mismatch');
    const result = await textGateOutcome(updated);
    expect(result.code).toBe('SCANNED_PAGE_UNREADABLE');
    expect(result.params['page']).toBe(1);
    expect(String(result.params['why'])).toMatch(/ToUnicode/u);
  });

  it('a reference to the cached font’s number with another generation is not that font', async () => {
    const bytes = await sharedFontPdf(2, new Map());
    const document = PdfDocument.open(bytes);
    const [font] = type0Fonts(document);
    if (!font) throw new Error('no Type0 font');
    // Page 2's resources name its fonts as `n 1 R`: no such objects (the xref has generation 0).
    const page2 = pagesOf(document)[1] as PdfRef;
    const page = document.latest.resolveDict(page2) as PdfDict;
    const withGeneration = (gen: number): Uint8Array => {
      const fonts: Record<string, PdfRef> = {};
      for (const [name, value] of document.latest.resolveDict(readPage(document, 1).resources?.get('Font'))?.entries() ?? []) if (value instanceof PdfRef) fonts[name] = new PdfRef(value.num, gen);
      return appendRaw(bytes, { objects: [{ num: page2.num, body: serialize(page.with('Resources', PdfDict.of({ Font: PdfDict.of(fonts) }))) }] }).bytes;
    };
    // Control: the same update with the right generation reads as before.
    expect(textLines(contentPageText(PdfDocument.open(withGeneration(0)), 1) as never).length).toBe(NOTICE.length);
    const reread = PdfDocument.open(withGeneration(1));
    expect(contentPageText(reread, 0)).toBeDefined(); // page 1 caches the font under `n 0 R`
    expect(contentPageText(reread, 1)).toBeUndefined(); // page 2's `n 1 R` is missing: pdf.js reads that page
  });
});


/**
 * U2: what a page's annotations show is part of the page (issue 13: the gate reads what a person
 * sees). Exploits kept as tests: a contract's title and parties drawn by a stamp annotation's
 * appearance above a text layer of harmless clauses were drawn by every viewer (checked with
 * pdftoppm) and sealed unread; hidden, the same; in a font our content reader cannot decode,
 * pdf.js's text has none of it and the page's OCR rendering left annotations out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, rgb } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../../src/main/core/appearance/index';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { contentPageText } from '../../../src/main/core/policy/content-text';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { drawnDirectly } from '../../../src/main/infra/ocr/page-render';
import { SYSTEM_CJK_FONTS, fontScanImage, scanImage, type SystemFont } from '../../helpers/gate-documents';
import { makePdf, shippedFont } from './fixture';
import { gateSuite } from './gate-suite';

const TITLE_LINES = ['房屋租赁合同', '出租人（甲方）：华夏建设集团有限公司', '承租人（乙方）：华东建设公司'];
const CLAUSES = ['第一条 房屋坐落于上海市某区某路，建筑面积一百二十平方米。', '第二条 期限自二〇二六年一月一日起至十二月三十一日止。', '第三条 每月人民币五千元，按季度支付。'];

const suite = gateSuite('YJ-ANNOT-0001', 'yinjian-annot-');

/**
 * Clauses as the page's text layer, and a stamp annotation whose appearance draws `lines` in the
 * shipped font (`withoutToUnicode`: a copy of the font's dictionary without its ToUnicode map).
 */
async function annotated(lines: readonly string[], options: { flags?: number; withoutToUnicode?: boolean; scan?: Buffer; picture?: Buffer } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  if (options.scan) {
    // A scanned page (the whole page one image) instead of typed clauses.
    page.drawImage(await pdf.embedPng(options.scan), { x: 0, y: 0, width: 595.28, height: 841.89 });
  } else {
    let y = 500;
    for (const line of CLAUSES) {
      page.drawText(line, { x: 60, y, size: 12, font, color: rgb(0, 0, 0) });
      y -= 24;
    }
  }
  // The annotation's characters must be in the subset: encodeText below records them (a scan's
  // page keeps nothing but its image, as a scanner writes it: the direct OCR path's case). Below
  // the page, at a size the gate does not take for hidden text (under 2 pt, U2).
  if (!options.scan) page.drawText(lines.join(''), { x: 0, y: -100, size: 12, font });
  const ops = lines.map((l, i) => `BT /F1 ${i === 0 ? 26 : 14} Tf 20 ${150 - i * 40} Td ${font.encodeText(l).toString()} Tj ET`).join('\n');
  const resources = pdf.context.obj({ Font: { F1: font.ref } });
  const appearance = pdf.context.register(pdf.context.flateStream(ops, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 500, 200], Resources: resources }));
  let annotation = pdf.context.register(pdf.context.obj({ Type: 'Annot', Subtype: 'Stamp', Rect: [50, 600, 550, 800], F: options.flags ?? 4, AP: { N: appearance } }));
  if (options.picture) {
    // The lines as a picture (a page-sized image, the lines at its top) over the whole page.
    const image = await pdf.embedPng(options.picture);
    const picture = pdf.context.register(pdf.context.flateStream('q 595.28 0 0 841.89 0 0 cm /Im1 Do Q', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 595.28, 841.89], Resources: { XObject: { Im1: image.ref } } }));
    annotation = pdf.context.register(pdf.context.obj({ Type: 'Annot', Subtype: 'Stamp', Rect: [0, 0, 595.28, 841.89], F: options.flags ?? 4, AP: { N: picture } }));
  }
  page.node.set(PDFName.of('Annots'), pdf.context.obj([annotation]));
  const saved = await pdf.save({ useObjectStreams: false });
  if (!options.withoutToUnicode) return saved;
  // pdf-lib writes the font's dictionary at save: the copy without ToUnicode is made after.
  const again = await PDFDocument.load(saved);
  const fonts = again.context.lookup((again.context.lookup(appearance) as PDFRawStream).dict.get(PDFName.of('Resources')), PDFDict).lookup(PDFName.of('Font'), PDFDict);
  const original = fonts.lookup(PDFName.of('F1'), PDFDict);
  const copy = PDFDict.withContext(again.context);
  for (const [key, value] of original.entries()) if (key.asString() !== '/ToUnicode') copy.set(key, value);
  fonts.set(PDFName.of('F1'), again.context.register(copy));
  return again.save({ useObjectStreams: false });
}

const { outcome } = suite;

describe('annotations show what they draw (U2)', { timeout: 240_000 }, () => {
  it('exploit: a stamp annotation drawing a contract\'s title and parties above harmless clauses is refused; every viewer draws it', async () => {
    const pdf = await annotated(TITLE_LINES);
    // poppler draws the title: the top of the page has ink.
    writeFileSync(join(suite.work, 'a.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', '30', '-gray', join(suite.work, 'a.pdf'), join(suite.work, 'a')]);
    const pgm = readFileSync(join(suite.work, readdirSync(suite.work).find((f) => f.startsWith('a-') && f.endsWith('.pgm')) as string));
    const header = pgm.subarray(0, 40).toString('latin1').split(/\s+/u);
    const [width, height] = [Number(header[1]), Number(header[2])];
    const pixels = pgm.subarray(pgm.length - width * height);
    const topInk = pixels.subarray(Math.round(height * 0.08) * width, Math.round(height * 0.3) * width).filter((v) => v < 128).length;
    expect(topInk).toBeGreaterThan(50);
    // Our reader now has the annotation's text in the page's layer.
    const text = contentPageText(PdfDocument.open(pdf), 0)?.runs.map((r) => r.text).join('') ?? '';
    expect(text).toContain('房屋租赁合同');
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'annotated-contract.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('a hidden annotation is read too (a flag is one edit away from showing it)', async () => {
    const result = await outcome(suite.fx.request(suite.seal.seal, await annotated(TITLE_LINES, { flags: 2 }), 'hidden-annotation.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
  });

  it('in a font our reader cannot decode: the page is suspect and read by OCR with its annotations drawn', async () => {
    const pdf = await annotated(TITLE_LINES, { withoutToUnicode: true });
    expect(contentPageText(PdfDocument.open(pdf), 0)).toBeUndefined();
    expect(textLayerFacts(PdfDocument.open(pdf), 0).suspicions.map((s) => s.detail).join()).toMatch(/annotation appearances/u);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'annotation-no-tounicode.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });

  it('on a scanned page, in a font our reader cannot decode: the page is drawn for OCR with the annotation (not the scan alone)', async () => {
    // The clauses scanned lower on the page than the annotation's rectangle (blank lines first).
    // At 300 dpi, as scanners write: a plain scan our own decoder draws for OCR at 200 dpi (it
    // draws only downscaled images; a 150 dpi scan went to pdf.js's canvas, annotations or not,
    // and this test passed with the direct path's check removed).
    const clauses = await scanImage(await makePdf([[...Array.from({ length: 10 }, () => ({ text: ' ', size: 16 })), ...CLAUSES.map((text) => ({ text, size: 16 }))]]), 0, { dpi: 300 });
    const pdf = await annotated(TITLE_LINES, { withoutToUnicode: true, scan: clauses });
    // The same scan without the annotation is drawn directly; with it, pdf.js draws the page and the annotation.
    const bare = await PDFDocument.load(pdf);
    bare.getPage(0).node.delete(PDFName.of('Annots'));
    expect(drawnDirectly(PdfDocument.open(await bare.save({ useObjectStreams: false })), 0)).toBe(true);
    expect(drawnDirectly(PdfDocument.open(pdf), 0)).toBe(false);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'scan-annotation.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });

  it('exploit: a stamp annotation picturing the title and parties, printed but never on screen (flags Print, NoView), is read as printed', async () => {
    const picture = await fontScanImage(SYSTEM_CJK_FONTS[0] as SystemFont, TITLE_LINES.map((text, i) => ({ text, size: i === 0 ? 26 : 16 })), { dpi: 150 });
    const pdf = await annotated(TITLE_LINES, { flags: 4 | 32, picture });
    // poppler: nothing on screen (pdftoppm), the contract when printing (pdftocairo -pdf prints).
    writeFileSync(join(suite.work, 'print-annot.pdf'), pdf);
    execFileSync('pdftocairo', ['-pdf', join(suite.work, 'print-annot.pdf'), join(suite.work, 'print-annot-printed.pdf')]);
    const topInk = (file: string): number => {
      execFileSync('pdftoppm', ['-r', '30', '-gray', '-singlefile', join(suite.work, file), join(suite.work, 'top')]);
      const pgm = readFileSync(join(suite.work, 'top.pgm'));
      const [, width, height] = pgm.subarray(0, 40).toString('latin1').split(/\s+/u).map(Number) as [number, number, number];
      return pgm.subarray(pgm.length - width * height).subarray(0, Math.round(height * 0.25) * width).filter((v) => v < 128).length;
    };
    expect(topInk('print-annot.pdf')).toBe(0);
    expect(topInk('print-annot-printed.pdf')).toBeGreaterThan(50);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).layerViews?.map((view) => view.intent)).toEqual(['print']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'print-only-annotation.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('an annotation saying nothing forbidden (a reviewer\'s note) leaves the notice sealed', async () => {
    expect(await outcome(suite.fx.request(suite.seal.seal, await annotated(['已阅 同意报送']), 'noted-notice.pdf'))).toMatchObject({ code: 'sealed' });
  });
});

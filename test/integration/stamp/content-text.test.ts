/**
 * The gate's own text-layer reader (core/policy/content-text.ts, issue #13 budget) says what
 * pdf.js's text extraction says, line by line, on our documents and on third-party signed PDFs
 * (../shared/corpus); where it cannot decode a page it says so (undefined) and pdf.js reads it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { contentPageText, readPage } from '../../../src/main/core/policy/content-text';
import { textLines, type PageText } from '../../../src/main/core/policy/document-text';
import { pagesOf } from '../../../src/main/core/stamp/page-list';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { withEditedToUnicode } from '../../helpers/gate-documents';
import { NOTICE, makePdf } from './fixture';

const CORPUS = join(__dirname, '../../../../shared/corpus');

function lines(page: PageText): string[] {
  return textLines(page).map((l) => l.text.replace(/\s+/gu, ' ').trim()).filter((l) => l !== '');
}

/**
 * Every character of `part`'s lines among `whole`'s, in the same order (white space aside): an
 * annotation's text on a line's baseline joins that line, so lines need not match whole.
 */
function inOrder(part: readonly string[], whole: readonly string[]): boolean {
  const ours = whole.join('').replace(/\s+/gu, '');
  let at = 0;
  for (const ch of part.join('').replace(/\s+/gu, '')) {
    at = ours.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

async function compare(bytes: Uint8Array, maxPages = 3): Promise<{ same: number; fallback: number; differing: string[] }> {
  const document = PdfDocument.open(bytes);
  const reader = await new PdfJsTextReader({ ocr: false }).open(bytes, document);
  const out = { same: 0, fallback: 0, differing: [] as string[] };
  try {
    for (let i = 0; i < Math.min(maxPages, pagesOf(document).length); i++) {
      const ours = contentPageText(document, i);
      if (!ours) {
        out.fallback++;
        continue;
      }
      const theirs = await reader.page(i);
      // Positions agree too: the same lines (grouped by baseline) in the same order. What the
      // page's annotations show (a signature's appearance) is ours only: pdf.js's text has none
      // of it, so on such a page pdf.js's lines must be found among ours, in order.
      const annotated = readPage(document, i).facts.appearances > 0;
      if (lines(ours).join('\n') === lines(theirs).join('\n') || (annotated && inOrder(lines(theirs), lines(ours)))) out.same++;
      else out.differing.push(`page ${i + 1}: ${lines(ours).join(' | ').slice(0, 200)} ≠ ${lines(theirs).join(' | ').slice(0, 200)}`);
    }
  } finally {
    await reader.close();
  }
  return out;
}

describe('content-stream text reader (U2 gate, issue #13)', { timeout: 120_000 }, () => {
  it('reads our CJK documents as pdf.js does, an edited ToUnicode map included (the gate checks that map separately)', async () => {
    const contract = [{ text: '房屋租赁合同', size: 26 }, { text: '出租人（甲方）：华夏建设集团有限公司', size: 16 }, { text: 'Party A: Huaxia   Party B: Huadong', size: 12 }];
    const notice = await makePdf([NOTICE, contract]);
    expect(await compare(notice)).toEqual({ same: 2, fallback: 0, differing: [] });
    const edited = await withEditedToUnicode(await makePdf([contract]), '合同', '台间');
    expect(await compare(edited)).toEqual({ same: 1, fallback: 0, differing: [] });
    expect(lines(contentPageText(PdfDocument.open(edited), 0) as PageText)[0]).toBe('房屋租赁台间');
  });

  it.skipIf(!existsSync(CORPUS))('agrees with pdf.js on the third-party corpus, or hands the page to pdf.js', async () => {
    const files = (readdirSync(CORPUS, { recursive: true }) as string[]).filter((f) => f.endsWith('.pdf')).sort().slice(0, 30);
    let same = 0;
    const differing: string[] = [];
    for (const file of files) {
      let result;
      try {
        PdfDocument.open(readFileSync(join(CORPUS, file)));
        result = await compare(readFileSync(join(CORPUS, file)));
      } catch {
        continue; // a file our reader refuses is not a text question
      }
      same += result.same;
      differing.push(...result.differing.map((d) => `${file} ${d}`));
    }
    expect(differing).toEqual([]);
    expect(same).toBeGreaterThan(10);
  });
});

describe('images that can show text (U2: a page showing one is read by OCR too)', () => {
  async function withImage(pixels: [number, number], drawn: [number, number]): Promise<number> {
    const { PDFDocument } = await import('pdf-lib');
    const { createCanvas } = await import('@napi-rs/canvas');
    const canvas = createCanvas(pixels[0], pixels[1]);
    const context = canvas.getContext('2d');
    context.fillStyle = '#808080';
    context.fillRect(0, 0, pixels[0], pixels[1]);
    const pdf = await PDFDocument.create();
    const page = pdf.addPage([595.28, 841.89]);
    page.drawImage(await pdf.embedPng(canvas.toBuffer('image/png')), { x: 50, y: 400, width: drawn[0], height: drawn[1] });
    return textLayerFacts(PdfDocument.open(await pdf.save({ useObjectStreams: false })), 0).textImages;
  }

  it('counts an image drawn at least 6 pt in both directions with at least 8 pixels in both', async () => {
    expect(await withImage([200, 40], [200, 40])).toBe(1);
    expect(await withImage([200, 40], [200, 6])).toBe(1);
    // Too thin on the page (a rule), too few pixels (a stretched dot): no character fits.
    expect(await withImage([200, 40], [200, 5])).toBe(0);
    expect(await withImage([4, 4], [300, 300])).toBe(0);
  });
});

describe('glyphs that do not advance along the line (U2)', () => {
  /** A page whose content is `raw` (the shipped font as /F), with the glyphs of `chars` in the font's subset. */
  async function rawPage(chars: string, raw: (hex: (text: string) => string, font: string) => string): Promise<Uint8Array> {
    const { PDFDocument, PDFName, PDFOperator } = await import('pdf-lib');
    const { embedShippedFontSubset } = await import('../../../src/main/core/appearance/index');
    const { shippedFont } = await import('./fixture');
    const pdf = await PDFDocument.create();
    const font = await embedShippedFontSubset(pdf, shippedFont());
    const page = pdf.addPage([595.28, 841.89]);
    // The glyphs drawn once off the page, so the subset has them (and the page names the font).
    page.drawText(chars, { x: 0, y: -100, size: 1, font });
    const fonts = page.node.Resources()?.lookup(PDFName.of('Font'));
    const name = [...((fonts as unknown as { keys(): Iterable<{ asString(): string }> }).keys())][0]?.asString().slice(1) as string;
    page.pushOperators(PDFOperator.of(raw((text) => font.encodeText(text).toString(), name) as never));
    return pdf.save({ useObjectStreams: false });
  }

  /** The page's lines on the page (the subset's glyphs drawn below it left out). */
  const shown = (pdf: Uint8Array): string[] => textLines(contentPageText(PdfDocument.open(pdf), 0) as PageText).filter((l) => l.y > 0).map((l) => l.text);

  it('exploit: a title written backwards with a negative character spacing (every viewer draws 房屋租赁合同) reads in the page\'s order', async () => {
    // 26 pt glyphs, Tc −52: each glyph starts one em left of the one before it in the string.
    const pdf = await rawPage('房屋租赁合同', (hex, font) => `BT /${font} 26 Tf 400 700 Td -52 Tc ${hex('同合赁租屋房')} Tj ET`);
    expect(shown(pdf)).toEqual(['房屋租赁合同']);
    const { classifyDocumentText } = await import('../../../src/main/core/policy/document-type');
    expect(classifyDocumentText([contentPageText(PdfDocument.open(pdf), 0) as PageText])).toMatchObject({ forbidden: true, term: '合同' });
  });

  it('exploit: the same with TJ moving back after each glyph', async () => {
    const pdf = await rawPage('房屋租赁合同', (hex, font) => `BT /${font} 26 Tf 400 700 Td [${[...'同合赁租屋房'].map((c) => hex(c)).join(' 2000 ')}] TJ ET`);
    expect(shown(pdf)).toEqual(['房屋租赁合同']);
  });

  it('ordinary kerning (small moves back) keeps one run', async () => {
    const pdf = await rawPage('房屋通知', (hex, font) => `BT /${font} 26 Tf 100 700 Td [${hex('房屋')} 40 ${hex('通知')}] TJ ET`);
    const page = contentPageText(PdfDocument.open(pdf), 0) as PageText;
    expect(page.runs.filter((r) => r.text.trim() !== '').map((r) => r.text)).toContain('房屋通知');
  });
});

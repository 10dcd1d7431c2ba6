/**
 * U2 on what a person sees (issue 13), through the real pipeline: pdf.js renders on
 * @napi-rs/canvas, tesseract.js reads with the packaged chi_sim/chi_tra/eng models, offline.
 * A bounded slice (a handful of pages); the full corpus and its confusion table are
 * `npm run gate-corpus` (test/corpus/gate-corpus.test.ts).
 *
 * Exploits kept as tests: an image-only contract, a contract whose ToUnicode map was edited
 * (0 pixels differ, checked with pdftoppm), and a scan under an invisible text layer that
 * says "notice" were all sealed before.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { drawnDirectly } from '../../../src/main/infra/ocr/page-render';
import { acquireSharedOcr } from '../../../src/main/infra/ocr/tesseract-ocr';
import { gateDocumentText } from '../../../src/main/core/policy/page-gate';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { YinjianError } from '../../../src/shared/errors/index';
import { SYSTEM_CJK_FONTS, fontScanImage, imagePdf, noisePdf, scanImage, scanWithInvisibleLayer, withEditedToUnicode, type SystemFont } from '../../helpers/gate-documents';
import { NOTICE, makePdf, shippedFont } from './fixture';
import { gateSuite } from './gate-suite';

const CONTRACT = [
  { text: '房屋租赁合同', size: 26 },
  { text: '出租人（甲方）：华夏建设集团有限公司', size: 16 },
  { text: '承租人（乙方）：华东建设公司', size: 16 },
  { text: '第一条 房屋坐落于上海市某区某路。', size: 16 },
];

const suite = gateSuite('YJ-OCR-0001', 'yinjian-ocr-test-');

const { outcome } = suite;

describe('the gate reads scans by OCR (U2)', { timeout: 240_000 }, () => {
  it('exploit: an image-only contract (a scan, slightly turned and speckled) is refused naming the page', async () => {
    const scan = await imagePdf([await scanImage(await makePdf([CONTRACT]), 0, { dpi: 150, skew: 0.8, noise: 0.0005 })]);
    const result = await outcome(suite.fx.request(suite.seal.seal, scan, 'scan-contract.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('the image-only contract as office scanners store it (a 300 dpi JPEG, baseline or progressive, read by our own decoder; a 1-bit scan) is refused naming the page', async () => {
    const image = await scanImage(await makePdf([CONTRACT]), 0, { dpi: 300, skew: 0.8, noise: 0.0005 });
    for (const format of ['jpeg', 'progressive', 'bilevel'] as const) {
      const scan = await imagePdf([image], { format });
      // The JPEG pages take the direct path (jpeg-rows.ts), not pdf.js's decoder.
      expect(drawnDirectly(PdfDocument.open(scan), 0), format).toBe(format !== 'bilevel');
      const result = await outcome(suite.fx.request(suite.seal.seal, scan, `scan-contract-${format}.pdf`));
      expect(result.code, format).toBe('DOCUMENT_CONTENT_FORBIDDEN');
      expect(result.error?.params, format).toMatchObject({ term: '合同', page: 1 });
    }
  });

  it('a scanned notice that mentions a contract is sealed, its page read by OCR', async () => {
    const scan = await imagePdf([await scanImage(await makePdf([NOTICE.map((l) => ({ ...l, size: Math.max(l.size, 16) }))]), 0, { dpi: 150 })]);
    expect(await outcome(suite.fx.request(suite.seal.seal, scan, 'scan-notice.pdf'))).toMatchObject({ code: 'sealed', ocrPages: [1] });
  });

  it('a page of noise is SCANNED_PAGE_UNREADABLE, naming the page and why', async () => {
    const cover = await makePdf([NOTICE]);
    const noise = await noisePdf();
    // A text cover page then the unreadable scan as page 2.
    const { PDFDocument } = await import('pdf-lib');
    const merged = await PDFDocument.load(cover);
    const [copied] = await merged.copyPages(await PDFDocument.load(noise), [0]);
    merged.addPage(copied);
    const result = await outcome(suite.fx.request(suite.seal.seal, await merged.save({ useObjectStreams: false }), 'noise.pdf'));
    expect(result.code).toBe('SCANNED_PAGE_UNREADABLE');
    expect(result.error?.params).toMatchObject({ page: 2 });
    expect(String(result.error?.params?.['why'])).toMatch(/OCR/u);
  });
});

/**
 * A page: `png` drawn `width` points wide at the top (its aspect kept), and `clauses` as a
 * visible text layer from `clausesFrom` points below the top.
 */
async function pictureAboveText(png: Buffer, width: number, clauses: readonly string[], clausesFrom: number): Promise<Uint8Array> {
  const { PDFDocument, rgb } = await import('pdf-lib');
  const { embedShippedFontSubset } = await import('../../../src/main/core/appearance/index');
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  const image = await pdf.embedPng(png);
  const height = (width * image.height) / image.width;
  page.drawImage(image, { x: (595.28 - width) / 2, y: 841.89 - height, width, height });
  let y = 841.89 - clausesFrom;
  for (const line of clauses) {
    page.drawText(line, { x: 72, y, size: 12, font, color: rgb(0, 0, 0) });
    y -= 24;
  }
  return pdf.save({ useObjectStreams: false });
}

describe('pictures beside a text layer (U2)', { timeout: 240_000 }, () => {
  const CLAUSES = ['第一条 房屋坐落于上海市某区某路，建筑面积一百二十平方米。', '第二条 期限自二〇二六年一月一日起至十二月三十一日止。', '第三条 每月人民币五千元，按季度支付。'];

  it('exploit: a contract\'s title and parties pasted in as a picture above harmless clauses in the text layer are refused', async () => {
    // Before: the layer (three clauses, no title, no parties) was trusted and the page sealed unread.
    // The contract's first lines scanned (a whole A4 image, blank below them), the clauses typed under them.
    const title = await fontScanImage(SYSTEM_CJK_FONTS[0] as SystemFont, CONTRACT.slice(0, 3), { dpi: 150 });
    const pdf = await pictureAboveText(title, 595.28, CLAUSES, 400);
    expect(textLayerFacts(PdfDocument.open(pdf), 0)).toMatchObject({ textImages: 1, suspicions: [] });
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'pictured-title.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('exploit: the title and parties drawn as outlines (filled paths, no text) above harmless clauses are refused', async () => {
    const pdf = await outlinedAboveText(CONTRACT.slice(0, 3).map((l) => ({ text: l.text, size: l.size })), CLAUSES);
    const facts = textLayerFacts(PdfDocument.open(pdf), 0);
    expect(facts).toMatchObject({ textImages: 0, suspicions: [] });
    expect(facts.outlineSegments).toBeGreaterThan(100);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'outlined-title.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('exploit: the same outlines made of straight segments only (every curve flattened) are refused', async () => {
    const pdf = await outlinedAboveText(CONTRACT.slice(0, 3).map((l) => ({ text: l.text, size: l.size })), CLAUSES, { straight: true });
    expect(textLayerFacts(PdfDocument.open(pdf), 0)).toMatchObject({ textImages: 0, suspicions: [] });
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'outlined-straight.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('a notice under a picture without words (a letterhead emblem) is sealed, its page read by OCR', async () => {
    const emblem = await noiseFreeEmblem();
    const pdf = await pictureAboveText(emblem, 120, NOTICE.map((l) => l.text), 120);
    expect(await outcome(suite.fx.request(suite.seal.seal, pdf, 'emblem-notice.pdf'))).toMatchObject({ code: 'sealed', ocrPages: [1] });
  });
});

/** `lines` drawn as filled outlines of the shipped font's glyphs (no text operators), `clauses` as text below. */
async function outlinedAboveText(lines: readonly { text: string; size: number }[], clauses: readonly string[], options: { straight?: boolean } = {}): Promise<Uint8Array> {
  const { PDFDocument, rgb, pushGraphicsState, popGraphicsState, moveTo, lineTo, appendBezierCurve, closePath, fill, setFillingGrayscaleColor } = await import('pdf-lib');
  const fontkit = (await import('@pdf-lib/fontkit')).default;
  const { embedShippedFontSubset } = await import('../../../src/main/core/appearance/index');
  type Command = { command: string; args: number[] };
  const face = fontkit.create(Buffer.from(shippedFont())) as unknown as { unitsPerEm: number; layout(text: string): { glyphs: { path: { commands: Command[] }; advanceWidth: number }[] } };
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  const ops = [pushGraphicsState(), setFillingGrayscaleColor(0)];
  let y = 841.89 - 90;
  for (const line of lines) {
    const k = line.size / face.unitsPerEm;
    let x = 80;
    for (const glyph of face.layout(line.text).glyphs) {
      let cx = 0;
      let cy = 0;
      const at = (u: number, v: number): [number, number] => [x + u * k, y + v * k];
      for (const { command, args } of glyph.path.commands) {
        if (command === 'moveTo') ops.push(moveTo(...at(args[0] as number, args[1] as number)));
        else if (command === 'lineTo') ops.push(lineTo(...at(args[0] as number, args[1] as number)));
        else if (command === 'bezierCurveTo' && options.straight) {
          // The curve as four straight segments (a polygon outline: no curve operator at all).
          const [x1, y1, x2, y2, x3, y3] = args as [number, number, number, number, number, number];
          for (const u of [0.25, 0.5, 0.75, 1]) {
            const v = 1 - u;
            ops.push(lineTo(...at(v * v * v * cx + 3 * v * v * u * x1 + 3 * v * u * u * x2 + u * u * u * x3, v * v * v * cy + 3 * v * v * u * y1 + 3 * v * u * u * y2 + u * u * u * y3)));
          }
        } else if (command === 'bezierCurveTo') ops.push(appendBezierCurve(...at(args[0] as number, args[1] as number), ...at(args[2] as number, args[3] as number), ...at(args[4] as number, args[5] as number)));
        else if (command === 'quadraticCurveTo' && options.straight) {
          const [qx, qy, ex, ey] = args as [number, number, number, number];
          for (const u of [0.25, 0.5, 0.75, 1]) {
            const v = 1 - u;
            ops.push(lineTo(...at(v * v * cx + 2 * v * u * qx + u * u * ex, v * v * cy + 2 * v * u * qy + u * u * ey)));
          }
        } else if (command === 'quadraticCurveTo') {
          const [qx, qy, ex, ey] = args as [number, number, number, number];
          ops.push(appendBezierCurve(...at(cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy)), ...at(ex + (2 / 3) * (qx - ex), ey + (2 / 3) * (qy - ey)), ...at(ex, ey)));
        } else if (command === 'closePath') ops.push(closePath());
        if (args.length >= 2) [cx, cy] = [args[args.length - 2] as number, args[args.length - 1] as number];
      }
      ops.push(fill());
      x += glyph.advanceWidth * k;
    }
    y -= line.size * 2;
  }
  ops.push(popGraphicsState());
  page.pushOperators(...ops);
  y = 841.89 - 400;
  for (const line of clauses) {
    page.drawText(line, { x: 72, y, size: 12, font, color: rgb(0, 0, 0) });
    y -= 24;
  }
  return pdf.save({ useObjectStreams: false });
}

/** A plain emblem (a red ring and bar) as a PNG, drawn with the test canvas. */
async function noiseFreeEmblem(): Promise<Buffer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const canvas = createCanvas(240, 120);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, 240, 120);
  context.strokeStyle = '#c00000';
  context.lineWidth = 8;
  context.beginPath();
  context.arc(60, 60, 40, 0, Math.PI * 2);
  context.stroke();
  context.fillStyle = '#c00000';
  context.fillRect(120, 52, 100, 16);
  return canvas.toBuffer('image/png');
}

describe('a text layer that does not say what is drawn (U2)', { timeout: 240_000 }, () => {
  it('exploit: a contract whose ToUnicode map was edited (合→台, 同→司) draws the same pixels and is refused', async () => {
    // The whole font embedded (with its own cmap), as office suites embed fonts.
    const original = await makePdf([CONTRACT], { fullFont: true });
    const edited = await withEditedToUnicode(original, '合同', '台司');
    // Every renderer still draws 合同: pdftoppm's pixels of both files are identical.
    writeFileSync(join(suite.work, 'a.pdf'), original);
    writeFileSync(join(suite.work, 'b.pdf'), edited);
    execFileSync('pdftoppm', ['-r', '50', '-gray', join(suite.work, 'a.pdf'), join(suite.work, 'a')]);
    execFileSync('pdftoppm', ['-r', '50', '-gray', join(suite.work, 'b.pdf'), join(suite.work, 'b')]);
    const a = readFileSync(join(suite.work, readdirSync(suite.work).find((f) => f.startsWith('a-') && f.endsWith('.pgm')) as string));
    const b = readFileSync(join(suite.work, readdirSync(suite.work).find((f) => f.startsWith('b-') && f.endsWith('.pgm')) as string));
    expect(a.length).toBeGreaterThan(1000);
    expect(Buffer.compare(a, b)).toBe(0);
    // Extraction no longer yields 合同 …
    const source = await new PdfJsTextReader({ ocr: false }).open(edited);
    const text = (await source.page(0)).runs.map((r) => r.text).join('');
    await source.close();
    expect(text).not.toContain('合同');
    expect(text).toContain('台司');
    // … the layer's own facts give it away, and the gate reads the page by OCR.
    expect(textLayerFacts(PdfDocument.open(edited), 0).suspicions.map((s) => s.kind)).toContain('to-unicode-mismatch');
    expect(textLayerFacts(PdfDocument.open(original), 0).suspicions).toEqual([]);
    const result = await outcome(suite.fx.request(suite.seal.seal, edited, 'edited-tounicode.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });

  it('exploit: a scanned contract under an invisible text layer that reads as a notice is TEXT_LAYER_MISMATCH', async () => {
    const png = await scanImage(await makePdf([CONTRACT]), 0, { dpi: 150 });
    const overlaid = await scanWithInvisibleLayer(png, ['关于报送用款计划的通知', '各部门：', '现将有关事项通知如下。']);
    expect(textLayerFacts(PdfDocument.open(overlaid), 0).suspicions.map((s) => s.kind)).toContain('invisible-text');
    const result = await outcome(suite.fx.request(suite.seal.seal, overlaid, 'invisible.pdf'));
    expect(result.code).toBe('TEXT_LAYER_MISMATCH');
    expect(result.error?.params).toMatchObject({ page: 1, layer: '—', shown: '合同' });
  });
});

describe('one OCR engine for the process, stopped and started again (U2)', { timeout: 240_000 }, () => {
  it('a second document reads with the same engine; a stop during OCR ends it and the next document starts it again', async () => {
    const first = acquireSharedOcr();
    const second = acquireSharedOcr();
    expect(second.engine).toBe(first.engine);
    first.release();
    second.release();
    // Three scanned pages: stopped while OCR runs (the worker is ended under its job), the check answers STAMP_BATCH_STOPPED.
    const page = await scanImage(await makePdf([NOTICE.map((l) => ({ ...l, size: Math.max(l.size, 16) }))]), 0, { dpi: 150 });
    const scan = await imagePdf([page, page, page]);
    const controller = new AbortController();
    const document = PdfDocument.open(scan);
    const source = await new PdfJsTextReader().open(scan, document);
    const pagesRead: number[] = [];
    let stopped = '';
    try {
      await gateDocumentText(
        { pageCount: source.pageCount, layer: (i) => source.page(i), facts: (i) => textLayerFacts(document, i), ...(source.ocr ? { ocr: source.ocr } : {}) },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.current !== undefined) pagesRead.push(p.current);
            if (p.current === 1) setTimeout(() => controller.abort(), 300);
          },
        },
      );
    } catch (error) {
      stopped = error instanceof YinjianError ? error.code : String(error);
    } finally {
      await source.close();
    }
    expect(stopped).toBe('STAMP_BATCH_STOPPED');
    expect(pagesRead[0]).toBe(1);
    expect(pagesRead.length).toBeLessThan(3);
    // The next document: the engine starts a new worker and reads.
    const again = await outcome(suite.fx.request(suite.seal.seal, await imagePdf([page]), 'after-stop.pdf'));
    expect(again).toMatchObject({ code: 'sealed', ocrPages: [1] });
  });
});

/**
 * U2 page gate decisions (core/policy/page-gate.ts) on hand-made pages. The OCR results here
 * stand in for tesseract only to reach decisions a real scan reaches slowly (order, stop, the
 * custodian's confirmation); real OCR runs in test/integration/stamp/ocr-gate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { gateDocumentText, type GatePageSource, type OcrPageText } from '../../../src/main/core/policy/page-gate';
import type { PageText } from '../../../src/main/core/policy/index';
import type { TextLayerFacts } from '../../../src/main/core/policy/text-layer';
import { YinjianError } from '../../../src/shared/errors/index';

const A4 = { x: 0, y: 0, width: 595, height: 842 };
const page = (pageIndex: number, lines: readonly [string, number][]): PageText => ({
  pageIndex,
  box: A4,
  runs: lines.map(([text, size], i) => ({ text, x: 72, y: 780 - i * 30, width: text.length * size, fontSize: size })),
});
const NOTICE = (i: number) => page(i, [['关于报送用款计划的通知', 22], ['各部门：', 12], ['请于七月十日前报送用款计划。', 12]]);
const CLEAN: TextLayerFacts = { images: 0, textImages: 0, outlineSegments: 0, textShows: 3, type3Shows: 0, suspicions: [] };
const SCAN: TextLayerFacts = { images: 1, textImages: 1, outlineSegments: 0, textShows: 0, type3Shows: 0, suspicions: [] };

function source(layers: PageText[], facts: TextLayerFacts[], ocr?: (i: number) => OcrPageText): GatePageSource & { ocrCalls: number[] } {
  const calls: number[] = [];
  return {
    pageCount: layers.length,
    layer: async (i) => layers[i] as PageText,
    facts: (i) => facts[i] as TextLayerFacts,
    ...(ocr ? { ocr: async (i: number) => (calls.push(i), ocr(i)) } : {}),
    ocrCalls: calls,
  };
}
const read = (text: PageText, confidence = 90): OcrPageText => ({ text, confidence, inkRatio: 0.05, characters: 40 });

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
    return 'passed';
  } catch (error) {
    return error instanceof YinjianError ? error.code : String(error);
  }
}

describe('page gate (U2): images beside a trusted text layer', () => {
  // The exploit (ocr-gate.test.ts with real OCR): a contract's title and parties pasted in as a
  // picture, harmless clauses as the text layer; the layer alone was trusted and the page sealed.
  const CLAUSES = (i: number) => page(i, [['第一条 房屋坐落于上海市某区某路。', 12], ['第二条 租金每月人民币五千元。', 12], ['第三条 双方应遵守各项约定。', 12]]);
  const PICTURED: TextLayerFacts = { images: 1, textImages: 1, outlineSegments: 0, textShows: 3, type3Shows: 0, suspicions: [] };
  const LOGO_TOO_SMALL: TextLayerFacts = { images: 1, textImages: 0, outlineSegments: 0, textShows: 3, type3Shows: 0, suspicions: [] };
  const TITLE = (i: number) => page(i, [['房屋租赁合同', 26]]);

  it('a page with a text-capable image is read by OCR too, and what the image shows refuses', async () => {
    const s = source([CLAUSES(0)], [PICTURED], (i) => read(TITLE(i)));
    const error = await gateDocumentText(s).catch((e: YinjianError) => e);
    expect((error as YinjianError).code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect((error as YinjianError).params).toMatchObject({ page: 1, term: '合同' });
    expect(s.ocrCalls).toEqual([0]);
  });
  it('both readings count: 甲方 in the picture with 乙方 in the layer is a contract', async () => {
    const layer = page(0, [['关于房屋使用的说明', 22], ['乙方：华东建设公司', 12], ['第一条 房屋坐落于上海市某区某路。', 12]]);
    // OCR (here) reads only the picture's line, below the layer's three: neither reading alone is a contract.
    const pictured = page(0, [['甲方：华夏建设集团有限公司', 12]]);
    const s = source([layer], [PICTURED], () => read({ ...pictured, runs: pictured.runs.map((r) => ({ ...r, y: 690 })) }));
    expect(await codeOf(gateDocumentText(s))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
  });
  it('the layer stands where OCR reads a picture poorly (a photograph): allowed, listed as read by OCR', async () => {
    const s = source([NOTICE(0)], [PICTURED], (i) => read(page(i, [['~ ~', 12]]), 20));
    const result = await gateDocumentText(s);
    expect(result.ocrPages).toEqual([1]);
    expect(result.pages[0]?.runs.map((r) => r.text)).toContain('关于报送用款计划的通知');
  });
  it('a forbidden word OCR reads in doubt in the picture is not let through', async () => {
    const s = source([NOTICE(0)], [PICTURED], (i) => ({ ...read(page(i, [['租赁合同', 26]]), 90), lineConfidence: [40] }));
    // The title alone, read with confidence 40, is a title: the page refuses as a contract, or stays in doubt.
    expect(['DOCUMENT_CONTENT_FORBIDDEN', 'SCANNED_PAGE_UNREADABLE']).toContain(await codeOf(gateDocumentText(s)));
  });
  it('words drawn as outlines (many outline segments) beside the layer are read by OCR too; a few (a ring) are not', async () => {
    const OUTLINED: TextLayerFacts = { images: 0, textImages: 0, outlineSegments: 180, textShows: 3, type3Shows: 0, suspicions: [] };
    const RING: TextLayerFacts = { images: 0, textImages: 0, outlineSegments: 8, textShows: 3, type3Shows: 0, suspicions: [] };
    const s = source([CLAUSES(0), NOTICE(1)], [OUTLINED, RING], (i) => read(TITLE(i)));
    expect(await codeOf(gateDocumentText(s))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(s.ocrCalls).toEqual([0]);
  });
  it('no text-capable image (none, or too small to show a character): no OCR', async () => {
    const s = source([NOTICE(0), NOTICE(1)], [CLEAN, LOGO_TOO_SMALL], () => read(TITLE(0)));
    expect(await codeOf(gateDocumentText(s))).toBe('passed');
    expect(s.ocrCalls).toEqual([]);
  });
});

describe('page gate (U2)', () => {
  it('refuses on a trusted layer before any OCR runs', async () => {
    const s = source([page(0, [['采购合同', 22]]), page(1, [])], [CLEAN, SCAN], () => read(NOTICE(1)));
    expect(await codeOf(gateDocumentText(s))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(s.ocrCalls).toEqual([]);
  });
  it('reads an empty page by OCR and refuses what it shows, naming the page', async () => {
    const s = source([NOTICE(0), page(1, [])], [CLEAN, SCAN], (i) => read(page(i, [['技术服务合同', 22], ['甲方：某公司', 12], ['乙方：某公司', 12]])));
    const error = await gateDocumentText(s).catch((e: YinjianError) => e);
    expect(error).toBeInstanceOf(YinjianError);
    expect((error as YinjianError).params).toMatchObject({ page: 2, term: '合同' });
  });
  it('without an OCR engine a page with no text layer is SCANNED_PAGE_UNREADABLE', async () => {
    expect(await codeOf(gateDocumentText(source([page(0, [])], [SCAN])))).toBe('SCANNED_PAGE_UNREADABLE');
  });
  it('a low-confidence page is unreadable unless the custodian confirmed a scanned document (then listed)', async () => {
    const s = () => source([NOTICE(0), page(1, [])], [CLEAN, SCAN], (i) => read(page(i, [['某某某某', 12]]), 31));
    expect(await codeOf(gateDocumentText(s()))).toBe('SCANNED_PAGE_UNREADABLE');
    const result = await gateDocumentText(s(), { scannedConfirmed: true });
    expect(result.unreadablePages).toEqual([2]);
    expect(result.ocrPages).toEqual([2]);
  });
  it('office allows scanned documents, custodian has not confirmed: every page is still read, a later contract refuses as such, else confirmation is required naming the pages', async () => {
    const blur = (i: number) => read(page(i, [['某某某某', 12]]), 31);
    const unconfirmed = source([NOTICE(0), page(1, []), page(2, [])], [CLEAN, SCAN, SCAN], blur);
    const error = await gateDocumentText(unconfirmed, { scannedAllowed: true }).catch((e: YinjianError) => e);
    expect((error as YinjianError).code).toBe('SCANNED_PAGE_CONFIRMATION_REQUIRED');
    expect((error as YinjianError).params).toMatchObject({ page: '2, 3' });
    expect(unconfirmed.ocrCalls).toEqual([1, 2]);
    const contractLater = source([NOTICE(0), page(1, []), page(2, [])], [CLEAN, SCAN, SCAN], (i) => (i === 1 ? blur(i) : read(page(i, [['技术服务合同', 22], ['甲方：某公司', 12], ['乙方：某公司', 12]]))));
    expect(await codeOf(gateDocumentText(contractLater, { scannedAllowed: true }))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(await codeOf(gateDocumentText(contractLater, { scannedAllowed: true, scannedConfirmed: true }))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    const confirmed = await gateDocumentText(source([NOTICE(0), page(1, []), page(2, [])], [CLEAN, SCAN, SCAN], blur), { scannedAllowed: true, scannedConfirmed: true });
    expect(confirmed.unreadablePages).toEqual([2, 3]);
  });
  it('a line read with little confidence that holds a forbidden word leaves the page in doubt, though the page reads well enough (the AR PL UKai contract scan of the gate corpus)', async () => {
    // As tesseract read that scan: the title's end and both parties misread, page mean 65.
    const ukai = page(1, [['“房屋租賃合同一 oo', 22], ['(TH)：某某有限公司', 12], ['己方：某某商贸有限公司', 12], ['第一条 租赁房屋位于某某路某号。', 12]]);
    const scan = (lineConfidence: number[]) => source([NOTICE(0), page(1, [])], [CLEAN, SCAN], () => ({ ...read(ukai, 65), lineConfidence }));
    const error = await gateDocumentText(scan([48, 70, 66, 80])).catch((e: YinjianError) => e);
    expect((error as YinjianError).code).toBe('SCANNED_PAGE_UNREADABLE');
    expect((error as YinjianError).params).toMatchObject({ page: 2 });
    expect(String((error as YinjianError).params?.['why'])).toContain('合同');
    // The office allows scans: the custodian's confirmation is required for that page, and audited.
    expect(await codeOf(gateDocumentText(scan([48, 70, 66, 80]), { scannedAllowed: true }))).toBe('SCANNED_PAGE_CONFIRMATION_REQUIRED');
    // The same line read with confidence: the classifier alone decides (this mention is no title).
    expect(await codeOf(gateDocumentText(scan([90, 70, 66, 80])))).toBe('passed');
    // A doubtful line without a forbidden word does not make a readable page doubtful.
    expect(await codeOf(gateDocumentText(scan([90, 30, 66, 80])))).toBe('passed');
  });
  it('a page in doubt for a forbidden word still counts with what it was read as: both parties on it and the next page refuse, confirmed or not', async () => {
    // Page 2 reads well on the whole (mean 70) but holds 合同 in a line read at 45; 甲方 is on it,
    // 乙方 on page 3. Read so, the document is a contract however the custodian confirms (before
    // the fix, the page in doubt was left out of the document's reading: confirmed, it was sealed).
    const parties = (doubt: number) =>
      source([NOTICE(0), page(1, []), page(2, [])], [CLEAN, SCAN, SCAN], (i) =>
        i === 1
          ? { ...read(page(i, [['甲方：某某有限公司', 12], ['本合同一式两份，双方各执一份。', 12]]), 70), lineConfidence: [90, doubt] }
          : { ...read(page(i, [['乙方：某某商贸有限公司', 12], ['地址：某某路某号', 12]]), 88), lineConfidence: [88, 88] },
      );
    expect(await codeOf(gateDocumentText(parties(90), { scannedAllowed: true, scannedConfirmed: true }))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(await codeOf(gateDocumentText(parties(45)))).toBe('SCANNED_PAGE_UNREADABLE');
    expect(await codeOf(gateDocumentText(parties(45), { scannedAllowed: true }))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(await codeOf(gateDocumentText(parties(45), { scannedAllowed: true, scannedConfirmed: true }))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
  });
  it('a suspect layer and OCR that disagree on a forbidden kind is TEXT_LAYER_MISMATCH, either way', async () => {
    const suspect: TextLayerFacts = { images: 0, textImages: 0, outlineSegments: 0, textShows: 3, type3Shows: 0, suspicions: [{ kind: 'invisible-text', detail: '3 invisible text operations' }] };
    const hidesContract = source([NOTICE(0)], [suspect], (i) => read(page(i, [['房屋租赁合同', 22]])));
    expect(await codeOf(gateDocumentText(hidesContract))).toBe('TEXT_LAYER_MISMATCH');
    const plantsContract = source([page(0, [['房屋租赁合同', 22]])], [suspect], () => read(NOTICE(0)));
    expect(await codeOf(gateDocumentText(plantsContract))).toBe('TEXT_LAYER_MISMATCH');
    const agrees = source([NOTICE(0)], [suspect], () => read(NOTICE(0)));
    expect(await codeOf(gateDocumentText(agrees))).toBe('passed');
  });
  it('reports progress page by page and stops when asked', async () => {
    const controller = new AbortController();
    const pages = Array.from({ length: 10 }, (_, i) => page(i, []));
    const s = source(pages, pages.map(() => SCAN), (i) => read(NOTICE(i)));
    const seen: number[] = [];
    const code = await codeOf(
      gateDocumentText(s, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.current !== undefined) seen.push(p.current);
          if (p.ocrDone === 3) controller.abort();
        },
      }),
    );
    expect(code).toBe('STAMP_BATCH_STOPPED');
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(s.ocrCalls).toEqual([0, 1, 2]);
  });
});

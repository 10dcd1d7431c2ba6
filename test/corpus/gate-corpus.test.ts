/**
 * The U2 gate's corpus (issue 13): documents of our own, made here by test code, each with the
 * verdict a careful custodian expects, run through the real gate (pdf.js text layer, layer
 * integrity facts, pdf.js + @napi-rs/canvas rendering, tesseract.js OCR). Prints the confusion
 * table (refused/allowed vs expected) and fails on any forbidden document let through.
 *
 * OCR is slow on shared CPUs: this runs only as `npm run gate-corpus` (GATE_CORPUS=1); the
 * bounded slice in `npm test` is test/integration/stamp/ocr-gate.test.ts.
 */
import { existsSync } from 'node:fs';
import { PDFDocument, TextRenderingMode, rgb, setLineWidth, setTextRenderingMode } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../src/main/core/appearance/index';
import { PdfDocument } from '../../src/main/core/pdf/index';
import { gateDocumentText } from '../../src/main/core/policy/page-gate';
import { textLayerFacts } from '../../src/main/core/policy/text-layer';
import { closeSharedOcr } from '../../src/main/infra/ocr/tesseract-ocr';
import { PdfJsTextReader } from '../../src/main/infra/stamp/pdfjs-text';
import { YinjianError } from '../../src/shared/errors/index';
import { SYSTEM_CJK_FONTS, fontScanImage, imagePdf, scanImage, scanWithInvisibleLayer, withEditedToUnicode, type SystemFont } from '../helpers/gate-documents';
import { NOTICE, makePdf, shippedFont, type TextLineSpec } from '../integration/stamp/fixture';

type Lines = readonly TextLineSpec[];
const L = (text: string, size = 16): TextLineSpec => ({ text, size });

const CONTRACT: Lines = [L('房屋租赁合同', 26), L('出租人（甲方）：华夏建设集团有限公司'), L('承租人（乙方）：华东建设公司'), L('第一条 房屋坐落于上海市某区某路。')];
const TRAD_CONTRACT: Lines = [L('鋼材買賣合同', 26), L('買方：華夏建設集團有限公司'), L('賣方：華東鋼鐵有限公司'), L('第一條 標的與數量')];
const AGREEMENT_EN: Lines = [L('SERVICE AGREEMENT', 26), L('Party A: Huaxia Construction Group'), L('Party B: East China Steel Ltd.'), L('1. Scope of services')];
// Issue 13 review: English titles with a number or page after them were sealed; an English notice that
// mentions contracts and buyers in sentences must stay allowed.
const AGREEMENT_NO_EN: Lines = [L('SERVICE AGREEMENT No.1', 26), L('1. Scope of services'), L('2. Term of the agreement')];
const LEASE_PAGE_EN: Lines = [L('LEASE CONTRACT  page 1', 20), L('1. The premises'), L('2. Rent and payment')];
const NOTICE_EN: Lines = [L('Notice on Strengthening Contract Management', 20), L('To all departments:'), L('The agreement signed last year remains in force.'), L('Buyer shall pay within ten days of delivery.'), L('General Office')];
const INTRO: Lines = [L('介绍信', 26), L('上海市某区住房管理局：'), L('兹介绍我单位张三同志前往贵处联系房屋登记事宜，请予接洽。'), L('集团办公室（盖章）')];
const POA: Lines = [L('授权委托书', 26), L('委托人：华夏建设集团有限公司'), L('受托人：张三'), L('现委托受托人代为办理以下事项。')];
const SPACED: Lines = [L('合　　同', 26), L('甲方：华夏建设集团有限公司'), L('乙方：华东建设公司')];
const NOTICE_BIG: Lines = NOTICE.map((l) => ({ ...l, size: Math.max(l.size, 16) }));
const MANAGEMENT: Lines = [L('关于加强合同管理工作的通知', 22), L('各部门：'), L('为规范合同签订和履行，现就有关事项通知如下：'), L('一、合同须经法务部审核后方可签订。'), L('二、买方和卖方的称谓应与营业执照一致。'), L('特此通知。')];
const LETTER: Lines = [L('关于商请协助开展安全检查的函', 22), L('集团各子公司：'), L('根据年度工作安排，集团将于九月开展安全检查，请予协助。'), L('集团办公室')];
const TRAD_LETTER: Lines = [L('關於報送年度計劃的通知', 22), L('各部門：'), L('請於十二月十日前報送年度工作計劃。'), L('集團辦公室')];

async function boldPdf(lines: Lines): Promise<Uint8Array> {
  // The same face drawn heavier (fill and stroke): another look for the scanner and OCR.
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  let y = 841.89 - 90;
  page.pushOperators(setTextRenderingMode(TextRenderingMode.FillAndOutline), setLineWidth(0.6));
  for (const line of lines) {
    page.drawText(line.text, { x: 80, y, size: line.size, font, color: rgb(0.1, 0.1, 0.1) });
    y -= line.size * 2;
  }
  return pdf.save({ useObjectStreams: false });
}

async function merged(parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const out = await PDFDocument.create();
  for (const part of parts) {
    const doc = await PDFDocument.load(part);
    for (const page of await out.copyPages(doc, doc.getPageIndices())) out.addPage(page);
  }
  return out.save({ useObjectStreams: false });
}

const scan = async (lines: Lines, options: Parameters<typeof scanImage>[2] = {}): Promise<Uint8Array> => imagePdf([await scanImage(await makePdf([lines]), 0, { dpi: 150, ...options })]);

interface Case {
  readonly name: string;
  readonly expected: 'refused' | 'allowed';
  readonly make: () => Promise<Uint8Array>;
  /** A system font the document is typeset in: skipped (and said so) where it is not installed. */
  readonly font?: SystemFont;
}

/**
 * Scans typeset in other CJK faces than the shipped one (issue 13: "several fonts").
 * The AR PL UKai contract (skew 0.6°, specks, 150 dpi) was let through: OCR reads its title as
 * “房屋租賃合同一 oo at line confidence 48 and 甲方/乙方 as (TH)/己方, on a page of mean 65 (above
 * MIN_OCR_CONFIDENCE). A line read with little confidence that holds a forbidden kind's word
 * now leaves the page in doubt (SCANNED_PAGE_UNREADABLE; page-gate.ts doubtfulForbiddenLine).
 */
const FONT_CASES: Case[] = SYSTEM_CJK_FONTS.flatMap((font): Case[] => [
  { name: `scan (${font.family}): contract, skew 0.6°, noise`, expected: 'refused', font, make: async () => imagePdf([await fontScanImage(font, CONTRACT, { skew: 0.6, noise: 0.0003, seed: 21 })]) },
  { name: `scan (${font.family}): power of attorney`, expected: 'refused', font, make: async () => imagePdf([await fontScanImage(font, POA)]) },
  { name: `scan (${font.family}): notice on contract management, skew -0.5°`, expected: 'allowed', font, make: async () => imagePdf([await fontScanImage(font, MANAGEMENT, { skew: -0.5 })]) },
]);

const CASES: Case[] = [
  { name: 'text: contract', expected: 'refused', make: () => makePdf([CONTRACT]) },
  { name: 'text: traditional sales contract (買方/賣方)', expected: 'refused', make: () => makePdf([TRAD_CONTRACT]) },
  { name: 'text: English agreement (Party A/B)', expected: 'refused', make: () => makePdf([AGREEMENT_EN]) },
  { name: 'text: letter of introduction', expected: 'refused', make: () => makePdf([INTRO]) },
  { name: 'text: SERVICE AGREEMENT No.1 (no party labels)', expected: 'refused', make: () => makePdf([AGREEMENT_NO_EN]) },
  { name: 'cover: English notice + LEASE CONTRACT  page 1 on page 2', expected: 'refused', make: () => makePdf([NOTICE_EN, LEASE_PAGE_EN]) },
  { name: 'scan: SERVICE AGREEMENT No.1, 200 dpi', expected: 'refused', make: () => scan(AGREEMENT_NO_EN, { dpi: 200 }) },
  { name: 'text: English notice on contract management', expected: 'allowed', make: () => makePdf([NOTICE_EN]) },
  { name: 'scan: English notice on contract management, skew 0.5°', expected: 'allowed', make: () => scan(NOTICE_EN, { dpi: 200, skew: 0.5 }) },
  { name: 'text: power of attorney', expected: 'refused', make: () => makePdf([POA]) },
  { name: 'text: spaced-out title 合　　同', expected: 'refused', make: () => makePdf([SPACED]) },
  { name: 'cover: notice + contract on page 2', expected: 'refused', make: () => makePdf([NOTICE, CONTRACT]) },
  { name: 'cover: notice + 3 pages + POA on page 5', expected: 'refused', make: () => makePdf([NOTICE, NOTICE, NOTICE, NOTICE, POA]) },
  { name: 'cover: text notice + scanned contract page 2', expected: 'refused', make: async () => merged([await makePdf([NOTICE]), await scan(CONTRACT)]) },
  { name: 'scan: contract 150 dpi', expected: 'refused', make: () => scan(CONTRACT) },
  { name: 'scan: contract, skew 1°, noise', expected: 'refused', make: () => scan(CONTRACT, { skew: 1, noise: 0.0004, seed: 11 }) },
  { name: 'scan: traditional contract, skew -0.7°', expected: 'refused', make: () => scan(TRAD_CONTRACT, { skew: -0.7 }) },
  { name: 'scan: English agreement 200 dpi', expected: 'refused', make: () => scan(AGREEMENT_EN, { dpi: 200 }) },
  { name: 'scan: letter of introduction, skew 0.5°', expected: 'refused', make: () => scan(INTRO, { skew: 0.5 }) },
  { name: 'scan: power of attorney, heavy face', expected: 'refused', make: async () => imagePdf([await scanImage(await boldPdf(POA), 0, { dpi: 150, noise: 0.0003, seed: 5 })]) },
  { name: 'ToUnicode edited: 合同 → 台司 (full font)', expected: 'refused', make: async () => withEditedToUnicode(await makePdf([CONTRACT], { fullFont: true }), '合同', '台司') },
  { name: 'ToUnicode edited: 委托 → 季托 (full font)', expected: 'refused', make: async () => withEditedToUnicode(await makePdf([POA], { fullFont: true }), '委', '季') },
  { name: 'invisible notice layer over a contract scan', expected: 'refused', make: async () => scanWithInvisibleLayer(await scanImage(await makePdf([CONTRACT]), 0, { dpi: 150 }), ['关于报送用款计划的通知', '各部门：']) },
  { name: 'text: notice mentioning a contract', expected: 'allowed', make: () => makePdf([NOTICE]) },
  { name: 'text: notice on contract management (买方/卖方 in sentences)', expected: 'allowed', make: () => makePdf([MANAGEMENT]) },
  { name: 'text: internal letter (函)', expected: 'allowed', make: () => makePdf([LETTER]) },
  { name: 'text: traditional notice', expected: 'allowed', make: () => makePdf([TRAD_LETTER]) },
  { name: 'text: 3-page notice', expected: 'allowed', make: () => makePdf([NOTICE, MANAGEMENT.slice(1), LETTER.slice(1)]) },
  { name: 'scan: notice mentioning a contract', expected: 'allowed', make: () => scan(NOTICE_BIG) },
  { name: 'scan: notice on contract management, skew 0.8°', expected: 'allowed', make: () => scan(MANAGEMENT, { skew: 0.8 }) },
  { name: 'scan: internal letter, noise', expected: 'allowed', make: () => scan(LETTER, { noise: 0.0003, seed: 9 }) },
  { name: 'scan: traditional notice, heavy face', expected: 'allowed', make: async () => imagePdf([await scanImage(await boldPdf(TRAD_LETTER), 0, { dpi: 150 })]) },
  { name: 'ToUnicode edited on a notice: 通知 → 通告', expected: 'allowed', make: async () => withEditedToUnicode(await makePdf([NOTICE], { fullFont: true }), '知', '告') },
  ...FONT_CASES,
];

async function judge(bytes: Uint8Array): Promise<{ outcome: 'refused' | 'allowed'; code: string; detail: string }> {
  const document = PdfDocument.open(bytes);
  const source = await new PdfJsTextReader().open(bytes, document);
  try {
    const result = await gateDocumentText({ pageCount: source.pageCount, layer: (i) => source.page(i), facts: (i) => textLayerFacts(document, i), ...(source.ocr ? { ocr: source.ocr } : {}) });
    return { outcome: 'allowed', code: 'OK', detail: result.ocrPages.length > 0 ? `OCR p.${result.ocrPages.join(',')}` : 'text layer' };
  } catch (error) {
    if (!(error instanceof YinjianError)) throw error;
    return { outcome: 'refused', code: error.code, detail: JSON.stringify(error.params) };
  } finally {
    await source.close();
  }
}

describe.runIf(process.env['GATE_CORPUS'] === '1')('U2 gate corpus', () => {
  it('classifies the corpus; prints the confusion table', { timeout: 3_600_000 }, async () => {
    const rows: string[] = [];
    const table = { refused: { refused: 0, allowed: 0 }, allowed: { refused: 0, allowed: 0 } };
    const letThrough: string[] = [];
    const skipped: string[] = [];
    for (const c of CASES) {
      if (c.font && !existsSync(c.font.file)) {
        skipped.push(`${c.name}: ${c.font.file} missing (Debian package ${c.font.debianPackage})`);
        rows.push(`| ${c.name} | ${c.expected} | skipped | — | font not installed: ${c.font.debianPackage} | — |`);
        continue;
      }
      const started = Date.now();
      const got = await judge(await c.make());
      table[c.expected][got.outcome]++;
      if (c.expected === 'refused' && got.outcome === 'allowed') letThrough.push(c.name);
      rows.push(`| ${c.name} | ${c.expected} | ${got.outcome} | ${got.code} | ${got.detail.replace(/\|/gu, '/')} | ${((Date.now() - started) / 1000).toFixed(1)} s |`);
    }
    console.log(['| document | expected | gate | code | detail | time |', '|---|---|---|---|---|---|', ...rows].join('\n'));
    console.log(
      [
        '',
        '| expected \\ gate | refused | allowed |',
        '|---|---|---|',
        `| forbidden (refuse) | ${table.refused.refused} | ${table.refused.allowed} |`,
        `| allowed (seal) | ${table.allowed.refused} | ${table.allowed.allowed} |`,
      ].join('\n'),
    );
    if (skipped.length > 0) console.warn(`SKIPPED ${skipped.length} document(s), their font is not installed (.ci/run installs it):\n${skipped.join('\n')}`);
    await closeSharedOcr();
    expect(letThrough, 'forbidden documents let through').toEqual([]);
  });
});

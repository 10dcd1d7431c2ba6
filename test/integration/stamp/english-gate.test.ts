/**
 * U2 on English documents (issue 13: titles and forms "in their traditional, spaced, full-width
 * and English forms", on every page). Real text PDFs made with pdf-lib in the shipped font, read
 * as the pipeline reads them (our content reader, its text-layer facts) and judged by the real
 * gate, no OCR engine: a text page needs none. Before the word-by-word English reading, the
 * refused documents not marked "already refused" were sealed (the title's number, page, date or
 * note hid its kind; "The Buyer:" was no label), and the English notice on contract management
 * was refused: its sentences "Buyer shall pay…" and "Seller shall deliver…" counted as labels.
 */
import { describe, expect, it } from 'vitest';
import { NOTICE, makePdf, textGateOutcome, type TextLineSpec } from './fixture';

type Lines = readonly TextLineSpec[];
const L = (text: string, size = 14): TextLineSpec => ({ text, size });

const PARTIES: Lines = [L('Party A: Huaxia Construction Group'), L('Party B: East China Steel Ltd.'), L('1. Scope of services')];
const BODY: Lines = [L('1. Scope of services'), L('The parties agree as follows.')];
const COVER: Lines = [L('Internal Notice', 22), L('To all departments:'), L('Please find the attached documents for your reference.')];
const EN_NOTICE: Lines = [
  L('Notice on Strengthening Contract Management', 20),
  L('To all departments:'),
  L('The agreement signed last year remains in force.'),
  L('Buyer shall pay within ten days of delivery.'),
  L('Seller shall deliver the goods on time.'),
  L('Attachment: Sales Contract (sample)'),
  L('General Office'),
];

const refused: [string, Lines[], number, string][] = [
  ['English agreement with Party A/B (already refused)', [[L('SERVICE AGREEMENT', 22), ...PARTIES]], 1, '协议'],
  ['SERVICE AGREEMENT No.1', [[L('SERVICE AGREEMENT No.1', 22), ...BODY]], 1, '协议'],
  ['LEASE CONTRACT  page 1 behind a cover page', [COVER, [L('LEASE CONTRACT  page 1'), ...BODY]], 2, '合同'],
  ['Sales Contract (Draft) behind a cover page (already refused)', [COVER, [L('Sales Contract (Draft)', 18), ...BODY]], 2, '合同'],
  ['Power of Attorney dated 1 July 2026', [[L('Power of Attorney dated 1 July 2026', 22), ...BODY]], 1, '授权委托书'],
  ['letter-spaced C O N T R A C T  N o . 5 behind a cover page (already refused)', [COVER, [L('C O N T R A C T  N o . 5'), ...BODY]], 2, '合同'],
  ['full-width ＳＥＲＶＩＣＥ　ＡＧＲＥＥＭＥＮＴ　Ｎｏ．１', [[L('ＳＥＲＶＩＣＥ　ＡＧＲＥＥＭＥＮＴ　Ｎｏ．１', 22), ...BODY]], 1, '协议'],
  ['Letter of Introduction - Copy behind the Chinese notice', [NOTICE, [L('Letter of Introduction - Copy'), L('To: Shanghai Housing Bureau')]], 2, '介绍信'],
  ['Buyer/Seller labels under a neutral title on page 2', [COVER, [L('Part One', 16), L('The Buyer: Huaxia Construction Group'), L('The Seller: East China Steel Ltd.')]], 2, '合同'],
];
const allowed: [string, Lines[]][] = [
  ['English notice on contract management', [EN_NOTICE]],
  ['English notice on the agreement signed last year, two pages', [[L('Notice on the Agreement Signed Last Year', 20), L('To all departments:'), L('Please note that')], [L('the agreement signed last year'), L('expires at the end of this month.'), L('General Office')]]],
  ['Chinese notice on contract management', [[L('关于加强合同管理工作的通知', 22), L('各部门：'), L('为规范合同签订和履行，现就有关事项通知如下：'), L('二、买方和卖方的称谓应与营业执照一致。')]]],
];

describe('U2 gate on English text PDFs (issue 13)', () => {
  it.each(refused)('refuses %s, naming the page', async (_label, pages, page, term) => {
    const result = await textGateOutcome(await makePdf(pages));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.params).toMatchObject({ page, term });
  });
  it.each(allowed)('lets through an %s', async (_label, pages) => {
    expect(await textGateOutcome(await makePdf(pages))).toEqual({ code: 'passed', params: {} });
  });
});

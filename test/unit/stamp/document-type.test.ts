/**
 * U1/U2: the declared type and the document's own text. Pages here are hand-made PageText (as
 * the pdf.js adapter reports them); test/integration/stamp runs the same rules on real PDFs.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DENY_LIST,
  assertDocumentTextAllowed,
  classifyDocumentText,
  declaredDocumentType,
  normaliseForMatching,
  withDeniedWords,
  type PageText,
  type TextRun,
} from '../../../src/main/core/policy/index';
import { DEFAULT_DOCUMENT_TYPE_DENY_LIST } from '../../../src/main/core/office/deny-list';
import { YinjianError } from '../../../src/shared/errors/index';

const A4 = { x: 0, y: 0, width: 595, height: 842 };

/** A page of lines, top to bottom: [text, fontSize]; a line given as an array is several runs. */
function page(pageIndex: number, lines: readonly (readonly [string | readonly string[], number])[]): PageText {
  const runs: TextRun[] = [];
  let y = 780;
  for (const [text, size] of lines) {
    let x = 72;
    for (const part of typeof text === 'string' ? [text] : text) {
      const width = [...part].length * size;
      runs.push({ text: part, x, y, width, fontSize: size });
      x += width + size; // a visible gap between runs of one line
    }
    y -= size * 1.8;
  }
  return { pageIndex, box: A4, runs };
}

const NOTICE_BODY: [string, number][] = [
  ['各部门：', 12],
  ['根据集团与华东建设公司签订的采购合同，现将有关事项通知如下：', 12],
  ['一、各部门于七月十日前报送用款计划。', 12],
  ['二、合同执行情况由财务部汇总。', 12],
  ['特此通知。', 12],
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof YinjianError ? error.code : `not a YinjianError: ${String(error)}`;
  }
  return undefined;
}

describe('declared type (U1, U2)', () => {
  it('accepts the two allowed types under their CLI and Chinese names', () => {
    expect(declaredDocumentType('internal-document')).toBe('internal-formal-document');
    expect(declaredDocumentType('内部正式文件')).toBe('internal-formal-document');
    expect(declaredDocumentType('internal-letter')).toBe('internal-letter');
    expect(declaredDocumentType('内部函件')).toBe('internal-letter');
  });
  it.each(['contract', '合同', 'agreement', 'power-of-attorney', '介绍信', ''])('refuses %s', (declared) => {
    expect(codeOf(() => declaredDocumentType(declared))).toBe('DOCUMENT_TYPE_FORBIDDEN');
  });
});

describe('normalisation', () => {
  it('folds traditional, full-width, spaced-out and case onto one spelling', () => {
    expect(normaliseForMatching('協議')).toBe('协议');
    expect(normaliseForMatching('授權委託書')).toBe('授权委托书');
    expect(normaliseForMatching('介紹信')).toBe('介绍信');
    expect(normaliseForMatching('合　同')).toBe('合同');
    expect(normaliseForMatching('合 同')).toBe('合同');
    expect(normaliseForMatching('ＣＯＮＴＲＡＣＴ')).toBe('contract');
    expect(normaliseForMatching('Power of\u200bAttorney')).toBe('powerofattorney');
  });
});

describe('document text (U2)', () => {
  const forbiddenTitles: [string, string | readonly string[], string][] = [
    ['simplified contract title', '房屋租赁合同', '合同'],
    ['spaced-out title with ideographic space', '合　同', '合同'],
    ['title spaced out in separate runs', ['合', '同'], '合同'],
    ['traditional agreement', '戰略合作協議', '协议'],
    ['agreement with 书 and a bracketed note', '技术服务协议书（草案）', '协议'],
    ['traditional power of attorney', '授權委託書', '授权委托书'],
    ['power of attorney', '委托书', '授权委托书'],
    ['letter of introduction', '介绍信', '介绍信'],
    ['traditional letter of introduction', '工作介紹信', '介绍信'],
    ['full-width English', 'ＳＥＲＶＩＣＥ　ＣＯＮＴＲＡＣＴ', '合同'],
    ['English agreement', 'Cooperation Agreement', '协议'],
    ['English power of attorney', 'Power of Attorney', '授权委托书'],
    ['English letter of introduction', 'Letter of Introduction', '介绍信'],
    ['English contract for', 'Contract for Consulting Services', '合同'],
  ];
  it.each(forbiddenTitles)('refuses a %s', (_label, title, term) => {
    const verdict = classifyDocumentText([page(0, [[title, 22], ...NOTICE_BODY.slice(0, 1), ['现就有关事项说明如下。', 12]])]);
    expect(verdict).toMatchObject({ forbidden: true, term, where: 'title' });
  });

  it('does not refuse a notice that mentions a contract in passing in its body', () => {
    const verdict = classifyDocumentText([page(0, [['关于报送用款计划的通知', 22], ...NOTICE_BODY])]);
    expect(verdict.forbidden).toBe(false);
    expect(verdict.forbidden === false && verdict.linesRead).toBe(NOTICE_BODY.length + 1);
  });

  it('does not refuse a notice whose title is about contracts (the title ends with 通知)', () => {
    expect(classifyDocumentText([page(0, [['关于加强合同管理工作的通知', 22], ...NOTICE_BODY])]).forbidden).toBe(false);
  });

  it('does not take a label line (附件：采购合同) for a title', () => {
    // It ends with the word and sits in the title region, but its label colon makes it running text.
    const lines: [string, number][] = [['关于报送材料的通知', 22], ...NOTICE_BODY, ['附件：采购合同', 12]];
    expect(classifyDocumentText([page(0, lines)]).forbidden).toBe(false);
  });

  it('refuses a contract behind a cover page: a stand-alone heading on a later page', () => {
    const cover = page(0, [['集团采购项目资料', 22], ['二〇二六年七月', 12]]);
    const second = page(1, [['合　同', 18], ['第一条 标的', 12]]);
    expect(classifyDocumentText([cover, second])).toMatchObject({ forbidden: true, term: '合同', where: 'title', page: 2, words: ['合同'] });
    // Further down a page, the word on its own line is still a heading.
    const third = page(2, [['第二部分 附件', 16], ['说明如下。', 12], ['合　同', 12]]);
    expect(classifyDocumentText([cover, third])).toMatchObject({ forbidden: true, term: '合同', where: 'heading', page: 3 });
  });

  it('refuses by the form: both parties named at the start of lines', () => {
    const body = page(0, [['项目约定', 22], ['甲方：华夏建设集团有限公司', 12], ['乙方：华东建设公司', 12], ['双方经协商一致，达成如下条款。', 12]]);
    expect(classifyDocumentText([body])).toMatchObject({ forbidden: true, term: '合同', where: 'form' });
  });

  it('refuses by the form: 兹介绍 opens a letter of introduction whatever its title', () => {
    const body = page(0, [['函', 22], ['兹介绍我单位张三同志前往贵处联系工作，请接洽。', 12]]);
    expect(classifyDocumentText([body])).toMatchObject({ forbidden: true, term: '介绍信', where: 'form' });
  });

  it('uses a configured deny list', () => {
    const list = [{ term: '担保函', words: ['担保函'] }];
    expect(classifyDocumentText([page(0, [['履约担保函', 22], ['现就有关事项说明如下。', 12]])], list)).toMatchObject({ forbidden: true, term: '担保函' });
    expect(classifyDocumentText([page(0, [['房屋租赁合同', 22]])], list).forbidden).toBe(false);
  });

  it("extends the regulation's kinds with the office's words; the kinds stay whatever the words say", () => {
    const fromOffice = withDeniedWords(DEFAULT_DENY_LIST, DEFAULT_DOCUMENT_TYPE_DENY_LIST);
    // Words the built-in kinds did not name become kinds (合约 with 合約, 授权书 with 授權書);
    // words ending with a kind's word join it (补充协议 → 协议, 工作介绍信 → 介绍信).
    expect(fromOffice.slice(DEFAULT_DENY_LIST.length).map((k) => [k.term, k.words])).toEqual([
      ['合约', ['合約', '合约']],
      ['授权书', ['授权书', '授權書']],
    ]);
    expect(fromOffice.find((k) => k.term === '协议')?.words).toEqual(expect.arrayContaining(['补充协议', '補充協議']));
    expect(classifyDocumentText([page(0, [['封面', 22]]), page(1, [['补充协议', 16]])], fromOffice)).toMatchObject({ forbidden: true, term: '协议', where: 'title', page: 2 });
    const title = (text: string) => classifyDocumentText([page(0, [[text, 22], ['现就有关事项说明如下。', 12]])], fromOffice);
    expect(title('技术服务合約')).toMatchObject({ forbidden: true, term: '合约', where: 'title' });
    expect(title('法定代表人授权书')).toMatchObject({ forbidden: true, term: '授权书' });
    expect(title('补充协议')).toMatchObject({ forbidden: true, term: '协议' });
    // Without the office's words these two titles passed: the gap U2's configurable list closes.
    expect(classifyDocumentText([page(0, [['法定代表人授权书', 22]])]).forbidden).toBe(false);
    // An office list that dropped 合同 still refuses a contract: the regulation names it.
    const narrowed = withDeniedWords(DEFAULT_DENY_LIST, ['承诺书']);
    expect(classifyDocumentText([page(0, [['房屋租赁合同', 22]])], narrowed)).toMatchObject({ forbidden: true, term: '合同' });
    expect(classifyDocumentText([page(0, [['安全生产承诺书', 22]])], narrowed)).toMatchObject({ forbidden: true, term: '承诺书' });
    // Running text that mentions the word is not a title.
    expect(classifyDocumentText([page(0, [['关于签署安全承诺书的通知', 22], ['请各部门于月底前签署承诺书，报办公室。', 12]])], narrowed).forbidden).toBe(false);
  });

  it('guards with DOCUMENT_CONTENT_FORBIDDEN', () => {
    expect(codeOf(() => assertDocumentTextAllowed([page(0, [['采购合同', 22]])]))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(codeOf(() => assertDocumentTextAllowed([page(0, [['关于报送用款计划的通知', 22], ...NOTICE_BODY])]))).toBeUndefined();
  });

  it('reads every page and names the page of the finding', () => {
    const notice = page(0, [['关于报送用款计划的通知', 22], ...NOTICE_BODY]);
    const later = (i: number) => page(i, NOTICE_BODY);
    const contract = page(6, [['钢材采购合同', 22], ['买方：华夏建设集团有限公司', 12], ['卖方：华东钢铁有限公司', 12]]);
    expect(classifyDocumentText([notice, later(1), later(2), later(3), later(4), later(5), contract])).toMatchObject({ forbidden: true, term: '合同', where: 'title', page: 7 });
    expect(classifyDocumentText([notice, later(1), later(2)])).toMatchObject({ forbidden: false, pagesRead: 3 });
  });

  const forms: [string, [string, number][], string][] = [
    ['buyer and seller', [['买方：华夏建设集团有限公司', 12], ['卖方：华东钢铁有限公司', 12]], '合同'],
    ['traditional buyer and seller', [['買方：華夏建設集團', 12], ['賣方：華東鋼鐵', 12]], '合同'],
    ['full-width spaced parties', [['甲　方：华夏建设集团', 12], ['乙　方：华东建设公司', 12]], '合同'],
    ['signature lines of both parties', [['甲方（盖章）：', 12], ['乙方（签字）：', 12]], '合同'],
    ['English parties', [['Party A: Huaxia Construction Group', 12], ['Party B: East China Steel Ltd.', 12]], '合同'],
    ['English buyer and seller', [['BUYER: Huaxia Construction Group', 12], ['SELLER: East China Steel Ltd.', 12]], '合同'],
    ['principal and agent of a power of attorney', [['委托人：张三', 12], ['受托人：李四', 12]], '授权委托书'],
    ['traditional principal and agent', [['委託人：張三', 12], ['受託人：李四', 12]], '授权委托书'],
    ['grantor of an authorisation', [['授权人：张三', 12], ['被授权人：李四', 12]], '授权委托书'],
  ];
  it.each(forms)('refuses by the form on a later page: %s', (_label, lines, term) => {
    const cover = page(0, [['关于报送用款计划的通知', 22], ...NOTICE_BODY]);
    expect(classifyDocumentText([cover, page(1, [['第一部分', 16], ...lines, ['以下无正文。', 12]])])).toMatchObject({ forbidden: true, term, where: 'form', page: 2 });
  });

  it('refuses the letter of introduction by its sentence wherever the lines break', () => {
    const letter = page(1, [['各有关单位', 16], ['现有我单位张三同志等二人，特此介绍', 12], ['前往贵处联系工作事宜，请予接洽。', 12], ['（盖章）', 12]]);
    expect(classifyDocumentText([page(0, [['封面', 22]]), letter])).toMatchObject({ forbidden: true, term: '介绍信', where: 'form', page: 2 });
    const zi = page(0, [['函', 22], ['今', 12], ['茲介紹張三同志前往貴處聯繫工作。', 12]]);
    expect(classifyDocumentText([zi])).toMatchObject({ forbidden: true, term: '介绍信', where: 'form', page: 1 });
  });

  it('parties split across a page break are found, naming the page where they begin', () => {
    const first = page(3, [['说明', 16], ['其他事项说明如下。', 12], ['甲方：华夏建设集团', 12]]);
    const second = page(4, [['乙方：华东建设公司', 12], ['以下无正文。', 12]]);
    expect(classifyDocumentText([first, second])).toMatchObject({ forbidden: true, where: 'form', page: 4 });
  });

  it('still allows notices that mention contracts, buyers or parties in sentences, on any page', () => {
    const pages = [
      page(0, [['关于加强合同管理工作的通知', 22], ...NOTICE_BODY]),
      page(1, [['二、工作要求', 14], ['买方应于合同签订后十日内付款，卖方按期交货。', 12], ['甲方乙方的称谓在合同中应统一。', 12], ['附件：采购合同（样本）', 12]]),
      page(2, [['三、其他', 14], ['请各部门认真执行合同管理办法。', 12], ['集团办公室', 12], ['二〇二六年七月一日', 12]]),
    ];
    expect(classifyDocumentText(pages)).toMatchObject({ forbidden: false, pagesRead: 3 });
  });
});

/**
 * Issue 13 (U2, "their traditional, spaced, full-width and English forms"): English titles with
 * a number, a page, a date or a note after them, letter-spaced and full-width, were sealed
 * (review of the every-page gate: "SERVICE AGREEMENT No.1", "LEASE CONTRACT  page 1"). Each
 * title is tried as the first line of page 1 and as the top line of page 2 behind a cover page.
 */
describe('English titles and forms (U2, issue 13)', () => {
  const BODY_EN: [string, number][] = [
    ['1. Scope of services', 12],
    ['The parties agree as follows.', 12],
  ];
  const COVER_EN = page(0, [['Internal Notice', 22], ['To all departments:', 12], ['Please find the attached documents for your reference.', 12]]);

  it('finds English parties whose every label line opens with "The" (a page no line of which starts like a marker is skipped, issue 13 budget)', () => {
    const supply = page(0, [['Terms of Supply', 22], ['The Buyer: Huaxia Group Ltd.', 12], ['The Seller: Donghai Trading Co.', 12], ...BODY_EN]);
    expect(classifyDocumentText([supply])).toMatchObject({ forbidden: true, term: '合同', where: 'form', page: 1 });
    // A list whose markers start with no "t": the page's lines all start with one, as "The" does.
    const buyerSeller = [{ term: '购销合同', words: ['购销合同'], formMarkers: [['buyer', 'seller']] }];
    expect(classifyDocumentText([supply], buyerSeller)).toMatchObject({ forbidden: true, term: '购销合同', where: 'form' });
  });

  const englishTitles: [string, string | readonly string[], string][] = [
    ['agreement with a number', 'SERVICE AGREEMENT No.1', '协议'],
    ['agreement with a spaced number', 'Service Agreement No. 2026-001', '协议'],
    ['contract with a page number', 'LEASE CONTRACT  page 1', '合同'],
    ['contract with a page of pages', 'Lease Contract - Page 1 of 4', '合同'],
    ['power of attorney', 'POWER OF ATTORNEY', '授权委托书'],
    ['special power of attorney with a note', 'Special Power of Attorney (Notarized Copy)', '授权委托书'],
    ['letter of authorization', 'Letter of Authorization', '授权委托书'],
    ['letter of introduction', 'LETTER OF INTRODUCTION', '介绍信'],
    ['introduction letter', 'Introduction Letter', '介绍信'],
    ['contract with a bracketed note', 'Sales Contract (Draft)', '合同'],
    ['contract with a dashed note', 'Sales Contract - Draft', '合同'],
    ['agreement on its own', 'AGREEMENT', '协议'],
    ['letter-spaced agreement', 'A G R E E M E N T', '协议'],
    ['letter-spaced contract', 'C O N T R A C T', '合同'],
    ['letter-spaced contract in one run per letter', [...'CONTRACT'], '合同'],
    ['letter-spaced agreement with a number', 'S E R V I C E  A G R E E M E N T  N o . 1', '协议'],
    ['full-width contract', 'Ｃｏｎｔｒａｃｔ', '合同'],
    ['full-width agreement with a number', 'ＳＥＲＶＩＣＥ　ＡＧＲＥＥＭＥＮＴ　Ｎｏ．１', '协议'],
    ['mixed case', 'sAlEs CoNtRaCt', '合同'],
    ['contract with an ISO date', 'Sales Contract 2026-07-01', '合同'],
    ['contract with a written date', 'Sales Contract, 1 July 2026', '合同'],
    ['agreement dated', 'Loan Agreement dated 1 July 2026', '协议'],
    ['agreement with a version', 'Purchase Agreement v2', '协议'],
    ['agreement on a subject', 'Agreement on Strategic Cooperation', '协议'],
    ['sale and purchase agreement', 'Sale and Purchase Agreement', '协议'],
    ['contract with a hash number', 'Sales Contract #5', '合同'],
    ['agreement between the parties', 'Agreement between Huaxia Construction Group Co., Ltd. and East China Steel Ltd.', '协议'],
    ['contract with a colon note', 'Employment Contract: Draft', '合同'],
    ['English and Chinese title', 'Service Agreement（服务协议）', '协议'],
  ];
  it.each(englishTitles)('refuses a %s as the first line of page 1', (_label, title, term) => {
    expect(classifyDocumentText([page(0, [[title, 22], ...BODY_EN])])).toMatchObject({ forbidden: true, term, where: 'title', page: 1 });
  });
  it.each(englishTitles)('refuses a %s as the top line of page 2 behind a cover page', (_label, title, term) => {
    expect(classifyDocumentText([COVER_EN, page(1, [[title, 14], ...BODY_EN])])).toMatchObject({ forbidden: true, term, where: 'title', page: 2 });
  });

  it('refuses an English title set apart further down a later page (a heading with its number)', () => {
    const later = page(1, [['3. Other matters', 12], ['Details are given below.', 12], ['AGREEMENT No. 7', 12], ['1. Scope', 12]]);
    expect(classifyDocumentText([COVER_EN, later])).toMatchObject({ forbidden: true, term: '协议', page: 2 });
  });

  const englishForms: [string, [string, number][], string][] = [
    ['parties with their seals', [['PARTY A (Seal):', 12], ['PARTY B (Seal):', 12]], '合同'],
    ['letter-spaced parties', [['P A R T Y  A :  Huaxia Construction Group', 12], ['P A R T Y  B :  East China Steel Ltd.', 12]], '合同'],
    ['full-width parties', [['ＰＡＲＴＹ　Ａ：华夏建设集团', 12], ['ＰＡＲＴＹ　Ｂ：华东建设公司', 12]], '合同'],
    ['parties without a colon', [['Party A Huaxia Construction Group', 12], ['Party B East China Steel Ltd.', 12]], '合同'],
    ['the buyer and the seller', [['The Buyer: Huaxia Construction Group', 12], ['The Seller: East China Steel Ltd.', 12]], '合同'],
    ['buyer and seller signature lines', [['Buyer', 12], ['Signature: ________', 12], ['Seller', 12]], '合同'],
    ['lessor and lessee with their party', [['Lessor (Party A): Huaxia Construction Group', 12], ['Lessee (Party B): East China Steel Ltd.', 12]], '合同'],
    ['landlord and tenant', [['Landlord: Huaxia Property Co., Ltd.', 12], ['Tenant: Zhang San', 12]], '合同'],
    ['employer and contractor', [['Employer: Huaxia Construction Group', 12], ['Contractor: East China Building Co.', 12]], '合同'],
    ['supplier and purchaser', [['Supplier: East China Steel Ltd.', 12], ['Purchaser: Huaxia Construction Group', 12]], '合同'],
    ['contract number', [['Contract No.: HX-2026-015', 12]], '合同'],
    ['agreement number', [['Agreement No. HX-2026-7', 12]], '协议'],
    ['principal and agent', [['Principal: Huaxia Construction Group', 12], ['Agent: Zhang San', 12]], '授权委托书'],
    ['principal and attorney-in-fact', [['PRINCIPAL: Huaxia Construction Group', 12], ['ATTORNEY-IN-FACT: Zhang San', 12]], '授权委托书'],
    ['grantor and grantee', [['Grantor: Huaxia Construction Group', 12], ['Grantee: Zhang San', 12]], '授权委托书'],
    ['this is to introduce', [['To: Shanghai Housing Bureau', 12], ['This is to introduce Mr. Zhang San of our company, who will', 12], ['contact you about the registration.', 12]], '介绍信'],
    ['we hereby introduce … to contact', [['Dear Sirs,', 12], ['We hereby introduce Ms. Li Si, our staff member,', 12], ['who will visit your office to contact you about the matter.', 12]], '介绍信'],
  ];
  it.each(englishForms)('refuses by the English form on a later page: %s', (_label, lines, term) => {
    const result = classifyDocumentText([COVER_EN, page(1, [['Part One', 16], ...lines, ['(No text below.)', 12]])]);
    expect(result).toMatchObject({ forbidden: true, term, where: 'form', page: 2 });
  });

  const allowedNotices: [string, [string, number][]][] = [
    ['notice on strengthening contract management', [['Notice on Strengthening Contract Management', 22], ['To all departments:', 12], ['The agreement signed last year remains in force.', 12]]],
    ['notice on the agreement signed last year', [['Notice on the Agreement Signed Last Year', 22], ['the agreement signed last year', 12], ['expires at the end of this month.', 12]]],
    ['minutes of a meeting on an agreement', [['Minutes of the Meeting on the Service Agreement', 22], ['Attendees: all department heads', 12]]],
    ['contract management measures', [['Contract Management Measures', 22], ['Article 1. These measures apply to all contracts.', 12]]],
    ['contract notice', [['Contract Notice', 22], ['Tenders are invited for the supply of steel.', 12]]],
    ['contracts department notice', [['Contracts Department Notice', 22], ['The office moves to the third floor.', 12]]],
    ['circular on contract review', [['Circular on Contract Review Procedures', 22], ['Each contract is reviewed by the legal department.', 12]]],
    ['reply about a power of attorney', [['Reply to the Request for a Power of Attorney', 22], ['The request is declined.', 12]]],
    ['an attachment label', [['Notice on Procurement', 22], ['Attachment: Sales Contract (sample)', 12], ['Attachment: Letter of Introduction (template)', 12]]],
    [
      'parties, buyers and principals in sentences',
      [
        ['Notice on Procurement Rules', 22],
        ['Buyer shall pay within ten days of delivery.', 12],
        ['Seller shall deliver the goods on time.', 12],
        ["Buyer's and seller's names must match their licences.", 12],
        ['Principal responsibilities are set out below.', 12],
        ['Agent fees will be reimbursed.', 12],
        ['Party A and Party B must be named consistently.', 12],
        ['Contract No. HX-2026-015 was terminated last month.', 12],
        ['Landlord approval is required before moving.', 12],
        ['Tenant departments should report by Friday.', 12],
      ],
    ],
  ];
  it.each(allowedNotices)('allows an English %s', (_label, lines) => {
    expect(classifyDocumentText([page(0, lines)])).toMatchObject({ forbidden: false });
  });

  it('allows an English notice whose later pages open with sentences that mention contracts and agreements', () => {
    const pages = [
      page(0, [['Notice on Strengthening Contract Management', 22], ['To all departments:', 12], ['Please read the following.', 12]]),
      page(1, [['the agreement signed last year', 12], ['remains in force until its term ends.', 12]]),
      page(2, [['Contract management is the duty of every department.', 12], ['General Office', 12]]),
      page(3, [['in accordance with the Service Agreement', 12], ['signed with East China Steel Ltd.', 12]]),
    ];
    expect(classifyDocumentText(pages)).toMatchObject({ forbidden: false, pagesRead: 4 });
  });

  it('still allows the Chinese notices on contract management', () => {
    expect(classifyDocumentText([page(0, [['关于加强合同管理工作的通知', 22], ...NOTICE_BODY])]).forbidden).toBe(false);
    expect(classifyDocumentText([page(0, [['关于去年签订的协议的说明', 22], ['去年签订的协议继续有效。', 12]])]).forbidden).toBe(false);
  });
});

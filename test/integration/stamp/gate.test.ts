/**
 * Every gate refusal through the real pipeline, on real PDFs and a real register file: a typed
 * error, a failed usage row with its STAMP_REFUSED/STAMP_FAILED audit row, and no output file.
 * Then placement (keyword, seam), earlier third-party signatures kept intact, and a key that
 * fails mid-signature.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { PT_PER_MM } from '../../../src/main/core/appearance/index';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import type { SealSigner } from '../../../src/main/core/ports/signer';
import type { StampRequest } from '../../../src/main/core/stamp/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { mutoolSignVerify, nssDatabase, pdfsig, qpdfCheck } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture, type TextLineSpec } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let notice: Uint8Array;

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-G-0001');
  notice = await makePdf([NOTICE]);
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

/** The last refusal's error, for its parameters (which page, which words). */
let lastError: YinjianError | undefined;

async function refusal(request: StampRequest, key = seal.key): Promise<string> {
  const before = fx.register.usage.find().length;
  let code = 'no error';
  lastError = undefined;
  try {
    await fx.pipeline.stamp(request, key);
  } catch (error) {
    if (error instanceof YinjianError) lastError = error;
    code = error instanceof YinjianError ? error.code : `not a YinjianError: ${String(error)}`;
  }
  expect(existsSync(request.outputPath), 'no output file').toBe(false);
  expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp')), 'no temp file left').toEqual([]);
  const rows = fx.register.usage.find();
  expect(rows).toHaveLength(before + 1);
  const row = rows[rows.length - 1];
  expect(row).toMatchObject({ status: 'failed', errorCode: code, sha256After: null, outputPath: null });
  const audit = fx.register.audit.list(row?.auditSeq ?? 0, 1)[0];
  expect(audit?.action).toMatch(/^STAMP_(REFUSED|FAILED)$/);
  return code;
}

const contract = (title: string, body: TextLineSpec[] = [{ text: '第一条 项目内容', size: 14 }]): Promise<Uint8Array> => makePdf([[{ text: title, size: 22 }, ...body]]);

describe('gate refusals (each recorded, no output)', () => {
  it('U1/U2: a declared contract', async () => {
    expect(await refusal(fx.request(seal.seal, notice, 'declared.pdf', { declaredType: 'contract' }))).toBe('DOCUMENT_TYPE_FORBIDDEN');
  });
  it.each([
    ['simplified contract title', '房屋租赁合同'],
    ['traditional agreement title', '戰略合作協議'],
    ['traditional power of attorney', '授權委託書'],
    ['traditional letter of introduction', '工作介紹信'],
    ['spaced-out title (合　同)', '合\u3000同'],
    ['title spaced with ASCII spaces', '合   同'],
    ['full-width English title', 'ＳＥＲＶＩＣＥ　ＡＧＲＥＥＭＥＮＴ'],
    ['English title', 'Power of Attorney'],
  ])('U2: %s declared as an internal document', async (_label, title) => {
    expect(await refusal(fx.request(seal.seal, await contract(title), `${title}.pdf`))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
  });
  it('U2: the parties of a contract in the body under a neutral title', async () => {
    const input = await contract('项目约定事项', [{ text: '甲方：华夏建设集团有限公司', size: 14 }, { text: '乙方：华东建设公司', size: 14 }]);
    expect(await refusal(fx.request(seal.seal, input, 'parties.pdf'))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
  });
  // Exploit (issue 13): the gate read the title on page 1 and body lines of pages 1-3 only, and
  // knew no 买方/卖方; a contract behind a notice cover page was sealed.
  it('U2: a contract behind a notice cover page (title and 买方/卖方 on page 2) is refused naming page 2', async () => {
    const input = await makePdf([NOTICE, [{ text: '钢材采购合同', size: 22 }, { text: '买方：华夏建设集团有限公司', size: 14 }, { text: '卖方：华东钢铁有限公司', size: 14 }, { text: '第一条 标的与数量', size: 14 }]]);
    expect(await refusal(fx.request(seal.seal, input, 'cover.pdf'))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(lastError?.params).toMatchObject({ term: '合同', page: 2 });
  });
  it('U2: the contract on page 5, after four notice pages, is refused (every page is read)', async () => {
    const input = await makePdf([NOTICE, NOTICE, NOTICE, NOTICE, [{ text: '甲方（盖章）：', size: 14 }, { text: '乙方（盖章）：', size: 14 }]]);
    expect(await refusal(fx.request(seal.seal, input, 'page5.pdf'))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(lastError?.params).toMatchObject({ term: '合同', page: 5 });
  });
  it('U3: no approval reference, no approver', async () => {
    expect(await refusal(fx.request(seal.seal, notice, 'noref.pdf', { approval: { reference: '', approver: '孙主任' } }))).toBe('STAMP_APPROVAL_MISSING');
    expect(await refusal(fx.request(seal.seal, notice, 'noapprover.pdf', { approval: { reference: 'YY-1', approver: ' ' } }))).toBe('STAMP_APPROVAL_MISSING');
  });
  it('M3: an operator who is neither custodian nor proxy', async () => {
    expect(await refusal(fx.request(seal.seal, notice, 'stranger.pdf', { operator: { staffId: 'S999', name: '路人' } }))).toBe('SEAL_USE_NOT_PERMITTED');
  });
  it('M3: a proxy outside the approved window', async () => {
    fx.register.delegations.create(seal.seal.id, 'D-1', {
      proxyStaffId: 'S300', proxyName: '钱代理', approverName: '孙主任', approverStaffId: 'S900', approverRole: 'department_head', reason: '休假',
      startsAt: new Date('2026-09-01T00:00:00Z'), endsAt: new Date('2026-09-30T00:00:00Z'),
    }, { name: '孙主任', staffId: 'S900' });
    expect(await refusal(fx.request(seal.seal, notice, 'proxy.pdf', { operator: { staffId: 'S300', name: '钱代理' } }))).toBe('DELEGATION_OUTSIDE_WINDOW');
  });
  it('M4/S1: another computer', async () => {
    fx.register.workstations.add({ id: 'WS-2', name: '别的电脑', machineId: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', registeredAt: new Date('2026-06-01T00:00:00Z') }, { name: '王秘书', staffId: 'P0001', office: true });
    const other = await fx.issueSeal('YJ-G-0002', { unitName: '集团工会' });
    fx.register.lifecycle.bindWorkstation(other.seal.id, 'WS-2', { reference: 'BIND-1', approver: '集团总裁' }, { name: '王秘书', staffId: 'P0001', office: true });
    expect(await refusal(fx.request(other.seal, notice, 'elsewhere.pdf'), other.key)).toBe('STAMP_WORKSTATION_MISMATCH');
  });
  it('E1: a seal not valid yet', async () => {
    const early = await fx.issueSeal('YJ-G-0003', { unitName: '集团审计部', validFrom: new Date('2026-09-01T00:00:00Z') });
    expect(await refusal(fx.request(early.seal, notice, 'early.pdf'), early.key)).toBe('SEAL_NOT_YET_VALID');
  });
  it('S5: a seal reported lost (revoked)', async () => {
    const lost = await fx.issueSeal('YJ-G-0004', { unitName: '集团法务部' });
    fx.register.lifecycle.reportLoss(lost.seal.id, { approval: { reference: 'LOSS-1', approver: '集团总裁' }, lostAt: new Date('2026-08-01T00:00:00Z') }, { name: '王秘书', staffId: 'P0001', office: true });
    expect(await refusal(fx.request(lost.seal, notice, 'lost.pdf'), lost.key)).toBe('SEAL_NOT_ACTIVE');
  });
  it('a key whose certificate is not the registered one', async () => {
    const other = await fx.issueSeal('YJ-G-0005', { unitName: '集团宣传部' });
    expect(await refusal(fx.request(seal.seal, notice, 'wrongkey.pdf'), other.key)).toBe('STAMP_CERTIFICATE_NOT_ON_KEY');
  });
  it('encrypted and broken PDFs', async () => {
    const encrypted = new Uint8Array(readFileSync(await qpdfEncrypt(notice)));
    expect(await refusal(fx.request(seal.seal, encrypted, 'encrypted.pdf'))).toBe('PDF_ENCRYPTED');
    expect(await refusal(fx.request(seal.seal, notice.subarray(0, notice.length - 200), 'broken.pdf'))).toMatch(/^PDF_(MALFORMED|NOT_PDF)$/);
    expect(await refusal(fx.request(seal.seal, new TextEncoder().encode('hello'), 'notpdf.pdf'))).toBe('PDF_NOT_PDF');
  });
  it('a key pulled out mid-signature leaves no output and a failed row (DEVICE_REMOVED)', async () => {
    // No real token can be unplugged on cue in a test; the fake sits at the signer port, the
    // lowest layer that sees it, and fails as the PKCS#11 signer does (CKR_DEVICE_REMOVED).
    const pulled: SealSigner = { ...seal.key.signer, algorithm: seal.key.signer.algorithm, publicKeySpki: seal.key.signer.publicKeySpki, sign: () => Promise.reject(new YinjianError('DEVICE_REMOVED')) };
    expect(await refusal(fx.request(seal.seal, notice, 'pulled.pdf'), { ...seal.key, signer: pulled })).toBe('DEVICE_REMOVED');
    const row = fx.register.usage.find().at(-1);
    expect(row?.useRequestId).not.toBeNull(); // the use request was on record before the key was asked
  });
});

async function qpdfEncrypt(input: Uint8Array): Promise<string> {
  const { writeFileSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const src = `${fx.dir}/plain-for-encryption.pdf`;
  const out = `${fx.dir}/encrypted-input.pdf`;
  writeFileSync(src, input);
  execFileSync('/usr/bin/qpdf', ['--encrypt', '', 'owner', '256', '--', src, out]);
  return out;
}

describe('accepted documents and placement', () => {
  it('a notice that mentions a contract in passing is sealed, with a usage row and its audit row', async () => {
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, notice, 'notice.pdf'), seal.key);
    expect(pdfsig(outcome.outputPath, nss.nssdir)[0]?.signatureValid).toBe(true);
    expect(outcome.usage).toMatchObject({ status: 'ok', documentTitle: '关于报送用款计划的通知', documentType: 'internal-formal-document', pages: 1, sha256Before: outcome.sha256Before, sha256After: outcome.sha256After });
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(readFileSync(outcome.outputPath)).digest('hex')).toBe(outcome.sha256After);
    expect(createHash('sha256').update(notice).digest('hex')).toBe(outcome.sha256Before);
    expect(fx.register.audit.list(outcome.usage.auditSeq, 1)[0]?.action).toBe('STAMP');
    expect(fx.register.audit.verify().ok).toBe(true);
    // 1:1: the widget is the impression's physical diameter (40 mm department seal).
    const [x1, , x2] = outcome.widgets[0]?.rect ?? [];
    expect(((x2 ?? 0) - (x1 ?? 0)) / PT_PER_MM).toBeCloseTo(40, 3);
  });

  it('keyword: the seal is centred over 盖章处 found by pdf.js', async () => {
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, notice, 'keyword.pdf', { placement: { kind: 'keyword', keyword: '盖章处' } }), seal.key);
    const [x1, y1, x2, y2] = outcome.widgets[0]?.rect ?? [0, 0, 0, 0];
    // NOTICE draws 盖章处 at x = 420 pt, 14 pt, the 8th line from 90 pt below the top.
    const width = 3 * 14;
    expect((x1 + x2) / 2).toBeCloseTo(420 + width / 2, 0);
    const baseline = 841.89 - 90 - 14 * 2 * 0 - (22 * 2 + 14 * 2 * 6);
    expect((y1 + y2) / 2).toBeGreaterThan(baseline);
    expect((y1 + y2) / 2).toBeLessThan(baseline + 14);
    expect(pdfsig(outcome.outputPath, nss.nssdir)[0]?.signatureValid).toBe(true);
    await expect(fx.pipeline.stamp(fx.request(seal.seal, notice, 'nokeyword.pdf', { placement: { kind: 'keyword', keyword: '不存在的字' } }), seal.key)).rejects.toMatchObject({ code: 'STAMP_KEYWORD_NOT_FOUND' });
  });

  it('seam seal: one signature and one widget, one slice at the right edge of each page, the slices make the whole seal', async () => {
    const three = await makePdf([NOTICE, [{ text: '第二页', size: 14 }], [{ text: '第三页', size: 14 }]], { objectStreams: true });
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, three, 'seam.pdf', { placement: { kind: 'seam' } }), seal.key);
    expect(outcome.widgets.map((w) => w.pageIndex)).toEqual([0, 1, 2]);
    const widths = outcome.widgets.map((w) => w.rect[2] - w.rect[0]);
    expect(widths.reduce((a, b) => a + b, 0) / PT_PER_MM).toBeCloseTo(40, 3);
    for (const w of outcome.widgets) expect(w.rect[2]).toBeCloseTo(595.28, 2);
    // One signature (issue 16): one field and widget on the last page, the other slices in page content.
    const reports = pdfsig(outcome.outputPath, nss.nssdir);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.raw).toContain('Signature Field Name: 印章1');
    expect(reports[0]).toMatchObject({ signatureValid: true, certificateTrusted: true, totalDocumentSigned: true });
    expect(qpdfCheck(outcome.outputPath).ok).toBe(true);
    expect(mutoolSignVerify(outcome.outputPath).every((s) => s.unchanged)).toBe(true);
    const doc = PdfDocument.open(new Uint8Array(readFileSync(outcome.outputPath)));
    expect(doc.formFields()).toHaveLength(1);
    expect(doc.formFields()[0]?.widgets).toHaveLength(1);
    await expect(fx.pipeline.stamp(fx.request(seal.seal, notice, 'seam1.pdf', { placement: { kind: 'seam' } }), seal.key)).rejects.toMatchObject({ code: 'STAMP_SEAM_PAGES' });
  });

  it('the pdf-lib reading of the result has the widget on the chosen page with an appearance', async () => {
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, notice, 'pdflib.pdf', { placement: { kind: 'page', page: 1, at: { x: 100, y: 100, unit: 'mm' } } }), seal.key);
    const pdf = await PDFDocument.load(readFileSync(outcome.outputPath));
    const field = pdf.getForm().getFields()[0];
    expect(field?.getName()).toBe('印章1');
    const [x1, y1, x2, y2] = outcome.widgets[0]?.rect ?? [0, 0, 0, 0];
    expect((x1 + x2) / 2).toBeCloseTo(100 * PT_PER_MM, 3);
    expect((y1 + y2) / 2).toBeCloseTo(100 * PT_PER_MM, 3);
    await expect(fx.pipeline.stamp(fx.request(seal.seal, notice, 'off.pdf', { placement: { kind: 'page', page: 1, at: { x: 500, y: 100, unit: 'mm' } } }), seal.key)).rejects.toMatchObject({ code: 'STAMP_POSITION_INVALID' });
    await expect(fx.pipeline.stamp(fx.request(seal.seal, notice, 'p9.pdf', { placement: { kind: 'page', page: 9 } }), seal.key)).rejects.toMatchObject({ code: 'STAMP_PAGE_OUT_OF_RANGE' });
  });
});

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url).pathname;
const CORPUS_FILES = ['node-signpdf/signed-once.pdf', 'dss/pades-bes.pdf'];

describe.skipIf(!existsSync(CORPUS))(`already-signed corpus files (${CORPUS})`, () => {
  it.each(CORPUS_FILES)('%s: earlier signatures stay intact after our seal', async (file) => {
    const input = new Uint8Array(readFileSync(`${CORPUS}${file}`));
    const before = pdfsig(`${CORPUS}${file}`, nss.nssdir);
    expect(before.length).toBeGreaterThan(0);
    // The corpus documents are English test files with no forbidden title; the declared type is ours.
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, input, `corpus-${file.replace('/', '-')}`), seal.key);
    const after = pdfsig(outcome.outputPath, nss.nssdir);
    expect(after).toHaveLength(before.length + 1);
    before.forEach((b, i) => {
      expect(after[i]?.signatureStatus, after[i]?.raw).toBe(b.signatureStatus);
      expect(after[i]?.signatureValid).toBe(true);
      expect(after[i]?.totalDocumentSigned).toBe(false);
    });
    expect(after.at(-1)).toMatchObject({ signatureValid: true, certificateTrusted: true, totalDocumentSigned: true });
    expect(mutoolSignVerify(outcome.outputPath).at(-1)?.unchanged).toBe(true);
  });
});
if (!existsSync(CORPUS)) console.warn(`corpus absent at ${CORPUS}: the already-signed corpus tests are skipped`);

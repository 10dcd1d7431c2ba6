/**
 * The stamp screen's U2 check reads what a person sees (issue #13), in real Chromium against
 * the app's own composition in demo mode (SoftHSM2 demo key, real register, real PDFs): the
 * main process reads scanned pages by OCR (tesseract worker), pushes `ocr.progress` (page k of
 * n), and the stop button cancels: the worker is ended, nothing is written, the document shows
 * as not checked. A scanned contract shows the same refusal as stamping, page and marked words.
 * Where the office allows scanned documents, an unreadable page asks for the custodian's
 * confirmation, without which the document cannot be sealed; with it, the seal is made and the
 * confirmation is in the audit log.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/app/app-services';
import { SCANNED_DOCUMENTS_SETTING } from '../../src/main/core/office/scanned-documents';
import { DEMO } from '../../src/main/demo/demo-mode';
import { currentWorkstation } from '../../src/main/infra/machine/workstation-id';
import { createHandlers } from '../../src/main/ipc/handlers';
import { imagePdf, noisePdf, scanImage } from '../helpers/gate-documents';
import { SOFTHSM_MODULE } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { documentPdf } from './harness/documents';
import { startTestHost, type TestHost } from './harness/test-host';

describe('stamp screen: OCR progress, stop, and the scanned-document confirmation (U2)', { timeout: 300_000 }, () => {
  let appDataDir: string;
  let exportDir: string;
  let services: AppServices;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  const previousConf = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    appDataDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-ocr-'));
    exportDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-ocr-out-'));
    services = createAppServices({ appDataDir, exportFolder: () => exportDir, workstationCode: () => currentWorkstation().code, softHsmModule: SOFTHSM_MODULE });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, createHandlers(services), { events: services.events });
    page = await browser.newPage();
    await page.goto(host.url);
    await page.getByTestId('nav-setup').waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByTestId('nav-setup').click();
    await page.getByTestId('start-demo').waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByTestId('start-demo').click();
    await page.getByTestId('demo-banner').waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByTestId('nav-stamp').click();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    services?.close();
    for (const dir of [appDataDir, exportDir, rendererDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
  });

  const usageRows = (): number => services.register!().usage.find().length;

  it('shows OCR progress page by page and stops on request: cancelled, nothing written, not sealable', async () => {
    const notice = await scanImage(await documentPdf('关于报送用款计划的通知', ['各部门：', '请于七月十日前报送用款计划。', '集团办公室']), 0, { dpi: 150 });
    const scan = await imagePdf([notice, notice, notice, notice, notice, notice]);
    const before = usageRows();
    await page.getByTestId('stamp-files').setInputFiles({ name: '扫描通知.pdf', mimeType: 'application/pdf', buffer: Buffer.from(scan) });
    const progress = page.getByTestId('ocr-progress');
    await progress.waitFor({ state: 'visible', timeout: 120_000 });
    expect(await progress.getAttribute('data-total')).toBe('6');
    expect(await progress.getAttribute('data-page')).toMatch(/^[1-6]$/u);
    expect(await progress.textContent()).toContain('正在识别扫描页');
    await browser.screenshot(page, '20-ocr-progress');
    await page.getByTestId('ocr-stop').click();
    await page.getByTestId('check-cancelled').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.getByTestId('ocr-progress').count()).toBe(0);
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(true);
    expect(usageRows()).toBe(before);
    expect(readdirSync(exportDir)).toEqual([]);
    expect(host.calls).toContain('stamp.stopCheck');
  });

  it('refuses a scanned contract as stamping would: the page and the marked words', async () => {
    const cover = await documentPdf('关于转发合同管理办法的通知', ['各部门：', '现将有关事项通知如下。', '集团办公室']);
    const contract = await documentPdf('房屋租赁合同', ['出租人（甲方）：华夏建设集团有限公司', '承租人（乙方）：华东建设公司']);
    // A text cover page (its layer read, no OCR), then the contract as a scanned page.
    const merged = await PDFDocument.load(cover);
    const [scanned] = await merged.copyPages(await PDFDocument.load(await imagePdf([await scanImage(contract, 0, { dpi: 150 })])), [0]);
    merged.addPage(scanned);
    const scan = await merged.save({ useObjectStreams: false });
    await page.getByTestId('stamp-files').setInputFiles({ name: '扫描合同.pdf', mimeType: 'application/pdf', buffer: Buffer.from(scan) });
    const refusal = page.getByTestId('forbidden');
    const answered = page.locator('[data-testid=forbidden], [data-testid=check-allowed], [data-testid=check-refused], [data-testid=check-confirm-scanned]');
    await answered.first().waitFor({ state: 'visible', timeout: 180_000 });
    expect(await answered.first().getAttribute('data-testid'), (await answered.first().textContent()) ?? '').toBe('forbidden');
    expect(await refusal.textContent()).toContain('“合同”');
    expect(await page.getByTestId('forbidden-page').textContent()).toContain('2');
    expect((await page.locator('[data-testid=forbidden-line] mark').allTextContents()).join('')).toContain('合同');
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(true);
    await browser.screenshot(page, '21-ocr-contract-refused');
  });

  it('where the office allows scans, an unreadable page needs the custodian\'s confirmation; confirmed, it is sealed and audited', async () => {
    services.register!().settings.set(SCANNED_DOCUMENTS_SETTING, 'true');
    await page.getByTestId('stamp-files').setInputFiles({ name: '旧档案扫描.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await noisePdf(7)) });
    const ask = page.getByTestId('check-confirm-scanned');
    await ask.waitFor({ state: 'visible', timeout: 180_000 });
    expect(await ask.getAttribute('data-code')).toBe('SCANNED_PAGE_CONFIRMATION_REQUIRED');
    await page.getByTestId('approval-reference').fill('用印〔2026〕9号');
    await page.getByTestId('approver').fill('李主任');
    await page.getByTestId('stamp-pin').fill(DEMO.pin);
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(true);
    await page.getByTestId('confirm-scanned').check();
    await browser.screenshot(page, '22-ocr-confirm-scanned');
    await page.getByTestId('stamp-submit').click();
    const outcome = page.getByTestId('stamp-outcome');
    await outcome.waitFor({ state: 'visible', timeout: 180_000 });
    expect(await outcome.getAttribute('data-ok')).toBe('true');
    const audit = services.register!().audit.list(1, 10_000).filter((r) => r.action === 'STAMP_PENDING').at(-1);
    expect(JSON.parse(audit?.details ?? '{}')).toMatchObject({ scannedConfirmed: { pages: [1] } });
  });
});

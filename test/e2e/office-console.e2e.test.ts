import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfficeService } from '../../src/main/core/office/index';
import { DEFAULT_DOCUMENT_TYPE_DENY_LIST, officeDenyList } from '../../src/main/core/office/deny-list';
import { SCANNED_DOCUMENTS_SETTING, scannedDocumentsAllowed } from '../../src/main/core/office/scanned-documents';
import { UsbKeyService } from '../../src/main/core/usb-key/usb-key-service';
import { openRegister, type SealRegister } from '../../src/main/infra/db/index';
import { shippedFontImpressions } from '../../src/main/infra/office/index';
import { Pkcs11Library } from '../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../src/main/infra/pkcs11/pkcs11-usb-key';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createOfficeFrontDoor } from '../../src/main/app/office';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { startTestHost, type TestHost } from './harness/test-host';

const CA = { label: '总裁办CA', soPin: '87654321', pin: '20240701' };
const SEAL = { label: '财务部印章', soPin: '13572468', pin: '11223344' };
const OFFICE = { name: '王秘书', staffId: 'P0001', office: true };

/**
 * The office console's issue form in Chromium against the real handler table: a refusal for the
 * missing approval (PIN fields emptied), then a real issuance onto a SoftHSM2 token.
 */
describe('office console in Chromium', () => {
  let hsm: SoftHsmFixture;
  let port: Pkcs11UsbKeyPort;
  let register: SealRegister;
  let dataDir: string;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    hsm = provisionSoftHsm();
    for (const token of [CA, SEAL]) hsm.createToken({ label: token.label, soPin: token.soPin, userPin: token.pin });
    port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
    dataDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-office-'));
    register = openRegister(join(dataDir, 'register.sqlite'));
    await new OfficeService({ keys: port, register, impressions: shippedFontImpressions() }).initCa({ token: CA.label, groupName: '华夏建设集团', keyType: 'p256' }, Buffer.from(CA.pin), OFFICE);
    const service = new UsbKeyService(port, register.usbKeys, () => new Date());
    const handlers = createHandlers({
      usbKeys: () => service,
      rescanUsbKeys: () => port.rescan(),
      register: () => register,
      workstationCode: () => 'OFFICE-PC',
      exportFolder: () => dataDir,
      appStatus: () => ({ demoMode: false, moduleReady: true, modulePath: hsm.modulePath, demoAvailable: false, officeConsole: true }),
      office: createOfficeFrontDoor({ register: () => register, keys: () => port, actor: () => OFFICE, reportFolder: () => dataDir }),
    });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, handlers);
    page = await browser.newPage();
    await page.goto(host.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    register?.close();
    port?.close();
    hsm?.cleanup();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function fillPins(): Promise<void> {
    await page.getByTestId('office-caPin').fill(CA.pin);
    await page.getByTestId('office-soPin').fill(SEAL.soPin);
    await page.getByTestId('office-initialPin').fill('135790');
    await page.getByTestId('office-initialPinAgain').fill('135790');
  }

  it('refuses an issuance without approval, then issues the seal', async () => {
    await page.getByTestId('nav-office').click();
    await page.getByRole('button', { name: '制发印章' }).click();
    const form = page.getByTestId('office-form-issue');
    await form.waitFor({ state: 'visible' });
    const fields: Record<string, string> = {
      caToken: CA.label,
      token: SEAL.label,
      unitName: '华夏建设集团财务部',
      sealName: '财务专用章',
      sealCode: '1101000000001',
      custodianName: '张敏',
      custodianStaffId: 'E1024',
      workstationId: 'WS-CAIWU-01',
    };
    for (const [name, value] of Object.entries(fields)) await page.getByTestId(`office-${name}`).fill(value);
    await page.getByTestId('office-keyType').selectOption('p256');
    await fillPins();
    await page.getByTestId('office-submit').click();
    const error = form.getByRole('alert');
    await error.waitFor({ state: 'visible' });
    expect(await error.getAttribute('data-code')).toBe('APPROVAL_REQUIRED');
    for (const pin of ['caPin', 'soPin', 'initialPin', 'initialPinAgain']) expect(await page.getByTestId(`office-${pin}`).inputValue()).toBe('');
    expect(register.seals.list()).toHaveLength(0);
    await error.scrollIntoViewIfNeeded();
    await browser.screenshot(page, 'office-01-issue-refused');

    await page.getByLabel('批准文号').fill('集团批〔2025〕12号');
    await page.getByLabel('批准人').fill('李总裁');
    await fillPins();
    await page.getByTestId('office-submit').click();
    const result = page.getByTestId('office-result');
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await result.textContent()).toContain('1101000000001');
    expect(register.seals.list().map((s) => s.state)).toEqual(['ACTIVE']);
    expect(await page.getByTestId('office-caPin').inputValue()).toBe('');
    await result.scrollIntoViewIfNeeded();
    await browser.screenshot(page, 'office-02-issued');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it('keeps the deny list (U2): adds words, removes one, saves, and the register and audit log have it', async () => {
    // The key just issued keeps its initial PIN for its custodian: no forced change on the office computer (M4).
    await expect.poll(() => page.getByText('PIN：初始密码，须修改').count()).toBe(1);
    expect(await page.getByTestId('pin-dialog').count()).toBe(0);
    const panel = page.getByTestId('deny-list');
    await panel.scrollIntoViewIfNeeded();
    const words = panel.getByTestId('deny-word');
    await expect.poll(() => words.count()).toBe(DEFAULT_DOCUMENT_TYPE_DENY_LIST.length);
    expect(await panel.getByTestId('deny-list-save').isDisabled()).toBe(true);
    await panel.getByTestId('deny-word-input').fill('承诺书，保证书');
    await panel.getByRole('button', { name: '加入', exact: true }).click();
    expect((await words.allTextContents()).slice(-2).map((w) => w.replace('×', '').trim())).toEqual(['承诺书', '保证书']);
    await panel.getByRole('button', { name: '移除“保证书”' }).click();
    await panel.getByTestId('deny-list-save').click();
    await expect(panel.getByTestId('deny-list-message').textContent()).resolves.toContain('随下次发布登记簿生效');
    expect(officeDenyList(register)).toEqual([...DEFAULT_DOCUMENT_TYPE_DENY_LIST, '承诺书']);
    expect(register.audit.list().at(-1)).toMatchObject({ action: 'SETTING_CHANGED', subject: 'office.documentTypeDenyList' });
    await browser.screenshot(page, 'office-03-deny-list');
    expect(browser.pageErrors).toEqual([]);
  });

  it('switches scanned documents (U2): refused by default, allowed on the custodian\'s confirmation once saved, audited, and back', async () => {
    const panel = page.getByTestId('scanned-documents');
    await panel.scrollIntoViewIfNeeded();
    await expect.poll(() => panel.getAttribute('data-allowed')).toBe('false');
    expect(await panel.getByTestId('scanned-allowed').isChecked()).toBe(false);
    expect(await panel.getByTestId('scanned-save').isDisabled()).toBe(true);
    await panel.getByTestId('scanned-allowed').check();
    await panel.getByTestId('scanned-save').click();
    await expect(panel.getByTestId('scanned-message').textContent()).resolves.toContain('随下次发布登记簿生效');
    await expect.poll(() => panel.getAttribute('data-allowed')).toBe('true');
    expect(await panel.getByTestId('scanned-state').textContent()).toBe('现在：允许扫描件，须逐份确认');
    expect(scannedDocumentsAllowed(register.settings)).toBe(true);
    expect(register.audit.list().at(-1)).toMatchObject({ action: 'SETTING_CHANGED', subject: SCANNED_DOCUMENTS_SETTING, actorName: OFFICE.name });
    await browser.screenshot(page, 'office-04-scanned-documents');
    // A fresh console reads the stored setting; switching it off again is saved and audited too.
    await page.reload();
    await page.getByTestId('nav-office').click();
    await expect.poll(() => page.getByTestId('scanned-documents').getAttribute('data-allowed')).toBe('true');
    await page.getByTestId('scanned-allowed').uncheck();
    await page.getByTestId('scanned-save').click();
    await expect.poll(() => page.getByTestId('scanned-documents').getAttribute('data-allowed')).toBe('false');
    expect(scannedDocumentsAllowed(register.settings)).toBe(false);
    expect(register.audit.list().filter((row) => row.subject === SCANNED_DOCUMENTS_SETTING)).toHaveLength(2);
    expect(browser.pageErrors).toEqual([]);
  });
});

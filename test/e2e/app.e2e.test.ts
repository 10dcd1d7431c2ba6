import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsbKeyService } from '../../src/main/core/usb-key/usb-key-service';
import { openRegister, type SealRegister } from '../../src/main/infra/db/index';
import { Pkcs11Library } from '../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../src/main/infra/pkcs11/pkcs11-usb-key';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createAppEvents, type AppEvents } from '../../src/main/app/events';
import { createUsbKeyEvents, type UsbKeyEvents } from '../../src/main/app/usb-key-events';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { documentPdf } from './harness/documents';
import { startTestHost, type TestHost } from './harness/test-host';

const SO_PIN = '87654321';
const INITIAL_PIN = '20240701';
const NEW_PIN = 'Seal#2026';
const OFFICE = { name: '王秘书', staffId: 'P0001', office: true };

/**
 * The renderer in real Chromium, against the main process's handler table with the real
 * services: a SoftHSM2 token, a temporary SQLite register, real PDFs. The window's transport is
 * the loopback WebSocket of the test host instead of Electron IPC; everything else is the app.
 */
describe('desktop app in Chromium', () => {
  let hsm: SoftHsmFixture;
  let port: Pkcs11UsbKeyPort;
  let register: SealRegister;
  let service: UsbKeyService;
  let dataDir: string;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  let events: AppEvents;
  let keyEvents: UsbKeyEvents;

  beforeAll(async () => {
    hsm = provisionSoftHsm();
    port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
    dataDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-data-'));
    register = openRegister(join(dataDir, 'register.sqlite'));
    service = new UsbKeyService(port, register.usbKeys, () => new Date(), {
      record: (action, tokenSerial, details) => void register.audit.append({ actor: { name: '测试保管员', staffId: 'S100' }, action, subject: tokenSerial, ...(details ? { details } : {}) }),
    });
    // The app's own key events (app/usb-key-events.ts over the key watcher), pushed to the page.
    events = createAppEvents();
    keyEvents = createUsbKeyEvents({ port: () => port, events, intervalMs: 200 });
    const handlers = createHandlers({
      usbKeys: () => service,
      rescanUsbKeys: () => {
        port.rescan();
        keyEvents.start();
      },
      register: () => register,
      workstationCode: () => 'WS-E2E-0001',
      exportFolder: () => dataDir,
      appStatus: () => ({ demoMode: false, moduleReady: true, modulePath: hsm.modulePath, demoAvailable: true, officeConsole: false }),
    });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, handlers, { events });
    page = await browser.newPage();
    await page.goto(host.url);
  });

  afterAll(async () => {
    keyEvents?.stop();
    await browser?.close();
    await host?.close();
    register?.close();
    port?.close();
    hsm?.cleanup();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the USB-key bar with no key plugged in', async () => {
    await expect(page.getByTestId('usb-key-absent').textContent()).resolves.toContain('未插入 USB Key');
    await browser.screenshot(page, '01-no-usb-key');
  });

  it('does not poll: with no key inserted or removed, the window asks for nothing (issue #14)', async () => {
    const asked = (): number => host.calls.filter((c) => c === 'usbKey.list' || c === 'stamp.progress').length;
    const before = asked();
    // The old window asked for the key list every second; three seconds of quiet now cost nothing.
    await page.waitForTimeout(3000);
    expect(asked()).toBe(before);
  });

  it('forces the PIN change when a key with the first-use marker is inserted (M4)', async () => {
    // Insert a key as the office issues it: a fresh token, the seal in the register, the marker on the key.
    hsm.createToken({ label: '华东分公司', soPin: SO_PIN, userPin: INITIAL_PIN });
    port.rescan();
    const serial = port.findKey('华东分公司').serial;
    register.units.add({ id: 'U-CO', code: 'HQ-CO-01', name: '华东分公司', kind: 'company' }, OFFICE);
    register.custodians.add({ staffId: 'S100', name: '张保管', unitId: 'U-CO' }, OFFICE);
    register.lifecycle.issue(
      {
        id: 'SEAL-1',
        code: '3100000000001',
        name: '华东分公司公章',
        unitId: 'U-CO',
        custodianStaffId: 'S100',
        certificate: { serial: '01', der: new Uint8Array([1, 2, 3]), validFrom: new Date('2026-07-01'), validTo: new Date('2029-07-01'), keyType: 'EC_P256', tokenSerial: serial },
        approval: { reference: '集团办〔2026〕12号', approver: '总裁' },
      },
      OFFICE,
    );
    const issuing = await service.openForIssuance(serial, Buffer.from(INITIAL_PIN));
    await issuing.writeFirstUseMarker();
    await issuing.close();
    expect((await service.info(serial)).initialPinSources).toEqual(expect.arrayContaining(['first-use-marker', 'register']));

    // The key as the custodian receives it: pulled out of the office's computer, plugged in here.
    // The window learns of both only by the pushed 'usbKey.changed' (it no longer polls).
    const folder = hsm.tokenFolders().find((f) => f.endsWith(serial.slice(-12)))!;
    const away = mkdtempSync(join(tmpdir(), 'yinjian-e2e-unplugged-'));
    renameSync(folder, join(away, 'token'));
    await page.getByTestId('usb-key-absent').waitFor({ state: 'visible', timeout: 10_000 });
    const listsBefore = host.calls.filter((c) => c === 'usbKey.list').length;
    renameSync(join(away, 'token'), folder);
    rmSync(away, { recursive: true, force: true });

    const dialog = page.getByTestId('pin-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    // One key list asked for after the push, not a stream of polls.
    expect(host.calls.filter((c) => c === 'usbKey.list').length - listsBefore).toBeLessThanOrEqual(2);
    await expect(page.getByTestId('seal-name').textContent()).resolves.toBe('华东分公司公章');
    // It cannot be dismissed: Escape does nothing and the window behind it is inert.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    expect(await page.locator('.app').getAttribute('inert')).not.toBeNull();

    // The rules follow the typing.
    await page.getByTestId('old-pin').fill(INITIAL_PIN);
    await page.getByTestId('new-pin').fill('123456');
    expect(await page.getByTestId('rule-sequence').getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('rule-length').getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('pin-submit').isDisabled()).toBe(true);
    await page.getByTestId('new-pin').fill(INITIAL_PIN);
    expect(await page.getByTestId('rule-same-as-old').getAttribute('data-ok')).toBe('false');
    await page.getByTestId('new-pin').fill(NEW_PIN);
    await page.getByTestId('confirm-pin').fill(NEW_PIN);
    expect(await page.getByTestId('rule-sequence').getAttribute('data-ok')).toBe('true');
    await browser.screenshot(page, '02-forced-pin-change');

    // A wrong initial PIN is refused by the key itself, and the dialog stays.
    await page.getByTestId('old-pin').fill('99999999');
    await page.getByTestId('pin-submit').click();
    await expect(page.getByTestId('pin-error').getAttribute('data-code')).resolves.toBe('PIN_INCORRECT');
    await browser.screenshot(page, '03-pin-incorrect');
    expect(await dialog.isVisible()).toBe(true);

    await page.getByTestId('old-pin').fill(INITIAL_PIN);
    await page.getByTestId('pin-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('pin-state').textContent()).resolves.toBe('PIN：已修改');

    // The key really changed: no initial-PIN source is left, and the new PIN logs in.
    const after = await service.info(serial);
    expect(after.initialPin).toBe(false);
    const session = await service.openForSigning(serial, Buffer.from(NEW_PIN));
    await session.close();
    await browser.screenshot(page, '04-usb-key-ready');
  });

  it('refuses a contract before stamping and shows why, with the words marked (U2)', async () => {
    await page.getByTestId('nav-stamp').click();
    const contract = await documentPdf('技术服务合同', ['合同编号：HT-2026-018', '甲方：华东分公司', '乙方：某某科技有限公司', '双方经协商一致，订立本合同。']);
    await page.getByTestId('stamp-files').setInputFiles({ name: '技术服务合同.pdf', mimeType: 'application/pdf', buffer: contract });
    const refusal = page.getByTestId('forbidden');
    await refusal.waitFor({ state: 'visible' });
    expect(await refusal.textContent()).toContain('“合同”');
    expect(await page.locator('[data-testid=forbidden-line] mark').allTextContents()).toEqual(['合', '同']);
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(true);
    await browser.screenshot(page, '05-contract-refused');
  });

  // This host wires no stamping service; stamping itself, end to end, is stamp-verify.e2e.test.ts.
  it('lets an internal notice through the text check and enables stamping once approval and PIN are in', async () => {
    const notice = await documentPdf('关于召开年度工作会议的通知', ['各部门：', '集团定于七月一日召开年度工作会议，请各部门负责人准时参加。', '集团办公室']);
    await page.getByTestId('stamp-files').setInputFiles({ name: '会议通知.pdf', mimeType: 'application/pdf', buffer: notice });
    await page.getByTestId('check-allowed').waitFor({ state: 'visible' });
    await page.getByTestId('approval-reference').fill('用印〔2026〕7号');
    await page.getByTestId('approver').fill('李主任');
    await page.getByTestId('stamp-pin').fill(NEW_PIN);
    await page.getByTestId('page-view').locator('canvas').waitFor({ state: 'visible' });
    await browser.screenshot(page, '06-stamp-notice');
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(false);
  });

  it('lists a stamping in the usage register with the audit log intact', async () => {
    register.useRequests.record(
      { id: 'UR-1', sealId: 'SEAL-1', applicantStaffId: 'S100', applicantName: '张保管', approverName: '李主任', approvalReference: '用印〔2026〕7号', documentTitle: '关于召开年度工作会议的通知', documentType: 'internal-formal-document', purpose: '会议通知', approvedAt: new Date() },
      { name: '张保管', staffId: 'S100' },
    );
    register.usage.record(
      { sealId: 'SEAL-1', operatorStaffId: 'S100', operatorName: '张保管', useRequestId: 'UR-1', documentTitle: '关于召开年度工作会议的通知', documentType: 'internal-formal-document', pages: 1, sha256Before: 'a'.repeat(64), sha256After: 'b'.repeat(64), outputPath: '/tmp/会议通知-已盖章.pdf', at: new Date(), workstationId: 'WS-E2E-0001', status: 'ok', errorCode: null },
      { name: '张保管', staffId: 'S100' },
    );
    await page.getByTestId('nav-register').click();
    const row = page.getByTestId('usage-row');
    await row.first().waitFor({ state: 'visible' });
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('关于召开年度工作会议的通知');
    expect(await row.first().textContent()).toContain('华东分公司公章');
    expect(await page.getByTestId('audit-state').getAttribute('data-ok')).toBe('true');
    await page.getByTestId('export-csv').click();
    await expect(page.getByTestId('exported').textContent()).resolves.toContain(dataDir);
    await browser.screenshot(page, '07-register');
  });

  it('switches to English', async () => {
    await page.getByTestId('language').click();
    await expect(page.getByTestId('nav-register').textContent()).resolves.toBe('Usage register');
    await browser.screenshot(page, '08-register-english');
    await page.getByTestId('language').click();
  });

  it('ran without page errors or CSP violations', () => {
    expect(browser.pageErrors).toEqual([]);
    expect(host.calls).toContain('usbKey.changePin');
  });
});

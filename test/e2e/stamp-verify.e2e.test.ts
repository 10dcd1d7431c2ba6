import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/main/demo/demo-mode';
import { currentWorkstation } from '../../src/main/infra/machine/workstation-id';
import { isMainThread } from 'node:worker_threads';
import { createAppEvents } from '../../src/main/app/events';
import type { HostPort } from '../../src/main/app/host/host-port';
import { connectServiceHost, routeChannels, type ServiceHostConnection } from '../../src/main/ipc/service-host';
import { startTestWorkerHost } from '../helpers/service-host';
import { SOFTHSM_MODULE } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { documentPdf } from './harness/documents';
import { tamperPageContent } from './harness/tamper';
import { startTestHost, type TestHost } from './harness/test-host';

/**
 * Issue #6, the first minute of a new user, in real Chromium against the app's own
 * composition, run as the app runs it (issue #14): the handler table and the services in two
 * service hosts off this thread (src/main/host.ts in worker threads, where the app has utility
 * processes), heavy channels routed to the second, exactly as src/main/index.ts wires them;
 * this thread composes nothing and only forwards the page's requests. Start demo mode from the
 * setup screen (a SoftHSM2 store in the data folder, the demo CA and the DEMO seal issued by
 * OfficeService), stamp an internal notice through the pipeline with the PIN the banner shows,
 * see it verify VALID, and see a tampered copy shown as modified with what changed.
 * Its own file: SoftHSM2 reads SOFTHSM2_CONF once per process, and vitest forks per file.
 */
describe('first minute in demo mode: stamp, verify, tamper', () => {
  let appDataDir: string;
  let exportDir: string;
  let hosts: ServiceHostConnection;
  /** Every service host started, in order (worker threads). */
  const ports: HostPort[] = [];
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  let sealedPath: string;
  const previousConf = process.env.SOFTHSM2_CONF;

  beforeAll(async () => {
    appDataDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-app-'));
    exportDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-out-'));
    const events = createAppEvents();
    const init = { appDataDir, exportFolder: exportDir, workstationCode: currentWorkstation().code, softHsmModule: SOFTHSM_MODULE };
    const connect = (lowPriority: boolean): ServiceHostConnection =>
      connectServiceHost({
        start: () => {
          const port = startTestWorkerHost();
          ports.push(port);
          return port;
        },
        init: { ...init, lowPriority },
        forward: (event, payload) => events.forward(event, payload),
      });
    hosts = routeChannels(connect(false), connect(true));
    // The services host loads the app's code (through tsx) with its first request: before the page asks.
    expect(await hosts.invoke('app.status', {})).toMatchObject({ ok: true, value: { demoAvailable: true } });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, (channel, payload) => hosts.invoke(channel, payload), { events });
    page = await browser.newPage();
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    hosts?.close();
    for (const dir of [appDataDir, exportDir, rendererDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
  });

  it('starts demo mode from the setup screen and shows DEMO and its PIN everywhere', async () => {
    await page.getByTestId('nav-setup').click();
    await page.getByTestId('start-demo').waitFor({ state: 'visible' });
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    await browser.screenshot(page, '09-setup');
    await page.getByTestId('start-demo').click();
    await page.getByTestId('demo-banner').waitFor({ state: 'visible', timeout: 30_000 });
    await expect(page.getByTestId('demo-pin').textContent()).resolves.toBe(DEMO.pin);
    await expect(page.getByTestId('demo-banner').textContent()).resolves.toContain('演示模式');
    const sealName = page.getByTestId('seal-name');
    await sealName.waitFor({ state: 'visible' });
    expect(await sealName.textContent()).toBe(DEMO.sealName);
    // The demo PIN is already not the initial one (M4): no forced PIN-change dialog.
    expect(await page.getByTestId('pin-dialog').count()).toBe(0);
    // The demo office key holds the demo CA: the office console is offered (M1).
    expect(await page.getByTestId('nav-office').count()).toBe(1);
  });

  it('stamps an internal notice with the demo seal and sees it verify VALID right away', async () => {
    await page.getByTestId('nav-stamp').click();
    const notice = await documentPdf('关于召开年度工作会议的通知', ['各部门：', '集团定于七月一日召开年度工作会议，请各部门负责人准时参加。', '集团办公室']);
    await page.getByTestId('stamp-files').setInputFiles({ name: '会议通知.pdf', mimeType: 'application/pdf', buffer: notice });
    await page.getByTestId('check-allowed').waitFor({ state: 'visible' });
    await page.getByTestId('approval-reference').fill('用印〔2026〕7号');
    await page.getByTestId('approver').fill('李主任');
    await page.getByTestId('stamp-pin').fill(DEMO.pin);
    await page.getByTestId('page-view').locator('canvas').waitFor({ state: 'visible' });
    await page.locator('.seal-real-size img').waitFor({ state: 'visible' });
    await browser.screenshot(page, '10-demo-stamp');
    await page.getByTestId('stamp-submit').click();
    const outcome = page.getByTestId('stamp-outcome');
    await outcome.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await outcome.getAttribute('data-ok')).toBe('true');
    expect(await outcome.textContent()).toContain('验章结果：有效');
    // Issue #14: the key signed in a service host (a worker thread), not in this thread, which composed nothing.
    expect(isMainThread).toBe(true);
    expect(host.calls).toContain('stamp.seal');
    expect(ports.length).toBeGreaterThanOrEqual(1);
    sealedPath = join(exportDir, '会议通知-已盖章.pdf');
    expect(await outcome.textContent()).toContain(sealedPath);
    await outcome.scrollIntoViewIfNeeded();
    await browser.screenshot(page, '11-demo-stamped');
  });

  it('verifies the sealed notice as VALID with the DEMO seal and its impression', async () => {
    await page.getByTestId('nav-verify').click();
    await page.getByTestId('verify-files').setInputFiles({ name: '会议通知-已盖章.pdf', mimeType: 'application/pdf', buffer: readFileSync(sealedPath) });
    const detail = page.getByTestId('signature-detail');
    await detail.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByTestId('verdict').first().getAttribute('data-verdict')).toBe('VALID');
    // Issue #12: the demo workstation holds the register snapshot, so revocation is checked and
    // the badge is the plain green VALID (a root alone would show it qualified, amber).
    expect(await page.getByTestId('verdict').first().getAttribute('data-revocation')).toBeNull();
    expect(await page.getByTestId('verdict').first().getAttribute('class')).toContain('badge-ok');
    expect(await detail.textContent()).toContain(DEMO.sealCode);
    expect(await detail.locator('img.impression').count()).toBe(1);
    await expect(page.getByTestId('changes').textContent()).resolves.toBe('签章后文件未被改动');
    await browser.screenshot(page, '12-verify-valid');
  });

  it('shows a tampered copy as modified, naming what changed and on which page', async () => {
    const tampered = tamperPageContent(new Uint8Array(readFileSync(sealedPath)));
    await page.getByTestId('verify-files').setInputFiles({ name: '会议通知-被篡改.pdf', mimeType: 'application/pdf', buffer: Buffer.from(tampered) });
    const changed = page.locator('[data-testid=changes] li[data-kind=page-content-changed]');
    await changed.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByTestId('verdict').first().getAttribute('data-verdict')).toBe('MODIFIED');
    expect(await changed.textContent()).toBe('第 1 页：页面内容被修改');
    expect(await changed.getAttribute('class')).toBe('change-bad');
    await expect(page.getByTestId('signature-detail').textContent()).resolves.toContain('声明的文件类型: 内部正式文件');
    await browser.screenshot(page, '13-verify-tampered');
  });

  it('lists the stamping in the register and names the audit actions in words', async () => {
    await page.getByTestId('nav-register').click();
    const row = page.getByTestId('usage-row');
    await row.first().waitFor({ state: 'visible' });
    expect(await row.first().textContent()).toContain('关于召开年度工作会议的通知');
    expect(await row.first().textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    // The screen asks for the audit log after the usage rows: wait for it (under load it came
    // a few hundred ms later, and the list read at once was empty).
    const actions = page.getByTestId('audit-action');
    await expect.poll(() => actions.allTextContents(), { timeout: 30_000 }).toEqual(expect.arrayContaining(['盖章', '修改 PIN 码', '制发印章']));
    expect((await actions.allTextContents()).filter((a) => /^[A-Z_]+$/.test(a))).toEqual([]);
    expect(await page.getByTestId('audit-state').getAttribute('data-ok')).toBe('true');
    await browser.screenshot(page, '14-register-audit');
  });

  it('offers the office console with the demo office key in', async () => {
    await page.getByTestId('nav-office').click();
    // The filed seals are listed once the register answers: wait for them.
    await expect.poll(() => page.locator('.screen').textContent(), { timeout: 30_000 }).toContain(DEMO.sealName);
    await browser.screenshot(page, '15-office');
  });

  it('ran without page errors or CSP violations', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});

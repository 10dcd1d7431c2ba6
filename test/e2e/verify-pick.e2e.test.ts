import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppEvents } from '../../src/main/app/events';
import { connectServiceHost, routeChannels, type ServiceHostConnection } from '../../src/main/ipc/service-host';
import type { EventMessage } from '../../src/shared/ipc/events';
import { makeTestSeal, signPdf } from '../helpers/signed-pdf';
import { startTestWorkerHost } from '../helpers/service-host';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { documentPdf } from './harness/documents';
import { tamperPageContent } from './harness/tamper';
import { startTestHost, type TestHost } from './harness/test-host';

/**
 * Issue #14, the Electron path that keeps documents off the main thread: on the verify screen
 * the person presses "选择文件…", the main process shows its own open dialog (scripted here), hands
 * only the chosen paths to the verifier host (src/main/host.ts in a worker thread, wired as
 * src/main/index.ts wires the utility process), which reads the files itself; the window shows
 * each file's verdict. Real sealed PDFs, one of them changed after sealing.
 */
describe('verify files chosen in the main process’s dialog, in Chromium', () => {
  let dir: string;
  let hosts: ServiceHostConnection;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  const dialogAsks: string[] = [];
  const events: EventMessage[] = [];
  let picks: string[] | undefined;
  let sealedPath: string;
  let tamperedPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-pick-'));
    const seal = await makeTestSeal();
    const sealed = await signPdf(await documentPdf('关于召开年度工作会议的通知', ['各部门：', '集团定于七月一日召开年度工作会议。']), seal);
    sealedPath = join(dir, '会议通知.pdf');
    writeFileSync(sealedPath, sealed);
    tamperedPath = join(dir, '会议通知-被篡改.pdf');
    writeFileSync(tamperedPath, tamperPageContent(sealed));
    const appEvents = createAppEvents();
    appEvents.subscribe((message) => events.push(message));
    const init = { appDataDir: join(dir, 'data'), exportFolder: dir, workstationCode: 'WS-E2E-PICK' };
    const connect = (lowPriority: boolean): ServiceHostConnection =>
      connectServiceHost({
        start: () => startTestWorkerHost(),
        init: { ...init, lowPriority },
        // The main process's dialogs: the person's pick, scripted.
        dialogs: {
          pickModuleFile: async () => undefined,
          pickFolder: async () => undefined,
          pickFile: async () => undefined,
          pickFiles: async (purpose) => {
            dialogAsks.push(purpose);
            return picks;
          },
        },
        forward: (event, payload) => appEvents.forward(event, payload),
      });
    hosts = routeChannels(connect(false), connect(true));
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, (channel, payload) => hosts.invoke(channel, payload), { events: appEvents });
    page = await browser.newPage();
    await page.goto(host.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    hosts?.close();
    for (const d of [dir, rendererDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a cancelled dialog shows nothing', async () => {
    picks = undefined;
    await page.getByTestId('nav-verify').click();
    const pick = page.getByTestId('verify-pick');
    await expect(pick.textContent()).resolves.toBe('选择文件…');
    await pick.click();
    await expect.poll(() => dialogAsks.length, { timeout: 60_000 }).toBe(1);
    await expect.poll(() => pick.isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await page.getByTestId('verify-row').count()).toBe(0);
  });

  it('verifies two sealed files picked in the dialog and shows each verdict', async () => {
    picks = [sealedPath, tamperedPath];
    // What the window's progress line shows, recorded in the page as it renders.
    await page.evaluate(`(() => {
      const seen = (globalThis.verifyProgressSeen = []);
      const bar = '[data-testid="verify-progress"]';
      new MutationObserver(() => {
        const shown = document.querySelector(bar);
        if (shown) seen.push(shown.getAttribute('data-done') + '/' + shown.getAttribute('data-total') + ' ' + shown.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    await page.getByTestId('verify-pick').click();
    const rows = page.getByTestId('verify-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);
    expect(dialogAsks).toEqual(['verify', 'verify']);
    await expect(rows.nth(0).textContent()).resolves.toContain('会议通知.pdf');
    await expect(rows.nth(1).textContent()).resolves.toContain('会议通知-被篡改.pdf');
    // Signed by a seal this receiver does not trust: untrusted, not valid; the changed copy: modified.
    await expect(rows.nth(0).getByTestId('verdict').getAttribute('data-verdict')).resolves.toBe('UNTRUSTED');
    await expect(rows.nth(1).getByTestId('verdict').getAttribute('data-verdict')).resolves.toBe('MODIFIED');
    await expect(rows.nth(1).getByTestId('verdict').getAttribute('class')).resolves.toContain('badge-bad');
    // The first file's signature detail, from the verifier's report on the file it read.
    await page.getByTestId('signature-detail').first().waitFor({ state: 'visible' });
    // Progress was pushed from the verifier host, through the main process, as for dropped files.
    const progress = events.filter((e) => e.event === 'verify.progress').map((e) => e.payload as { active: boolean; total: number; current?: string });
    expect(progress.some((p) => p.active && p.total === 2 && p.current === '会议通知-被篡改.pdf')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ active: false, done: 2, total: 2 });
    // …and the window showed it while the batch ran, then took it away.
    const shown = (await page.evaluate('globalThis.verifyProgressSeen')) as string[];
    expect(shown.some((line) => line.startsWith('1/2 ') && line.includes('正在验章：1 / 2') && line.includes('会议通知-被篡改.pdf'))).toBe(true);
    expect(await page.getByTestId('verify-progress').count()).toBe(0);
    await browser.screenshot(page, '50-verify-picked-files');
  });

  it('shows a file it could not read with its typed refusal, in Chinese first', async () => {
    picks = [join(dir, '不存在.pdf'), sealedPath];
    await page.getByTestId('verify-pick').click();
    const error = page.getByTestId('verify-error');
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await error.getAttribute('data-code')).toBe('FILE_NOT_READABLE');
    expect(await error.textContent()).toContain('不存在.pdf');
    await expect(page.getByTestId('verify-row').nth(1).getByTestId('verdict').getAttribute('data-verdict')).resolves.toBe('UNTRUSTED');
  });
});

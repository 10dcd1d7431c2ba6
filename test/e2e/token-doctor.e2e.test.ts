import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/app/app-services';
import { createHandlers } from '../../src/main/ipc/handlers';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { startTestHost, type TestHost } from './harness/test-host';

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/**
 * Issue 17: the key doctor in the window's set-up screen, on the app's own composition
 * (createAppServices, the same use case as `yinjian token doctor`) and a real SoftHSM2 token:
 * the driver in use and a catalog driver by id are checked, every requirement shows its
 * verdict and what to do, Chinese first, English on the switch, and the key is left as it was.
 */
describe('key doctor in the set-up screen (Chromium)', () => {
  let hsm: SoftHsmFixture;
  let dir: string;
  let services: AppServices;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  let before: string;

  beforeAll(async () => {
    hsm = provisionSoftHsm();
    hsm.createToken({ label: 'doctor-e2e', soPin: '87654321', userPin: '20240701' });
    before = treeHash(hsm.tokenDir);
    dir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-doctor-'));
    services = createAppServices({
      appDataDir: dir,
      exportFolder: () => dir,
      workstationCode: () => 'WS-DOCTOR',
      envModule: hsm.modulePath,
      dialogs: { pickModuleFile: async () => undefined, pickFolder: async () => undefined, pickFile: async () => undefined },
    });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, createHandlers(services));
    page = await browser.newPage();
    await page.goto(host.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    services?.close();
    hsm?.cleanup();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('checks the driver in use: the known profile, a verdict per requirement, what to do where it is limited', async () => {
    // The window first asks the main process for its status (loading the module): wait for the shell.
    await page.getByTestId('nav-setup').waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByTestId('nav-setup').click({ timeout: 60_000 });
    await page.getByTestId('doctor-run-current').click({ timeout: 60_000 });
    const report = page.getByTestId('doctor-report');
    await report.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await report.getAttribute('data-verdict')).toBe('degraded');
    await expect(page.getByTestId('doctor-module').textContent()).resolves.toContain('型号配置：softhsm2');
    const verdictOf = (key: string) => page.getByTestId(`doctor-check-${key}`).getAttribute('data-verdict');
    expect(await verdictOf('doctor-e2e-keygen')).toBe('ok');
    expect(await verdictOf('doctor-e2e-sign')).toBe('ok');
    expect(await verdictOf('doctor-e2e-marker')).toBe('ok');
    expect(await verdictOf('doctor-e2e-office-unlock')).toBe('degraded');
    await expect(page.getByTestId('doctor-check-doctor-e2e-keygen').textContent()).resolves.toContain('可在 Key 内生成：RSA-2048, EC P-256');
    await expect(page.getByTestId('doctor-todo-doctor-e2e-office-unlock').textContent()).resolves.toContain('处理办法：仅限测试与演示使用');
    await expect(page.getByTestId('doctor-verdict').textContent()).resolves.toContain('可以使用，但有下列限制');
    await page.getByTestId('doctor-verdict').scrollIntoViewIfNeeded();
    await browser.screenshot(page, '40-setup-key-doctor');
  });

  it('checks a catalog driver by id (no path from the page), and shows the blank slot with what to do', async () => {
    await page.getByTestId('doctor-run-softhsm2').click();
    await expect.poll(() => page.getByTestId('doctor-report').getAttribute('data-verdict'), { timeout: 30_000 }).toBe('degraded');
    const blank = page.locator('[data-testid^="doctor-todo-"][data-testid$="-initialised"]');
    await expect(blank.first().textContent()).resolves.toContain('总裁办发放时初始化');
  });

  it('switches to English', async () => {
    await page.getByTestId('language').click();
    await expect(page.getByTestId('doctor-check-doctor-e2e-keygen').textContent()).resolves.toContain('generates on the key: RSA-2048, EC P-256');
    await expect(page.getByTestId('doctor-todo-doctor-e2e-office-unlock').textContent()).resolves.toContain('What to do: for tests and demonstrations only');
    await expect(page.getByTestId('doctor-verdict').textContent()).resolves.toContain('Usable, with the limits below.');
    await page.getByTestId('language').click();
  });

  it('changed nothing on the key, and ran without page errors or CSP violations', () => {
    expect(treeHash(hsm.tokenDir)).toBe(before);
    expect(browser.pageErrors).toEqual([]);
  });
});

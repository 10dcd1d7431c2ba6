import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/app/app-services';
import { createHandlers } from '../../src/main/ipc/handlers';
import { provisionOffice, type OfficeFixture } from '../helpers/office';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { startTestHost, type TestHost } from './harness/test-host';

/**
 * Issue #14 through the window, on the app's own composition (createAppServices): a receiver's
 * computer trusts the office's group root only after comparing its fingerprint, imports the
 * first snapshot, and is refused a rollback. The main process's dialogs are scripted (the
 * person's pick); the office's publication is real (office publish on SoftHSM2).
 */
describe('receiver trust in Chromium', () => {
  let office: OfficeFixture;
  let dir: string;
  let services: AppServices;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  const picks: { root?: string; snapshot?: string } = {};

  beforeAll(async () => {
    office = await provisionOffice();
    dir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-trust-'));
    services = createAppServices({
      appDataDir: dir,
      exportFolder: () => dir,
      workstationCode: () => 'WS-RECEIVER',
      dialogs: { pickModuleFile: async () => undefined, pickFolder: async () => undefined, pickFile: async (purpose) => (purpose === 'group-root' ? picks.root : picks.snapshot) },
    });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, createHandlers(services), { events: services.events });
    page = await browser.newPage();
    await page.goto(host.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    services?.close();
    office?.cleanup();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says nothing is trusted yet, and will not import before a root is confirmed', async () => {
    await page.getByTestId('nav-trust').click();
    // The screen asks the main process for its state after it mounts: wait for the answer.
    await expect.poll(() => page.getByTestId('trust-state').textContent(), { timeout: 20_000 }).toContain('尚未信任');
    expect(await page.getByTestId('import-snapshot').isDisabled()).toBe(true);
  });

  it('shows the picked root’s fingerprint for comparison, then imports the first snapshot once confirmed', async () => {
    picks.root = office.rootPem;
    picks.snapshot = join(office.publicationDir, 'register-snapshot-000001.p7m');
    await page.getByTestId('pick-root').click();
    const fingerprint = await page.getByTestId('picked-fingerprint').textContent();
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await page.getByTestId('import-snapshot').isDisabled()).toBe(true);
    await page.getByTestId('confirm-root').check();
    await browser.screenshot(page, '30-trust-compare-fingerprint');
    await page.getByTestId('import-snapshot').click();
    await expect(page.getByTestId('import-result').textContent()).resolves.toContain('已导入第 1 号快照');
    await expect(page.getByTestId('trusted-fingerprint').textContent()).resolves.toBe(fingerprint);
    await expect(page.getByTestId('trusted-snapshot').textContent()).resolves.toContain(office.groupName);
    await expect(page.getByTestId('trust-state').textContent()).resolves.toContain('信任时间');
    await browser.screenshot(page, '31-trust-imported');
  });

  it('refuses the same snapshot again (no rollback), with the typed refusal', async () => {
    await page.getByTestId('import-snapshot').click();
    const error = page.getByTestId('trust-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.getAttribute('data-code')).toBe('SNAPSHOT_ROLLBACK');
    await browser.screenshot(page, '32-trust-rollback-refused');
  });

  it('switches to English', async () => {
    await page.getByTestId('language').click();
    await expect(page.getByTestId('nav-trust').textContent()).resolves.toBe('Trust & register');
    await expect(page.getByTestId('trust-state').textContent()).resolves.toContain('Trusted group root');
    await page.getByTestId('language').click();
  });

  it('ran without page errors or CSP violations', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): the only browser the tests use. */
export const CHROMIUM = '/usr/bin/chromium';

export const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts/e2e');

export interface TestBrowser {
  readonly browser: Browser | null;
  readonly context: BrowserContext;
  /** Console errors and CSP violations the page reported. */
  readonly pageErrors: string[];
  newPage(): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile. Fails loudly when it is missing: the
 * renderer tests must never be skipped for lack of a browser.
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed (${CHROMIUM} missing): apt-get install chromium. The renderer browser tests need it.`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'yinjian-chromium-'));
  // A fresh --user-data-dir per run (Playwright passes the profile folder as that flag).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 20_000,
    viewport: { width: 1280, height: 820 },
    locale: 'zh-CN',
    deviceScaleFactor: 1,
  });
  // Playwright's 5 s default for each action fails on a loaded 2-core CI machine (seen: a CI run
  // beside other heavy jobs); waits that mean something carry their own, longer bounds.
  context.setDefaultTimeout(20_000);
  const browser = context.browser();
  const pageErrors: string[] = [];
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    context,
    pageErrors,
    newPage: async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(5_000);
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) pageErrors.push(`http ${response.status()}: ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
      });
      return page;
    },
    screenshot: async (page, name) => {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

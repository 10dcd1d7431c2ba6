import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from '../../src/main/core/verify/index';
import { openRegister } from '../../src/main/infra/db/index';
import { createHandlers, type HandlerTable } from '../../src/main/ipc/handlers';
import { createAppServices, type AppServices } from '../../src/main/app/app-services';
import { runYinjian } from '../helpers/cli';
import { provisionFaultToken, type FaultTokenFixture } from '../helpers/fault-token';
import { provisionOffice, type OfficeFixture } from '../helpers/office';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { documentPdf } from './harness/documents';
import { startTestHost, type TestHost } from './harness/test-host';

function derOfPem(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

/** What the slow-key case adds to the page to count its frames. */
interface FramePage {
  frameGaps: number[];
  requestAnimationFrame(callback: (now: number) => void): number;
}

/** One answered call to the main process's handler table, as the host saw it. */
interface CallSpan {
  readonly channel: string;
  readonly start: number;
  end?: number;
}

/**
 * Issue #7 through the window: the app's own composition (createAppServices) on a workstation
 * that imported the office's register, with the fault-injecting PKCS#11 module as its vendor
 * module (YINJIAN_PKCS11_MODULE), over the SoftHSM2 key the office issued. Real Chromium,
 * real register file, real PDFs; what the key does wrong comes from the module alone.
 *
 *   - wrong PINs at the stamp screen: the tries-left texts, then the locked state (M4, M5);
 *   - the office unlocks the key (SO PIN, new initial PIN): the forced PIN change follows, and
 *     counts wrong PINs in its own dialog; a key that locks on its initial PIN says so there;
 *   - the forced PIN change from the key's flag alone (CKF_USER_PIN_TO_BE_CHANGED);
 *   - a slow key (400 ms a signature): a batch completes while the window and the main
 *     process keep answering; the custodian can stop a batch;
 *   - the key pulled out mid-batch: the first document stands, the rest are recorded (U3).
 * Its own file: SoftHSM2 reads SOFTHSM2_CONF once per process, and vitest forks per file.
 */
describe('a faulty USB key through the window', { timeout: 120_000 }, () => {
  let office: OfficeFixture;
  let fault: FaultTokenFixture;
  let exportDir: string;
  let services: AppServices;
  let rendererDir: string;
  let host: TestHost;
  let browser: TestBrowser;
  let page: Page;
  const spans: CallSpan[] = [];
  /** The seal key's user PIN as it is now. */
  let pin: string;
  let noticeCount = 0;

  async function notices(count: number): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
    const files = [];
    for (let i = 0; i < count; i++) {
      const n = ++noticeCount;
      files.push({
        name: `通知-${String(n).padStart(2, '0')}.pdf`,
        mimeType: 'application/pdf',
        buffer: await documentPdf(`关于第${n}次安全检查的通知`, ['各部门：', `集团定于下周开展第${n}次安全检查，请做好准备。`, '集团办公室']),
      });
    }
    return files;
  }

  /** The seal key's place in the USB-key bar (the office's CA key is plugged in too). */
  const sealKey = () => page.getByTestId('usb-key').filter({ hasText: office.seal.serial });

  /** Opens documents at the stamp screen and fills what a stamping needs, except the PIN. */
  async function prepareStamping(count: number): Promise<string[]> {
    await page.getByTestId('nav-stamp').click();
    const files = await notices(count);
    await page.getByTestId('stamp-files').setInputFiles(files);
    await expect.poll(() => page.getByTestId('check-allowed').count(), { timeout: 20_000 }).toBe(count);
    await page.getByTestId('approval-reference').fill('用印〔2026〕31号');
    await page.getByTestId('approver').fill('李主任');
    return files.map((f) => f.name);
  }

  function usageRows() {
    const register = openRegister(join(office.workstationDir, 'register.sqlite'));
    try {
      expect(register.audit.verify().ok, 'audit chain').toBe(true);
      return register.usage.find();
    } finally {
      register.close();
    }
  }

  /** The office's unlock (`yinjian token reset-pin` with the SO PIN) through the same module. */
  async function officeUnlock(initialPin: string): Promise<void> {
    const run = await runYinjian(['token', 'reset-pin', '--token', office.seal.serial, '--pin-stdin', '--data-dir', office.officeDir], {
      env: { ...office.env, ...fault.env, YINJIAN_PKCS11_MODULE: fault.modulePath },
      stdin: `${office.seal.soPin}\n${initialPin}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
  }

  /** Changes the PIN in the forced dialog. */
  async function changePinInDialog(oldPin: string, newPin: string): Promise<void> {
    await page.getByTestId('old-pin').fill(oldPin);
    await page.getByTestId('new-pin').fill(newPin);
    await page.getByTestId('confirm-pin').fill(newPin);
    await page.getByTestId('pin-submit').click();
    await page.getByTestId('pin-dialog').waitFor({ state: 'detached', timeout: 15_000 });
    pin = newPin;
  }

  beforeAll(async () => {
    office = await provisionOffice();
    pin = office.seal.pin;
    fault = provisionFaultToken({ hsm: office.softhsm });
    exportDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-fault-out-'));
    services = createAppServices({
      appDataDir: office.workstationDir,
      envModule: fault.modulePath,
      exportFolder: () => exportDir,
      workstationCode: () => office.workstationId,
      actor: () => ({ name: office.seal.custodianName, staffId: office.seal.custodianStaffId }),
    });
    // The host's handler table, with every call's start and end noted.
    const handlers = createHandlers(services);
    const timed = Object.fromEntries(
      Object.entries(handlers).map(([channel, handler]) => [
        channel,
        async (request: unknown) => {
          const span: CallSpan = { channel, start: performance.now() };
          spans.push(span);
          try {
            return await (handler as (r: unknown) => Promise<unknown>)(request);
          } finally {
            span.end = performance.now();
          }
        },
      ]),
    ) as unknown as HandlerTable;
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    host = await startTestHost(rendererDir, timed, { events: services.events });
    page = await browser.newPage();
    await page.goto(host.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    services?.close();
    fault?.cleanup();
    office?.cleanup();
    for (const dir of [exportDir, rendererDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the issued seal key, its PIN changed, through the vendor module', async () => {
    await expect(sealKey().getByTestId('seal-name').textContent({ timeout: 15_000 })).resolves.toBe(office.seal.sealName);
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：已修改');
    expect(services.appStatus?.().modulePath).toBe(fault.modulePath);
  });

  it('counts wrong PINs at the stamp screen, then shows the key locked and stamps nothing', async () => {
    fault.setControl({ note: 'three tries', maxTries: 3 });
    const rowsBefore = usageRows().length;
    await prepareStamping(1);
    const error = page.getByTestId('stamp-error');

    await page.getByTestId('stamp-pin').fill('Wrong-111');
    await page.getByTestId('stamp-submit').click();
    await expect.poll(() => error.getAttribute('data-code')).toBe('PIN_INCORRECT');
    await expect(error.textContent()).resolves.toContain('自上次成功登录以来已输错过 PIN');
    await expect(page.getByTestId('stamp-tries').textContent()).resolves.toContain('自上次成功登录以来已输错过 PIN');
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：曾输错');
    // The PIN field is emptied after every attempt.
    await expect(page.getByTestId('stamp-pin').inputValue()).resolves.toBe('');

    await page.getByTestId('stamp-pin').fill('Wrong-222');
    await page.getByTestId('stamp-submit').click();
    await expect.poll(() => error.textContent()).toContain('仅剩最后一次机会');
    await expect(page.getByTestId('stamp-tries').textContent()).resolves.toContain('仅剩最后一次机会');
    await browser.screenshot(page, '20-stamp-final-try');

    await page.getByTestId('stamp-pin').fill('Wrong-333');
    await page.getByTestId('stamp-submit').click();
    await expect.poll(() => error.getAttribute('data-code')).toBe('PIN_LOCKED');
    await expect(error.textContent()).resolves.toContain('PIN 码已锁定');
    await page.getByTestId('stamp-locked').waitFor({ state: 'visible' });
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：已锁定');
    expect(await page.getByTestId('stamp-pin').isDisabled()).toBe(true);
    expect(await page.getByTestId('stamp-submit').isDisabled()).toBe(true);
    await browser.screenshot(page, '21-stamp-locked');

    // Locked for real: the right PIN no longer opens the key.
    expect(fault.tokenState(office.seal.serial)?.failures).toBe(3);
    await expect(services.usbKeys().openForSigning(office.seal.serial, Buffer.from(pin))).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    // Nothing sealed; each attempt on the document is in the usage register with its code (U3, M5).
    expect(readdirSync(exportDir)).toEqual([]);
    const rows = usageRows().slice(rowsBefore);
    expect(rows.map((r) => [r.status, r.errorCode, r.outputPath])).toEqual([
      ['failed', 'PIN_INCORRECT', null],
      ['failed', 'PIN_INCORRECT', null],
      ['failed', 'PIN_LOCKED', null],
    ]);
  });

  it('after the office unlocks it, the forced PIN change follows and counts wrong PINs in its dialog', async () => {
    await officeUnlock('246810');
    const dialog = page.getByTestId('pin-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    // The key flag and the first-use marker both say so (M4).
    const info = await services.usbKeys().info(office.seal.serial);
    expect(info.initialPinSources).toEqual(expect.arrayContaining(['token-flag', 'first-use-marker']));
    expect(await page.getByTestId('tries-left').count()).toBe(0);

    await page.getByTestId('old-pin').fill('999888');
    await page.getByTestId('new-pin').fill('Seal#2026a');
    await page.getByTestId('confirm-pin').fill('Seal#2026a');
    await page.getByTestId('pin-submit').click();
    await expect.poll(() => page.getByTestId('pin-error').getAttribute('data-code')).toBe('PIN_INCORRECT');
    await expect(page.getByTestId('pin-error').textContent()).resolves.toContain('自上次成功登录以来已输错过 PIN');
    await expect(page.getByTestId('tries-left').textContent()).resolves.toContain('已输错过 PIN');
    await browser.screenshot(page, '22-pin-change-tries');

    await changePinInDialog('246810', 'Seal#2026a');
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：已修改');
    // The stamp screen's "locked" refusal went with the lock.
    expect(await page.getByTestId('stamp-error').count()).toBe(0);
    expect(await page.getByTestId('stamp-locked').count()).toBe(0);
    expect(fault.tokenState(office.seal.serial)).toMatchObject({ failures: 0, toBeChanged: false });
  });

  it('forces the PIN change from the key flag alone, and a key locked on its initial PIN says so in the dialog', async () => {
    fault.setControl({ note: 'vendor flag', maxTries: 2, toBeChanged: [office.seal.serial] });
    const dialog = page.getByTestId('pin-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await expect(services.usbKeys().info(office.seal.serial)).resolves.toMatchObject({ initialPin: true, initialPinSources: ['token-flag'] });

    const tryOldPin = async (wrong: string): Promise<void> => {
      await page.getByTestId('old-pin').fill(wrong);
      await page.getByTestId('new-pin').fill('Seal#2026b');
      await page.getByTestId('confirm-pin').fill('Seal#2026b');
      await page.getByTestId('pin-submit').click();
    };
    // Two tries on this key: the first wrong PIN leaves one.
    await tryOldPin('111999');
    await expect.poll(() => page.getByTestId('pin-error').textContent()).toContain('仅剩最后一次机会');
    await expect(page.getByTestId('tries-left').textContent()).resolves.toContain('仅剩最后一次机会');
    // The second locks it: the dialog stays, says why, and offers no form.
    await tryOldPin('222888');
    await page.getByTestId('pin-locked').waitFor({ state: 'visible' });
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：已锁定');
    expect(await page.getByTestId('old-pin').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    expect(await page.locator('.app').getAttribute('inert')).not.toBeNull();
    await browser.screenshot(page, '23-pin-change-locked');

    await officeUnlock('135246');
    await page.getByTestId('old-pin').waitFor({ state: 'visible', timeout: 15_000 });
    await changePinInDialog('135246', 'Seal#2026c');
    await expect(services.usbKeys().info(office.seal.serial)).resolves.toMatchObject({ initialPin: false, initialPinSources: [] });
  });

  it('with a slow key (400 ms a signature) a batch of 5 completes while the window and the main process keep answering', async () => {
    fault.setControl({ note: 'slow key', signDelayMs: 400 });
    const names = await prepareStamping(5);
    const rowsBefore = usageRows().length;
    // The renderer's frames during the batch, counted by the page itself.
    await page.evaluate(() => {
      const w = globalThis as unknown as FramePage;
      w.frameGaps = [];
      let last = performance.now();
      const tick = (now: number) => {
        w.frameGaps.push(now - last);
        last = now;
        w.requestAnimationFrame(tick);
      };
      w.requestAnimationFrame(tick);
    });
    // Every value the bar shows is recorded in the page as it renders (a sampling loop here
    // would miss values on a loaded machine).
    // (A script string: the page's DOM types are not in this test's TypeScript lib.)
    await page.evaluate(`(() => {
      const seen = (globalThis.progressSeen = []);
      const bar = '[data-testid="stamp-progress"]';
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes' && r.target.matches(bar)) seen.push(r.target.getAttribute('data-done'));
          for (const added of r.addedNodes) {
            const shown = added instanceof Element ? (added.matches(bar) ? added : added.querySelector(bar)) : null;
            if (shown) seen.push(shown.getAttribute('data-done'));
          }
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-done'] });
    })()`);
    await page.getByTestId('stamp-pin').fill(pin);
    await page.getByTestId('stamp-submit').click();
    const progress = page.getByTestId('stamp-progress');
    await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    // The PIN left the field when the batch began.
    await expect(page.getByTestId('stamp-pin').inputValue()).resolves.toBe('');
    // Round trips from the page to the main process while the key signs.
    const probes: { ok: boolean; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      probes.push(
        await page.evaluate(async () => {
          const started = performance.now();
          const api = (globalThis as unknown as { yinjian: { invoke(channel: string, request: object): Promise<{ ok: boolean }> } }).yinjian;
          const result = await api.invoke('app.status', {});
          return { ok: result.ok, ms: performance.now() - started };
        }),
      );
    }

    // Mid-batch, the window still reacts: the language switch takes effect while the batch runs.
    await page.getByTestId('language').click();
    await expect(page.getByTestId('nav-stamp').textContent()).resolves.toBe('Stamp');
    const doneAfterSwitch = Number(await progress.getAttribute('data-done'));
    expect(doneAfterSwitch).toBeLessThan(5);
    await page.getByTestId('language').click();
    await expect(page.getByTestId('nav-stamp').textContent()).resolves.toBe('盖章');
    if ((await progress.count()) > 0) {
      await progress.scrollIntoViewIfNeeded().catch(() => undefined);
      await browser.screenshot(page, '26-slow-batch-progress');
    }

    // The bar moves document by document.
    await expect.poll(() => progress.count(), { timeout: 30_000 }).toBe(0);
    const seen = new Set(await page.evaluate(() => (globalThis as unknown as { progressSeen: string[] }).progressSeen));
    const outcomes = page.getByTestId('stamp-outcome');
    await expect.poll(() => outcomes.count()).toBe(5);
    expect(await outcomes.evaluateAll((items) => items.map((i) => i.getAttribute('data-ok')))).toEqual(['true', 'true', 'true', 'true', 'true']);
    expect(await page.getByTestId('stamp-results').textContent()).toContain('验章结果：有效');
    expect([...seen].map(Number).filter((d) => d > 0 && d < 5).length).toBeGreaterThanOrEqual(2);

    // The window did not poll (issue #14): no key list nor progress was asked for while the key
    // signed; the bar above moved on the main process's pushed 'stamp.progress' alone.
    const seal = spans.filter((s) => s.channel === 'stamp.seal').at(-1)!;
    const during = spans.filter((s) => s !== seal && s.start > seal.start && s.end !== undefined && s.end < (seal.end ?? Infinity));
    expect(during.filter((s) => s.channel === 'usbKey.list' || s.channel === 'stamp.progress')).toEqual([]);
    // …and the main process answered the window's own calls meanwhile (the probes below).
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(probes.every((p) => p.ok)).toBe(true);
    expect(during.filter((s) => s.channel === 'app.status').length).toBeGreaterThanOrEqual(3);

    for (const name of names) {
      const path = join(exportDir, name.replace('.pdf', '-已盖章.pdf'));
      const report = await verifyPdf(readFileSync(path), { trustAnchors: [derOfPem(readFileSync(office.rootPem, 'utf8'))] }, {}, path);
      expect(report.verdict, name).toBe('VALID');
    }
    expect(usageRows().slice(rowsBefore).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);

    // Figures for the notes (not asserted: speed is the benchmarks' business).
    const gaps = await page.evaluate(() => (globalThis as unknown as FramePage).frameGaps);
    const slowest = (xs: number[]) => Math.round(Math.max(...xs));
    console.info(
      `slow-key batch of 5 (400 ms a signature) in ${Math.round(seal.end! - seal.start)} ms: ${gaps.length} frames, longest frame gap ${slowest(gaps)} ms; ` +
        `main answered ${during.length} calls meanwhile, slowest ${slowest(during.map((s) => s.end! - s.start))} ms; page round trips ${probes.map((p) => Math.round(p.ms)).join('/')} ms (progress pushed, not polled)`,
    );
  });

  it('stops a slow batch at the custodian’s request: what was sealed stands, the rest is recorded as not begun', async () => {
    fault.setControl({ note: 'slower key', signDelayMs: 700 });
    await prepareStamping(4);
    const rowsBefore = usageRows().length;
    await page.getByTestId('stamp-pin').fill(pin);
    await page.getByTestId('stamp-submit').click();
    // Stop while the first document is being signed (the key is open, a document is current).
    const progress = page.getByTestId('stamp-progress');
    await expect.poll(async () => (await progress.getAttribute('data-current')) ?? '', { timeout: 20_000 }).not.toBe('');
    await page.getByTestId('stamp-stop').click();
    await expect(page.getByTestId('stamp-stop').textContent()).resolves.toBe('正在停止：当前文件完成后停止');
    const outcomes = page.getByTestId('stamp-outcome');
    await expect.poll(() => outcomes.count(), { timeout: 20_000 }).toBe(4);
    const states = await outcomes.evaluateAll((items) => items.map((i) => [i.getAttribute('data-ok'), i.getAttribute('data-code')]));
    const sealed = states.filter(([ok]) => ok === 'true').length;
    // The document being signed when stop was pressed is finished; nothing after it begins.
    expect(sealed).toBeGreaterThanOrEqual(1);
    expect(sealed).toBeLessThan(4);
    expect(states).toEqual([...Array(sealed).fill(['true', null]), ...Array(4 - sealed).fill(['false', 'STAMP_BATCH_STOPPED'])]);
    await expect(outcomes.last().textContent()).resolves.toContain('未开始');
    await page.getByTestId('stamp-results').scrollIntoViewIfNeeded();
    await browser.screenshot(page, '24-batch-stopped');
    const rows = usageRows().slice(rowsBefore);
    expect(rows.map((r) => [r.status, r.errorCode])).toEqual([...Array(sealed).fill(['ok', null]), ...Array(4 - sealed).fill(['failed', 'STAMP_BATCH_STOPPED'])]);
  });

  it('the key pulled out mid-batch: the first document stands, the second fails, the third is recorded as not begun; the key comes back', async () => {
    fault.setControl({ note: 'pulled at the second signature', removeAt: { call: 'C_Sign', nth: 2 } });
    const names = await prepareStamping(3);
    const rowsBefore = usageRows().length;
    await page.getByTestId('stamp-pin').fill(pin);
    await page.getByTestId('stamp-submit').click();
    const outcomes = page.getByTestId('stamp-outcome');
    await expect.poll(() => outcomes.count(), { timeout: 30_000 }).toBe(3);
    expect(await outcomes.evaluateAll((items) => items.map((i) => [i.getAttribute('data-ok'), i.getAttribute('data-code')]))).toEqual([
      ['true', null],
      ['false', 'DEVICE_REMOVED'],
      ['false', 'DEVICE_REMOVED'],
    ]);
    await expect(outcomes.nth(1).textContent()).resolves.toContain('USB Key 在操作过程中被拔出');
    await expect(outcomes.nth(2).textContent()).resolves.toContain('未开始');
    // The bar follows: the seal key is gone from it (the office's CA key stays).
    await expect.poll(() => sealKey().count(), { timeout: 15_000 }).toBe(0);
    expect(await page.getByTestId('usb-key').count()).toBe(1);
    await browser.screenshot(page, '25-key-pulled-mid-batch');
    expect(readdirSync(exportDir).filter((f) => names.some((n) => f.startsWith(n.replace('.pdf', ''))))).toEqual([names[0]!.replace('.pdf', '-已盖章.pdf')]);
    const rows = usageRows().slice(rowsBefore);
    expect(rows.map((r) => [r.status, r.errorCode])).toEqual([
      ['ok', null],
      ['failed', 'DEVICE_REMOVED'],
      ['failed', 'DEVICE_REMOVED'],
    ]);
    // Plugged back in: the bar shows the seal again, its PIN unharmed, and the app stamps again.
    fault.setControl({ note: 'plugged back in' });
    await expect(sealKey().getByTestId('seal-name').textContent({ timeout: 15_000 })).resolves.toBe(office.seal.sealName);
    await expect(sealKey().getByTestId('pin-state').textContent()).resolves.toBe('PIN：已修改');
    await prepareStamping(1);
    await page.getByTestId('stamp-pin').fill(pin);
    await page.getByTestId('stamp-submit').click();
    await expect.poll(() => outcomes.count(), { timeout: 30_000 }).toBe(1);
    expect(await outcomes.first().getAttribute('data-ok')).toBe('true');
    await expect(outcomes.first().textContent()).resolves.toContain('验章结果：有效');
  });

  it('ran without page errors or CSP violations, and no PIN reached the register', () => {
    expect(browser.pageErrors).toEqual([]);
    const files = readdirSync(office.workstationDir).filter((f) => f.startsWith('register.sqlite'));
    const pins = [office.seal.pin, 'Seal#2026a', 'Seal#2026c', 'Wrong-111', '246810'];
    for (const file of files) {
      const bytes = readFileSync(join(office.workstationDir, file));
      for (const p of pins) {
        expect(bytes.includes(Buffer.from(p)), `${p} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(p, 'utf16le')), `${p} (UTF-16) in ${file}`).toBe(false);
      }
    }
  });
});

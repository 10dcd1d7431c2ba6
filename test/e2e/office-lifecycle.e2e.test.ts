import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/app/app-services';
import type { MainDialogs } from '../../src/main/app/dialogs';
import { createHandlers } from '../../src/main/ipc/handlers';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';
import { launchChromium, type TestBrowser } from './harness/browser';
import { buildTestRenderer } from './harness/build-renderer';
import { startTestHost, type TestHost } from './harness/test-host';

const CA = { label: '总裁办CA', soPin: '87654321', pin: '20240701' };
/** Seal A: 财务专用章, bound to the workstation below; it signs the S6 export. */
const KEY_A = { label: '财务部印章', soPin: '13572468', pin: '11223344' };
/** Seal B lives its whole lifecycle: delegation, loss, re-issue onto key C, change, cancel. */
const KEY_B = { label: '行政部印章', soPin: '24681357', pin: '11223344' };
const KEY_C = { label: '备用Key', soPin: '97531864', pin: '11223344' };
const WORKSTATION = 'WS-CAIWU-01';
const INITIAL_PIN = '135790';
const CUSTODIAN_PIN = '8Jq4-Zt2x';
const APPROVAL = { reference: '集团批〔2026〕12号', approver: '李总裁' };

/** A date in Beijing time, `days` from today, as the office types it (E1). */
function beijingDay(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Issue #14: the office's whole job in the window, on the app's own composition
 * (createAppServices) over a SoftHSM2 token store and real SQLite registers, in Chromium:
 * init-ca on the setup screen, issue, delegate / may-use / end a delegation (M3), report,
 * confirm and withdraw a loss, re-issue, change, cancel (S3–S5), unlock a key (M4), publish;
 * then the workstation imports the publication (root fingerprint, snapshot, CRL), its
 * custodian changes the initial PIN and exports the register signed (S6); the office inspects
 * that export and saves the report's PDF. The main process's dialogs are scripted (the
 * person's picks); every refusal on the way is the rule's typed error.
 */
describe('the office lifecycle, the S6 export and the inspection in Chromium', () => {
  let hsm: SoftHsmFixture;
  let root: string;
  let office: AppServices;
  let workstation: AppServices;
  let rendererDir: string;
  let officeHost: TestHost;
  let workstationHost: TestHost;
  let browser: TestBrowser;
  let page: Page;
  const picks: { root?: string; snapshot?: string; crl?: string; export?: string; save?: string; report?: string } = {};
  const dialogs: MainDialogs = {
    pickModuleFile: async () => undefined,
    pickFolder: async () => undefined,
    pickFile: async (purpose) => ({ 'group-root': picks.root, snapshot: picks.snapshot, crl: picks.crl, 'workstation-export': picks.export })[purpose],
    saveFile: async (purpose) => (purpose === 'inspection-report' ? picks.report : picks.save),
  };
  const dirs = { office: '', officeExport: '', workstation: '', workstationExport: '' };

  /** A page on one of the two computers; actions wait longer than the harness's 5 s (key generation, a loaded CI machine). */
  async function openPage(host: TestHost): Promise<Page> {
    const opened = await browser.newPage();
    opened.setDefaultTimeout(15_000);
    await opened.goto(host.url);
    return opened;
  }

  beforeAll(async () => {
    hsm = provisionSoftHsm();
    for (const token of [CA, KEY_A, KEY_B, KEY_C]) hsm.createToken({ label: token.label, soPin: token.soPin, userPin: token.pin });
    root = mkdtempSync(join(tmpdir(), 'yinjian-e2e-lifecycle-'));
    for (const name of ['office', 'officeExport', 'workstation', 'workstationExport'] as const) {
      dirs[name] = join(root, name);
      mkdirSync(dirs[name]);
    }
    office = createAppServices({ appDataDir: dirs.office, exportFolder: () => dirs.officeExport, workstationCode: () => 'OFFICE-PC', envModule: hsm.modulePath, actor: () => ({ name: '王秘书', staffId: 'P0001' }), dialogs });
    workstation = createAppServices({ appDataDir: dirs.workstation, exportFolder: () => dirs.workstationExport, workstationCode: () => WORKSTATION, envModule: hsm.modulePath, actor: () => ({ name: '张敏', staffId: 'E1024' }), dialogs });
    [rendererDir, browser] = await Promise.all([buildTestRenderer(), launchChromium()]);
    officeHost = await startTestHost(rendererDir, createHandlers(office));
    workstationHost = await startTestHost(rendererDir, createHandlers(workstation));
    page = await openPage(officeHost);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await officeHost?.close();
    await workstationHost?.close();
    workstation?.close();
    office?.close();
    hsm?.cleanup();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const sealRow = (code: string) => page.locator(`[data-testid="office-seal-row"][data-code="${code}"]`);

  async function setApproval(approval: { reference: string; approver: string }): Promise<void> {
    await page.getByTestId('office-approval-reference').fill(approval.reference);
    await page.getByTestId('office-approver').fill(approval.approver);
  }

  /** Opens a key form (issue, change, re-issue), fills it, types the three PINs and waits for the result. */
  async function keyForm(task: 'issue' | 'change' | 'reissue', fields: Record<string, string>, soPin: string): Promise<string> {
    await page.getByTestId(`office-open-${task}`).click();
    const form = page.getByTestId(`office-form-${task}`);
    await form.waitFor({ state: 'visible' });
    for (const [name, value] of Object.entries(fields)) await form.getByTestId(`office-${name}`).fill(value);
    if (task === 'reissue') await form.getByTestId('office-cause').selectOption('loss');
    await form.getByTestId('office-keyType').selectOption('p256');
    await form.getByTestId('office-caPin').fill(CA.pin);
    await form.getByTestId('office-soPin').fill(soPin);
    await form.getByTestId('office-initialPin').fill(INITIAL_PIN);
    await form.getByTestId('office-initialPinAgain').fill(INITIAL_PIN);
    await form.getByTestId('office-submit').click();
    const result = form.getByTestId('office-result');
    await result.waitFor({ state: 'visible', timeout: 90_000 });
    // The typed PINs are gone from the fields once submitted.
    for (const pin of ['caPin', 'soPin', 'initialPin', 'initialPinAgain']) expect(await form.getByTestId(`office-${pin}`).inputValue()).toBe('');
    return (await result.textContent()) ?? '';
  }

  async function sealStep(step: 'cancel' | 'reportLoss' | 'confirmLoss' | 'withdrawLoss', code: string, state: string): Promise<void> {
    await page.getByTestId(`seal-${step}`).click();
    await expect.poll(() => sealRow(code).getAttribute('data-state'), { timeout: 20_000 }).toBe(state);
  }

  it('sets up the group CA on the setup screen (M1) and shows its fingerprint; the office console appears', async () => {
    await page.getByTestId('nav-setup').click();
    const form = page.getByTestId('init-ca');
    await form.waitFor({ state: 'visible' });
    await expect.poll(() => form.getByTestId('init-ca-token').locator('option').count()).toBe(5);
    await form.getByTestId('init-ca-token').selectOption({ label: `${CA.label}（${(await serialOf(CA.label))}）` });
    await form.getByTestId('init-ca-groupName').fill('华夏建设集团');
    await form.getByTestId('init-ca-keyType').selectOption('p256');
    await form.getByTestId('init-ca-pin').fill('00000000');
    await form.getByTestId('init-ca-submit').click();
    // A wrong PIN is the key's own refusal; nothing is set up.
    await expect.poll(() => form.getByTestId('init-ca-error').getAttribute('data-code'), { timeout: 30_000 }).toBe('PIN_INCORRECT');
    expect(await form.getByTestId('init-ca-pin').inputValue()).toBe('');
    await form.getByTestId('init-ca-pin').fill(CA.pin);
    await form.getByTestId('init-ca-submit').click();
    await form.getByTestId('init-ca-result').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await form.getByTestId('init-ca-fingerprint').textContent()).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await browser.screenshot(page, '40-office-init-ca');
    await page.getByTestId('nav-office').waitFor({ state: 'visible', timeout: 20_000 });
  }, 120_000);

  async function serialOf(label: string): Promise<string> {
    const key = (await office.usbKeys().list()).find((k) => k.label === label);
    if (!key) throw new Error(`no key ${label}`);
    return key.serial;
  }

  it('issues two seals (S2); the one for the workstation is bound to it (M4, S1)', async () => {
    await page.getByTestId('nav-office').click();
    await setApproval(APPROVAL);
    const common = { caToken: CA.label, unitName: '华夏建设集团财务部', custodianName: '张敏', custodianStaffId: 'E1024' };
    expect(await keyForm('issue', { ...common, token: KEY_A.label, sealName: '财务专用章', sealCode: 'CW-001', workstationId: WORKSTATION }, KEY_A.soPin)).toContain('CW-001');
    await page.getByRole('button', { name: '关闭' }).click();
    expect(
      await keyForm('issue', { ...common, token: KEY_B.label, unitName: '华夏建设集团行政部', sealName: '行政专用章', sealCode: 'XZ-001', custodianName: '陈静', custodianStaffId: 'E2048', workstationId: 'WS-XINGZHENG-01' }, KEY_B.soPin),
    ).toContain('XZ-001');
    await page.getByRole('button', { name: '关闭' }).click();
    await expect.poll(() => page.getByTestId('office-seal-row').count()).toBe(2);
    expect(await sealRow('CW-001').getAttribute('data-state')).toBe('ACTIVE');
  }, 240_000);

  it('records a delegation, answers may-use inside it and for a stranger, and ends it early (M3)', async () => {
    await page.getByTestId('select-seal-XZ-001').check();
    const panel = page.getByTestId('seal-panel');
    await panel.waitFor({ state: 'visible' });
    const delegate = panel.getByTestId('delegate-form');
    for (const [name, value] of Object.entries({ proxyName: '李四', proxyStaffId: 'S200', approverName: '赵主任', approverStaffId: 'S010', startsAt: beijingDay(-1), endsAt: beijingDay(10), reason: '出差' })) {
      await delegate.getByTestId(`seal-${name}`).fill(value);
    }
    // A department seal's proxy approved by a general manager: the rule's typed refusal (M3).
    await delegate.getByTestId('seal-approverRole').selectOption('general_manager');
    await delegate.getByTestId('delegate-submit').click();
    await expect.poll(() => panel.getByTestId('seal-error').getAttribute('data-code')).toBe('APPROVER_ROLE_MISMATCH');
    await delegate.getByTestId('seal-approverRole').selectOption('department_head');
    await delegate.getByTestId('delegate-submit').click();
    await expect.poll(() => panel.getByTestId('delegation-row').count()).toBe(1);
    const mayUse = panel.getByTestId('may-use-form');
    await mayUse.getByTestId('seal-staffId').fill('S200');
    await mayUse.getByTestId('may-use-submit').click();
    await expect.poll(() => panel.getByTestId('may-use-result').getAttribute('data-allowed')).toBe('true');
    await panel.getByTestId('delegations').scrollIntoViewIfNeeded();
    await browser.screenshot(page, '41-office-delegation-may-use');
    await mayUse.getByTestId('seal-staffId').fill('S999');
    await mayUse.getByTestId('may-use-submit').click();
    await expect.poll(() => panel.getByTestId('may-use-result').getAttribute('data-code')).toBe('SEAL_USE_NOT_PERMITTED');
    await panel.getByTestId('revoke-delegation').click();
    await expect.poll(() => panel.getByTestId('revoke-delegation').count()).toBe(0);
    await mayUse.getByTestId('seal-staffId').fill('S200');
    await mayUse.getByTestId('may-use-submit').click();
    await expect.poll(() => panel.getByTestId('may-use-result').getAttribute('data-code')).toBe('DELEGATION_REVOKED');
  }, 60_000);

  it('refuses a loss report without the written approval; reports, confirms, re-issues onto a new key and changes the seal (S3–S5)', async () => {
    await setApproval({ reference: '', approver: '' });
    await page.getByTestId('seal-reportLoss').click();
    await expect.poll(() => page.getByTestId('seal-error').getAttribute('data-code')).toBe('APPROVAL_REQUIRED');
    expect(await sealRow('XZ-001').getAttribute('data-state')).toBe('ACTIVE');
    await page.getByTestId('seal-error').scrollIntoViewIfNeeded();
    await browser.screenshot(page, '42-office-loss-refused');
    await setApproval({ reference: '行政〔2026〕3号', approver: '李总裁' });
    await page.getByTestId('seal-lostAt').fill(`${beijingDay(-1)} 08:30`);
    await sealStep('reportLoss', 'XZ-001', 'LOST');
    await sealStep('confirmLoss', 'XZ-001', 'LOSS_CONFIRMED');
    expect(await keyForm('reissue', { caToken: CA.label, token: KEY_C.label }, KEY_C.soPin)).toContain('XZ-001');
    await browser.screenshot(page, '43-office-reissued');
    await page.getByRole('button', { name: '关闭' }).click();
    expect(await sealRow('XZ-001').getAttribute('data-state')).toBe('ACTIVE');
    expect(await keyForm('change', { caToken: CA.label, token: KEY_C.label, custodianName: '王芳', custodianStaffId: 'E4096' }, KEY_C.soPin)).toContain('XZ-001');
    await page.getByRole('button', { name: '关闭' }).click();
    await expect.poll(() => sealRow('XZ-001').textContent()).toContain('王芳');
  }, 240_000);

  it('withdraws a second loss report, then cancels the seal for good (S3, S5)', async () => {
    await page.getByTestId('seal-lostAt').fill('');
    await sealStep('reportLoss', 'XZ-001', 'LOST');
    await sealStep('withdrawLoss', 'XZ-001', 'LOSS_WITHDRAWN');
    await sealStep('cancel', 'XZ-001', 'CANCELLED');
    // A cancelled seal never comes back: the rule's refusal, typed.
    await page.getByTestId('seal-reportLoss').click();
    await expect.poll(() => page.getByTestId('seal-error').getAttribute('data-code')).toMatch(/^SEAL_/);
  }, 60_000);

  it('unlocks a key with its SO PIN (a wrong one refused) and sets a new initial PIN (M4)', async () => {
    await page.getByTestId('office-open-unlock').click();
    const form = page.getByTestId('office-form-unlock');
    await form.getByTestId('unlock-token').selectOption({ label: `${KEY_C.label}（${await serialOf(KEY_C.label)}）` });
    await form.getByTestId('unlock-soPin').fill('00000000');
    await form.getByTestId('unlock-initialPin').fill('246801');
    await form.getByTestId('unlock-initialPinAgain').fill('246801');
    await form.getByTestId('unlock-submit').click();
    await expect.poll(() => form.getByTestId('unlock-error').getAttribute('data-code'), { timeout: 30_000 }).toBe('PIN_INCORRECT');
    for (const pin of ['soPin', 'initialPin', 'initialPinAgain']) expect(await form.getByTestId(`unlock-${pin}`).inputValue()).toBe('');
    await form.getByTestId('unlock-soPin').fill(KEY_C.soPin);
    await form.getByTestId('unlock-initialPin').fill('246801');
    await form.getByTestId('unlock-initialPinAgain').fill('246801');
    await form.getByTestId('unlock-submit').click();
    await form.getByTestId('unlock-result').waitFor({ state: 'visible', timeout: 30_000 });
    expect((await office.usbKeys().info(KEY_C.label)).initialPin).toBe(true);
    await browser.screenshot(page, '44-office-unlocked');
    await page.getByRole('button', { name: '关闭' }).click();
  }, 60_000);

  it('publishes the CRL, the snapshot and the root into the export folder', async () => {
    await page.getByTestId('office-open-publish').click();
    const form = page.getByTestId('office-form-publish');
    await form.getByTestId('office-caToken').fill(CA.label);
    await form.getByTestId('office-caPin').fill(CA.pin);
    await form.getByTestId('office-submit').click();
    const result = form.getByTestId('office-result');
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    for (const file of ['group-seal-ca.crl', 'register-snapshot-000001.p7m', 'group-root.pem']) expect(existsSync(join(dirs.officeExport, file))).toBe(true);
    // Seal B's first certificate (lost) and its superseded ones are on the CRL.
    expect(await result.textContent()).toMatch(/已吊销证书 [1-9]\d* 张/);
    await page.getByRole('button', { name: '关闭' }).click();
  }, 60_000);

  it('the workstation trusts the root after comparing it, imports the snapshot with its CRL, and a CRL on its own', async () => {
    // Keys B and C left the office with their custodians, who changed their initial PINs
    // elsewhere (M4): on this workstation only key A still has its initial PIN.
    for (const [label, initial] of [[KEY_B.label, INITIAL_PIN], [KEY_C.label, '246801']] as const) {
      await office.usbKeys().changePin(await serialOf(label), Buffer.from(initial), Buffer.from('7Hd2-Wq9p'));
    }
    await page.close();
    page = await openPage(workstationHost);
    // The custodian's first use of key A: the forced PIN change (M4).
    const dialog = page.getByTestId('pin-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByTestId('old-pin').fill(INITIAL_PIN);
    await page.getByTestId('new-pin').fill(CUSTODIAN_PIN);
    await page.getByTestId('confirm-pin').fill(CUSTODIAN_PIN);
    await page.getByTestId('pin-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });

    await page.getByTestId('nav-trust').click();
    picks.root = join(dirs.officeExport, 'group-root.pem');
    picks.snapshot = join(dirs.officeExport, 'register-snapshot-000001.p7m');
    await page.getByTestId('pick-root').click();
    await page.getByTestId('confirm-root').check();
    await page.getByTestId('import-snapshot').click();
    await page.getByTestId('import-result').waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => page.getByTestId('trusted-crl').textContent()).toContain('第 1 号');
    picks.crl = join(dirs.officeExport, 'group-seal-ca.crl');
    await page.getByTestId('import-crl').click();
    await expect.poll(() => page.getByTestId('import-crl-result').textContent()).toContain('第 1 号吊销列表');
    await browser.screenshot(page, '33-trust-crl');
    // The root pem is no CRL: the typed refusal, and what is held stays.
    picks.crl = picks.root;
    await page.getByTestId('import-crl').click();
    await expect.poll(() => page.getByTestId('trust-error').getAttribute('data-code')).toBe('GROUP_CRL_REFUSED');
  }, 90_000);

  it('exports the register signed with the seal key, where the save dialog says (S6)', async () => {
    await page.getByTestId('nav-register').click();
    const panel = page.getByTestId('workstation-export');
    await panel.scrollIntoViewIfNeeded();
    picks.save = join(dirs.workstationExport, '财务部-检查导出.p7m');
    await panel.getByTestId('export-token').selectOption(await serialOf(KEY_A.label));
    await panel.getByTestId('export-pin').fill(CUSTODIAN_PIN);
    await panel.getByTestId('export-submit').click();
    await panel.getByTestId('export-result').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await panel.getByTestId('export-pin').inputValue()).toBe('');
    expect(await panel.getByTestId('export-result').textContent()).toContain(WORKSTATION);
    // CMS SignedData (DER), not the unsigned JSON.
    expect(readFileSync(picks.save)[0]).toBe(0x30);
    await browser.screenshot(page, '45-workstation-export');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('the office inspects the export, shows the findings and figures, and saves the report PDF (S6)', async () => {
    await page.close();
    page = await openPage(officeHost);
    await page.getByTestId('nav-office').click();
    const panel = page.getByTestId('inspection');
    await panel.scrollIntoViewIfNeeded();
    expect(await panel.getByTestId('save-inspection-report').isDisabled()).toBe(true);
    picks.export = picks.save;
    await panel.getByTestId('inspect-export').click();
    const result = panel.getByTestId('inspection-result');
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('CW-001');
    picks.report = join(dirs.officeExport, '用印检查报告.pdf');
    await panel.getByTestId('save-inspection-report').click();
    await panel.getByTestId('inspection-saved').waitFor({ state: 'visible', timeout: 60_000 });
    const text = execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', picks.report, '-'], { encoding: 'utf8' });
    expect(text).toContain('用印检查报告');
    expect(text).toContain(WORKSTATION);
    await panel.scrollIntoViewIfNeeded();
    await browser.screenshot(page, '46-office-inspection');
  }, 90_000);

  it('switches the office console to English', async () => {
    await page.getByTestId('language').click();
    await expect(page.getByTestId('inspection').locator('h2').textContent()).resolves.toBe('Inspection (rule S6)');
    await expect(page.getByTestId('office-open-unlock').textContent()).resolves.toBe('Unlock a USB key');
    await page.getByTestId('language').click();
    expect(browser.pageErrors).toEqual([]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoLayout } from '../../../src/main/demo/demo-mode';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import type { Channel, RequestOf, ResponseOf } from '../../../src/shared/ipc/contract';
import { createAppServices, type AppServices } from '../../../src/main/app/app-services';
import { SOFTHSM_MODULE } from '../../helpers/softhsm';
import { documentPdf } from '../../e2e/harness/documents';
import { tamperPageContent } from '../../e2e/harness/tamper';
import { arrayBufferOf } from '../../helpers/array-buffer';

/**
 * The handler table on the app's own composition (createAppServices), in demo mode: a SoftHSM2
 * store in a temp data folder, the demo CA and DEMO seal issued by OfficeService, then a real
 * stamping through the pipeline and a real verification of its output.
 */
describe('demo mode through the handler table', () => {
  let appDataDir: string;
  let exportDir: string;
  let services: AppServices;
  let handlers: HandlerTable;
  const previousConf = process.env.SOFTHSM2_CONF;

  async function call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await dispatch(handlers, channel, payload);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.en}`);
    return result.value as ResponseOf<C>;
  }
  async function sealKey(): Promise<ResponseOf<'usbKey.list'>[number]> {
    const key = (await call('usbKey.list', {})).find((k) => k.seal);
    if (!key) throw new Error('no key with a seal');
    return key;
  }

  beforeAll(() => {
    appDataDir = mkdtempSync(join(tmpdir(), 'yinjian-demo-app-'));
    exportDir = mkdtempSync(join(tmpdir(), 'yinjian-demo-out-'));
    services = createAppServices({ appDataDir, exportFolder: () => exportDir, workstationCode: () => currentWorkstation().code, softHsmModule: SOFTHSM_MODULE });
    handlers = createHandlers(services);
  });

  afterAll(() => {
    services?.close();
    rmSync(appDataDir, { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
  });

  it('starts with no demo, then provisions the DEMO seal with its PIN already changed (M4)', async () => {
    expect((await call('app.status', {})).demoMode).toBe(false);
    expect(await call('setup.startDemo', {})).toEqual({ demoMode: true });
    expect(process.env.SOFTHSM2_CONF).toBe(demoLayout(appDataDir).conf);
    const status = await call('app.status', {});
    expect(status).toMatchObject({ demoMode: true, moduleReady: true, demoPin: DEMO.pin, officeConsole: true });
    const key = await sealKey();
    expect(key.seal).toEqual({ code: DEMO.sealCode, name: DEMO.sealName, unit: DEMO.unitName, state: 'ACTIVE' });
    expect(key.initialPin).toBe(false);
    const impression = await call('stamp.impression', { token: key.serial });
    expect(impression.svg).toContain('<svg');
    expect(impression.widthMm).toBeGreaterThan(30);
  });

  it('stamps an internal notice and verifies it VALID; a changed page is MODIFIED with the change named', async () => {
    const key = await sealKey();
    const notice = await documentPdf('关于召开年度工作会议的通知', ['各部门：', '集团定于七月一日召开年度工作会议。', '集团办公室']);
    const { outcomes } = await call('stamp.seal', {
      token: key.serial,
      pin: [...Buffer.from(DEMO.pin)],
      documents: [{ name: '会议通知.pdf', bytes: arrayBufferOf(notice) }],
      documentType: 'internal-formal-document',
      approvalReference: '用印〔2026〕7号',
      approver: '李主任',
      placement: { kind: 'last-page' },
      seamSeal: false,
    });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: true, verdict: 'VALID' });
    expect(outcomes[0]?.outputPath).toBe(join(exportDir, '会议通知-已盖章.pdf'));
    const sealed = readFileSync(outcomes[0]?.outputPath ?? '');

    const { reports } = await call('verify.files', { documents: [{ name: 'sealed.pdf', bytes: arrayBufferOf(sealed) }] });
    expect(reports[0]?.verdict).toBe('VALID');
    expect(reports[0]?.signatures[0]?.seal).toMatchObject({ code: DEMO.sealCode });
    expect(reports[0]?.signatures[0]?.impressionPng).toBeTruthy();

    const tampered = tamperPageContent(sealed);
    const { reports: after } = await call('verify.files', { documents: [{ name: 'tampered.pdf', bytes: arrayBufferOf(tampered) }] });
    expect(after[0]?.verdict).toBe('MODIFIED');
    expect(after[0]?.signatures[0]?.changes).toContainEqual(expect.objectContaining({ kind: 'page-content-changed', page: 1 }));

    const { path: reportPath } = await call('verify.exportReport', { document: { name: 'tampered.pdf', bytes: arrayBufferOf(tampered) } });
    expect(reportPath.startsWith(exportDir)).toBe(true);
    expect(readFileSync(reportPath).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const usage = await call('register.usage', { filter: {} });
    expect(usage.map((u) => [u.status, u.documentTitle])).toContainEqual(['ok', '关于召开年度工作会议的通知']);
  });

  it("checks the text against the register's deny list, the office's words included (U2)", async () => {
    const titled = (title: string) => ({
      pages: [{ pageIndex: 0, box: { x: 0, y: 0, width: 595, height: 842 }, runs: [{ text: title, x: 72, y: 760, width: 22 * title.length, fontSize: 22 }, { text: '现就有关事项说明如下。', x: 72, y: 700, width: 132, fontSize: 12 }] }],
    });
    // 授权书 and 合約 are on the office's default word list, not among the built-in kinds.
    expect(await call('stamp.checkText', titled('法定代表人授权书'))).toMatchObject({ forbidden: true, term: '授权书', where: 'title', words: expect.arrayContaining(['授权书']) });
    expect(await call('stamp.checkText', titled('技术服务合約'))).toMatchObject({ forbidden: true, term: '合约' });
    expect(await call('stamp.checkText', titled('关于召开年度工作会议的通知'))).toMatchObject({ forbidden: false });
  });

  it('refuses a wrong PIN with the key\'s own code and stamps nothing', async () => {
    const key = await sealKey();
    const notice = await documentPdf('内部通知', ['正文']);
    const result = await dispatch(handlers, 'stamp.seal', {
      token: key.serial,
      pin: [...Buffer.from('Wrong-9753')],
      documents: [{ name: '内部通知.pdf', bytes: arrayBufferOf(notice) }],
      documentType: 'internal-letter',
      approvalReference: 'X',
      approver: 'Y',
      placement: { kind: 'last-page' },
      seamSeal: false,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'PIN_INCORRECT' } });
  });

  it('runs one batch at a time: a second is refused while the first runs, whose progress and stop the window can ask for', async () => {
    const key = await sealKey();
    expect(await call('stamp.progress', {})).toEqual({ active: false, done: 0, total: 0 });
    expect(await call('stamp.stop', {})).toEqual({ stopping: false });
    const documents = await Promise.all(
      ['一', '二', '三', '四'].map(async (n) => ({ name: `通知${n}.pdf`, bytes: arrayBufferOf((await documentPdf(`关于第${n}次例会的通知`, ['各部门：', '请准时参加。']))) })),
    );
    const request = {
      token: key.serial,
      documents,
      documentType: 'internal-formal-document' as const,
      approvalReference: '用印〔2026〕9号',
      approver: '李主任',
      placement: { kind: 'last-page' as const },
      seamSeal: false,
    };
    const first = dispatch(handlers, 'stamp.seal', { ...request, pin: [...Buffer.from(DEMO.pin)] });
    // The first batch has begun (its progress is on record) before anything is awaited below.
    expect(await call('stamp.progress', {})).toMatchObject({ active: true, total: 4 });
    const second = await dispatch(handlers, 'stamp.seal', { ...request, pin: [...Buffer.from(DEMO.pin)] });
    expect(second).toMatchObject({ ok: false, error: { code: 'STAMP_BATCH_RUNNING' } });
    expect(await call('stamp.stop', {})).toEqual({ stopping: true });
    const result = await first;
    if (!result.ok) throw new Error(result.error.en);
    const { outcomes } = result.value as ResponseOf<'stamp.seal'>;
    // The stop lands before the first document or while it is sealed (it finishes); every
    // document after that is recorded as not begun (U3).
    const sealed = outcomes.filter((o) => o.ok).length;
    expect(sealed).toBeLessThanOrEqual(1);
    expect(outcomes.map((o) => [o.ok, o.begun, o.error?.code])).toEqual([
      ...Array(sealed).fill([true, undefined, undefined]),
      ...Array(4 - sealed).fill([false, false, 'STAMP_BATCH_STOPPED']),
    ]);
    const usage = await call('register.usage', { filter: {} });
    expect(usage.filter((u) => u.errorCode === 'STAMP_BATCH_STOPPED').map((u) => u.documentTitle).sort()).toEqual(documents.slice(sealed).map((d) => d.name).sort());
    expect(await call('stamp.progress', {})).toEqual({ active: false, done: 0, total: 0 });
  });
});

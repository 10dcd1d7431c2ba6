/**
 * Issue #15: the login's initial-PIN check (M4, the key's initial-PIN record, a scrypt on the
 * thread pool) runs while the document is read and gated. Whichever finishes first, the result
 * and the records are what they were when the check ran before the document was opened:
 *
 *   - a PIN refusal wins over the document's own refusal: nothing is written, the pipeline
 *     records nothing for the document, and the batch records every document as not begun
 *     under the login's code, exactly as for a login that failed at once;
 *   - a PIN that passes leaves the document's refusal recorded as before;
 *   - a failure of the check itself (not a refusal) is a login failure too: no file, no
 *     document rows beyond the not-begun ones a failed login always left.
 *
 * Real pipeline, real register file, real PDFs and a software signer; only the check's
 * outcome is set by the test, and when it settles: at once, or only once the pipeline waits
 * for it (after the document's gate has run, so the document's refusal came first).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampBatch, type BatchDocument, type BatchKey, type SigningKey } from '../../../src/main/core/stamp/index';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { YinjianError } from '../../../src/shared/errors/index';
import { NOTICE, NOW, codeOf, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let seal: IssuedSeal;
let notice: Uint8Array;
let forbidden: Uint8Array;

beforeAll(async () => {
  fx = await stampFixture();
  seal = await fx.issueSeal('YJ-L-0001');
  notice = await makePdf([NOTICE]);
  forbidden = await makePdf([[{ text: '房屋租赁合同', size: 22 }, { text: '第一条 项目内容', size: 14 }]]);
});
afterAll(() => fx?.dispose());

/**
 * A check that settles only when someone waits for it (the pipeline's `await`): the document's
 * work up to that point has certainly finished first. `outcome` undefined: it passes.
 */
function checkSettlingWhenAwaited(outcome: unknown): { promise: Promise<void>; awaited: () => boolean } {
  let waited = false;
  const settle = (): Promise<void> => (outcome === undefined ? Promise.resolve() : Promise.reject(outcome));
  const promise = {
    then(onFulfilled?: (value: void) => unknown, onRejected?: (reason: unknown) => unknown) {
      waited = true;
      return settle().then(onFulfilled, onRejected);
    },
    catch(onRejected?: (reason: unknown) => unknown) {
      return this.then(undefined, onRejected);
    },
    finally(onFinally?: () => void) {
      return settle().finally(onFinally);
    },
    [Symbol.toStringTag]: 'Promise',
  } as Promise<void>;
  return { promise, awaited: () => waited };
}

/** The key with a login check, and a signer that counts its signatures. */
function keyWith(loginChecked: Promise<void>): { key: SigningKey; signatures: () => number } {
  let signatures = 0;
  const signer = { ...seal.signer, sign: async (data: Uint8Array) => (signatures++, seal.signer.sign(data)) };
  return { key: { ...seal.key, signer, loginChecked }, signatures: () => signatures };
}

function rejectedNow(reason: unknown): Promise<void> {
  const p = Promise.reject(reason);
  p.catch(() => undefined);
  return p;
}

function counts(): { usage: number; audit: number } {
  return { usage: fx.register.usage.find().length, audit: fx.register.audit.list(0, 1_000_000).length };
}

function noFiles(out: string): void {
  expect(existsSync(out), 'no output file').toBe(false);
  expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp')), 'no temp file left').toEqual([]);
}

describe('the pipeline with the login check still running', () => {
  it.each([
    ['after the document was refused by the gate', 'forbidden', () => checkSettlingWhenAwaited(new YinjianError('PIN_IS_INITIAL'))],
    ['before the document was read', 'forbidden', () => ({ promise: rejectedNow(new YinjianError('PIN_IS_INITIAL')) })],
    ['with a good document', 'notice', () => checkSettlingWhenAwaited(new YinjianError('PIN_IS_INITIAL'))],
  ] as const)('PIN refused %s: PIN_IS_INITIAL, nothing signed, recorded or written', async (_when, kind, refusal) => {
    const check: { promise: Promise<void>; awaited?: () => boolean } = refusal();
    const { key, signatures } = keyWith(check.promise);
    const request = fx.request(seal.seal, kind === 'forbidden' ? forbidden : notice, `pin-${kind}-${Math.random().toString(36).slice(2)}.pdf`);
    const before = counts();
    expect(await codeOf(fx.pipeline.stamp(request, key))).toBe('PIN_IS_INITIAL');
    if (check.awaited) expect(check.awaited(), 'the pipeline waited for the check').toBe(true);
    expect(counts()).toEqual(before);
    expect(signatures()).toBe(0);
    noFiles(request.outputPath);
  });

  it('PIN passes after the gate refused: the document\'s refusal is recorded as before', async () => {
    const check = checkSettlingWhenAwaited(undefined);
    const { key } = keyWith(check.promise);
    const request = fx.request(seal.seal, forbidden, 'document-only.pdf');
    const before = counts();
    expect(await codeOf(fx.pipeline.stamp(request, key))).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(fx.register.usage.find()).toHaveLength(before.usage + 1);
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'failed', errorCode: 'DOCUMENT_CONTENT_FORBIDDEN', outputPath: null });
    noFiles(request.outputPath);
  });

  it('PIN passes late, good document: sealed', async () => {
    const check = checkSettlingWhenAwaited(undefined);
    const { key, signatures } = keyWith(check.promise);
    const request = fx.request(seal.seal, notice, 'sealed-late-check.pdf');
    const outcome = await fx.pipeline.stamp(request, key);
    expect(check.awaited()).toBe(true);
    expect(signatures()).toBe(1);
    expect(existsSync(outcome.outputPath)).toBe(true);
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'ok' });
  });
});

describe('the batch: a refusal of the late check is the login\'s, recorded as a login failure always was', () => {
  const deps = (): Parameters<typeof stampBatch>[0] => ({ pipeline: fx.pipeline, register: stampRegisterPort(fx.register), clock: () => NOW, workstationCode: fx.workstationCode });
  const request = (reference: string): Parameters<typeof stampBatch>[2] => ({
    sealId: seal.seal.id,
    declaredType: 'internal-document',
    approval: { reference, approver: '孙主任' },
    placement: { kind: 'page' },
    operator: { staffId: seal.seal.custodianStaffId, name: '保管员' },
  });
  const documents = (prefix: string): BatchDocument[] => [
    { name: `${prefix}-forbidden.pdf`, outputPath: join(fx.dir, `${prefix}-forbidden.pdf`), read: () => forbidden },
    { name: `${prefix}-notice.pdf`, outputPath: join(fx.dir, `${prefix}-notice.pdf`), read: () => notice },
  ];
  const rowsSince = (from: number): { status: string; errorCode: string | null; documentTitle: string; outputPath: string | null }[] =>
    fx.register.usage.find().slice(from).map((r) => ({ status: r.status, errorCode: r.errorCode, documentTitle: r.documentTitle.replace(/^[a-z]+-/, ''), outputPath: r.outputPath }));

  async function batchRows(prefix: string, openKey: () => Promise<BatchKey>): Promise<{ code: string; rows: ReturnType<typeof rowsSince> }> {
    const from = fx.register.usage.find().length;
    const code = await codeOf(stampBatch(deps(), openKey, request(`L-${prefix}`), documents(prefix)));
    for (const d of documents(prefix)) noFiles(d.outputPath);
    return { code, rows: rowsSince(from) };
  }

  it.each([
    ['refused, the pipeline learning it only after gating the first document (the document\'s refusal came first)', () => checkSettlingWhenAwaited(new YinjianError('PIN_IS_INITIAL')).promise, 'PIN_IS_INITIAL'],
    ['refused before the first document was read', () => rejectedNow(new YinjianError('PIN_IS_INITIAL')), 'PIN_IS_INITIAL'],
    ['the check itself failed (not a refusal)', () => rejectedNow(new Error('scrypt: memory limit exceeded')), 'INTERNAL'],
  ])('%s: the same code and rows as a login that failed at once; no file', async (_label, check, code) => {
    const failedAtOnce = await batchRows('old', async () => {
      throw code === 'INTERNAL' ? new Error('scrypt: memory limit exceeded') : new YinjianError('PIN_IS_INITIAL');
    });
    let closes = 0;
    const late = await batchRows('new', async () => ({ key: keyWith(check()).key, close: async () => void closes++ }));
    expect(failedAtOnce.code).toBe(code);
    expect(late.code).toBe(code);
    expect(late.rows).toEqual(failedAtOnce.rows);
    expect(late.rows).toEqual([
      { status: 'failed', errorCode: code, documentTitle: 'forbidden.pdf', outputPath: null },
      { status: 'failed', errorCode: code, documentTitle: 'notice.pdf', outputPath: null },
    ]);
    expect(closes, 'the key closed').toBe(1);
  });

  it('a check that passes late: the first document refused by the gate, the second sealed (as before)', async () => {
    const from = fx.register.usage.find().length;
    const results = await stampBatch(deps(), async () => ({ key: keyWith(checkSettlingWhenAwaited(undefined).promise).key, close: async () => undefined }), request('L-pass'), documents('pass'));
    expect(results.map((r) => (r.ok ? 'sealed' : r.error.code))).toEqual(['DOCUMENT_CONTENT_FORBIDDEN', 'sealed']);
    expect(rowsSince(from).map((r) => [r.status, r.errorCode])).toEqual([
      ['failed', 'DOCUMENT_CONTENT_FORBIDDEN'],
      ['ok', null],
    ]);
  });
});

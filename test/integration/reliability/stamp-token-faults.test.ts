/**
 * Token faults during a stamping (issue #7), through the real `yinjian stamp` binary on a
 * SoftHSM2 key behind the fault-injecting module: the key pulled at login, at the signature
 * and between two files of a batch; then a slow key (300 ms per signature) through a batch.
 * After each fault: no output file for the file that failed, a failed usage row for it and one
 * for every document of the batch not begun (core/stamp/batch.ts), an audit chain that
 * verifies, and the same key and PIN stamping again once the key is back.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { openRegister } from '../../../src/main/infra/db/index';
import { YINJIAN_BIN } from '../../helpers/cli';
import type { FaultCall } from '../../helpers/fault-token';
import { PIN, sealOnKey, type SealOnKey } from './seal-on-key';

let fx: SealOnKey;
let outCounter = 0;

beforeAll(async () => {
  fx = await sealOnKey();
}, 120_000);
afterAll(() => fx?.cleanup());
beforeEach((context) => fx.fault.setControl({ note: context.task.name }));

interface StampJson {
  files?: { input: string; output?: string; ok: boolean; begun?: boolean; error?: { code: string } }[];
  error?: { code: string };
}

function usageRows(): ReturnType<ReturnType<typeof openRegister>['usage']['find']> {
  const register = openRegister(fx.registerPath);
  try {
    expect(register.audit.verify().ok, 'audit chain').toBe(true);
    return register.usage.find();
  } finally {
    register.close();
  }
}

async function expectValid(path: string): Promise<void> {
  const report = await verifyPdf(readFileSync(path), { trustAnchors: [fx.root] }, {}, path);
  expect(report.verdict, path).toBe('VALID');
}

/** The key is back: the same PIN stamps again, and the pull cost no PIN try. */
async function expectUsableAgain(): Promise<void> {
  fx.fault.setControl({ note: `plugged back in ${++outCounter}` });
  const outDir = join(fx.dir, `again-${outCounter}`);
  const [input] = await fx.inputs(1, 'again');
  const run = await fx.stamp([input!], outDir);
  expect(run.code, run.stderr).toBe(0);
  await expectValid(join(outDir, '通知-01.pdf'));
  expect(fx.fault.tokenState(fx.serial)?.failures ?? 0).toBe(0);
}

async function pulledAt(call: FaultCall, nth: number, files: number): Promise<{ run: Awaited<ReturnType<SealOnKey['stamp']>>; outDir: string; rowsBefore: number; inputs: string[] }> {
  const rowsBefore = usageRows().length;
  fx.fault.setControl({ note: `pull ${call}:${nth} ${++outCounter}`, removeAt: { call, nth } });
  const inputs = await fx.inputs(files, 'pull');
  const outDir = join(fx.dir, `out-${outCounter}`);
  const run = await fx.stamp(inputs, outDir);
  return { run, outDir, rowsBefore, inputs };
}

describe('yinjian stamp with the key pulled out', { timeout: 120_000 }, () => {
  it('at login: DEVICE_REMOVED (exit 3), no output, one failed usage row per document (U3, M5); usable once back', async () => {
    const { run, outDir, rowsBefore, inputs } = await pulledAt('C_Login', 1, 2);
    expect(run.code, run.stderr).toBe(3);
    expect(run.json<StampJson>().error?.code).toBe('DEVICE_REMOVED');
    expect(readdirSync(outDir)).toEqual([]);
    const rows = usageRows().slice(rowsBefore);
    expect(rows.map((r) => [r.documentTitle, r.status, r.errorCode, r.outputPath, r.documentType])).toEqual(
      inputs.map((i) => [basename(i), 'failed', 'DEVICE_REMOVED', null, 'internal-document']),
    );
    const register = openRegister(fx.registerPath);
    try {
      // The approval reference is on record with each attempt (U3).
      for (const r of rows) expect(register.useRequests.require(r.useRequestId as string).approvalReference).toBe('YY-2026-REL');
    } finally {
      register.close();
    }
    await expectUsableAgain();
  });

  it('at the signature: DEVICE_REMOVED, no output and no temp file, a failed usage row; usable once back', async () => {
    const { run, outDir, rowsBefore } = await pulledAt('C_Sign', 1, 1);
    expect(run.code, run.stderr).toBe(3);
    expect(run.json<StampJson>().files).toMatchObject([{ ok: false, error: { code: 'DEVICE_REMOVED' } }]);
    expect(readdirSync(outDir)).toEqual([]);
    const rows = usageRows();
    expect(rows).toHaveLength(rowsBefore + 1);
    expect(rows.at(-1)).toMatchObject({ status: 'failed', errorCode: 'DEVICE_REMOVED', outputPath: null, sha256After: null });
    await expectUsableAgain();
  });

  it('after the first file was signed and written, before the second: the first stands (valid, ok row), the second fails with a row, the third is recorded as not begun', async () => {
    // One C_Sign per file (the signer passes a buffer of the right size, no size query; the
    // signature pull above fires at C_Sign:1): call 2 is the second file's signature.
    const { run, outDir, rowsBefore, inputs } = await pulledAt('C_Sign', 2, 3);
    expect(run.code, run.stderr).toBe(3);
    const files = run.json<StampJson>().files ?? [];
    expect(files.map((f) => [f.ok, f.begun, f.error?.code])).toEqual([
      [true, undefined, undefined],
      [false, true, 'DEVICE_REMOVED'],
      [false, false, 'DEVICE_REMOVED'],
    ]);
    expect(readdirSync(outDir)).toEqual(['通知-01.pdf']);
    await expectValid(join(outDir, '通知-01.pdf'));
    // U3, M5: every document the custodian asked to seal is accounted for in the register.
    const rows = usageRows().slice(rowsBefore);
    expect(rows.map((r) => r.status)).toEqual(['ok', 'failed', 'failed']);
    expect(rows[0]?.outputPath).toBe(join(outDir, '通知-01.pdf'));
    expect(rows[1]).toMatchObject({ errorCode: 'DEVICE_REMOVED', outputPath: null });
    // The third was never begun: named by its file, no pages read, the bytes it was given hashed.
    expect(rows[2]).toMatchObject({ documentTitle: basename(inputs[2]!), pages: 0, errorCode: 'DEVICE_REMOVED', outputPath: null, sha256After: null });
    expect(rows[2]?.sha256Before).toBe(createHash('sha256').update(readFileSync(inputs[2]!)).digest('hex'));
  });

  it('after the last signature (at logout/close): the sealed file is complete and recorded, and stays valid', async () => {
    const { run, outDir, rowsBefore } = await pulledAt('C_Logout', 1, 1);
    expect(fx.fault.tokenState(fx.serial)?.removed, 'the pull fired').toBe(true);
    // The signature was made and the file written before the key went: the stamping stands.
    expect(run.json<StampJson>().files).toMatchObject([{ ok: true }]);
    expect(run.code, run.stderr).toBe(0);
    await expectValid(join(outDir, '通知-01.pdf'));
    expect(usageRows().slice(rowsBefore).map((r) => r.status)).toEqual(['ok']);
  });
});

/** The pending usage rows above `afterId`, read from the register file without taking part in it. */
function pendingRowsAfter(afterId: number): { id: number; sha256_after: string | null; temp_path: string }[] {
  const raw = new Database(fx.registerPath, { readonly: true, fileMustExist: true });
  try {
    return raw.prepare("SELECT id, sha256_after, temp_path FROM usage_register WHERE status = 'pending' AND id > ?").all(afterId) as { id: number; sha256_after: string | null; temp_path: string }[];
  } finally {
    raw.close();
  }
}

describe('a slow key', { timeout: 180_000 }, () => {
  it('SIGKILL while the key signs (1.5 s a signature): the pending row is already there; the next stamping settles it as failed STAMP_INTERRUPTED', async () => {
    fx.fault.setControl({ note: 'very slow key', signDelayMs: 1500 });
    const rowsBefore = usageRows();
    const lastId = Math.max(0, ...rowsBefore.map((r) => r.id));
    const [input] = await fx.inputs(1, 'kill-signing');
    const outDir = join(fx.dir, 'kill-signing');
    mkdirSync(outDir, { recursive: true });
    const child = spawn(process.execPath, [YINJIAN_BIN, ...fx.stampArgs([input!], outDir)], { env: fx.fault.env, stdio: ['pipe', 'ignore', 'ignore'] });
    const closed = new Promise<string | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    child.stdin.end(`${PIN}\n`);
    let seen: ReturnType<typeof pendingRowsAfter> = [];
    for (let i = 0; i < 800 && seen.length === 0 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 25));
      seen = pendingRowsAfter(lastId);
    }
    child.kill('SIGKILL');
    expect(await closed, 'killed, not finished').toBe('SIGKILL');
    // The row was committed before the signature: it names no sealed bytes yet.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.sha256_after).toBeNull();
    // No sealed file: at most the hidden temp file the pending row names, which the input's
    // bytes are written to while the key signs (issue #15); the next stamping removes it.
    expect(readdirSync(outDir).filter((name) => !(name.startsWith('.') && name.endsWith('.tmp')))).toEqual([]);

    // The next stamping (the key fast again) settles it first.
    fx.fault.setControl({ note: 'fast again after the kill' });
    const [next] = await fx.inputs(1, 'after-kill');
    const run = await fx.stamp([next!], join(fx.dir, 'after-kill'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ recovered?: { usageId: number; outcome: string }[] }>().recovered).toEqual([expect.objectContaining({ usageId: seen[0]!.id, outcome: 'interrupted' })]);
    const killed = usageRows().find((r) => r.id === seen[0]!.id);
    expect(killed).toMatchObject({ status: 'failed', errorCode: 'STAMP_INTERRUPTED', outputPath: null, sha256After: null });
    // Its approved use request is on record with it (U3).
    expect(killed?.useRequestId).not.toBeNull();
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('300 ms per signature: a batch of 4 completes, every file valid, every row ok', async () => {
    fx.fault.setControl({ note: 'slow key', signDelayMs: 300 });
    const rowsBefore = usageRows().length;
    const inputs = await fx.inputs(4, 'slow');
    const outDir = join(fx.dir, 'slow');
    const started = performance.now();
    const run = await fx.stamp(inputs, outDir);
    const elapsed = performance.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(4 * 300); // the delay really applied
    for (const f of readdirSync(outDir)) await expectValid(join(outDir, f));
    expect(readdirSync(outDir)).toHaveLength(4);
    expect(usageRows().slice(rowsBefore).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});

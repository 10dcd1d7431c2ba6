/**
 * The crash window (SECURITY.md) closed, deterministically and in one process: the stamping
 * pipeline with the real register, real files and a software seal key, its real file output
 * wrapped so the "process" stops dead (a promise that never settles: no catch, no cleanup,
 * as after SIGKILL) at each stage after the pending row: while the key signs (the signer never
 * answers), before the temp file is written, half
 * way through it, after it is flushed but before the rename, and after the rename but before
 * the row is marked ok. The pending row names a process that has exited (a real child), then
 * recovery runs and must leave: an ok row whose file is in place with its SHA-256 and VALID,
 * or a failed STAMP_INTERRUPTED row with no output and no temp file; no pending row; an audit
 * chain that verifies; a STAMP or STAMP_FAILED audit row the usage row points at.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StampingPipeline } from '../../../src/main/core/stamp/index';
import type { PendingOutput, ReservedOutput, StampOutputPort } from '../../../src/main/core/stamp/ports';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';
import { AtomicFileOutput, tempNameFor } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { recoverPendingStampings, stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { CUSTODIAN, NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from '../stamp/fixture';

type Stop = 'while-signing' | 'input-written-while-signing' | 'before-write' | 'half-written' | 'before-rename' | 'after-rename';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The real atomic output, stopping dead at `stop`. */
class StoppingOutput implements StampOutputPort {
  private readonly real = new AtomicFileOutput();
  constructor(private readonly stop: Stop) {}
  reserve(target: string): ReservedOutput {
    const reserved = this.real.reserve(target);
    const stop = this.stop;
    return {
      path: reserved.path,
      // The real output's background write of the input's bytes (issue #15), kept for the stop
      // that dies while it is written or done and the key still signs.
      ...(stop === 'input-written-while-signing' && reserved.begin ? { begin: (prefix: Uint8Array) => reserved.begin?.(prefix) } : {}),
      async write(parts): Promise<PendingOutput> {
        if (stop === 'while-signing' || stop === 'input-written-while-signing') throw new Error('the key never signed: nothing may be written');
        if (stop === 'before-write') return never();
        if (stop === 'half-written') {
          const all = Buffer.concat(parts.map((p) => Buffer.from(p instanceof Uint8Array ? p : p.read(0, p.length))));
          writeFileSync(reserved.path, all.subarray(0, all.length >> 1));
          return never();
        }
        const pending = await reserved.write(parts);
        return {
          path: pending.path,
          discard: () => pending.discard(),
          async commit() {
            if (stop === 'before-rename') return never();
            await pending.commit();
            // after-rename: the file is in place, the row never hears of it.
            return never();
          },
        };
      },
    };
  }
}

/** The pid of a process that has run and exited: the "killed" stamping's owner. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const RECOVERER = { name: '张保管', staffId: CUSTODIAN.staffId };

let fx: StampFixture;
let issued: IssuedSeal;
let notice: Uint8Array;
beforeEach(async () => {
  fx = await stampFixture();
  issued = await fx.issueSeal('YJ-PEND-01');
  notice ??= await makePdf([NOTICE]);
});
afterEach(() => fx.dispose());

/** Starts a stamping that stops dead at `stop`; resolves once its pending row is committed. */
async function cutOff(stop: Stop, outputName: string): Promise<{ outputPath: string; usageId: number }> {
  const pipeline = new StampingPipeline({
    register: stampRegisterPort(fx.register, { ownerPid: deadPid() }),
    text: new PdfJsTextReader(),
    output: new StoppingOutput(stop),
    clock: () => new Date('2026-08-03T02:00:00.000Z'),
    workstationCode: currentWorkstation().code,
  });
  const request = fx.request(issued.seal, notice, outputName);
  const before = new Set(fx.register.usage.pending().map((p) => p.id));
  const mine = () => fx.register.usage.pending().filter((p) => !before.has(p.id));
  // while-signing: the USB key takes its time and the process dies meanwhile (a real key takes
  // 100–500 ms a signature, the longest step of a stamping).
  const key = stop === 'while-signing' || stop === 'input-written-while-signing' ? { ...issued.key, signer: { algorithm: issued.key.signer.algorithm, publicKeySpki: issued.key.signer.publicKeySpki, sign: () => never<Uint8Array>() } } : issued.key;
  void pipeline.stamp(request, key);
  for (let i = 0; i < 400 && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  // Give a stop after the write its chance to reach the disk.
  const temp = (): string[] => readdirSync(fx.dir).filter((n) => n.startsWith(`.${outputName}.`) && n.endsWith('.tmp'));
  if (stop === 'input-written-while-signing') {
    // The input's bytes reach the temp file while the key has not answered.
    const size = (): number => (temp()[0] === undefined ? -1 : statSync(join(fx.dir, temp()[0]!)).size);
    for (let i = 0; i < 200 && size() !== notice.length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(size(), 'the input written to the temp file while the key signs').toBe(notice.length);
  }
  for (let i = 0; i < 200 && stop !== 'before-write' && stop !== 'while-signing' && stop !== 'input-written-while-signing' && (stop === 'after-rename' ? !existsSync(request.outputPath) : temp().length === 0); i++) await new Promise((r) => setTimeout(r, 25));
  const pending = mine();
  expect(pending, 'the pending row is committed').toHaveLength(1);
  // Before the key signs, the row names no sealed bytes; after, it names them before they are written.
  expect(pending[0]!.sha256After === null).toBe(stop === 'while-signing' || stop === 'input-written-while-signing');
  // A pending row is no register entry yet.
  expect(fx.register.usage.find().filter((u) => u.outputPath === request.outputPath)).toEqual([]);
  return { outputPath: request.outputPath, usageId: pending[0]!.id };
}

function auditOf(seq: number): { action: string; details: Record<string, unknown> } {
  const row = fx.register.audit.list().find((r) => r.seq === seq);
  if (!row) throw new Error(`no audit row ${seq}`);
  return { action: row.action, details: JSON.parse(row.details) as Record<string, unknown> };
}

describe('a stamping cut off after its pending row, then recovered', { timeout: 120_000 }, () => {
  for (const [stop, expected] of [
    ['while-signing', 'interrupted'],
    ['input-written-while-signing', 'interrupted'],
    ['before-write', 'interrupted'],
    ['half-written', 'interrupted'],
    ['before-rename', 'temp-renamed'],
    ['after-rename', 'output-in-place'],
  ] as const) {
    it(`${stop}: ${expected}`, async () => {
      const { outputPath, usageId } = await cutOff(stop, `${stop}.pdf`);
      expect(existsSync(outputPath)).toBe(stop === 'after-rename');
      const report = recoverPendingStampings(fx.register, RECOVERER);
      expect(report.recovered.map((r) => [r.usageId, r.outcome])).toEqual([[usageId, expected]]);
      expect(fx.register.usage.pending()).toEqual([]);
      expect(readdirSync(dirname(outputPath)).filter((n) => n.endsWith('.tmp')), 'no temp file left').toEqual([]);
      const row = fx.register.usage.find().find((u) => u.id === usageId);
      const audit = auditOf(row!.auditSeq);
      if (expected === 'interrupted') {
        expect(row).toMatchObject({ status: 'failed', errorCode: 'STAMP_INTERRUPTED', outputPath: null, sha256After: null });
        expect(existsSync(outputPath)).toBe(false);
        expect(audit).toMatchObject({ action: 'STAMP_FAILED', details: { errorCode: 'STAMP_INTERRUPTED', recovery: 'interrupted' } });
        if (stop === 'half-written' || stop === 'input-written-while-signing') expect(report.recovered[0]?.removedTemps).toHaveLength(1);
      } else {
        expect(row).toMatchObject({ status: 'ok', outputPath, errorCode: null });
        expect(sha256(readFileSync(outputPath))).toBe(row!.sha256After);
        const verified = await verifyPdf(readFileSync(outputPath), { trustAnchors: [fx.root] }, {}, outputPath);
        expect(verified.verdict).toBe('VALID');
        expect(audit).toMatchObject({ action: 'STAMP', details: { recovery: expected, sha256After: row!.sha256After, outputPath } });
      }
      expect(auditOf((audit.details.pendingSeq as number) ?? -1).action).toBe('STAMP_PENDING');
      expect(fx.register.audit.verify().ok).toBe(true);
      // Settled once: a second recovery finds nothing.
      expect(recoverPendingStampings(fx.register, RECOVERER).recovered).toEqual([]);
    });
  }

  it('a row cut off while the key signed can never be settled ok, and names its sealed bytes once only', async () => {
    const { usageId } = await cutOff('while-signing', 'unsigned.pdf');
    expect(() => fx.register.usage.settle(usageId, { status: 'ok' }, RECOVERER)).toThrow(expect.objectContaining({ code: 'REGISTER_RECORD_INVALID' }));
    expect(() => fx.register.usage.recordSealedBytes(usageId, 'not-a-hash')).toThrow(expect.objectContaining({ code: 'REGISTER_RECORD_INVALID' }));
    fx.register.usage.recordSealedBytes(usageId, 'c'.repeat(64));
    expect(() => fx.register.usage.recordSealedBytes(usageId, 'd'.repeat(64))).toThrow(expect.objectContaining({ code: 'REGISTER_RECORD_INVALID' }));
    expect(fx.register.usage.pending().find((p) => p.id === usageId)?.sha256After).toBe('c'.repeat(64));
    // Nothing was written for those bytes: recovery finds neither output nor temp file.
    expect(recoverPendingStampings(fx.register, RECOVERER).recovered.map((r) => [r.usageId, r.outcome])).toEqual([[usageId, 'interrupted']]);
    expect(fx.register.audit.verify().ok).toBe(true);
  });

  it('leaves a stamping whose process still runs alone, and removes older orphan temp files of a recovered output', async () => {
    // This process owns the pending row: still running, so not touched.
    const live = new StampingPipeline({
      register: stampRegisterPort(fx.register),
      text: new PdfJsTextReader(),
      output: new StoppingOutput('before-rename'),
      clock: () => new Date('2026-08-03T02:00:00.000Z'),
      workstationCode: currentWorkstation().code,
    });
    const request = fx.request(issued.seal, notice, 'live.pdf');
    void live.stamp(request, issued.key);
    for (let i = 0; i < 400 && readdirSync(fx.dir).filter((n) => n.endsWith('.tmp')).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    // An orphan of an older kill (before pending rows existed) for the output recovered below.
    writeFileSync(tempNameFor(join(fx.dir, 'dead.pdf'), 'abcdef012345'), 'partial');
    await cutOff('before-write', 'dead.pdf');
    const report = recoverPendingStampings(fx.register, RECOVERER);
    expect(report.running).toHaveLength(1);
    expect(report.recovered).toHaveLength(1);
    expect(report.recovered[0]?.removedTemps).toEqual(['.dead.pdf.abcdef012345.tmp']);
    const left = readdirSync(fx.dir).filter((n) => n.endsWith('.tmp'));
    expect(left, 'the running stamping keeps its temp file').toHaveLength(1);
    expect(left[0]?.startsWith('.live.pdf.')).toBe(true);
    expect(fx.register.usage.pending().map((p) => p.outputPath)).toEqual([request.outputPath]);
  });
});

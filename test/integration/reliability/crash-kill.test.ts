/**
 * Crash-safe records (issue #7): a batch stamping through the real `yinjian stamp` binary is
 * killed with SIGKILL at a fixed set of points: while it starts up, the moment the nth temp
 * output file appears (the window between a file being written and renamed into place), the
 * moment the nth output appears, and 80 ms after it (inside the next file's stamping).
 * Points are events seen with fs.watch rather than delays, so they land at the same stage on a
 * fast or a loaded machine. After every kill: the register opens cleanly and
 * passes SQLite's integrity check, the audit chain verifies, every output file that exists is
 * complete and verifies VALID and has its ok usage row, and every usage row of the batch either
 * matches a file on disk (same SHA-256) or is marked failed. Then the key stamps again.
 *
 * The crash window (SECURITY.md): a stamping commits its pending usage row before it creates
 * its temp file, so a kill at a temp file's appearance lands right after a pending row was
 * written. After each kill the pending rows are checked (they name this batch's temp and
 * output), then recovery runs (in this process for most kills; for one, the next run of the
 * binary recovers at its start) and afterwards: no pending row, no temp file, every usage row
 * matches its file or is failed, the audit chain verifies.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { openRegister } from '../../../src/main/infra/db/index';
import { recoverPendingStampings } from '../../../src/main/infra/stamp/register-port';
import { YINJIAN_BIN } from '../../helpers/cli';
import { PIN, sealOnKey, type SealOnKey } from './seal-on-key';

const FILES = 3;

let fx: SealOnKey;
beforeAll(async () => {
  fx = await sealOnKey();
}, 120_000);
afterAll(() => fx?.cleanup());

type KillPoint = { kind: 'after-ms'; ms: number } | { kind: 'temp'; nth: number } | { kind: 'output'; nth: number; plusMs: number } | { kind: 'none' };

const KILLS: readonly KillPoint[] = [
  { kind: 'temp', nth: 1 },
  { kind: 'output', nth: 1, plusMs: 0 },
  { kind: 'temp', nth: 2 },
  // An event, not a delay: with the CLI's lazy start-up, a third file can finish within 80 ms
  // of the second, and a kill that lands after the batch proves nothing.
  { kind: 'temp', nth: 3 },
];

const describeKill = (k: KillPoint): string => (k.kind === 'after-ms' ? `${k.ms} ms after start` : k.kind === 'temp' ? `temp file ${k.nth}` : k.kind === 'output' ? `output ${k.nth} +${k.plusMs} ms` : 'no kill');

/** Runs one batch, killing the process at `kill`; returns how long it ran and how it ended. */
function batch(inputs: readonly string[], outDir: string, kill: KillPoint): Promise<{ ms: number; killed: boolean; code: number | null; stderr: string }> {
  mkdirSync(outDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [YINJIAN_BIN, ...fx.stampArgs(inputs, outDir)], { env: fx.fault.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout.resume();
    const killNow = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    let timer: NodeJS.Timeout | undefined;
    const temps = new Set<string>();
    const outputs = new Set<string>();
    const watcher =
      kill.kind === 'temp' || kill.kind === 'output'
        ? watch(outDir, (_event, name) => {
            if (!name) return;
            const seen = name.endsWith('.tmp') ? temps : outputs;
            if (seen.has(name) || (seen === outputs && !existsSync(join(outDir, name)))) return;
            seen.add(name);
            if (kill.kind === 'temp' && seen === temps && temps.size === kill.nth) killNow();
            if (kill.kind === 'output' && seen === outputs && outputs.size === kill.nth) {
              if (kill.plusMs === 0) killNow();
              else timer = setTimeout(killNow, kill.plusMs);
            }
          })
        : undefined;
    if (kill.kind === 'after-ms') timer = setTimeout(killNow, kill.ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      resolve({ ms: performance.now() - started, killed: signal === 'SIGKILL', code, stderr });
    });
    child.stdin.end(`${PIN}\n`);
  });
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The highest usage row id, pending rows included: rows above it belong to the next batch. */
function maxUsageId(): number {
  const raw = new Database(fx.registerPath, { readonly: true, fileMustExist: true });
  try {
    return (raw.prepare('SELECT coalesce(max(id), 0) AS id FROM usage_register').get() as { id: number }).id;
  } finally {
    raw.close();
  }
}

const RECOVERER = { name: '张保管', staffId: 'S100' };

interface AfterKill {
  files: number;
  ok: number;
  failed: number;
  temps: number;
  /** Pending rows the kill left (before recovery). */
  pending: number;
}

/**
 * The register and the output folder after a kill: every invariant of the issue. With
 * `recover`, recovery runs first (after the pending rows are checked) and nothing may be left
 * pending or as a temp file.
 */
async function checkAfterKill(outDir: string, idBefore: number, recover: boolean): Promise<AfterKill> {
  // SQLite's own check on the raw file first (WAL included), before our code touches it.
  const raw = new Database(fx.registerPath, { readonly: true, fileMustExist: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
  const register = openRegister(fx.registerPath);
  let rows;
  let pending;
  let pendingBefore;
  try {
    expect(register.audit.verify().ok, 'audit chain').toBe(true);
    pendingBefore = register.usage.pending().filter((p) => p.id > idBefore && dirname(p.outputPath) === outDir);
    for (const p of pendingBefore) expect(dirname(p.tempPath), `pending row ${p.id} names its temp file beside its output`).toBe(outDir);
    if (recover) recoverPendingStampings(register, RECOVERER);
    expect(register.audit.verify().ok, 'audit chain after recovery').toBe(true);
    pending = register.usage.pending().filter((p) => p.id > idBefore && dirname(p.outputPath) === outDir);
    if (recover) expect(pending, 'no pending row after recovery').toEqual([]);
    rows = register.usage.find().filter((r) => r.id > idBefore);
  } finally {
    register.close();
  }
  const names = readdirSync(outDir);
  const outputs = names.filter((n) => !n.endsWith('.tmp'));
  if (recover) expect(names.filter((n) => n.endsWith('.tmp')), 'no temp file after recovery').toEqual([]);
  for (const name of outputs) {
    const path = join(outDir, name);
    const report = await verifyPdf(readFileSync(path), { trustAnchors: [fx.root] }, {}, path);
    expect(report.verdict, `${name} is complete and valid`).toBe('VALID');
    // Unrecovered, a kill right after the rename leaves the file with its row still pending.
    const recorded = [...rows.filter((r) => r.status === 'ok'), ...pending].some((r) => r.outputPath === path && r.sha256After === sha256(path));
    expect(recorded, `${name} has its ok (or pending) usage row`).toBe(true);
  }
  for (const row of rows) {
    if (row.status === 'failed') continue;
    expect(row.status).toBe('ok');
    expect(row.outputPath !== null && existsSync(row.outputPath), `ok row ${row.id} has its file`).toBe(true);
    expect(sha256(row.outputPath as string), `ok row ${row.id} matches its file`).toBe(row.sha256After);
  }
  return {
    files: outputs.length,
    ok: rows.filter((r) => r.status === 'ok').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    temps: names.length - outputs.length,
    pending: pendingBefore.length,
  };
}

describe('SIGKILL during a batch stamping', { timeout: 240_000 }, () => {
  it(`${KILLS.length + 1} kills at fixed points of a ${FILES}-file batch leave a clean register and only complete, recorded files`, async () => {
    // One kill during start-up (module load, login, the key's certificates), then the events.
    const kills: KillPoint[] = [{ kind: 'after-ms', ms: 800 }, ...KILLS];
    const landed: string[] = [];
    // The kill at the 2nd temp file is left to the binary: the next run recovers it at its start.
    const deferred = kills.findIndex((k) => k.kind === 'temp' && k.nth === 2);
    let toCheck: { outDir: string; idBefore: number } | undefined;
    let pendingSeen = 0;
    /** Kills that cut a stamping short: a row left pending, or fewer files than the batch has. */
    let midBatch = 0;
    for (const [i, kill] of kills.entries()) {
      const idBefore = maxUsageId();
      const inputs = await fx.inputs(FILES, `kill${i}`);
      const outDir = join(fx.dir, `kill-${i}`);
      const run = await batch(inputs, outDir, kill);
      if (toCheck) {
        const settled = await checkAfterKill(toCheck.outDir, toCheck.idBefore, false);
        expect(settled, 'the binary recovered the earlier kill at its start').toMatchObject({ pending: 0, temps: 0 });
        toCheck = undefined;
      }
      const state = await checkAfterKill(outDir, idBefore, i !== deferred);
      if (i === deferred) toCheck = { outDir, idBefore };
      pendingSeen += state.pending;
      if (run.killed && (state.pending > 0 || state.files < FILES)) midBatch++;
      landed.push(`${describeKill(kill)}: ${run.killed ? 'killed' : `exited ${run.code}`}, ${state.pending} pending rows recovered to ${state.files} files, ${state.ok} ok / ${state.failed} failed rows, ${state.temps} temp files`);
    }
    console.log(`crash-kill: ${kills.length} iterations\n  ${landed.join('\n  ')}`);
    // Not vacuous: at least three kills cut a stamping short (a pending row, or not all files written).
    expect(midBatch, landed.join('; ')).toBeGreaterThanOrEqual(3);
    // And the crash window was reached: a kill found a pending row (the temp file appears only after it).
    expect(pendingSeen, 'some kill landed between a pending row and its ok').toBeGreaterThanOrEqual(1);
    // And the key and the register still work: a full batch after all the kills, checked the same way.
    const idBefore = maxUsageId();
    const after = await batch(await fx.inputs(FILES, 'after'), join(fx.dir, 'after'), { kind: 'none' });
    expect(after.code, after.stderr).toBe(0);
    if (toCheck) expect(await checkAfterKill(toCheck.outDir, toCheck.idBefore, false)).toMatchObject({ pending: 0, temps: 0 });
    expect(await checkAfterKill(join(fx.dir, 'after'), idBefore, true)).toEqual({ files: FILES, ok: FILES, failed: 0, temps: 0, pending: 0 });
  });
});

/**
 * The StampRegisterPort over the SQLite register (infra/db). The deny list (U2) is the office's
 * when the register holds one (setting `documentDenyList`, a JSON array of
 * {term, words, formMarkers?}), else the regulation's default.
 *
 * Also the recovery of stampings cut off in the crash window (SECURITY.md): pending usage rows
 * of processes that no longer run are settled from what is on disk.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { officeDenyList } from '../../core/office/deny-list';
import { scannedDocumentsAllowed } from '../../core/office/scanned-documents';
import { snapshotWindowOf } from '../../core/office/timestamp-policy';
import { DEFAULT_DENY_LIST, withDeniedWords, type DeniedDocumentKind } from '../../core/policy/document-type';
import type { Actor } from '../../core/register/index';
import type { StampRegisterPort } from '../../core/stamp/ports';
import type { SealRegister } from '../db/index';
import type { PendingStamping } from '../db/usage-register';
import { isTempOf, renameIntoPlace } from './file-output';

export const DENY_LIST_SETTING = 'documentDenyList';

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '');
}

/** Parses the office's deny list; a malformed one is an error, never silently the default. */
export function parseDenyList(text: string): DeniedDocumentKind[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING }, { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
  return parsed.map((entry: unknown) => {
    const e = entry as { term?: unknown; words?: unknown; formMarkers?: unknown };
    if (typeof e.term !== 'string' || !isStringArray(e.words)) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
    const markers = e.formMarkers === undefined ? undefined : Array.isArray(e.formMarkers) && e.formMarkers.every(isStringArray) ? (e.formMarkers as string[][]) : null;
    if (markers === null) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
    return { term: e.term, words: e.words, ...(markers ? { formMarkers: markers } : {}) };
  });
}

/**
 * U2's deny list in force on this computer: the kinds (this register's `documentDenyList`, else
 * the regulation's) extended by the office's words (`office.documentTypeDenyList`: the office's
 * own on its computer, mirrored from the imported snapshot on a workstation; else the default
 * words). The stamping gate and the window's text check both read it.
 */
export function stampingDenyList(register: Pick<SealRegister, 'settings'>): DeniedDocumentKind[] {
  const configured = register.settings.get(DENY_LIST_SETTING);
  const kinds = configured === undefined ? DEFAULT_DENY_LIST : parseDenyList(configured);
  return withDeniedWords(kinds, officeDenyList(register));
}

export interface StampRegisterPortOptions {
  /** The process that writes the files (recorded on pending rows); default this process. */
  readonly ownerPid?: number;
}

export function stampRegisterPort(register: SealRegister, options: StampRegisterPortOptions = {}): StampRegisterPort {
  const ownerPid = options.ownerPid ?? process.pid;
  return {
    seal: (id) => register.seals.require(id),
    certificate: (serial) => register.seals.certificate(serial),
    delegations: (sealId) => register.delegations.forSeal(sealId),
    workstation: (id) => register.workstations.get(id),
    timeFacts: () => {
      const newest = register.usage.newestOkAt();
      const snapshot = snapshotWindowOf(register.settings);
      return { ...(newest ? { newestSeen: { at: newest, source: 'last stamping 最近一次盖章' } } : {}), ...(snapshot ? { snapshot } : {}) };
    },
    denyList: () => stampingDenyList(register),
    scannedDocumentsAllowed: () => scannedDocumentsAllowed(register.settings),
    recordUseRequest: (request, actor) => register.useRequests.record(request, actor),
    recordStamping: (entry, actor) => register.usage.record(entry, actor),
    recordPendingStamping: (entry, actor) => {
      const pending = register.usage.recordPending({ ...entry, ownerPid }, actor);
      const row = register.audit.list(pending.auditSeq, 1)[0];
      if (row === undefined || row.seq !== pending.auditSeq) throw new YinjianError('INTERNAL', { detail: 'pending audit row vanished' });
      return { id: pending.id, auditSeq: row.seq, auditHash: row.hash };
    },
    auditRowHash: (seq) => {
      const row = register.audit.list(seq, 1)[0];
      return row?.seq === seq ? row.hash : undefined;
    },
    recordSealedBytes: (id, sha256After) => register.usage.recordSealedBytes(id, sha256After),
    completeStamping: (id, actor) => register.usage.settle(id, { status: 'ok' }, actor),
    failPendingStamping: (id, errorCode, actor) => register.usage.settle(id, { status: 'failed', errorCode }, actor),
  };
}

/** Whether process `pid` still runs (EPERM: it runs under another account). */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type RecoveryOutcome = 'output-in-place' | 'temp-renamed' | 'interrupted';

export interface RecoveredStamping {
  readonly usageId: number;
  readonly outcome: RecoveryOutcome;
  readonly outputPath: string;
  /** Our temp files for the same output removed (the row's own and older orphans). */
  readonly removedTemps: readonly string[];
}

export interface RecoveryReport {
  readonly recovered: readonly RecoveredStamping[];
  /** Pending rows left alone: their process still runs (a stamping in flight). */
  readonly running: readonly number[];
}

function sha256Of(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Our temp files for `target` in its folder, except those of stampings still running. */
function tempsOf(target: string, keep: ReadonlySet<string>): string[] {
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return [];
  }
  return names.filter((n) => isTempOf(target, n)).map((n) => join(dirname(target), n)).filter((p) => !keep.has(p));
}

/**
 * Settles every pending usage row whose process is gone (SECURITY.md, the crash window; U3,
 * M5). The stamping was recorded as pending before the key signed, so:
 *   - no sealed bytes recorded (cut off while the key signed) → failed, STAMP_INTERRUPTED;
 *   - the output is in place with the recorded SHA-256 → ok (the kill came after the rename);
 *   - else the temp file holds exactly the recorded bytes and nothing is at the output name →
 *     flushed and renamed into place → ok: the stamping completes, as the custodian asked;
 *   - else → failed with STAMP_INTERRUPTED, the temp file removed: no output.
 * An existing different file at the output name is never replaced. Our temp files for the
 * same output name left by earlier kills are removed with it. Each settlement is one audit
 * row (STAMP or STAMP_FAILED, by `actor`, naming what was found and done). Every file step
 * comes before the row's transaction, so a kill during recovery leaves work the next run
 * finishes the same way.
 */
export function recoverPendingStampings(register: SealRegister, actor: Actor, runs: (pid: number) => boolean = processRuns): RecoveryReport {
  const pending = register.usage.pending();
  const inFlight = pending.filter((p) => runs(p.ownerPid));
  const keep = new Set(inFlight.map((p) => p.tempPath));
  const recovered: RecoveredStamping[] = [];
  for (const row of pending) {
    if (inFlight.includes(row)) continue;
    recovered.push(settleCutOff(register, row, keep, actor));
  }
  return { recovered, running: inFlight.map((p) => p.id) };
}

function settleCutOff(register: SealRegister, row: PendingStamping, keep: ReadonlySet<string>, actor: Actor): RecoveredStamping {
  const removedTemps: string[] = [];
  const remove = (path: string): void => {
    rmSync(path, { force: true });
    removedTemps.push(basename(path));
  };
  let outcome: RecoveryOutcome;
  if (row.sha256After === null) {
    // Cut off while the key was signing: no sealed bytes ever existed.
    outcome = 'interrupted';
  } else if (sha256Of(row.outputPath) === row.sha256After) {
    outcome = 'output-in-place';
  } else if (!existsSync(row.outputPath) && sha256Of(row.tempPath) === row.sha256After) {
    // The kill may have come before the writer's fsync: flush before the rename makes it visible.
    fsyncFile(row.tempPath);
    renameIntoPlace(row.tempPath, row.outputPath);
    outcome = 'temp-renamed';
  } else {
    outcome = 'interrupted';
  }
  if (outcome !== 'temp-renamed' && existsSync(row.tempPath)) remove(row.tempPath);
  for (const temp of tempsOf(row.outputPath, keep)) remove(temp);
  const details = { recovery: outcome, removedTemps, ownerPid: row.ownerPid };
  if (outcome === 'interrupted') register.usage.settle(row.id, { status: 'failed', errorCode: 'STAMP_INTERRUPTED', details }, actor);
  else register.usage.settle(row.id, { status: 'ok', details }, actor);
  return { usageId: row.id, outcome, outputPath: row.outputPath, removedTemps };
}

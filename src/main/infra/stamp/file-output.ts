/**
 * Output of a sealed PDF with no half-written file ever visible: the bytes go to a temp file in
 * the target's own folder (so the rename stays on one file system and is atomic), are flushed
 * with fsync, and only then renamed onto the target. A failure leaves the target untouched.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import type { PendingOutput, ReservedOutput, StampOutputPort } from '../../core/stamp/ports';

function notWritable(path: string, error: unknown): YinjianError {
  return new YinjianError('FILE_NOT_WRITABLE', { path, detail: error instanceof Error ? error.message : String(error) }, { cause: error });
}

/** `.<name>.<12 hex>.tmp`: the temp names this module gives, the only files recovery removes. */
export function tempNameFor(target: string, random: string): string {
  return join(dirname(target), `.${basename(target)}.${random}.tmp`);
}

/** Whether `name` (a file name in the target's folder) is one of our temp files for `target`. */
export function isTempOf(target: string, name: string): boolean {
  const prefix = `.${basename(target)}.`;
  return name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length));
}

export class AtomicFileOutput implements StampOutputPort {
  reserve(target: string): ReservedOutput {
    const temp = tempNameFor(target, randomBytes(6).toString('hex'));
    return { path: temp, write: (parts) => writeTemp(target, temp, parts) };
  }

  /** Reserve and write in one step, for outputs that have no register row (reports, exports). */
  async prepare(target: string, parts: readonly Uint8Array[]): Promise<PendingOutput> {
    return this.reserve(target).write(parts);
  }
}

/** Renames `temp` onto `target` and flushes the folder's entry where the OS allows it. */
export function renameIntoPlace(temp: string, target: string): void {
  renameSync(temp, target);
  try {
    const dirFd = openSync(dirname(target), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Windows cannot open a directory for fsync; the rename itself is durable enough there.
  }
}

async function writeTemp(target: string, temp: string, parts: readonly Uint8Array[]): Promise<PendingOutput> {
  let fd: number | undefined;
  try {
    // wx: never follow or reuse an existing file at the temp name.
    fd = openSync(temp, 'wx', 0o644);
    for (const part of parts) {
      let written = 0;
      while (written < part.length) written += writeSync(fd, part, written, part.length - written);
    }
    fsyncSync(fd);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw notWritable(target, error);
  }
  closeSync(fd);
  let settled = false;
  return {
    path: temp,
    async commit(): Promise<void> {
      if (settled) return;
      try {
        renameIntoPlace(temp, target);
        settled = true;
      } catch (error) {
        rmSync(temp, { force: true });
        settled = true;
        throw notWritable(target, error);
      }
    },
    async discard(): Promise<void> {
      if (settled) return;
      settled = true;
      rmSync(temp, { force: true });
    },
  };
}

/**
 * Output of a sealed PDF with no half-written file ever visible: the bytes go to a temp file in
 * the target's own folder (so the rename stays on one file system and is atomic), are flushed
 * with fsync, and only then renamed onto the target. A failure leaves the target untouched.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import type { PendingOutput, StampOutputPort } from '../../core/stamp/ports';

function notWritable(path: string, error: unknown): YinjianError {
  return new YinjianError('FILE_NOT_WRITABLE', { path, detail: error instanceof Error ? error.message : String(error) }, { cause: error });
}

export class AtomicFileOutput implements StampOutputPort {
  async prepare(target: string, parts: readonly Uint8Array[]): Promise<PendingOutput> {
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
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
          renameSync(temp, target);
          settled = true;
          // Flush the directory entry too, where the OS allows opening a directory.
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
}

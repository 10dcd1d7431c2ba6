/**
 * Output of a sealed PDF with no half-written file ever visible: the bytes go to a temp file in
 * the target's own folder (so the rename stays on one file system and is atomic), are flushed
 * with fsync, and only then renamed onto the target. A failure leaves the target untouched.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, fsyncSync, openSync, renameSync, rmSync, write, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import type { PdfBytes } from '../../core/pdf/index';
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
    let begun: { prefix: Uint8Array | PdfBytes; fd: number; written: Promise<void> } | undefined;
    let failedToBegin: unknown;
    return {
      path: temp,
      begin(prefix: Uint8Array | PdfBytes): void {
        if (begun || failedToBegin !== undefined) return;
        let fd: number;
        try {
          // wx: never follow or reuse an existing file at the temp name.
          fd = openSync(temp, 'wx', 0o644);
        } catch (error) {
          failedToBegin = error;
          return;
        }
        // Flushed at once, still on the thread pool: the disk takes the 30 MB while the key signs,
        // and the fsync that makes the file durable then has only the tail left (issue #15).
        const written = writeAt(fd, prefix, 0).then(() => flush(fd));
        written.catch(() => undefined);
        begun = { prefix, fd, written };
      },
      write: async (parts) => {
        if (failedToBegin !== undefined) throw notWritable(target, failedToBegin);
        if (!begun) return writeTemp(target, temp, parts);
        const { prefix, fd, written } = begun;
        begun = undefined;
        if (parts[0] !== prefix) {
          closeSync(fd);
          rmSync(temp, { force: true });
          throw new YinjianError('INTERNAL', { detail: 'write() must start with the prefix given to begin()' });
        }
        return finishTemp(target, temp, fd, written, prefix.length, parts.slice(1));
      },
      abandon: async () => {
        if (!begun) return;
        const { fd, written } = begun;
        begun = undefined;
        await written.catch(() => undefined);
        closeSync(fd);
        rmSync(temp, { force: true });
      },
    };
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

/** fdatasync on the thread pool. */
function flush(fd: number): Promise<void> {
  return new Promise((resolveFlush, rejectFlush) => fdatasync(fd, (error) => (error ? rejectFlush(error) : resolveFlush())));
}

/** A source on disk that can copy itself into a file on the thread pool (FileBytes). */
interface CopiesItself {
  copyTo(fd: number, position: number): Promise<void>;
}

function copiesItself(source: PdfBytes): source is PdfBytes & CopiesItself {
  return typeof (source as Partial<CopiesItself>).copyTo === 'function';
}

/** Pieces a source without copyTo is written in. */
const PIECE = 256 * 1024;

/**
 * Writes `part` into `fd` from `position`: bytes in memory on the thread pool (a short write is
 * continued), a source on disk by its own copy on the thread pool, else piece by piece here.
 */
function writeAt(fd: number, part: Uint8Array | PdfBytes, position: number): Promise<void> {
  if (!(part instanceof Uint8Array)) {
    if (copiesItself(part)) return part.copyTo(fd, position);
    try {
      for (let at = 0; at < part.length; at += PIECE) {
        const piece = part.read(at, PIECE);
        let written = 0;
        while (written < piece.length) written += writeSync(fd, piece, written, piece.length - written, position + at + written);
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  const bytes = part;
  return new Promise((resolveWrite, rejectWrite) => {
    const from = (offset: number): void => {
      if (offset >= bytes.length) {
        resolveWrite();
        return;
      }
      write(fd, bytes, offset, bytes.length - offset, position + offset, (error, written) => {
        if (error) rejectWrite(error);
        else from(offset + written);
      });
    };
    from(0);
  });
}

async function writeTemp(target: string, temp: string, parts: readonly (Uint8Array | PdfBytes)[]): Promise<PendingOutput> {
  let fd: number;
  try {
    // wx: never follow or reuse an existing file at the temp name.
    fd = openSync(temp, 'wx', 0o644);
  } catch (error) {
    rmSync(temp, { force: true });
    throw notWritable(target, error);
  }
  return finishTemp(target, temp, fd, Promise.resolve(), 0, parts);
}

/**
 * After `ahead` (the first `at` bytes, being written at the start of `fd`), writes `parts` from
 * `at` on (positioned writes: the background write moved no file offset), flushes and closes.
 */
async function finishTemp(target: string, temp: string, fd: number, ahead: Promise<void>, at: number, parts: readonly (Uint8Array | PdfBytes)[]): Promise<PendingOutput> {
  try {
    await ahead;
    let position = at;
    for (const part of parts) {
      if (part instanceof Uint8Array) {
        let written = 0;
        while (written < part.length) written += writeSync(fd, part, written, part.length - written, position + written);
      } else await writeAt(fd, part, position);
      position += part.length;
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
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

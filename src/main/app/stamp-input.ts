/**
 * The first input of `yinjian stamp`, opened as soon as the command has its arguments (issue
 * #15). A large file (above 1 MiB) is not read into a buffer its size (on these VMs fresh memory
 * costs more than reading: 30 MB into a new buffer, ~110 ms of page faults). It is copied once,
 * on the thread pool, into a private file without a name (made in a folder of its own that only
 * this account can open, and unlinked at once), and everything reads that copy: the parser and
 * the gate on demand (FileBytes), a worker thread hashing it (infra/stamp/input-digest.ts) while
 * the main thread logs in and gates, and the sealed file's copy of it while the key signs.
 *
 * U2, why the private copy: the parser, the hash and the sealed file's copy read at different
 * times, so each reading the user's file could each see other bytes. A check of the file's
 * times and size does not catch every change: a writer holding the file mapped can change
 * pages it has already dirtied without a new mtime or ctime. Read separately, a document that
 * was a notice while it was gated and a contract while it was hashed and copied came out with a
 * valid seal over the contract (test/integration/stamp/input-digest.test.ts). The private copy
 * is read once from the user's file; whatever that one read got is what is gated, signed and
 * sealed. A change the file's times do show (an ordinary write while the copy is made or later)
 * is still refused before the sealed file is put in place (FILE_CHANGED_WHILE_READ).
 *
 * A failure here rejects: the batch then reads the file whole, which reports it.
 */
import { closeSync, constants, copyFile, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrefetchedDocument } from '../core/stamp/index';
import { WorkerInputDigest } from '../infra/stamp/input-digest';
import { FileBytes, openPdfFile } from './verify-files';

export interface OpenedStampInput {
  /** The document as the batch's prefetch hands it over. */
  readonly read: Promise<PrefetchedDocument>;
  /**
   * Ends the worker and closes the files once the batch is over; resolves when they are closed
   * and the private copy is gone (after a copy still being made has ended: await it before the
   * process exits, or a half-made copy may stay in the temp folder).
   */
  close(): Promise<void>;
}

export function openStampInput(input: string): OpenedStampInput {
  let opened: ReturnType<typeof openPdfFile>;
  try {
    opened = openPdfFile(input);
  } catch (error) {
    return { read: Promise.reject(error instanceof Error ? error : new Error(String(error))), close: () => Promise.resolve() };
  }
  const closeInput = (): void => {
    try {
      opened.close();
    } catch {
      // A change is reported by unchanged() before the sealed file is put in place.
    }
  };
  const { bytes } = opened;
  // Up to 1 MiB the file was read whole, in one read: nothing reads it again.
  if (!(bytes instanceof FileBytes)) return { read: Promise.resolve({ bytes }), close: async () => closeInput() };

  const copy = privateCopy(bytes);
  let digest: WorkerInputDigest | undefined;
  const read = copy.ready.then((snapshot): PrefetchedDocument => {
    try {
      digest = new WorkerInputDigest(snapshot.descriptor, snapshot.length);
    } catch {
      // No worker: the pipeline hashes on the main thread.
    }
    return { bytes: snapshot, ...(digest ? { digest } : {}), unchanged: () => opened.unchanged() };
  });
  return {
    read,
    close: async () => {
      // Not while the copy still reads these descriptors (a number closed under a pending read
      // could be reused by another file of this process); the worker is started once it is made.
      await copy.ready.catch(() => undefined);
      digest?.close();
      copy.close();
      closeInput();
    },
  };
}

/**
 * A private, nameless copy of `source`, made on the thread pool. On Linux the kernel copies it
 * (copy_file_range through /proc/self/fd, the very file that was opened and stat()ed): about
 * 11 ms of CPU for 30 MB against 25 ms through a buffer (FileBytes.copyTo, used elsewhere).
 */
function privateCopy(source: FileBytes): { ready: Promise<FileBytes>; close(): void } {
  let folder: string | undefined;
  let fd: number | undefined;
  const removeFolder = (): void => {
    if (folder === undefined) return;
    try {
      rmSync(folder, { recursive: true, force: true });
      folder = undefined;
    } catch {
      // Windows may refuse while the file is open: removed again by close().
    }
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    removeFolder();
  };
  const copied = async (): Promise<FileBytes> => {
    // mkdtemp makes the folder 0700: no other account can open the copy while it has a name.
    folder = mkdtempSync(join(tmpdir(), 'yinjian-stamp-'));
    const path = join(folder, 'input.pdf');
    if (process.platform === 'linux') {
      await kernelCopy(`/proc/self/fd/${source.descriptor}`, path).catch(async () => {
        rmSync(path, { force: true });
        await copyThrough(source, path);
      });
    } else await copyThrough(source, path);
    fd = openSync(path, 'r');
    removeFolder();
    // Grown or shrunk since it was opened: no copy (the batch then reads the file whole).
    if (fstatSync(fd).size !== source.length) throw new Error('the file changed size while it was copied');
    return new FileBytes(fd, source.length);
  };
  const ready = copied().catch((error: unknown) => {
    close();
    throw error;
  });
  ready.catch(() => undefined);
  return { ready, close };
}

function kernelCopy(from: string, to: string): Promise<void> {
  return new Promise((resolveCopy, rejectCopy) => copyFile(from, to, constants.COPYFILE_EXCL, (error) => (error ? rejectCopy(error) : resolveCopy())));
}

/** The copy through one buffer on the thread pool (FileBytes.copyTo). */
async function copyThrough(source: FileBytes, path: string): Promise<void> {
  const fd = openSync(path, 'wx', 0o600);
  try {
    await source.copyTo(fd, 0);
  } finally {
    closeSync(fd);
  }
}

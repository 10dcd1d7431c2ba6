/**
 * The first input of `yinjian stamp`, opened as soon as the command has its arguments (issue
 * #15). A large file is read on demand (FileBytes, as verify reads it): the parser reads the few
 * kilobytes around each object it needs, a worker thread reads the file through one reused
 * buffer and hashes it (infra/stamp/input-digest.ts) while the main thread logs in and gates,
 * and the sealed file's copy of it is made on the thread pool. Nothing the size of the file is
 * allocated: on these VMs fresh memory costs more than reading (30 MB into a new buffer: ~110 ms
 * of page faults). The parser, the hash and the copy read the file separately, so a file written
 * to meanwhile is refused before the sealed file is put in place (FILE_CHANGED_WHILE_READ). A
 * failure here rejects: the batch then reads the file whole, which reports it.
 */
import type { PrefetchedDocument } from '../core/stamp/index';
import { WorkerInputDigest } from '../infra/stamp/input-digest';
import { FileBytes, openPdfFile } from './verify-files';

export interface OpenedStampInput {
  /** The document as the batch's prefetch hands it over. */
  readonly read: Promise<PrefetchedDocument>;
  /** Ends the worker and closes the file (once the batch is over). */
  close(): void;
}

export function openStampInput(input: string): OpenedStampInput {
  let opened: ReturnType<typeof openPdfFile>;
  try {
    opened = openPdfFile(input);
  } catch (error) {
    return { read: Promise.reject(error instanceof Error ? error : new Error(String(error))), close: () => undefined };
  }
  const { bytes } = opened;
  let digest: WorkerInputDigest | undefined;
  if (bytes instanceof FileBytes) {
    try {
      digest = new WorkerInputDigest(bytes.descriptor, bytes.length);
    } catch {
      // No worker: the pipeline hashes on the main thread.
    }
  }
  return {
    read: Promise.resolve({ bytes, ...(digest ? { digest } : {}), unchanged: () => opened.unchanged() }),
    close: () => {
      digest?.close();
      try {
        opened.close();
      } catch {
        // A change is reported by unchanged() before the sealed file is put in place.
      }
    },
  };
}

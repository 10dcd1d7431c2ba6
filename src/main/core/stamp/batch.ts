/**
 * A batch stamping (one PIN, any number of documents), the same for `yinjian stamp` and for
 * the window (app/stamping.ts). The key is opened once; each document is gated,
 * sealed and recorded on its own by the StampingPipeline (U3), and a refusal of one document
 * does not stop the others. A USB-key failure (pulled out, locked, device error) stops the
 * batch, and so does the custodian's stop.
 *
 * Every document the batch was asked to seal ends with a usage row (U3, M5; issue #7): sealed,
 * failed, or failed without being begun, under the code of what stopped it: the key failing
 * at login, the key failing on an earlier document, or STAMP_BATCH_STOPPED. Only a document
 * that cannot be read has no row: there are no bytes whose SHA-256 the row could name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import type { PdfBytes } from '../pdf/index';
import type { InputDigest } from './input-digest';
import type { StampingPipeline, StampOutcome, StampRequest } from './pipeline';
import type { SigningKey, StampRegisterPort } from './ports';

export interface BatchDocument {
  /** The input's file name: the row's title when the document is never begun. */
  readonly name: string;
  readonly outputPath: string;
  /** The document's bytes; throws when they cannot be read (FILE_NOT_READABLE). */
  read(): Uint8Array;
  /**
   * The same bytes, read in the background: the batch asks the first document for them before
   * the key logs in, so the disk and the login (the key's PIN check, the initial-PIN record's
   * scrypt) overlap (issue #15). A failure here is not reported: read() then says what failed.
   */
  prefetch?(): Promise<PrefetchedDocument>;
}

/** A document read ahead, with the SHA-256 of exactly its bytes when the reader has it computed elsewhere. */
export interface PrefetchedDocument {
  /** In memory, or read on demand from a private copy (then `unchanged` says whether the user's file was written to meanwhile). */
  readonly bytes: Uint8Array | PdfBytes;
  readonly digest?: InputDigest;
  unchanged?(): void;
}

/** What is the same for every document of the batch. */
export type BatchStampRequest = Omit<StampRequest, 'inputName' | 'input' | 'inputDigest' | 'inputUnchanged' | 'outputPath'>;

export type BatchResult =
  | { readonly document: BatchDocument; readonly ok: true; readonly outcome: StampOutcome }
  | {
      readonly document: BatchDocument;
      readonly ok: false;
      readonly error: YinjianError;
      /** false: the batch stopped before this document (login failure, key failure, stop). */
      readonly begun: boolean;
    };

export interface BatchProgress {
  /** Documents finished (sealed or not). */
  readonly done: number;
  readonly total: number;
  /** The document being sealed now; absent before the key is open and once the batch ends. */
  readonly current?: string;
}

/** The open key for the whole batch. */
export interface BatchKey {
  readonly key: SigningKey;
  close(): Promise<void>;
}

export interface StampBatchDeps {
  readonly pipeline: StampingPipeline;
  readonly register: StampRegisterPort;
  readonly clock: () => Date;
  readonly workstationCode: string;
}

export interface BatchControl {
  onProgress?(progress: BatchProgress): void;
  /** Asked before each document: true stops the batch there (STAMP_BATCH_STOPPED). */
  stopRequested?(): boolean;
}

function typed(caught: unknown): YinjianError {
  return caught instanceof YinjianError ? caught : new YinjianError('INTERNAL', { detail: caught instanceof Error ? caught.message : String(caught) }, { cause: caught });
}

function readDocument(document: BatchDocument): Uint8Array | YinjianError {
  try {
    return document.read();
  } catch (caught) {
    return caught instanceof YinjianError ? caught : new YinjianError('FILE_NOT_READABLE', { path: document.name }, { cause: caught });
  }
}

/**
 * A failed usage row for a document the batch never began: its title is the file name, its
 * type the declared one, its approval the use request recorded with it (U3).
 */
function recordNotBegun(deps: StampBatchDeps, request: BatchStampRequest, document: BatchDocument, errorCode: string): void {
  const bytes = readDocument(document);
  if (bytes instanceof YinjianError) return;
  const at = deps.clock();
  const actor = { name: request.operator.name, staffId: request.operator.staffId };
  const useRequest = deps.register.recordUseRequest(
    {
      id: randomUUID(),
      sealId: request.sealId,
      applicantStaffId: request.operator.staffId,
      applicantName: request.operator.name,
      approverName: request.approval.approver,
      approvalReference: request.approval.reference,
      documentTitle: document.name,
      documentType: request.declaredType,
      purpose: request.purpose ?? `用印 ${request.declaredType}`,
      approvedAt: at,
    },
    actor,
  );
  deps.register.recordStamping(
    {
      sealId: request.sealId,
      operatorStaffId: request.operator.staffId,
      operatorName: request.operator.name,
      useRequestId: useRequest.id,
      documentTitle: document.name,
      documentType: request.declaredType,
      pages: 0,
      sha256Before: createHash('sha256').update(bytes).digest('hex'),
      sha256After: null,
      outputPath: null,
      at,
      workstationId: deps.workstationCode,
      status: 'failed',
      errorCode,
    },
    actor,
  );
}

/** Records every document from `from` on as not begun because of `error`, and returns their results. */
function stopAt(deps: StampBatchDeps, request: BatchStampRequest, documents: readonly BatchDocument[], from: number, error: YinjianError): BatchResult[] {
  const rest = documents.slice(from);
  try {
    for (const document of rest) recordNotBegun(deps, request, document, error.code);
  } catch (recordError) {
    // What stopped the batch stands; failing to record it is reported with it, never instead of it.
    throw new YinjianError(error.code, error.params, { cause: recordError });
  }
  return rest.map((document) => ({ document, ok: false, error, begun: false }));
}

/**
 * Seals `documents` with the key `openKey` opens (it owns the PIN). A login failure records
 * every document as not begun and is thrown; anything later is in the results, one per
 * document, in order.
 */
export async function stampBatch(
  deps: StampBatchDeps,
  openKey: () => Promise<BatchKey>,
  request: BatchStampRequest,
  documents: readonly BatchDocument[],
  control: BatchControl = {},
): Promise<BatchResult[]> {
  const total = documents.length;
  control.onProgress?.({ done: 0, total });
  const ahead = documents[0]?.prefetch?.();
  ahead?.catch(() => undefined);
  let opened: BatchKey;
  try {
    opened = await openKey();
  } catch (caught) {
    const error = typed(caught);
    stopAt(deps, request, documents, 0, error);
    throw error;
  }
  // The login's initial-PIN check may still run (issue #15, SigningKey.loginChecked). Its
  // refusal is a login failure wherever it surfaces: every document from the current one on is
  // recorded as not begun under its code and it is thrown, as when the check ran before the
  // first document was opened (so the records are the same whichever finished first).
  const loginRefused = opened.key.loginChecked?.then(
    () => undefined,
    (caught: unknown) => typed(caught),
  );
  const refuseLogin = async (index: number): Promise<void> => {
    const refused = await loginRefused;
    if (refused === undefined) return;
    stopAt(deps, request, documents, index, refused);
    throw refused;
  };
  const results: BatchResult[] = [];
  try {
    for (const [index, document] of documents.entries()) {
      if (control.stopRequested?.()) {
        await refuseLogin(index);
        results.push(...stopAt(deps, request, documents, index, new YinjianError('STAMP_BATCH_STOPPED')));
        break;
      }
      control.onProgress?.({ done: index, total, current: document.name });
      const read = index === 0 && ahead ? await ahead.catch(() => readDocument(document)) : readDocument(document);
      if (read instanceof YinjianError) {
        results.push({ document, ok: false, error: read, begun: false });
        continue;
      }
      const given = read instanceof Uint8Array ? { input: read } : { input: read.bytes, inputDigest: read.digest, inputUnchanged: read.unchanged };
      try {
        const outcome = await deps.pipeline.stamp(
          {
            ...request,
            inputName: document.name,
            input: given.input,
            ...(given.inputDigest ? { inputDigest: given.inputDigest } : {}),
            ...(given.inputUnchanged ? { inputUnchanged: given.inputUnchanged } : {}),
            outputPath: document.outputPath,
          },
          opened.key,
        );
        results.push({ document, ok: true, outcome });
      } catch (caught) {
        await refuseLogin(index);
        const error = typed(caught);
        results.push({ document, ok: false, error, begun: true });
        // A USB key that failed (pulled out, locked) fails every document after it.
        if (error.category === 'device') {
          results.push(...stopAt(deps, request, documents, index + 1, error));
          break;
        }
      }
    }
    // No document reached the pipeline (none could be read): the login's check still decides.
    await refuseLogin(documents.length);
  } finally {
    await opened.close().catch(() => undefined);
    control.onProgress?.({ done: total, total });
  }
  return results;
}

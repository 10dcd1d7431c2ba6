/**
 * What the stamping pipeline needs from the outside, as ports (architecture.md: core talks to
 * the world only through interfaces it defines). infra/stamp implements them over the SQLite
 * register, pdf.js and the file system; the signer is the SealSigner port (USB key or software).
 */
import type { PdfBytes, PdfDocument } from '../pdf/index';
import type { DeniedDocumentKind } from '../policy/document-type';
import type { PageText } from '../policy/document-text';
import type { OcrOptions, OcrPageText } from '../policy/page-gate';
import type { SealSigner } from '../ports/signer';
import type { StampTimeFacts } from './time-guard';
import type { Actor, CertificateRecord, Delegation, Seal, UseRequest, UsageAnchor, UsageEntry, Workstation } from '../register/index';

/** The register as stamping reads and writes it. */
export interface StampRegisterPort {
  seal(sealId: string): Seal;
  /** The register's record of a certificate (revocation time and reason, S3/S5). */
  certificate(serial: string): CertificateRecord | undefined;
  delegations(sealId: string): Delegation[];
  workstation(id: string): Workstation | undefined;
  /** Issue #12: what the clock guard compares the local clock with (time-guard.ts). */
  timeFacts(): StampTimeFacts;
  /** U2: the deny list in force (the office's, else the default). */
  denyList(): readonly DeniedDocumentKind[];
  /**
   * U2 (issue #13): the office's published setting: a page OCR cannot read with enough
   * confidence needs the custodian's confirmation instead of refusing. Absent: not allowed.
   */
  scannedDocumentsAllowed?(): boolean;
  /** U3: the approved use request, recorded before the key signs. */
  recordUseRequest(request: Omit<UseRequest, 'recordedAt'>, actor: Actor): UseRequest;
  /** 用印登记 (U3) and its audit row (M5), ok or failed, in one transaction. */
  recordStamping(entry: Omit<UsageEntry, 'id' | 'auditSeq'>, actor: Actor): UsageEntry;
  /**
   * The crash window (SECURITY.md): the stamping's usage row, pending, and its audit row,
   * committed before the USB key signs, so a kill at any later point leaves a row that
   * recovery resolves: never an ok row without its file, never a sealed file without a row,
   * never a signature made without a row (U3).
   */
  recordPendingStamping(entry: PendingStampingEntry, actor: Actor): { readonly id: number; readonly auditSeq: number; readonly auditHash: string };
  /** Issue #12: the hash of this register's audit row `seq`, undefined when it has none. */
  auditRowHash(seq: number): string | undefined;
  /** The key has signed: the pending row names the sealed bytes before they are written. */
  recordSealedBytes(id: number, sha256After: string): void;
  /** The file is in place: the pending row becomes ok (STAMP audit row). */
  completeStamping(id: number, actor: Actor): UsageEntry;
  /** The file could not be put in place: the pending row becomes failed with `errorCode`, no output. */
  failPendingStamping(id: number, errorCode: string, actor: Actor): UsageEntry;
}

/** A document about to be signed, then written to `tempPath` and renamed onto `outputPath`. */
export type PendingStampingEntry = Omit<UsageEntry, 'id' | 'auditSeq' | 'status' | 'errorCode' | 'useRequestId' | 'sha256After' | 'outputPath'> & {
  readonly useRequestId: string;
  /** null: the key has not signed yet. */
  readonly sha256After: string | null;
  readonly outputPath: string;
  readonly tempPath: string;
  /** Issue #12: the seal's stamping counter this stamping takes (in its STAMP_PENDING audit row). */
  readonly sealCounter?: number;
  /** U2: pages OCR could not read, let through on the custodian's confirmation (audited). */
  readonly scannedConfirmedPages?: readonly number[];
};

/** The text of a document, page by page, read lazily (pdf.js is heavy: only the pages needed). */
export interface DocumentTextSource {
  readonly pageCount: number;
  page(pageIndex: number): Promise<PageText>;
  /**
   * U2: the page as drawn, read by OCR (core/policy/page-gate.ts); absent when the reader has
   * no OCR engine (the gate then refuses pages without a usable text layer).
   */
  readonly ocr?: (pageIndex: number, options: OcrOptions) => Promise<OcrPageText>;
  close(): Promise<void>;
}

export interface DocumentTextReader {
  /** `document`: the same bytes already opened by the caller, so they are not parsed twice. */
  open(bytes: Uint8Array | PdfBytes, document?: PdfDocument): Promise<DocumentTextSource>;
}

/** A written but not yet visible output: a flushed temp file beside the target. */
export interface PendingOutput {
  readonly path: string;
  /** Renames the temp file onto the target. */
  commit(): Promise<void>;
  /** Removes the temp file. */
  discard(): Promise<void>;
}

/** A temp file's name chosen beside the target, nothing written yet. */
export interface ReservedOutput {
  readonly path: string;
  /**
   * Optional (issue #15): starts writing `prefix`, the input's own bytes that every sealed file
   * begins with, to the temp file in the background (the thread pool), while the key signs and
   * the register records. Called only once the pending usage row names the temp file, so a
   * kill leaves nothing recovery does not know: that row still names no sealed bytes, and
   * recovery removes the temp file (STAMP_INTERRUPTED). write() then gets the same prefix as
   * its first part and appends the rest; abandon() waits for the background write and removes
   * the file when the stamping fails before write().
   */
  begin?(prefix: Uint8Array | PdfBytes): void;
  /**
   * Writes `parts` one after another to the temp file (never an existing one) and flushes it.
   * Only the first part may be a source on disk (the input read on demand).
   */
  write(parts: readonly (Uint8Array | PdfBytes)[]): Promise<PendingOutput>;
  /** Removes what begin() wrote; nothing to do when begin() was not called or write() was. */
  abandon?(): Promise<void>;
}

export interface StampOutputPort {
  /**
   * Names the temp file first, so the pending usage row can record it before a byte is
   * written: every temp file a stamping leaves behind is known to recovery.
   */
  reserve(target: string): ReservedOutput;
}

/** The seal's key and the certificates to embed, taken from the USB key. */
export interface SigningKey {
  readonly signer: SealSigner;
  /** The seal certificate (DER) stored on the key beside the private key (same CKA_ID). */
  readonly certificate: Uint8Array;
  /** The group CA certificate(s) stored on the key, embedded for offline verification. */
  readonly caCertificates: readonly Uint8Array[];
  /**
   * Issue #12 (M5, S6): the seal's usage record on the key (a private data object the seal
   * key's session writes). Absent for keys that cannot hold data objects (profile marker
   * 'none'): there the register and the documents alone carry the counter.
   */
  readonly usageAnchor?: KeyUsageAnchor;
  /**
   * The login's last M4 check, still running when the key is handed over (the initial-PIN
   * record's scrypt on the thread pool, issue #15; UsbKeyService.loginForSigning). The
   * pipeline awaits it before the key signs or writes and before it records anything; a
   * rejection is the login's refusal, not the document's: the pipeline records nothing for it
   * and throws it unchanged, whatever else went wrong with the document (the PIN refusal wins).
   */
  readonly loginChecked?: Promise<void>;
}

export interface KeyUsageAnchor {
  read(): Promise<UsageAnchor | undefined>;
  /** Replaces the key's record (crash-safe: the new object first, then the old one destroyed). */
  write(anchor: UsageAnchor): Promise<void>;
}

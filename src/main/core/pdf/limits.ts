/**
 * Bounds against hostile input. Every loop and every allocation the reader makes on behalf of
 * the file is capped by one of these, so a crafted file ends in PDF_LIMIT_EXCEEDED or
 * PDF_MALFORMED instead of a hang or an out-of-memory crash.
 */
import { YinjianError } from '../../../shared/errors/index';

export interface PdfLimits {
  /** Nesting of arrays/dictionaries inside one object. */
  readonly maxDepth: number;
  /** Decoded size of one stream (decompression bombs). */
  readonly maxStreamBytes: number;
  /** Number of cross-reference sections followed through /Prev. */
  readonly maxRevisions: number;
  /** Highest object number a cross-reference section may declare. */
  readonly maxObjectNumber: number;
  /** Length of a chain of references resolving to references. */
  readonly maxRefChain: number;
  /** Depth of the page tree and of /Parent and field /Kids chains. */
  readonly maxTreeDepth: number;
  /** Pages (or form fields) a walk may visit. */
  readonly maxTreeNodes: number;
  /** Decoded object streams kept in memory at once, in bytes. */
  readonly objectStreamCacheBytes: number;
  /** Entries all cross-reference sections may declare together (17 bytes each in memory). */
  readonly maxXrefEntries: number;
  /**
   * Entries the cross-reference sections may declare per byte of the file (issue #11): an
   * entry in use needs an object in the file, so a 46 KB file declaring 8 million entries in a
   * few kilobytes of Flate data is refused before a row is read. Files below
   * XREF_ENTRIES_MIN_ALLOWANCE entries are never refused by this bound.
   */
  readonly xrefEntriesPerFileByte: number;
}

/** Every file may declare this many cross-reference entries, however small it is. */
export const XREF_ENTRIES_MIN_ALLOWANCE = 65_536;

export const DEFAULT_PDF_LIMITS: PdfLimits = Object.freeze({
  maxDepth: 256,
  maxStreamBytes: 64 * 1024 * 1024,
  maxRevisions: 4096,
  maxObjectNumber: 8_388_607,
  maxRefChain: 32,
  maxTreeDepth: 256,
  maxTreeNodes: 1_000_000,
  objectStreamCacheBytes: 32 * 1024 * 1024,
  maxXrefEntries: 8_388_608,
  xrefEntriesPerFileByte: 1,
});

/** The entries a file of `fileBytes` may declare in all its cross-reference sections together. */
export function xrefEntryAllowance(limits: PdfLimits, fileBytes: number): { readonly entries: number; readonly limit: 'maxXrefEntries' | 'xrefEntriesPerFileByte' } {
  const bySize = Math.max(XREF_ENTRIES_MIN_ALLOWANCE, Math.floor(fileBytes * limits.xrefEntriesPerFileByte));
  return bySize < limits.maxXrefEntries ? { entries: bySize, limit: 'xrefEntriesPerFileByte' } : { entries: limits.maxXrefEntries, limit: 'maxXrefEntries' };
}

export function limitExceeded(limit: keyof PdfLimits | string, detail: string): YinjianError {
  return new YinjianError('PDF_LIMIT_EXCEEDED', { limit, detail });
}

export function malformed(detail: string): YinjianError {
  return new YinjianError('PDF_MALFORMED', { detail });
}

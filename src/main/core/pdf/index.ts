/**
 * The PDF reader and incremental writer shared by stamping and verification
 * (architecture.md: "one PDF reader … lazy, revision-aware, bounded against hostile input").
 * Like pyHanko's pdf_utils, it knows nothing of signatures.
 *
 * Laziness. `PdfDocument.open` reads the header, `startxref` and the cross-reference sections
 * only: cost O(size of the xref), not O(file), so a 300 MB / 3000-page file opens as fast as
 * its xref reads. Objects are parsed on demand from their offset through a `PdfBytes` source
 * (in memory here; a file-descriptor source can live in infra), stream data is only located
 * until someone asks for it, and object streams are decoded when one of their objects is
 * needed. Parsed objects and decoded object streams are cached with size caps.
 *
 * Revisions. Every cross-reference section reached from `startxref` through /Prev is one
 * revision (classic table, xref stream, or hybrid table + /XRefStm), listed oldest first with
 * its xref offset, trailer, own entries and end offset (after its %%EOF and EOL). A
 * linearized file's first-page section is merged with the main one it points back to.
 * `objectTableAt(i)` / `atRevision(i)` show the document as a reader saw it after revision i,
 * so a verifier can compare the signed revision with later updates.
 *
 * Bounds. All work done on behalf of the file is capped (`PdfLimits`): nesting depth,
 * decoded bytes per stream (decompression bombs), /Prev chain length and loops, reference
 * chains and loops, objects needing themselves to load (a /Length or object stream that
 * refers to itself), page-tree and /Parent cycles and depth, form-field cycles. Bad input
 * ends in a YinjianError (PDF_NOT_PDF, PDF_MALFORMED, PDF_LIMIT_EXCEEDED,
 * PDF_UNSUPPORTED_FILTER, PDF_ENCRYPTED), never in a crash or a hang. With `recover: true`
 * an unusable xref is rebuilt by scanning, and the document says `recovered: true`.
 *
 * Writing. `IncrementalUpdate` appends new and overriding objects and a cross-reference
 * section of the same kind as the file's last one, never touching the original bytes;
 * `PdfPlaceholder` values reserve fixed-width runs whose absolute offsets build() reports.
 */
export { InMemoryPdfBytes, ConcatenatedPdfBytes, ByteReader, type PdfBytes } from './bytes';
export { DEFAULT_PDF_LIMITS, type PdfLimits } from './limits';
export {
  PdfArray,
  PdfDict,
  PdfName,
  PdfPlaceholder,
  PdfRef,
  PdfStream,
  PdfString,
  decodeTextString,
  encodeTextString,
  name,
  ref,
  type PdfValue,
  type PlaceholderKind,
  type StreamLocation,
} from './objects';
export { ContentLexer, ContentSyntaxError, type ContentOperand } from './content-lexer';
export { Lexer, PdfParser, type IndirectObject, type Token } from './parser';
export type { PdfRevision, RevisionKind, XrefEntry } from './xref';
export { objectHeadersIn, readHybridTables } from './xref';
export {
  PdfDocument,
  PdfRevisionView,
  type InheritedPageAttributes,
  type ObjectTable,
  type PdfFormField,
  type PdfReadOptions,
} from './document';
export { PdfSerializer, formatName, formatNumber, serializeValue, type PlaceholderLocation } from './serializer';
export { IncrementalUpdate, type IncrementalUpdateResult } from './incremental';
export { TRAP_SCAN_MAX_OBJECTS, UNDRAWN_CATALOG_KEYS, describeTraps, findInputTraps, reachableFromCatalog, undefinedReferences, undrawnRoleObjects, type InputTrap, type InputTrapKind, type UndrawnRole } from './traps';
export { IDENTITY, multiply, type Matrix } from './matrix';

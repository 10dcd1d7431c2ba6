/**
 * Sealing a PDF (用印): the StampingPipeline and its parts — the impression drawn from the
 * register's appearance, its placement, and the signature as an incremental update.
 */
export { StampingPipeline, type StampOutcome, type StampRequest, type StampingPipelineDeps } from './pipeline';
export { stampBatch, type BatchControl, type BatchDocument, type BatchKey, type BatchProgress, type BatchResult, type BatchStampRequest, type PrefetchedDocument, type StampBatchDeps } from './batch';
export type { DocumentTextReader, DocumentTextSource, PendingOutput, SigningKey, StampOutputPort, StampRegisterPort } from './ports';
export { MAX_SEAM_PAGES, findKeyword, pageBox, placeImpression, type PageBox, type PlacementRequest, type PositionOnPage } from './placement';
export { signatureValueOf, withSignatureTimestamp, type SignatureTimestamper } from './signature-timestamp';
export { docMdpPermission } from './certification';
export { openSigningKey, sealOfKey, signingKeyOf } from './seal-of-key';
export { appearanceStream, impressionDrawing, type ImpressionDrawing, type ImpressionImage } from './impression';
export {
  nextSealFieldName,
  patchByteRange,
  patchContents,
  pdfDate,
  prepareSignatureUpdate,
  type PreparedSignature,
  type SignatureDictionaryInfo,
  type WidgetPlacement,
} from './signature-update';
export { LocalInputDigest, withFallback, type InputDigest } from './input-digest';

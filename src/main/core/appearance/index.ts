/**
 * The official-seal impression (印章印模): vector art generated from the seal's data, its
 * SVG and PDF renderings, supplied images, and the shipped CJK font for PDF text.
 */
export type { Point, PathCommand, Affine } from './path';
export {
  type SealKind,
  type RgbColor,
  type SealSpec,
  type ResolvedSealSpec,
  DEFAULT_DIAMETER_MM,
  DEFAULT_RING_MM,
  DEFAULT_STAR_MM,
  SEAL_RED,
  sealSpecSchema,
  resolveSealSpec,
} from './seal-spec';
export { type SealFont, type GlyphOutline, loadSealFont } from './seal-font';
export { type SealArtwork, type ArtworkPart, type TextRole, composeSealArtwork, unitNameSpanDeg } from './seal-artwork';
export { sealToSvg } from './svg';
export { PT_PER_MM, type PdfSliceOptions, pdfBoxSize, sealToPdfOperators } from './pdf-operators';
export {
  type SealImpression,
  type SuppliedImageMime,
  type SuppliedImageOptions,
  SUPPLIED_IMAGE_LIMITS,
  suppliedImageImpression,
  generatedImpression,
  impressionSizeMm,
  impressionToSvg,
} from './supplied-image';
export { embedShippedFontSubset } from './pdf-font';

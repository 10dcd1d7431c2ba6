import { YinjianError } from '../../../shared/errors/index';
import { formatNumber as n, type PathCommand } from './path';
import type { SealArtwork } from './seal-artwork';

/** PDF points per millimetre: the impression is drawn at 1:1 physical size. */
export const PT_PER_MM = 72 / 25.4;

export interface PdfSliceOptions {
  /** Which vertical slice of a seam seal (骑缝章) to draw, from 0 at the left. */
  readonly sliceIndex?: number;
  /** Into how many vertical slices the impression is cut (one per page). */
  readonly sliceCount?: number;
}

/** Width and height, in points, of what `sealToPdfOperators` draws with the same options. */
export function pdfBoxSize(artwork: SealArtwork, options: PdfSliceOptions = {}): { width: number; height: number } {
  const { count } = checkSlice(options);
  const size = artwork.diameterMm * PT_PER_MM;
  return { width: size / count, height: size };
}

function checkSlice(options: PdfSliceOptions): { index: number; count: number } {
  const count = options.sliceCount ?? 1;
  const index = options.sliceIndex ?? 0;
  // a seam seal across more than 64 pages would leave slices under 0.7 mm: nothing recognisable
  if (!Number.isInteger(count) || !Number.isInteger(index) || count < 1 || count > 64 || index < 0 || index >= count) {
    throw new YinjianError('APPEARANCE_SLICE_INVALID', { sliceIndex: String(options.sliceIndex), sliceCount: String(options.sliceCount) });
  }
  return { index, count };
}

/**
 * A content-stream fragment drawing the impression in points, origin at the lower-left of
 * its bounding box, for a signature widget's appearance stream (a form XObject whose BBox is
 * `pdfBoxSize`). For the i-th of N slices of a seam seal it clips to that slice, diameter/N
 * wide, and shifts it to the origin, so each page shows only its own strip and the strips
 * join into the whole impression when the pages are fanned out side by side.
 */
export function sealToPdfOperators(artwork: SealArtwork, options: PdfSliceOptions = {}): string {
  const { index, count } = checkSlice(options);
  const R = artwork.diameterMm / 2;
  const size = artwork.diameterMm * PT_PER_MM;
  const sliceWidth = size / count;
  const rgb = [artwork.color.r, artwork.color.g, artwork.color.b].map((c) => n(c / 255)).join(' ');
  const ops: string[] = ['q'];
  if (count > 1) {
    ops.push(`0 0 ${n(sliceWidth)} ${n(size)} re W n`);
    ops.push(`1 0 0 1 ${n(-index * sliceWidth)} 0 cm`);
  }
  // millimetres about the centre → points from the lower-left corner
  ops.push(`${n(PT_PER_MM)} 0 0 ${n(PT_PER_MM)} ${n(R * PT_PER_MM)} ${n(R * PT_PER_MM)} cm`);
  ops.push(`${rgb} rg ${rgb} RG`);
  ops.push(`${n(artwork.glyphStrokeMm)} w 1 j`);
  for (const part of artwork.parts) {
    ops.push(pathOperators(part.path));
    // glyphs get the stroke that gives them their inked weight, as in the SVG
    ops.push(part.kind === 'glyph' ? 'B' : 'f');
  }
  ops.push('Q');
  return ops.join('\n') + '\n';
}

function pathOperators(path: readonly PathCommand[]): string {
  return path
    .map((c) => {
      switch (c.op) {
        case 'M':
          return `${n(c.x)} ${n(c.y)} m`;
        case 'L':
          return `${n(c.x)} ${n(c.y)} l`;
        case 'C':
          return `${n(c.x1)} ${n(c.y1)} ${n(c.x2)} ${n(c.y2)} ${n(c.x)} ${n(c.y)} c`;
        case 'Z':
          return 'h';
      }
    })
    .join('\n');
}

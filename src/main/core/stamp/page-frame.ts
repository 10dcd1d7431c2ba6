/**
 * The page as the custodian sees it. A page's /Rotate (inherited through the page tree) turns
 * the visible box clockwise for display (ISO 32000-1 §7.7.3.3, table 30), and its visible box
 * (CropBox, else MediaBox) need not start at (0, 0). Positions the custodian gives (`--at`,
 * the keyword found on screen, the seam at the right edge) are measured on the displayed page
 * from its lower-left corner; the widget's /Rect is in user space. This is the one place that
 * converts between the two, so the placement and the text reader cannot disagree.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { InheritedPageAttributes, PdfDocument } from '../pdf/index';
import { pagesOf } from './page-list';

export type PageRotation = 0 | 90 | 180 | 270;

export interface PageFrame {
  /** The visible box in user space, normalised so that x, y is its lower-left corner. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /** Clockwise display rotation, degrees. */
  readonly rotate: PageRotation;
  /** Size of the displayed page (width and height swap at 90 and 270). */
  readonly width: number;
  readonly height: number;
}

export function pageFrame(document: PdfDocument, pageIndex: number): PageFrame {
  const pages = pagesOf(document);
  const page = pages[pageIndex];
  if (!page) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: pageIndex + 1, pages: pages.length });
  return frameOf(document.pageAttributes(page), pageIndex);
}

/** The frame of page `pageIndex` (0-based, for the message) from its inherited attributes, already looked up. */
export function frameOf(attributes: InheritedPageAttributes, pageIndex: number): PageFrame {
  const items = (attributes.cropBox ?? attributes.mediaBox)?.items ?? [0, 0, 612, 792];
  // Four finite numbers (the gate asks for every page: no intermediate arrays or callbacks).
  const [a, b, c, d] = items;
  if (items.length !== 4 || !finite(a) || !finite(b) || !finite(c) || !finite(d)) throw new YinjianError('PDF_MALFORMED', { detail: `page ${pageIndex + 1} has no usable MediaBox` });
  const box = { x: Math.min(a, c), y: Math.min(b, d), width: Math.abs(c - a), height: Math.abs(d - b) };
  // /Rotate must be a multiple of 90 (§7.7.3.3); anything else is read as no rotation, as poppler does.
  const rotate = (attributes.rotate % 90 === 0 ? attributes.rotate : 0) as PageRotation;
  const sideways = rotate === 90 || rotate === 270;
  return { box, rotate, width: sideways ? box.height : box.width, height: sideways ? box.width : box.height };
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A point of the displayed page (from its lower-left, y up) in user space. */
export function displayedToUser(frame: PageFrame, u: number, v: number): { x: number; y: number } {
  const { box, rotate } = frame;
  switch (rotate) {
    case 0:
      return { x: box.x + u, y: box.y + v };
    // Turned clockwise for display: the box's left edge is on top, its bottom edge on the left.
    case 90:
      return { x: box.x + box.width - v, y: box.y + u };
    case 180:
      return { x: box.x + box.width - u, y: box.y + box.height - v };
    case 270:
      return { x: box.x + v, y: box.y + box.height - u };
  }
}

/** A user-space point on the displayed page; the inverse of displayedToUser. */
export function userToDisplayed(frame: PageFrame, x: number, y: number): { u: number; v: number } {
  const { box, rotate } = frame;
  const dx = x - box.x;
  const dy = y - box.y;
  switch (rotate) {
    case 0:
      return { u: dx, v: dy };
    case 90:
      return { u: dy, v: box.width - dx };
    case 180:
      return { u: box.width - dx, v: box.height - dy };
    case 270:
      return { u: box.height - dy, v: dx };
  }
}

/** A rectangle of the displayed page (lower-left u1, v1 to upper-right u2, v2) as a user-space /Rect. */
export function displayedRectToUser(frame: PageFrame, u1: number, v1: number, u2: number, v2: number): [number, number, number, number] {
  const p = displayedToUser(frame, u1, v1);
  const q = displayedToUser(frame, u2, v2);
  return [Math.min(p.x, q.x), Math.min(p.y, q.y), Math.max(p.x, q.x), Math.max(p.y, q.y)];
}

/**
 * The appearance's /Matrix that keeps the impression upright on a rotated page. Viewers draw
 * a widget's appearance in the page's user space and then turn the whole page for display,
 * so an unrotated appearance would show turned by /Rotate. Turning the form counter-clockwise
 * by the same angle cancels that; the appearance algorithm (§12.5.5) then fits the turned
 * BBox into /Rect, whose sides we swap at 90 and 270. /NoRotate is not used: it pins the
 * annotation's upper-left corner and moves the impression off the place it was put.
 */
export function uprightMatrix(rotate: PageRotation): [number, number, number, number, number, number] {
  switch (rotate) {
    case 0:
      return [1, 0, 0, 1, 0, 0];
    case 90:
      return [0, 1, -1, 0, 0, 0];
    case 180:
      return [-1, 0, 0, -1, 0, 0];
    case 270:
      return [0, -1, 1, 0, 0, 0];
  }
}

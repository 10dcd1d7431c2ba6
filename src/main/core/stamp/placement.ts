/**
 * Where the impression goes: a page and a position, a keyword the seal is centred over (the
 * unit's name at the end of a letter, 盖章处), or a seam seal (骑缝章) across the right edges
 * of the pages. Positions are measured on the page as displayed (its /Rotate applied), from
 * the lower-left corner of its visible box (CropBox, else MediaBox), as the custodian sees it;
 * page-frame.ts turns them into the user-space /Rect, and the widget carries the rotation so
 * its appearance is drawn upright (signature-update.ts).
 */
import { YinjianError } from '../../../shared/errors/index';
// Straight from pdf-operators, not the appearance barrel: the barrel's seal-spec builds zod schemas at import, which a stamping does not need (CLI start-up, issue #15).
import { PT_PER_MM } from '../appearance/pdf-operators';
import type { PdfDocument } from '../pdf/index';
import { normaliseForMatching } from '../policy/document-type';
import { textLines, type PageText, type TextRun } from '../policy/document-text';
import type { ImpressionDrawing } from './impression';
import { pagesOf } from './page-list';
import { displayedRectToUser, pageFrame, type PageFrame } from './page-frame';
import type { DocumentTextSource } from './ports';
import type { WidgetPlacement } from './signature-update';

export interface PositionOnPage {
  readonly x: number;
  readonly y: number;
  readonly unit: 'mm' | 'pt';
}

export type PlacementRequest =
  /** On one page (1-based, default the last), the seal's centre at `at` (default: lower right). */
  | { readonly kind: 'page'; readonly page?: number | 'last'; readonly at?: PositionOnPage }
  /** Centred over the last occurrence of `keyword` (searching from the last page back, or on `page`). */
  | { readonly kind: 'keyword'; readonly keyword: string; readonly page?: number | 'last' }
  /** A seam seal over every page; `at.y` (if given) is the height of the seal's centre. */
  | { readonly kind: 'seam'; readonly at?: PositionOnPage };

export interface PageBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const MAX_SEAM_PAGES = 64;

/** Default centre: 30 mm from the right edge and 60 mm above the bottom edge to the seal's edges. */
const DEFAULT_RIGHT_MARGIN_MM = 30;
const DEFAULT_BOTTOM_MARGIN_MM = 60;

/** The visible box of a page (CropBox inside MediaBox) in user space, normalised so x1 < x2, y1 < y2. */
export function pageBox(document: PdfDocument, pageIndex: number): PageBox {
  return pageFrame(document, pageIndex).box;
}

function pageIndexOf(page: number | 'last' | undefined, pageCount: number): number {
  if (page === undefined || page === 'last') return pageCount - 1;
  if (!Number.isInteger(page) || page < 1 || page > pageCount) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page, pages: pageCount });
  return page - 1;
}

function toPoints(value: number, unit: 'mm' | 'pt'): number {
  return unit === 'mm' ? value * PT_PER_MM : value;
}

/** The impression centred at (u, v) of the displayed page, upright there, as a widget. */
function centredWidget(frame: PageFrame, pageIndex: number, u: number, v: number, width: number, height: number): WidgetPlacement {
  return { pageIndex, rect: displayedRectToUser(frame, u - width / 2, v - height / 2, u + width / 2, v + height / 2), slice: { index: 0, count: 1 }, rotate: frame.rotate };
}

/** (u, v) are displayed-page coordinates; the message speaks of the page as the custodian sees it. */
function requireInside(frame: PageFrame, u: number, v: number, what: string): void {
  if (!Number.isFinite(u) || !Number.isFinite(v) || u < 0 || u > frame.width || v < 0 || v > frame.height) {
    throw new YinjianError('STAMP_POSITION_INVALID', { detail: `${what} (${u.toFixed(1)}, ${v.toFixed(1)}) pt is outside the page (${frame.width.toFixed(1)} × ${frame.height.toFixed(1)} pt)` });
  }
}

/** The centre of the last occurrence of `keyword` on a page, matched spaces- and width-insensitively. */
export function findKeyword(page: PageText, keyword: string): { x: number; y: number } | undefined {
  const wanted = normaliseForMatching(keyword);
  if (wanted === '') return undefined;
  let found: { x: number; y: number } | undefined;
  for (const line of textLines(page)) {
    const chars: { ch: string; run: TextRun; index: number; length: number }[] = [];
    for (const run of line.runs) {
      const glyphs = [...run.text];
      glyphs.forEach((g, index) => {
        const folded = normaliseForMatching(g);
        for (const ch of folded) chars.push({ ch, run, index, length: glyphs.length });
      });
    }
    const joined = chars.map((c) => c.ch).join('');
    let at = joined.lastIndexOf(wanted);
    if (at < 0) continue;
    // lastIndexOf works on UTF-16 units; the keyword and the folded text are BMP CJK or ASCII.
    at = Math.min(at, chars.length - wanted.length);
    const first = chars[at] as (typeof chars)[number];
    const last = chars[at + wanted.length - 1] as (typeof chars)[number];
    const x1 = first.run.x + (first.run.width * first.index) / first.length;
    const x2 = last.run.x + (last.run.width * (last.index + 1)) / last.length;
    // Centre on the middle of the glyphs' body, about a third of the size above the baseline.
    found = { x: (x1 + x2) / 2, y: line.y + line.fontSize * 0.35 };
  }
  return found;
}

/** The widget(s) for a placement request. Reads text only for a keyword. */
export async function placeImpression(
  document: PdfDocument,
  request: PlacementRequest,
  drawing: ImpressionDrawing,
  text: () => Promise<DocumentTextSource>,
): Promise<WidgetPlacement[]> {
  const pageCount = pagesOf(document).length;
  const { widthPt: w, heightPt: h } = drawing;
  switch (request.kind) {
    case 'page': {
      const pageIndex = pageIndexOf(request.page, pageCount);
      const frame = pageFrame(document, pageIndex);
      const u = request.at ? toPoints(request.at.x, request.at.unit) : frame.width - DEFAULT_RIGHT_MARGIN_MM * PT_PER_MM - w / 2;
      const v = request.at ? toPoints(request.at.y, request.at.unit) : DEFAULT_BOTTOM_MARGIN_MM * PT_PER_MM + h / 2;
      requireInside(frame, u, v, 'seal centre');
      return [centredWidget(frame, pageIndex, u, v, w, h)];
    }
    case 'keyword': {
      const source = await text();
      const candidates = request.page === undefined ? [...Array(pageCount).keys()].reverse() : [pageIndexOf(request.page, pageCount)];
      for (const pageIndex of candidates) {
        // The text source reports positions on the displayed page (infra/stamp/pdfjs-text.ts).
        const found = findKeyword(await source.page(pageIndex), request.keyword);
        if (found) return [centredWidget(pageFrame(document, pageIndex), pageIndex, found.x, found.y, w, h)];
      }
      throw new YinjianError('STAMP_KEYWORD_NOT_FOUND', { keyword: request.keyword });
    }
    case 'seam': {
      if (pageCount < 2 || pageCount > MAX_SEAM_PAGES) throw new YinjianError('STAMP_SEAM_PAGES', { pages: pageCount });
      const sliceWidth = w / pageCount;
      const widgets: WidgetPlacement[] = [];
      for (let pageIndex = 0; pageIndex < pageCount; pageIndex++) {
        const frame = pageFrame(document, pageIndex);
        const v = request.at ? toPoints(request.at.y, request.at.unit) : frame.height / 2;
        requireInside(frame, frame.width, v, 'seam seal centre');
        // Slice i at the right edge of displayed page i: pages laid side by side, left to
        // right, as read, show strips 0…N-1 next to each other, i.e. the whole seal.
        const rect = displayedRectToUser(frame, frame.width - sliceWidth, v - h / 2, frame.width, v + h / 2);
        widgets.push({ pageIndex, rect, slice: { index: pageIndex, count: pageCount }, rotate: frame.rotate });
      }
      return widgets;
    }
  }
}

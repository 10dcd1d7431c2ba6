/**
 * The page list of a document, walked once. PdfDocument.pageRefs() resolves every page object
 * on each call (to tell a page from an intermediate node); stamping asks for the list from the
 * pipeline, the placement, the update and the text extractor, which on a 3000-page file was
 * seconds of re-parsing (issue #4). The list belongs to the opened document, so it is cached
 * by that object and dies with it.
 */
import type { PdfDocument, PdfRef } from '../pdf/index';

const lists = new WeakMap<PdfDocument, readonly PdfRef[]>();

export function pagesOf(document: PdfDocument): readonly PdfRef[] {
  let pages = lists.get(document);
  if (!pages) {
    pages = Object.freeze(document.pageRefs());
    lists.set(document, pages);
  }
  return pages;
}

/**
 * One page of a document as a small stand-alone PDF, for the text extractor (pdf.js) to read.
 *
 * Why: pdf.js, given the whole file, checks the document by loading its *last* page, and to
 * reach page N of a flat page tree it fetches every page object before it. On a 3000-page
 * 300 MB file that touched about two thirds of the file through its range transport and cost
 * seconds and hundreds of MB (issue #4). Our own reader (core/pdf) is lazy and resolves only
 * what is asked, so it copies out the page and everything the page's content can reach —
 * resources, fonts, form XObjects — and nothing else: the page tree, the other pages, the
 * annotations (text extraction never reads them) and the page's /Parent are left out; the
 * inherited attributes (MediaBox, CropBox, Resources, Rotate) are written on the page itself.
 *
 * Image XObjects keep their dictionary but not their data: text extraction never decodes an
 * image, and the seal check should not have to carry 100 KB scans per page into pdf.js.
 * Object numbers are kept, so the xref has holes (free entries), which is legal (§7.5.4).
 */
import { Buffer } from 'node:buffer';
import { YinjianError } from '../../../shared/errors/index';
import { isSignatureWidget } from '../policy/content-text';
import { pagesOf } from './page-list';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfSerializer, PdfStream, type PdfDocument, type PdfValue } from '../pdf/index';

/** Page keys left out: the tree link, and what text extraction never reads. */
const DROPPED_PAGE_KEYS = new Set(['Parent', 'Annots', 'B', 'Thumb', 'StructParents', 'PieceInfo', 'Metadata', 'AA']);

/** A cap on copied objects, so a hostile page cannot make this copy the whole file object by object. */
const MAX_OBJECTS = 20_000;

function isImage(value: PdfValue): boolean {
  return value instanceof PdfStream && value.dict.getName('Subtype') === 'Image';
}

/** The bytes of a one-page PDF holding page `pageIndex` of `document` (0-based). */
export function singlePagePdf(document: PdfDocument, pageIndex: number, options: { readonly images?: boolean } = {}): Uint8Array {
  return pagesPdf(document, [pageIndex], options);
}

/**
 * The bytes of a PDF holding pages `pageIndices` of `document` (0-based), in that order: the
 * gate reads every page (U2), and pdf.js then parses a shared font once per run of pages
 * instead of once per page.
 */
export function pagesPdf(document: PdfDocument, pageIndices: readonly number[], options: { readonly images?: boolean } = {}): Uint8Array {
  const view = document.latest;
  const pages = pagesOf(document);
  const catalogNum = document.size;
  const pagesNum = document.size + 1;
  const pagesRef = new PdfRef(pagesNum, 0);
  const chosen: { ref: PdfRef; dict: PdfDict }[] = [];
  for (const pageIndex of pageIndices) {
    const pageRef = pages[pageIndex];
    if (!pageRef) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: pageIndex + 1, pages: pages.length });
    const pageDict = view.resolveDict(pageRef);
    if (!pageDict) throw new YinjianError('PDF_MALFORMED', { detail: `page ${pageIndex + 1} is not a dictionary` });
    const inherited = document.pageAttributes(pageRef);
    let page = new PdfDict([...pageDict.entries()].filter(([key]) => !DROPPED_PAGE_KEYS.has(key)));
    // Rendering for OCR (infra/ocr) keeps the annotations: their appearances are part of what
    // the page shows (U2), a stamp annotation's contract title included. Not signatures' (seal
    // impressions, read for their text by content-text.ts, SECURITY.md).
    if (options.images) {
      const shown = (view.resolveArray(pageDict.get('Annots'))?.items ?? []).filter((item) => {
        const annotation = view.resolveDict(item);
        return annotation !== undefined && !isSignatureWidget(document, annotation);
      });
      if (shown.length > 0) page = page.with('Annots', new PdfArray(shown));
    }
    page = page.with('Type', PdfName.of('Page')).with('Parent', pagesRef).with('Rotate', inherited.rotate);
    if (inherited.mediaBox) page = page.with('MediaBox', inherited.mediaBox);
    if (inherited.cropBox) page = page.with('CropBox', inherited.cropBox);
    if (inherited.resources && !pageDict.has('Resources')) page = page.with('Resources', inherited.resources);
    chosen.push({ ref: pageRef, dict: page });
  }
  const pageNums = new Set(chosen.map((c) => c.ref.num));
  const label = pageIndices.length === 1 ? `page ${(pageIndices[0] as number) + 1}` : `pages ${pageIndices.map((i) => i + 1).join(',')}`;

  // Everything the pages reach through references, each object once, breadth first.
  const copied = new Map<number, { ref: PdfRef; value: PdfValue }>();
  const queue: PdfRef[] = [];
  const visit = (value: PdfValue | undefined, depth: number): void => {
    if (depth > 64 || value === undefined || value === null) return;
    if (value instanceof PdfRef) {
      if (pageNums.has(value.num) || copied.has(value.num)) return;
      if (copied.size >= MAX_OBJECTS) throw new YinjianError('PDF_LIMIT_EXCEEDED', { limit: 'pageObjects', detail: `${label} reach more than ${MAX_OBJECTS} objects` });
      copied.set(value.num, { ref: value, value: null });
      queue.push(value);
    } else if (value instanceof PdfArray) for (const item of value.items) visit(item, depth + 1);
    else if (value instanceof PdfDict) for (const [, item] of value.entries()) visit(item, depth + 1);
    else if (value instanceof PdfStream) visit(value.dict, depth + 1);
  };
  for (const { dict } of chosen) visit(dict, 0);
  // Rendering for OCR (U2) draws optional content as a viewer does by default: a white cover in
  // a layer (OCG) that viewers hide, over a contract's title pasted in as a picture, was drawn by
  // pdf.js without the document's /OCProperties, and OCR read a blank where viewers show the
  // contract. The catalog's /OCProperties (and the groups it names) go with the page.
  let optionalContent: PdfValue | undefined;
  if (options.images) {
    try {
      optionalContent = document.catalog().get('OCProperties');
    } catch {
      optionalContent = undefined;
    }
    if (optionalContent !== undefined) visit(optionalContent, 0);
  }
  while (queue.length > 0) {
    const ref = queue.shift() as PdfRef;
    let value = view.resolve(ref) ?? null;
    // Rendering for OCR (infra/ocr) needs the images: a scanned page is nothing else.
    if (!options.images && isImage(value)) value = PdfStream.withData((value as PdfStream).dict.with('Filter', undefined).with('DecodeParms', undefined), new Uint8Array());
    // A reached page (a link in a form's /P, say) must not drag its own tree in.
    if (value instanceof PdfDict && value.getName('Type') === 'Page') value = null;
    (copied.get(ref.num) as { value: PdfValue }).value = value;
    visit(value, 0);
  }

  const writer = new PdfSerializer((stream) => {
    // pdf.js inflates without a size bound: a Flate bomb in the page's content would take
    // seconds and then all memory (issue #7 fuzz; test/fixtures/regressions/flate-bomb-page-content).
    // Our reader's bounded decode refuses it first; other decode failures stay pdf.js's to judge.
    try {
      document.decodedStreamData(stream, view);
    } catch (error) {
      if (error instanceof YinjianError && error.code === 'PDF_LIMIT_EXCEEDED') throw error;
    }
    return document.rawStreamData(stream);
  });
  writer.writeBytes(Uint8Array.from([...Buffer.from('%PDF-1.7\n%'), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  const rows: { num: number; gen: number; offset: number }[] = [];
  const write = (ref: PdfRef, value: PdfValue): void => {
    rows.push({ num: ref.num, gen: ref.gen, offset: writer.length });
    writer.writeIndirectObject(ref, value);
  };
  write(new PdfRef(catalogNum, 0), PdfDict.of({ Type: PdfName.of('Catalog'), Pages: pagesRef, ...(optionalContent !== undefined ? { OCProperties: optionalContent } : {}) }));
  write(pagesRef, PdfDict.of({ Type: PdfName.of('Pages'), Kids: new PdfArray(chosen.map((c) => c.ref)), Count: chosen.length }));
  for (const { ref, dict } of chosen) write(ref, dict);
  for (const { ref, value } of copied.values()) write(ref, value);

  const xrefOffset = writer.length;
  const size = pagesNum + 1;
  // Subsections of the numbers written, headed by the free entry 0 (§7.5.4); the numbers in
  // between are simply absent, so a document with a million objects writes a tiny table.
  const sorted = [{ num: 0, gen: 65535, offset: -1 }, ...rows].sort((a, b) => a.num - b.num);
  let table = 'xref\n';
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && (sorted[j] as (typeof sorted)[number]).num === (sorted[j - 1] as (typeof sorted)[number]).num + 1) j++;
    table += `${(sorted[i] as (typeof sorted)[number]).num} ${j - i}\n`;
    for (const row of sorted.slice(i, j)) {
      table += row.offset < 0 ? '0000000000 65535 f\r\n' : `${String(row.offset).padStart(10, '0')} ${String(row.gen).padStart(5, '0')} n\r\n`;
    }
    i = j;
  }
  writer.writeText(table);
  writer.writeText('trailer\n').writeValue(PdfDict.of({ Size: size, Root: new PdfRef(catalogNum, 0) })).writeText(`\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return writer.toBytes();
}

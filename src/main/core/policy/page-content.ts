/**
 * The decoded content streams of one page, shared by the two readers of a page's content the
 * gate runs one after the other (content-text.ts for what the layer says, text-layer.ts for
 * whether it can be trusted): the page is inflated once, not twice. One page is remembered per
 * document (the gate walks pages in order), so a large document is never held whole.
 */
import { PdfArray, PdfStream, type PdfDocument, type PdfValue } from '../pdf/index';

export interface PageContents {
  readonly streams: readonly Uint8Array[];
  readonly bytes: number;
  /** Streams beyond MAX_PAGE_CONTENT_BYTES were dropped. */
  readonly truncated: boolean;
}

/** Bound against hostile files: decoded content of one page. */
export const MAX_PAGE_CONTENT_BYTES = 32 * 1024 * 1024;

const last = new WeakMap<PdfDocument, { pageIndex: number; contents: PageContents }>();

/** Page `pageIndex`'s /Contents (`contents`) decoded, stream by stream, within MAX_PAGE_CONTENT_BYTES. */
export function decodedContents(document: PdfDocument, pageIndex: number, contents: PdfValue | undefined): PageContents {
  const remembered = last.get(document);
  if (remembered && remembered.pageIndex === pageIndex) return remembered.contents;
  const resolved = document.resolve(contents);
  const list = resolved instanceof PdfArray ? resolved.items.map((item) => document.resolve(item)) : [resolved];
  const streams: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (const stream of list) {
    if (!(stream instanceof PdfStream)) continue;
    const data = document.decodedStreamData(stream);
    if (bytes + data.length > MAX_PAGE_CONTENT_BYTES) {
      truncated = true;
      break;
    }
    bytes += data.length;
    streams.push(data);
  }
  const result = { streams, bytes, truncated };
  last.set(document, { pageIndex, contents: result });
  return result;
}

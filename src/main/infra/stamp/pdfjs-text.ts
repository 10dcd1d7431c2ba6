/**
 * The DocumentTextReader port over pdf.js (legacy build, which runs in Node): the text runs of
 * the pages the pipeline asks for, with their positions in user space.
 *
 * pdf.js is heavy, so it sees the file through a range transport: it asks for the byte ranges
 * it needs (the xref, the pages asked for, their fonts) and nothing else is fed to it; with
 * autofetch off it never reads the rest of a 300 MB file. Its chunk buffer for the whole length
 * is allocated zero-filled and only the chunks it fetches are touched. Fonts are not loaded
 * as faces, no eval, no worker thread (the "fake worker" runs in this thread).
 */
import { YinjianError } from '../../../shared/errors/index';
import type { PageText, TextRun } from '../../core/policy/document-text';
import type { DocumentTextReader, DocumentTextSource } from '../../core/stamp/ports';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjsModule: Promise<PdfJs> | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

const CHUNK = 64 * 1024;

function unreadable(error: unknown): YinjianError {
  return new YinjianError('DOCUMENT_TEXT_UNREADABLE', { detail: error instanceof Error ? error.message : String(error) }, { cause: error });
}

interface PdfJsTextItem {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
}

export class PdfJsTextReader implements DocumentTextReader {
  async open(bytes: Uint8Array): Promise<DocumentTextSource> {
    const pdfjs = await loadPdfJs();
    const initial = bytes.slice(0, Math.min(bytes.length, CHUNK));
    const transport = new pdfjs.PDFDataRangeTransport(bytes.length, initial);
    transport.requestDataRange = (begin: number, end: number): void => {
      // A copy: pdf.js may transfer what it is given, and must never detach the caller's buffer.
      queueMicrotask(() => transport.onDataRange(begin, bytes.slice(begin, Math.min(end, bytes.length))));
    };
    const task = pdfjs.getDocument({
      range: transport,
      length: bytes.length,
      rangeChunkSize: CHUNK,
      disableAutoFetch: true,
      disableStream: true,
      disableFontFace: true,
      isEvalSupported: false,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    });
    let document: Awaited<typeof task.promise>;
    try {
      document = await task.promise;
    } catch (error) {
      await task.destroy().catch(() => undefined);
      throw unreadable(error);
    }
    return {
      pageCount: document.numPages,
      async page(pageIndex: number): Promise<PageText> {
        try {
          const page = await document.getPage(pageIndex + 1);
          const [x1, y1, x2, y2] = page.view as [number, number, number, number];
          const content = await page.getTextContent({ includeMarkedContent: false, disableNormalization: false });
          const runs: TextRun[] = [];
          for (const item of content.items as PdfJsTextItem[]) {
            if (typeof item.str !== 'string' || item.str === '' || !item.transform) continue;
            const [a = 0, b = 0, , d = 0, e = 0, f = 0] = item.transform;
            runs.push({ text: item.str, x: e, y: f, width: item.width ?? 0, fontSize: Math.hypot(a, b) || Math.abs(d) || (item.height ?? 0) });
          }
          page.cleanup();
          return { pageIndex, box: { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) }, runs };
        } catch (error) {
          throw unreadable(error);
        }
      },
      async close(): Promise<void> {
        await task.destroy();
      },
    };
  }
}

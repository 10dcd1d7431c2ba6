import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import type { PageTextDto } from '../../../shared/ipc/contract';

// The worker is a file of the app itself, so the CSP's script-src 'self' allows it.
GlobalWorkerOptions.workerSrc = new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url).toString();

/**
 * Opens a PDF for preview. Hostile input is the norm for a verifier, so pdf.js runs without eval
 * (also required by the CSP), without fetching anything, and without scripting.
 */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  return getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    disableStream: true,
    stopAtErrors: false,
  }).promise;
}

/** Renders one page (1-based) into a canvas at a scale; returns the page size in points. */
export async function renderPage(doc: PDFDocumentProxy, pageNumber: number, canvas: HTMLCanvasElement, scale: number): Promise<{ width: number; height: number }> {
  const page = await doc.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  await page.render({ canvas, viewport }).promise;
  const [x1, y1, x2, y2] = page.view as [number, number, number, number];
  return { width: x2 - x1, height: y2 - y1 };
}

/** The text runs of the first pages, positioned in user space, for the U2 document-type check. */
export async function pageTexts(doc: PDFDocumentProxy, maxPages = 5): Promise<PageTextDto[]> {
  const pages: PageTextDto[] = [];
  for (let n = 1; n <= Math.min(doc.numPages, maxPages); n++) {
    const page = await doc.getPage(n);
    const [x1, y1, x2, y2] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const runs: PageTextDto['runs'] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      const [a, b, , , e, f] = item.transform as [number, number, number, number, number, number];
      runs.push({ text: item.str.slice(0, 2000), x: e, y: f, width: item.width, fontSize: Math.hypot(a, b) || item.height });
    }
    pages.push({ pageIndex: n - 1, box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, runs: runs.slice(0, 20_000) });
  }
  return pages;
}

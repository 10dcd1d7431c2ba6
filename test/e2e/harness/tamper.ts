import { PdfArray, PdfDict, PdfStream, type PdfRef } from '../../../src/main/core/pdf/index';
import { appendUpdate } from '../../helpers/signed-pdf';

/**
 * The incremental-saving attack on a sealed file: a later revision replaces the first page's
 * content stream with other text, leaving the signed bytes untouched. The verifier must name
 * the change (page-content-changed, page 1).
 */
export function tamperPageContent(sealed: Uint8Array): Uint8Array {
  return appendUpdate(sealed, (doc, update) => {
    const page = doc.latest.resolveDict(doc.pageRefs()[0]) as PdfDict;
    const contents = page.get('Contents');
    const contentRef = (contents instanceof PdfArray ? contents.get(0) : contents) as PdfRef;
    update.put(contentRef, PdfStream.withData(new PdfDict(), new TextEncoder().encode('BT /F1 22 Tf 150 740 Td (Contract) Tj ET')));
  });
}

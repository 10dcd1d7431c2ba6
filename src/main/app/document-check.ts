/**
 * Use case: the stamp screen's U2 check (issue #13), the same gate stamping applies
 * (core/policy/page-gate.ts) on the same page sources: our content-stream reader, pdf.js where it
 * cannot decode, OCR (rendered page, tesseract worker) where the layer is missing or suspect, and
 * the office's deny list and scanned-documents setting. Nothing is written: it only answers.
 *
 * While OCR runs, `ocr.progress` events say which page of how many; `stop()` aborts: the OCR
 * worker is terminated (tesseract cannot be interrupted otherwise) and the check answers
 * `cancelled`. One check runs at a time; a new one cancels the one before.
 */
import { YinjianError, windowErrorOf } from '../../shared/errors/index';
import type { ResponseOf } from '../../shared/ipc/contract';
import { scannedDocumentsAllowed } from '../core/office/scanned-documents';
import { PdfDocument } from '../core/pdf/index';
import { contentPageText } from '../core/policy/content-text';
import { DocumentContentForbidden, gateDocumentText } from '../core/policy/page-gate';
import { textLayerFacts } from '../core/policy/text-layer';
import { DEFAULT_DENY_LIST } from '../core/policy/document-type';
import type { SealRegister } from '../infra/db/index';
import { PdfJsTextReader } from '../infra/stamp/pdfjs-text';
import { stampingDenyList } from '../infra/stamp/register-port';
import type { AppEvents } from './events';
import type { DocumentBytes } from './front-doors';

export type DocumentCheckResult = ResponseOf<'stamp.checkDocument'>;

export interface DocumentCheckDeps {
  register(): SealRegister | undefined;
  events?: AppEvents;
}

export interface DocumentCheck {
  check(document: DocumentBytes): Promise<DocumentCheckResult>;
  /** Cancels the running check; false when none runs. */
  stop(): boolean;
}


export function createDocumentCheck(deps: DocumentCheckDeps): DocumentCheck {
  let running: AbortController | undefined;
  return {
    stop() {
      if (!running) return false;
      running.abort();
      return true;
    },
    async check(document) {
      running?.abort();
      const controller = new AbortController();
      running = controller;
      const register = deps.register();
      let source: Awaited<ReturnType<PdfJsTextReader['open']>> | undefined;
      try {
        const opened = PdfDocument.open(document.bytes);
        opened.requireUnencrypted();
        source = await new PdfJsTextReader().open(document.bytes, opened);
        const text = source;
        const allowed = register ? scannedDocumentsAllowed(register.settings) : false;
        const result = await gateDocumentText(
          {
            pageCount: text.pageCount,
            layer: async (i) => contentPageText(opened, i) ?? text.page(i),
            facts: (i) => textLayerFacts(opened, i),
            ...(text.ocr ? { ocr: text.ocr } : {}),
          },
          {
            denyList: register ? stampingDenyList(register) : DEFAULT_DENY_LIST,
            ...(allowed ? { scannedAllowed: true } : {}),
            signal: controller.signal,
            onProgress: (p) => {
              if (p.ocrPages === 0) return;
              deps.events?.emit('ocr.progress', {
                document: document.name.slice(0, 300),
                stage: 'ocr',
                done: p.ocrDone,
                total: p.ocrPages,
                ...(p.current !== undefined ? { current: String(p.current) } : {}),
              });
            },
          },
        );
        return { outcome: 'allowed', ocrPages: [...result.ocrPages], pages: text.pageCount };
      } catch (error) {
        if (controller.signal.aborted) return { outcome: 'cancelled' };
        if (error instanceof DocumentContentForbidden) {
          const { term, where, line, page, words } = error.finding;
          return { outcome: 'forbidden', term, where, line, page, words: [...words] };
        }
        if (error instanceof YinjianError && error.code === 'SCANNED_PAGE_CONFIRMATION_REQUIRED') {
          return { outcome: 'confirm-scanned', pages: String(error.params?.page ?? ''), error: windowErrorOf(error) };
        }
        if (error instanceof YinjianError) return { outcome: 'refused', error: windowErrorOf(error) };
        throw error;
      } finally {
        await source?.close().catch(() => undefined);
        if (running === controller) running = undefined;
      }
    },
  };
}

/**
 * The fuzz cases run here, in a child process, so the test can kill a case that hangs (a
 * synchronous loop cannot be interrupted in-process) and see a case that blows the heap as a
 * dead child instead of a dead test runner. Started by `startCaseRunner` (harness.ts).
 */
import { PdfDocument, PdfString } from '../../src/main/core/pdf/index';
import { pageBox } from '../../src/main/core/stamp/index';
import { prepareTrust, verifyPdf } from '../../src/main/core/verify/index';
import { PdfJsTextReader } from '../../src/main/infra/stamp/pdfjs-text';
import { YinjianError } from '../../src/shared/errors/index';
import type { CaseOutcome } from '../helpers/fuzz';

type Request = { kind: 'trust'; anchors: Uint8Array[]; warmUp: Uint8Array } | { kind: 'case'; id: number; bytes: Uint8Array; text: boolean };

let trust = prepareTrust({ trustAnchors: [] });

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error));

/** What stamping reads of its input before anything is signed (pipeline.ts and placement.ts). */
function readLikeStamping(bytes: Uint8Array): CaseOutcome['reader'] {
  try {
    const document = PdfDocument.open(bytes);
    document.requireUnencrypted();
    const pages = document.pageRefs().length;
    const info = document.latest.resolveDict(document.trailer.get('Info'));
    void (info?.get('Title') instanceof PdfString ? (info.get('Title') as PdfString).text : undefined);
    if (pages > 0) pageBox(document, pages - 1);
    document.formFields();
    return { kind: 'ok', pages };
  } catch (error) {
    return error instanceof YinjianError ? { kind: 'typed-error', code: error.code } : { kind: 'crash', error: describeError(error) };
  }
}

async function run(bytes: Uint8Array, withText: boolean): Promise<Omit<CaseOutcome, 'ms' | 'rssMb'>> {
  let verify: CaseOutcome['verify'];
  try {
    const report = await verifyPdf(bytes, trust, {}, 'fuzz.pdf');
    verify = { kind: 'report', verdict: report.verdict, signatures: report.signatures.map((s) => ({ field: s.field, verdict: s.verdict, byteRange: s.byteRange })) };
  } catch (error) {
    verify = error instanceof YinjianError ? { kind: 'typed-error', code: error.code } : { kind: 'crash', error: describeError(error) };
  }
  const reader = readLikeStamping(bytes);
  if (!withText) return { verify, reader };
  let text: CaseOutcome['text'];
  try {
    const source = await new PdfJsTextReader().open(bytes);
    try {
      await source.page(0);
      text = { kind: 'ok', detail: '' };
    } finally {
      await source.close();
    }
  } catch (error) {
    text = error instanceof YinjianError ? { kind: 'typed-error', detail: error.code } : { kind: 'crash', detail: describeError(error) };
  }
  return { verify, reader, text };
}

process.on('message', (message: Request) => {
  if (message.kind === 'trust') {
    trust = prepareTrust({ trustAnchors: message.anchors });
    // Loading pdf.js and the verifier's code paths once, outside any case's time bound.
    void run(message.warmUp, true).then(() => process.send?.({ kind: 'ready' }));
    return;
  }
  const started = performance.now();
  void run(message.bytes, message.text).then((outcome) => {
    process.send?.({ kind: 'outcome', id: message.id, outcome: { ...outcome, ms: performance.now() - started, rssMb: process.memoryUsage().rss / 2 ** 20 } });
  });
});

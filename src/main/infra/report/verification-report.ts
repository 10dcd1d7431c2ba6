/**
 * Writes the PDF verification report of a `yinjian verify --report OUT.pdf` run: the shipped
 * CJK font from resources/fonts, the rendering from core, and the same no-half-written-file
 * output as sealed PDFs (temp file in the target's folder, fsync, rename).
 */
import { YinjianError } from '../../../shared/errors/index';
import { renderVerificationReportPdf } from '../../core/verify/report-pdf';
import type { FileReport } from '../../core/verify/index';
import { readShippedFont } from '../appearance/index';
import { AtomicFileOutput } from '../stamp/file-output';

export async function writeVerificationReport(target: string, files: readonly FileReport[], generatedAt: Date): Promise<{ path: string; bytes: number }> {
  const pdf = await renderVerificationReportPdf(files, readShippedFont(), generatedAt);
  try {
    const pending = await new AtomicFileOutput().prepare(target, [pdf]);
    await pending.commit();
  } catch (error) {
    if (error instanceof YinjianError && error.code !== 'FILE_NOT_WRITABLE') throw error;
    throw new YinjianError('VERIFY_REPORT_NOT_WRITTEN', { path: target, detail: error instanceof YinjianError ? error.en : String(error) }, { cause: error });
  }
  return { path: target, bytes: pdf.length };
}

/**
 * The U2 gate as it was before issue 13, for the whole-process row of `npm run bench -- gate`
 * only: the text layer of the first three pages, classified; no integrity facts, no OCR, no
 * later pages. test/bench/gate.ts builds a second CLI from today's source with this module in
 * place of core/policy/page-gate.ts (esbuild.config.mjs buildCli's `plugins`; only imports from src/main are redirected), so the two
 * processes differ in the gate alone. The product never loads this file.
 */
import { classifyDocumentText } from '../../src/main/core/policy/document-type';
import type { PageText } from '../../src/main/core/policy/document-text';
import { DocumentContentForbidden, type DocumentGateOptions, type DocumentGateResult, type GatePageSource } from '../../src/main/core/policy/page-gate';

export * from '../../src/main/core/policy/page-gate';

/** The pages the gate read before issue 13. */
const PAGES_READ = 3;

export async function gateDocumentText(source: GatePageSource, options: DocumentGateOptions = {}): Promise<DocumentGateResult> {
  const pages: PageText[] = [];
  for (let i = 0; i < Math.min(PAGES_READ, source.pageCount); i++) pages.push(await source.layer(i));
  const verdict = classifyDocumentText(pages, options.denyList);
  if (verdict.forbidden) throw new DocumentContentForbidden(verdict);
  return { verdict, ocrPages: [], unreadablePages: [], pages };
}

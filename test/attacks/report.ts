/**
 * `npm run attacks`: builds every attack case, renders it and verifies it, and prints one
 * table row per case (class, variant, pixels changed in poppler / MuPDF, the original seal's
 * verdict, the file verdict, the changes found), then a per-class summary. Used to record
 * verdicts before and after a verifier change; the test (attacks.test.ts) asserts the same oracle.
 *
 *   npm run attacks                                   this tree's verifier
 *   npm run attacks -- --verifier DIR/src/main/core/verify/index.ts --no-render
 *                                                     another tree's verifier (e.g. a checkout
 *                                                     from before issue #11) on the same cases
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { buildAttacks } from './generator';
import { renderingChanged } from './render';
import { tokenSeal } from './token-seal';

type VerifyPdf = typeof import('../../src/main/core/verify/index').verifyPdf;

const { values } = parseArgs({ options: { verifier: { type: 'string' }, 'no-render': { type: 'boolean' } } });
const verifyPdf: VerifyPdf = values.verifier
  ? ((await import(resolve(values.verifier))) as { verifyPdf: VerifyPdf }).verifyPdf
  : (await import('../../src/main/core/verify/index')).verifyPdf;

const ACCEPTED = new Set(['VALID', 'VALID_WITH_CHANGES']);
const seal = await tokenSeal();
try {
  const cases = await buildAttacks(seal);
  const perClass = new Map<number, { variants: number; accepted: number; verdicts: Map<string, number> }>();
  console.log('| class | variant | pixels poppler/mupdf | seal verdict | file verdict | changes |');
  console.log('|---|---|---|---|---|---|');
  for (const c of cases) {
    const rendering = c.gateOnly || values['no-render'] ? undefined : renderingChanged(c.sealed, c.attacked, c.allowedRects);
    const report = await verifyPdf(c.attacked, { trustAnchors: [seal.root] });
    const first = report.signatures.find((s) => s.field === 'Seal1');
    const kinds = [...new Set((first?.changes ?? []).map((ch) => `${ch.kind}/${ch.level}`))].join(' ');
    const px = rendering ? `${rendering.poppler > 1e9 ? 'page' : rendering.poppler}/${rendering.mupdf > 1e9 ? 'page' : rendering.mupdf}` : c.gateOnly ? 'gate' : '-';
    console.log(`| ${c.cls} | ${c.id} | ${px} | ${first?.verdict ?? '-'} | ${report.verdict} | ${kinds || (first?.findings.filter((f) => f.severity === 'error').map((f) => f.code).join(' ') ?? '')} |`);
    const row = perClass.get(c.cls) ?? { variants: 0, accepted: 0, verdicts: new Map<string, number>() };
    const verdict = first?.verdict ?? report.verdict;
    row.variants++;
    if (ACCEPTED.has(verdict)) row.accepted++;
    row.verdicts.set(verdict, (row.verdicts.get(verdict) ?? 0) + 1);
    perClass.set(c.cls, row);
  }
  console.log('\n| class | variants | seal VALID or VALID_WITH_CHANGES | verdicts |');
  console.log('|---|---|---|---|');
  for (const [cls, row] of [...perClass].sort((a, b) => a[0] - b[0])) {
    console.log(`| ${cls} | ${row.variants} | ${row.accepted} | ${[...row.verdicts].map(([v, n]) => `${v} ${n}`).join(', ')} |`);
  }
} finally {
  await seal.close();
}

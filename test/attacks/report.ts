/**
 * `npm run attacks`: builds every attack case, renders it and verifies it, and prints one
 * table row per case (class, variant, pixels changed in poppler / MuPDF, the original seal's
 * verdict, the file verdict, the changes found). Used to record verdicts before and after a
 * verifier change; the test (attacks.test.ts) asserts the same oracle.
 */
import { verifyPdf } from '../../src/main/core/verify/index';
import { buildAttacks } from './generator';
import { renderingChanged } from './render';
import { tokenSeal } from './token-seal';

const seal = await tokenSeal();
try {
  const cases = await buildAttacks(seal);
  console.log('| class | variant | pixels poppler/mupdf | seal verdict | file verdict | changes |');
  console.log('|---|---|---|---|---|---|');
  for (const c of cases) {
    const rendering = c.gateOnly ? undefined : renderingChanged(c.sealed, c.attacked, c.allowedRects);
    const report = await verifyPdf(c.attacked, { trustAnchors: [seal.root] });
    const first = report.signatures.find((s) => s.field === 'Seal1');
    const kinds = [...new Set((first?.changes ?? []).map((ch) => `${ch.kind}/${ch.level}`))].join(' ');
    const px = rendering ? `${rendering.poppler > 1e9 ? 'page' : rendering.poppler}/${rendering.mupdf > 1e9 ? 'page' : rendering.mupdf}` : 'gate';
    console.log(`| ${c.cls} | ${c.id} | ${px} | ${first?.verdict ?? '-'} | ${report.verdict} | ${kinds || (first?.findings.filter((f) => f.severity === 'error').map((f) => f.code).join(' ') ?? '')} |`);
  }
} finally {
  await seal.close();
}

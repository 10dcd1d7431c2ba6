/**
 * A seam seal (骑缝章) is one signature (issue 16): one field, one widget on the last page, the
 * other pages' slices drawn into those pages inside the signed revision. pdfsig and mutool
 * list exactly one signature on 3 and on 30 pages, qpdf finds no error, our verifier says
 * VALID, the slices are visible on every page, and removing a slice afterwards is a
 * modification the signature reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncrementalUpdate, PdfArray, PdfDocument, PdfRef } from '../../../src/main/core/pdf/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { mutoolSignVerify, nssDatabase, pdfsig, qpdfCheck } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture, type TextLineSpec } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-S-0001');
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

function pages(count: number): TextLineSpec[][] {
  return [NOTICE, ...Array.from({ length: count - 1 }, (_, i) => [{ text: `第${i + 2}页 合同条款`, size: 14 }])];
}

/** Share of non-white pixels in the rightmost 8 mm of a page rendered by poppler at 36 dpi. */
function inkAtRightEdge(file: string, page: number): number {
  const out = join(fx.dir, `render-${page}`);
  const run = spawnSync('/usr/bin/pdftoppm', ['-gray', '-r', '36', '-f', String(page), '-l', String(page), '-singlefile', file, out]);
  expect(run.status).toBe(0);
  const pgm = readFileSync(`${out}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('not a PGM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  const data = pgm.subarray(header[0].length);
  const columns = Math.round((8 / 25.4) * 36);
  let ink = 0;
  for (let y = 0; y < height; y++) for (let x = width - columns; x < width; x++) if ((data[y * width + x] ?? 255) < 200) ink++;
  return ink / (columns * height);
}

describe('seam seal as one signature', () => {
  it.each([3, 30])('%i pages: one signature for pdfsig and mutool, VALID for us, a slice on every page', async (count) => {
    const input = await makePdf(pages(count), { objectStreams: count > 3 });
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, input, `seam-${count}.pdf`, { placement: { kind: 'seam' } }), seal.key);
    expect(outcome.widgets.map((w) => w.pageIndex)).toEqual([...Array(count).keys()]);

    const reports = pdfsig(outcome.outputPath, nss.nssdir);
    expect(reports, 'pdfsig lists exactly one signature').toHaveLength(1);
    expect(reports[0]).toMatchObject({ signatureValid: true, certificateTrusted: true, totalDocumentSigned: true });
    expect(reports[0]?.raw).toContain('Signature Field Name: 印章1');
    const mutool = mutoolSignVerify(outcome.outputPath);
    expect(mutool, 'mutool lists exactly one signature').toHaveLength(1);
    expect(mutool[0]?.unchanged, mutool[0]?.raw).toBe(true);
    const qpdf = qpdfCheck(outcome.outputPath);
    expect(qpdf.ok, qpdf.output).toBe(true);

    const bytes = new Uint8Array(readFileSync(outcome.outputPath));
    const report = await verifyPdf(bytes, { trustAnchors: [fx.root] });
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]?.verdict, JSON.stringify(report.signatures[0]?.findings)).toBe('VALID');
    expect(report.signatures[0]?.page).toBe(count);

    const doc = PdfDocument.open(bytes);
    expect(doc.formFields()).toHaveLength(1);
    expect(doc.formFields()[0]?.widgets).toHaveLength(1);
    // Only the last page has an annotation; the others carry their slice in their content.
    const refs = doc.pageRefs();
    for (let i = 0; i < count - 1; i++) expect(doc.latest.resolveArray(doc.latest.resolveDict(refs[i])?.get('Annots'))?.items.length ?? 0).toBe(0);
    // Every page shows its strip of the impression at the right edge (seal 40 mm wide: 40/N mm each).
    for (const page of [1, Math.ceil(count / 2), count]) expect(inkAtRightEdge(outcome.outputPath, page), `page ${page}`).toBeGreaterThan(0.005);
  });

  it('removing a slice from a page after sealing is a modification', async () => {
    const input = await makePdf(pages(3));
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, input, 'seam-tamper.pdf', { placement: { kind: 'seam' } }), seal.key);
    const sealed = new Uint8Array(readFileSync(outcome.outputPath));
    const doc = PdfDocument.open(sealed);
    const first = doc.pageRefs()[0] as PdfRef;
    const page = doc.latest.resolveDict(first);
    const contents = doc.latest.resolveArray(page?.get('Contents'));
    expect(contents?.items.length).toBeGreaterThanOrEqual(3);
    // Keep the page's own content, drop our q … Q wrapper and the slice.
    const update = new IncrementalUpdate(doc);
    update.put(first, page!.with('Contents', new PdfArray(contents!.items.slice(1, -1))));
    const tampered = IncrementalUpdate.concat(sealed, update.build());
    const path = join(fx.dir, 'seam-tampered.pdf');
    writeFileSync(path, tampered);
    const report = await verifyPdf(tampered, { trustAnchors: [fx.root] });
    expect(report.signatures[0]?.verdict).toBe('MODIFIED');
    expect(mutoolSignVerify(path)[0]?.unchanged).toBe(false);
    expect(inkAtRightEdge(path, 1)).toBeLessThan(0.001);
  });
});

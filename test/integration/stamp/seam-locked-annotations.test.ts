/**
 * The seam seal's second branch (issue 16): on a document that already carries a signature,
 * editing page content would break what that signature allows, so the other pages' slices are
 * locked stamp annotations (Print, ReadOnly, Locked, LockedContents) written inside the seam
 * seal's own signed revision. Still one signature for pdfsig; and any later change to a slice
 * (moved, or removed from its page) is a modification of the seam seal; the same slice written
 * again unchanged is not.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncrementalUpdate, PdfArray, PdfDocument, PdfRef } from '../../../src/main/core/pdf/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { mutoolSignVerify, nssDatabase, pdfsig, qpdfCheck } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let sealed: Uint8Array;
let slices: { page: number; pageRef: PdfRef; annot: PdfRef }[];

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-S-0002');
  const input = await makePdf([NOTICE, [{ text: '第2页 合同条款', size: 14 }], [{ text: '第3页 合同条款', size: 14 }]]);
  const first = await fx.pipeline.stamp(fx.request(seal.seal, input, 'signed-once.pdf'), seal.key);
  const seam = await fx.pipeline.stamp(fx.request(seal.seal, new Uint8Array(readFileSync(first.outputPath)), 'seam-after-signature.pdf', { placement: { kind: 'seam' } }), seal.key);
  sealed = new Uint8Array(readFileSync(seam.outputPath));
  writeFileSync(join(fx.dir, 'seam-locked.pdf'), sealed);
  const doc = PdfDocument.open(sealed);
  slices = [];
  doc.pageRefs().forEach((ref, index) => {
    for (const item of doc.latest.resolveArray(doc.latest.resolveDict(ref)?.get('Annots'))?.items ?? []) {
      const annot = doc.latest.resolveDict(item);
      if (annot?.getName('Subtype') === 'Stamp' && item instanceof PdfRef) slices.push({ page: index + 1, pageRef: ref as PdfRef, annot: item });
    }
  });
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

async function seamVerdict(bytes: Uint8Array): Promise<string | undefined> {
  const report = await verifyPdf(bytes, { trustAnchors: [fx.root] });
  expect(report.signatures).toHaveLength(2);
  return report.signatures[1]?.verdict;
}

describe('seam seal on an already signed document: slices as locked annotations', () => {
  it('one more signature for pdfsig and mutool; pages 1 and 2 carry a locked stamp slice inside the seam seal\'s signed revision; the seam seal VALID, its slices listed as changes after the first seal', async () => {
    const path = join(fx.dir, 'seam-locked.pdf');
    const reports = pdfsig(path, nss.nssdir);
    expect(reports, 'pdfsig: the first seal and ONE seam seal').toHaveLength(2);
    for (const r of reports) expect(r).toMatchObject({ signatureValid: true, certificateTrusted: true });
    expect(mutoolSignVerify(path)).toHaveLength(2);
    expect(qpdfCheck(path).ok).toBe(true);

    expect(slices.map((s) => s.page)).toEqual([1, 2]);
    const doc = PdfDocument.open(sealed);
    for (const s of slices) {
      const annot = doc.latest.resolveDict(s.annot)!;
      // Print | ReadOnly | Locked | LockedContents.
      expect(annot.get('F')).toEqual(4 | 64 | 128 | 512);
    }
    // The slices belong to the seam seal's revision (the last one), which its signature covers whole.
    const report = await verifyPdf(sealed, { trustAnchors: [fx.root] });
    expect(report.signatures[1]?.coversWholeFile).toBe(true);
    expect(report.signatures[1]?.signedRevision).toBe(doc.revisions.length - 1);
    expect(report.signatures[1]?.verdict).toBe('VALID');
    // The earlier approval seal sees the seam seal's slices as annotations added after it. Under
    // the verifier's approval policy (issue #11: after an approval seal without DocMDP only
    // signatures, timestamps and validation data may follow) that is a change it does not
    // allow: the receiver is told exactly which stamps were added, on which pages, by which revision.
    expect(report.signatures[0]?.changes.filter((c) => c.kind === 'annotation-added').map((c) => [c.page, c.detail, c.revision])).toEqual([
      [1, 'Stamp', 2],
      [2, 'Stamp', 2],
    ]);
    expect(report.signatures[0]?.changes.filter((c) => c.kind === 'signature-field-added')).toHaveLength(1);
  });

  it('a slice moved afterwards is a modification of the seam seal', async () => {
    const doc = PdfDocument.open(sealed);
    const slice = slices[0]!;
    const annot = doc.latest.resolveDict(slice.annot)!;
    const update = new IncrementalUpdate(doc);
    update.put(slice.annot, annot.with('Rect', new PdfArray([10, 10, 30, 60])));
    const tampered = IncrementalUpdate.concat(sealed, update.build());
    writeFileSync(join(fx.dir, 'seam-slice-moved.pdf'), tampered);
    expect(await seamVerdict(tampered)).toBe('MODIFIED');
    expect(mutoolSignVerify(join(fx.dir, 'seam-slice-moved.pdf'))[1]?.unchanged).toBe(false);
  });

  it('a slice removed from its page afterwards is a modification of the seam seal', async () => {
    const doc = PdfDocument.open(sealed);
    const slice = slices[1]!;
    const page = doc.latest.resolveDict(slice.pageRef)!;
    const kept = (doc.latest.resolveArray(page.get('Annots'))?.items ?? []).filter((item) => !(item instanceof PdfRef && item.num === slice.annot.num));
    const update = new IncrementalUpdate(doc);
    update.put(slice.pageRef, page.with('Annots', new PdfArray(kept)));
    const tampered = IncrementalUpdate.concat(sealed, update.build());
    expect(await seamVerdict(tampered)).toBe('MODIFIED');
  });

  it('control: a slice written again unchanged in a later update is no modification', async () => {
    const doc = PdfDocument.open(sealed);
    const slice = slices[0]!;
    const update = new IncrementalUpdate(doc);
    update.put(slice.annot, doc.latest.resolveDict(slice.annot)!);
    const rewritten = IncrementalUpdate.concat(sealed, update.build());
    expect(await seamVerdict(rewritten)).toMatch(/^VALID/);
  });
});

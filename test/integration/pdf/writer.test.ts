/**
 * The incremental writer judged by independent tools: qpdf --check, mutool show and pdf-lib
 * must all read the update, and the original bytes must be untouched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, StandardFonts } from 'pdf-lib';
import {
  IncrementalUpdate,
  PdfArray,
  PdfDict,
  PdfDocument,
  PdfPlaceholder,
  PdfRef,
  PdfString,
  name,
  type IncrementalUpdateResult,
} from '../../../src/main/core/pdf/index';
import { isYinjianError } from '../../../src/shared/errors/index';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pdf-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CORPUS = new URL('../../../../shared/corpus/', import.meta.url).pathname;

async function pdfLibFile(useObjectStreams: boolean): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 2; i++) pdf.addPage([595, 842]).drawText(`Internal letter ${i + 1}`, { x: 50, y: 780, size: 14, font });
  return pdf.save({ useObjectStreams });
}

function qpdfCheck(path: string): void {
  const run = spawnSync('/usr/bin/qpdf', ['--check', path], { encoding: 'utf8' });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('No syntax or stream encoding errors');
  expect(run.stderr).not.toMatch(/WARNING|error/i);
}

interface Appended {
  readonly out: Uint8Array;
  readonly result: IncrementalUpdateResult;
  readonly annot: PdfRef;
  readonly page: PdfRef;
  readonly contents: PdfPlaceholder;
  readonly range: PdfPlaceholder;
}

/** Adds a square annotation carrying two placeholders and overrides page 1 to show it. */
function appendAnnotation(original: Uint8Array): Appended {
  const doc = PdfDocument.open(original);
  const update = new IncrementalUpdate(doc);
  const page = doc.pageRefs()[0] as PdfRef;
  const pageDict = doc.getObject(page) as PdfDict;
  const contents = new PdfPlaceholder('contents', 64, 'hex');
  const range = new PdfPlaceholder('range', 40, 'raw', new PdfArray([0, 0, 0, 0]));
  const annot = update.add(
    PdfDict.of({
      Type: name('Annot'),
      Subtype: name('Square'),
      Rect: new PdfArray([100, 100, 250.5, 180.25]),
      P: page,
      T: PdfString.fromText('印鉴 seal'),
      YjData: contents,
      YjRange: range,
    }),
  );
  const existing = doc.latest.resolveArray(pageDict.get('Annots'))?.items ?? [];
  update.put(page, pageDict.with('Annots', new PdfArray([...existing, annot])));
  const result = update.build();
  return { out: IncrementalUpdate.concat(original, result), result, annot, page, contents, range };
}

const sources: [string, () => Promise<Uint8Array>, 'table' | 'stream'][] = [
  ['pdf-lib classic table', () => pdfLibFile(false), 'table'],
  ['pdf-lib xref stream + object streams', () => pdfLibFile(true), 'stream'],
];
if (existsSync(`${CORPUS}endesive/test-signed-cms-hsm-Google.pdf`)) {
  // Its revisions are table, hybrid, table: the last one decides, so the update is a table.
  sources.push(['corpus file with a hybrid revision', async () => readFileSync(`${CORPUS}endesive/test-signed-cms-hsm-Google.pdf`), 'table']);
}

describe('incremental update', () => {
  for (const [label, make, expectedKind] of sources) {
    it(`appends an annotation and a page override to a ${label}`, async () => {
      const original = await make();
      const before = PdfDocument.open(original);
      const { out, result, annot, page, contents, range } = appendAnnotation(original);

      // The original is a byte-for-byte prefix; the update starts where it ended.
      expect(Buffer.from(out.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
      expect(result.baseLength).toBe(original.length);
      expect(result.xrefKind).toBe(expectedKind);

      // Placeholders sit exactly where build() says.
      const [hex, raw] = result.placeholders;
      expect(hex?.placeholder).toBe(contents);
      expect(raw?.placeholder).toBe(range);
      expect(Buffer.from(out.subarray(hex!.offset, hex!.offset + hex!.length)).toString('latin1')).toBe(`<${'0'.repeat(64)}>`);
      expect(Buffer.from(out.subarray(raw!.offset, raw!.offset + raw!.length)).toString('latin1')).toBe('[0 0 0 0]'.padEnd(40, ' '));

      const path = join(dir, `${label.replace(/\W+/g, '-')}.pdf`);
      writeFileSync(path, out);
      qpdfCheck(path);

      // mutool reads the new trailer and the new object.
      const trailer = execFileSync('/usr/bin/mutool', ['show', path, 'trailer'], { encoding: 'utf8' });
      expect(trailer).toMatch(new RegExp(`/Prev ${before.latestRevision.xrefOffset}\\b`));
      expect(trailer).toMatch(new RegExp(`/Size ${annot.num + (expectedKind === 'stream' ? 2 : 1)}\\b`));
      const shown = execFileSync('/usr/bin/mutool', ['show', path, String(annot.num)], { encoding: 'utf8' });
      expect(shown).toContain('/Subtype /Square');

      // pdf-lib sees the override: page 1 lists the annotation.
      const reloaded = await PDFDocument.load(out);
      const annots = reloaded.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray);
      expect(annots.asArray().map((r) => (r as PDFRef).objectNumber)).toContain(annot.num);
      const square = reloaded.context.lookup(PDFRef.of(annot.num, 0), PDFDict);
      expect(square.get(PDFName.of('Subtype'))?.toString()).toBe('/Square');

      // Our own reader: one more revision, owning exactly the new and overridden objects.
      const after = PdfDocument.open(out);
      expect(after.revisions.length).toBe(before.revisions.length + 1);
      const added = after.latestRevision;
      expect(added.kind).toBe(expectedKind);
      expect(added.endOffset).toBe(out.length);
      expect(added.xrefOffset).toBe(result.xrefOffset);
      // Earlier revisions end where they did, except that the EOL the writer added after a
      // bare final %%EOF now belongs to the revision it follows.
      const addedEol = result.appended[0] === 0x0a && original[original.length - 1] !== 0x0a && original[original.length - 1] !== 0x0d ? 1 : 0;
      const beforeEnds = before.revisions.map((r, i) => r.endOffset + (i === before.revisions.length - 1 ? addedEol : 0));
      expect(after.revisions.slice(0, -1).map((r) => r.endOffset)).toEqual(beforeEnds);
      const ownObjects = [...added.entries].filter(([, e]) => e.type !== 'free').map(([num]) => num).sort((a, b) => a - b);
      const expected = [page.num, annot.num, ...(expectedKind === 'stream' ? [annot.num + 1] : [])].sort((a, b) => a - b);
      expect(ownObjects).toEqual(expected);
      const oldPage = after.getObjectAt(page, before.revisions.length - 1) as PdfDict;
      const newPage = after.getObject(page) as PdfDict;
      expect(after.latest.resolveArray(newPage.get('Annots'))?.items).toContainEqual(annot);
      expect(oldPage.has('Annots') && after.latest.resolveArray(oldPage.get('Annots'))?.items.some((r) => annot.equals(r))).toBeFalsy();
      expect((after.getObject(annot) as PdfDict).getString('T')?.text).toBe('印鉴 seal');
      // The permanent /ID element is kept, the changing one is new.
      const oldId = before.trailer.getArray('ID')?.items as PdfString[] | undefined;
      const newId = after.trailer.getArray('ID')?.items as PdfString[];
      if (oldId) expect(Buffer.from(newId[0]!.bytes).equals(Buffer.from(oldId[0]!.bytes))).toBe(true);
      expect(Buffer.from(newId[1]!.bytes).equals(Buffer.from(oldId?.[1]?.bytes ?? []))).toBe(false);

      // Patching the placeholders in place keeps every offset valid.
      const patched = Uint8Array.from(out);
      patched.set(Buffer.from(`<${'ab'.repeat(32)}>`, 'latin1'), hex!.offset);
      patched.set(Buffer.from('[0 10 20 30]'.padEnd(40, ' '), 'latin1'), raw!.offset);
      const patchedPath = join(dir, `${label.replace(/\W+/g, '-')}-patched.pdf`);
      writeFileSync(patchedPath, patched);
      qpdfCheck(patchedPath);
      const reread = PdfDocument.open(patched).getObject(annot) as PdfDict;
      expect(reread.getString('YjData')?.bytes.every((b) => b === 0xab)).toBe(true);
      expect(reread.getArray('YjRange')?.items).toEqual([0, 10, 20, 30]);

      // A second update chains onto the first.
      const second = appendAnnotation(out);
      const secondPath = join(dir, `${label.replace(/\W+/g, '-')}-second.pdf`);
      writeFileSync(secondPath, second.out);
      qpdfCheck(secondPath);
      expect(PdfDocument.open(second.out).revisions.length).toBe(before.revisions.length + 2);
    });
  }

  it('adds the missing EOL when the original does not end with one', async () => {
    const original = await pdfLibFile(false);
    let end = original.length;
    while (original[end - 1] === 0x0a || original[end - 1] === 0x0d) end--;
    const trimmed = original.subarray(0, end);
    const { out, result } = appendAnnotation(trimmed);
    expect(result.appended[0]).toBe(0x0a);
    expect(Buffer.from(out.subarray(0, trimmed.length)).equals(Buffer.from(trimmed))).toBe(true);
    const path = join(dir, 'no-eol.pdf');
    writeFileSync(path, out);
    qpdfCheck(path);
    expect(PdfDocument.open(out).revisions[0]?.endOffset).toBe(trimmed.length + 1);
  });

  it('refuses an override with the wrong generation or an unallocated number', async () => {
    const doc = PdfDocument.open(await pdfLibFile(false));
    const update = new IncrementalUpdate(doc);
    const page = doc.pageRefs()[0] as PdfRef;
    const codes: string[] = [];
    for (const action of [
      () => update.put(new PdfRef(page.num, 3), null),
      () => update.put(new PdfRef(doc.size + 10, 0), null),
      () => update.put(new PdfRef(0, 0), null),
    ]) {
      try {
        action();
        codes.push('no error');
      } catch (error) {
        codes.push(isYinjianError(error) ? error.code : String(error));
      }
    }
    expect(codes).toEqual(['PDF_UPDATE_INVALID', 'PDF_UPDATE_INVALID', 'PDF_UPDATE_INVALID']);
  });
});

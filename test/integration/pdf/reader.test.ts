/**
 * The reader against real files: PDFs written by pdf-lib (classic xref table, and xref streams
 * with object streams) and the third-party signed-PDF corpus beside the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import {
  InMemoryPdfBytes,
  PdfArray,
  PdfDocument,
  PdfRef,
  PdfStream,
  type PdfBytes,
  type PdfValue,
} from '../../../src/main/core/pdf/index';
import { isYinjianError } from '../../../src/shared/errors/index';

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url).pathname;
const corpusPresent = existsSync(`${CORPUS}MANIFEST.json`);
if (!corpusPresent) console.warn(`PDF corpus not found at ${CORPUS}: corpus tests skipped`);

async function samplePdf(useObjectStreams: boolean): Promise<{ bytes: Uint8Array; pageNums: number[] }> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 3; i++) {
    const page = pdf.addPage([595, 842]);
    page.drawText(`内部正式文件 page ${i + 1}`.replace(/[^\x20-\x7e]/g, ''), { x: 50, y: 800, size: 12, font });
  }
  const form = pdf.getForm();
  form.createTextField('applicant.name').addToPage(pdf.getPage(0), { x: 50, y: 700, width: 200, height: 20 });
  form.createTextField('purpose').addToPage(pdf.getPage(1), { x: 50, y: 700, width: 200, height: 20 });
  const pageNums = pdf.getPages().map((page) => page.ref.objectNumber);
  return { bytes: await pdf.save({ useObjectStreams }), pageNums };
}

/** Counts the bytes the reader asks for, to check that opening is O(xref), not O(file). */
class CountingBytes implements PdfBytes {
  bytesRead = 0;
  constructor(private readonly inner: PdfBytes) {}
  get length(): number {
    return this.inner.length;
  }
  read(offset: number, length: number): Uint8Array {
    const out = this.inner.read(offset, length);
    this.bytesRead += out.length;
    return out;
  }
}

describe('reading PDFs written by pdf-lib', () => {
  for (const useObjectStreams of [false, true]) {
    const kind = useObjectStreams ? 'stream' : 'table';
    it(`reads pages, inherited attributes and form fields (${kind} xref)`, async () => {
      const { bytes, pageNums } = await samplePdf(useObjectStreams);
      const doc = PdfDocument.open(bytes);
      expect(doc.recovered).toBe(false);
      expect(doc.revisions.map((r) => r.kind)).toEqual([kind]);
      expect(doc.revisions[0]?.endOffset).toBe(bytes.length);
      expect(doc.catalog().getName('Type')).toBe('Catalog');
      const pages = doc.pageRefs();
      expect(pages.map((p) => p.num)).toEqual(pageNums);
      const attributes = doc.pageAttributes(pages[0] as PdfRef);
      expect(attributes.mediaBox?.items).toEqual([0, 0, 595, 842]);
      expect(attributes.resources?.has('Font')).toBe(true);
      expect(attributes.rotate).toBe(0);
      const fields = doc.formFields();
      expect(fields.map((f) => [f.fullName, f.fieldType])).toEqual([
        ['applicant.name', 'Tx'],
        ['purpose', 'Tx'],
      ]);
      expect(fields[0]?.widgets.length).toBe(1);
      // Content streams decode to the text drawn.
      const page = doc.getObject(pages[0] as PdfRef);
      const contents = doc.resolve((page as { get(key: string): PdfValue | undefined }).get('Contents'));
      const streams = contents instanceof PdfArray ? contents.items.map((c) => doc.resolve(c)) : [contents];
      const text = streams.map((s) => Buffer.from(doc.decodedStreamData(s as PdfStream)).toString('latin1')).join('');
      expect(text).toContain('Tj');
    });
  }

  it('opens a 30 MB file reading little more than its cross-reference', async () => {
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 3000; i++) pdf.addPage([200, 200]);
    // An unreferenced 30 MB stream makes the file big without making its xref big.
    pdf.context.register(pdf.context.stream(randomBytes(30 * 1024 * 1024), { Filter: PDFName.of('DCTDecode') }));
    const bytes = await pdf.save({ useObjectStreams: false });
    const source = new CountingBytes(new InMemoryPdfBytes(bytes));
    const started = Date.now();
    const doc = PdfDocument.open(source);
    const firstPage = doc.latest.getObject(new PdfRef(doc.pageRefs()[0]?.num ?? 0, 0));
    expect(firstPage).not.toBe(null);
    expect(doc.pageRefs().length).toBe(3000);
    const xrefBytes = bytes.length - (doc.revisions[0]?.xrefOffset ?? 0);
    // The xref, the page objects' chunks and the header: a small fraction of 30 MB.
    expect(source.bytesRead).toBeLessThan(xrefBytes + 2 * 1024 * 1024);
    expect(source.bytesRead).toBeLessThan(bytes.length / 8);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 120_000);
});

interface ManifestEntry {
  readonly path: string;
  readonly expected_verdict: string;
}

describe.skipIf(!corpusPresent)('reading the signed-PDF corpus', () => {
  const manifest = corpusPresent ? (JSON.parse(readFileSync(`${CORPUS}MANIFEST.json`, 'utf8')) as { entries: ManifestEntry[] }) : { entries: [] };

  it('reads every corpus file to a result or a typed error, quickly', () => {
    expect(manifest.entries.length).toBeGreaterThan(40);
    const outcomes: string[] = [];
    for (const entry of manifest.entries) {
      const bytes = readFileSync(`${CORPUS}${entry.path}`);
      for (const recover of [false, true]) {
        const started = Date.now();
        try {
          const doc = PdfDocument.open(bytes, { recover });
          expect(doc.pageRefs().length).toBeGreaterThan(0);
          doc.formFields();
          // Touch every object of every revision: lazily parsed, but all must parse or fail typed.
          for (let rev = 0; rev < doc.revisions.length; rev++) {
            for (const [num, xref] of doc.objectTableAt(rev)) {
              try {
                const value = doc.getObjectAt(new PdfRef(num, xref.type === 'offset' ? xref.gen : 0), rev);
                if (value instanceof PdfStream && !doc.isEncrypted) doc.decodedStreamData(value);
              } catch (error) {
                if (!isYinjianError(error)) throw error;
              }
            }
          }
          outcomes.push(`${entry.path} ${recover}: ${doc.recovered ? 'recovered' : 'ok'}`);
        } catch (error) {
          if (!isYinjianError(error)) throw new Error(`${entry.path}: untyped ${String(error)}`, { cause: error });
          outcomes.push(`${entry.path} ${recover}: ${error.code}`);
        }
        expect(Date.now() - started, entry.path).toBeLessThan(5000);
      }
    }
    // The must-terminate file ends in a typed error without recovery, and recovery says so.
    expect(outcomes).toContain('dss/pades_infinite_loop.pdf false: PDF_MALFORMED');
    expect(outcomes).toContain('dss/pades_infinite_loop.pdf true: recovered');
    // An incremental-saving attack whose last xref is empty is not silently read as fine.
    expect(outcomes).toContain('itext/pdfinsecurity_isa-3.pdf true: recovered');
  });

  /**
   * Each signature's /ByteRange ends where the revision that added it ends, so the revision
   * end offsets can be checked against what the signers themselves wrote.
   */
  function signedLengths(doc: PdfDocument): number[] {
    return doc.formFields()
      .filter((field) => field.fieldType === 'Sig')
      .map((field) => {
        const value = doc.latest.resolveDict(field.dict.get('V'));
        const range = doc.latest.resolveArray(value?.get('ByteRange'))?.items as number[];
        return (range[2] as number) + (range[3] as number);
      })
      .sort((a, b) => a - b);
  }

  /** The revision end without its final EOL: some signers sign up to `%%EOF` only. */
  function withoutEol(bytes: Uint8Array, end: number): number {
    let out = end;
    if (bytes[out - 1] === 0x0a) out--;
    if (bytes[out - 1] === 0x0d) out--;
    return out;
  }

  it('lists the revisions of node-signpdf/signed-twice.pdf', () => {
    const bytes = readFileSync(`${CORPUS}node-signpdf/signed-twice.pdf`);
    const doc = PdfDocument.open(bytes);
    expect(doc.revisions.map((r) => r.kind)).toEqual(['table', 'table', 'table']);
    const ends = doc.revisions.map((r) => r.endOffset);
    expect(ends[2]).toBe(bytes.length);
    // node-signpdf signed up to `%%EOF`; the revision itself ends after the EOL that follows.
    expect(signedLengths(doc)).toEqual([withoutEol(bytes, ends[1] as number), ends[2]]);
    expect(ends[1]).toBe(19431);
    for (const end of ends) expect(bytes.subarray(0, end).toString('latin1')).toMatch(/%%EOF\r?\n?$/);
    // The document as of each revision: no signature field, then one, then two.
    expect(doc.revisions.map((r) => doc.atRevision(r.index).formFields().length)).toEqual([0, 1, 2]);
    expect(doc.revisions.every((r, i) => i === 0 || r.trailer.getInteger('Prev') === doc.revisions[i - 1]?.xrefOffset)).toBe(true);
  });

  it('lists the revisions of pyhanko/minimal-two-fields-signed-twice.pdf (xref streams)', () => {
    const bytes = readFileSync(`${CORPUS}pyhanko/minimal-two-fields-signed-twice.pdf`);
    const doc = PdfDocument.open(bytes);
    expect(doc.revisions.map((r) => r.kind)).toEqual(['stream', 'stream']);
    const ends = doc.revisions.map((r) => r.endOffset);
    expect(ends[1]).toBe(bytes.length);
    expect(signedLengths(doc)).toEqual([ends[0], ends[1]]);
    // The second revision only overrides or adds some objects; the rest come from the first.
    const latest = doc.revisions[1] as { entries: ReadonlyMap<number, unknown> };
    expect(latest.entries.size).toBeLessThan(doc.objectTableAt(1).size);
  });

  it('reads the hybrid file endesive/test-signed-cms-hsm-Google.pdf', () => {
    const doc = PdfDocument.open(readFileSync(`${CORPUS}endesive/test-signed-cms-hsm-Google.pdf`));
    expect(doc.revisions.map((r) => r.kind)).toEqual(['table', 'hybrid', 'table']);
    expect([...doc.objectTableAt(2).values()].some((entry) => entry.type === 'compressed')).toBe(true);
    expect(doc.formFields().map((f) => f.fullName)).toEqual(['Signature1']);
  });
});

/**
 * Hostile and broken input: every case ends in a typed error or a bounded result, quickly.
 * These files are hand-built because no real writer produces them.
 */
import { describe, expect, it } from 'vitest';
import { createDeflate } from 'node:zlib';
import { IncrementalUpdate, PdfDocument, PdfRef, PdfStream } from '../../../src/main/core/pdf/index';
import { isYinjianError } from '../../../src/shared/errors/index';
import { MINIMAL_OBJECTS, handBuiltPdf, handBuiltXrefStreamPdf } from './hand-built-pdf';

const enc = new TextEncoder();
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isYinjianError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

/** Replaces a fixed-width `/Prev 0000000000` with the file's own xref offset. */
function withPrevPointingAtItself(bytes: Uint8Array): Uint8Array {
  const text = latin1(bytes);
  const xref = text.lastIndexOf('xref\n0 ');
  return Buffer.from(text.replace('/Prev 0000000000', `/Prev ${String(xref).padStart(10, '0')}`), 'latin1');
}

async function deflatedZeros(megabytes: number): Promise<Uint8Array> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < megabytes; i++) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

describe('hostile PDFs', () => {
  it('refuses a file without a %PDF header', () => {
    expect(codeOf(() => PdfDocument.open(enc.encode('hello, not a pdf')))).toBe('PDF_NOT_PDF');
    expect(codeOf(() => PdfDocument.open(new Uint8Array(0)))).toBe('PDF_NOT_PDF');
  });

  it('reports a missing startxref as malformed, and recovers only when asked', () => {
    const whole = handBuiltPdf(MINIMAL_OBJECTS, '<< /Size 4 /Root 1 0 R >>');
    const truncated = whole.subarray(0, latin1(whole).indexOf('xref'));
    expect(codeOf(() => PdfDocument.open(truncated))).toBe('PDF_MALFORMED');
    const recovered = PdfDocument.open(truncated, { recover: true });
    expect(recovered.recovered).toBe(true);
    expect(recovered.revisions.map((r) => r.kind)).toEqual(['recovered']);
    expect(recovered.pageRefs()).toEqual([new PdfRef(3, 0)]);
    // The writer refuses to chain an update to a guessed structure.
    expect(codeOf(() => new IncrementalUpdate(recovered))).toBe('PDF_MALFORMED');
  });

  it('detects a /Prev chain that loops back to itself', () => {
    const bytes = withPrevPointingAtItself(handBuiltPdf(MINIMAL_OBJECTS, '<< /Size 4 /Root 1 0 R /Prev 0000000000 >>'));
    const started = Date.now();
    expect(codeOf(() => PdfDocument.open(bytes))).toBe('PDF_MALFORMED');
    expect(PdfDocument.open(bytes, { recover: true }).recovered).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('detects a page tree whose /Kids loop', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [
          { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
          { num: 2, body: '<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>' },
          { num: 3, body: '<< /Type /Page /Parent 2 0 R >>' },
        ],
        '<< /Size 4 /Root 1 0 R >>',
      ),
    );
    expect(codeOf(() => doc.pageRefs())).toBe('PDF_MALFORMED');
  });

  it('detects a /Parent cycle while inheriting page attributes', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [
          { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
          { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 4 0 R >>' },
          { num: 3, body: '<< /Type /Page /Parent 2 0 R >>' },
          { num: 4, body: '<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R >>' },
        ],
        '<< /Size 5 /Root 1 0 R >>',
      ),
    );
    expect(doc.pageRefs()).toEqual([new PdfRef(3, 0)]);
    expect(codeOf(() => doc.pageAttributes(new PdfRef(3, 0)))).toBe('PDF_MALFORMED');
  });

  it('bounds nesting depth inside an object', () => {
    const doc = PdfDocument.open(
      handBuiltPdf([...MINIMAL_OBJECTS, { num: 4, body: '['.repeat(50_000) }], '<< /Size 5 /Root 1 0 R >>'),
    );
    expect(codeOf(() => doc.getObject(new PdfRef(4, 0)))).toBe('PDF_LIMIT_EXCEEDED');
    expect(doc.pageRefs()).toEqual([new PdfRef(3, 0)]);
  });

  it('detects reference chains that loop', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [...MINIMAL_OBJECTS, { num: 4, body: '5 0 R' }, { num: 5, body: '4 0 R' }],
        '<< /Size 6 /Root 1 0 R >>',
      ),
    );
    expect(codeOf(() => doc.resolve(new PdfRef(4, 0)))).toBe('PDF_MALFORMED');
  });

  it('survives a huge /Length and a /Length that refers to its own stream', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [
          ...MINIMAL_OBJECTS,
          { num: 4, body: '<< /Length 99999999999 >>\nstream\nfour bytes\nendstream' },
          { num: 5, body: '<< /Length 5 0 R >>\nstream\nmyself\nendstream' },
        ],
        '<< /Size 6 /Root 1 0 R >>',
      ),
    );
    const four = doc.getObject(new PdfRef(4, 0)) as PdfStream;
    expect(latin1(doc.decodedStreamData(four))).toBe('four bytes');
    const five = doc.getObject(new PdfRef(5, 0)) as PdfStream;
    expect(latin1(doc.decodedStreamData(five))).toBe('myself');
  });

  it('refuses an object stream that claims to contain itself', () => {
    const doc = PdfDocument.open(
      handBuiltXrefStreamPdf(
        [...MINIMAL_OBJECTS, { num: 5, body: '<< /Type /ObjStm /N 1 /First 4 /Length 9 >>\nstream\n5 0 null\nendstream' }],
        '/Root 1 0 R',
        new Map([[5, [2, 5, 0] as const]]),
      ),
    );
    expect(doc.revisions.map((r) => r.kind)).toEqual(['stream']);
    expect(doc.pageRefs()).toEqual([new PdfRef(3, 0)]);
    expect(codeOf(() => doc.getObject(new PdfRef(5, 0)))).toBe('PDF_MALFORMED');
  });

  it('bounds a decompression bomb: 256 MB of zeros in a small Flate stream', async () => {
    const bomb = await deflatedZeros(256);
    expect(bomb.length).toBeLessThan(512 * 1024);
    const body = new Uint8Array([...enc.encode(`<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`), ...bomb, ...enc.encode('\nendstream')]);
    const bytes = handBuiltPdf([...MINIMAL_OBJECTS, { num: 4, body }], '<< /Size 5 /Root 1 0 R >>');
    const started = Date.now();
    const doc = PdfDocument.open(bytes);
    const stream = doc.getObject(new PdfRef(4, 0)) as PdfStream;
    expect(codeOf(() => doc.decodedStreamData(stream))).toBe('PDF_LIMIT_EXCEEDED');
    const strict = PdfDocument.open(bytes, { limits: { maxStreamBytes: 1024 * 1024 } });
    expect(codeOf(() => strict.decodedStreamData(strict.getObject(new PdfRef(4, 0)) as PdfStream))).toBe('PDF_LIMIT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('treats an encrypted file as encrypted: content refused, writer refused', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [...MINIMAL_OBJECTS, { num: 4, body: '<< /Filter /Standard /V 2 /R 3 >>' }, { num: 5, body: '<< /Length 3 >>\nstream\nabc\nendstream' }],
        '<< /Size 6 /Root 1 0 R /Encrypt 4 0 R >>',
      ),
    );
    expect(doc.isEncrypted).toBe(true);
    expect(doc.pageRefs()).toEqual([new PdfRef(3, 0)]);
    expect(codeOf(() => doc.decodedStreamData(doc.getObject(new PdfRef(5, 0)) as PdfStream))).toBe('PDF_ENCRYPTED');
    expect(codeOf(() => new IncrementalUpdate(doc))).toBe('PDF_ENCRYPTED');
  });

  it('ends garbage of every prefix length in a result or a typed error', () => {
    const whole = handBuiltPdf([...MINIMAL_OBJECTS, { num: 4, body: '<< /Length 3 >>\nstream\nabc\nendstream' }], '<< /Size 5 /Root 1 0 R >>');
    let errors = 0;
    for (let cut = 0; cut <= whole.length; cut += 7) {
      for (const recover of [false, true]) {
        try {
          const doc = PdfDocument.open(whole.subarray(0, cut), { recover });
          doc.pageRefs();
        } catch (error) {
          expect(isYinjianError(error), `cut ${cut}: ${String(error)}`).toBe(true);
          errors++;
        }
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});

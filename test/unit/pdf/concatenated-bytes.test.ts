/**
 * Issue #15: the B-LT update reads the file and its seal as one source instead of copying a
 * 30 MB file into a new buffer. Every read must give the bytes a single buffer would.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConcatenatedPdfBytes, InMemoryPdfBytes, PdfDocument } from '../../../src/main/core/pdf/index';
import { makeBasePdf } from '../../helpers/signed-pdf';

describe('ConcatenatedPdfBytes', () => {
  it('reads exactly what one buffer holds, inside a part, across boundaries and past the ends', () => {
    const parts = [randomBytes(1000), new Uint8Array(0), randomBytes(7), randomBytes(3000), randomBytes(1)].map((b) => new Uint8Array(b));
    const whole = new Uint8Array(Buffer.concat(parts));
    const nested = new ConcatenatedPdfBytes([new ConcatenatedPdfBytes(parts.slice(0, 3)), ...parts.slice(3)]);
    const one = new InMemoryPdfBytes(whole);
    expect(nested.length).toBe(whole.length);
    const cases: [number, number][] = [[0, 10], [995, 10], [1000, 7], [1003, 10], [990, 4000], [0, whole.length], [whole.length - 1, 5], [whole.length, 3], [-5, 8], [4007, 1]];
    for (let i = 0; i < 200; i++) cases.push([Math.floor(Math.random() * (whole.length + 20)) - 10, Math.floor(Math.random() * 1500)]);
    for (const [offset, length] of cases) expect(Buffer.from(nested.read(offset, length)), `${offset}+${length}`).toEqual(Buffer.from(one.read(offset, length)));
    expect(Buffer.from(nested.toBytes())).toEqual(Buffer.from(whole));
  });

  it('a read inside one part is a view, not a copy', () => {
    const a = new Uint8Array(100);
    const view = new ConcatenatedPdfBytes([a, new Uint8Array(50)]).read(10, 20);
    expect(view.buffer).toBe(a.buffer);
  });

  it('a PDF split anywhere opens as the same document', async () => {
    const pdf = await makeBasePdf(2);
    for (const cut of [1, 100, Math.floor(pdf.length / 2), pdf.length - 20, pdf.length - 1]) {
      const doc = PdfDocument.open(new ConcatenatedPdfBytes([pdf.subarray(0, cut), pdf.subarray(cut)]));
      expect(doc.size).toBe(PdfDocument.open(pdf).size);
      expect(doc.latestRevision.xrefOffset).toBe(PdfDocument.open(pdf).latestRevision.xrefOffset);
    }
  });
});

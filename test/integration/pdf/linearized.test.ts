/**
 * A linearized file (written by qpdf) has two xref sections that form one revision: the
 * first-page section at the start points back with /Prev to the main one at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { handBuiltPdf } from '../../unit/pdf/hand-built-pdf';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pdf-linear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('linearized and inherited structure', () => {
  it('reads a qpdf-linearized file as one revision', async () => {
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 4; i++) pdf.addPage([300, 400]);
    writeFileSync(join(dir, 'in.pdf'), await pdf.save({ useObjectStreams: false }));
    execFileSync('/usr/bin/qpdf', ['--linearize', join(dir, 'in.pdf'), join(dir, 'out.pdf')]);
    const bytes = readFileSync(join(dir, 'out.pdf'));
    const doc = PdfDocument.open(bytes);
    expect(doc.revisions.length).toBe(1);
    expect(doc.revisions[0]?.endOffset).toBe(bytes.length);
    expect(doc.pageRefs().length).toBe(4);
  });

  it('inherits /MediaBox and /Rotate from the page tree', () => {
    const doc = PdfDocument.open(
      handBuiltPdf(
        [
          { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
          { num: 2, body: '<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 200 200] /Rotate -90 >>' },
          { num: 4, body: '<< /Type /Pages /Parent 2 0 R /Kids [3 0 R] /Count 1 /Resources << /Font << >> >> >>' },
          { num: 3, body: '<< /Type /Page /Parent 4 0 R >>' },
        ],
        '<< /Size 5 /Root 1 0 R >>',
      ),
    );
    const [page] = doc.pageRefs();
    const attributes = doc.pageAttributes(page!);
    expect(attributes.mediaBox?.items).toEqual([0, 0, 200, 200]);
    expect(attributes.rotate).toBe(270);
    expect(attributes.resources?.has('Font')).toBe(true);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PT_PER_MM,
  composeSealArtwork,
  embedShippedFontSubset,
  loadSealFont,
  pdfBoxSize,
  sealToPdfOperators,
  type PdfSliceOptions,
  type SealArtwork,
} from '../../../src/main/core/appearance/index';
import { readShippedFont } from '../../../src/main/infra/appearance/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { isSealRed, isWhite, readPng, type Pixels } from './png-pixels';

const fontBytes = readShippedFont();
const font = loadSealFont(fontBytes);
const company = composeSealArtwork(
  { kind: 'company', unitName: '华夏建设集团有限公司', sealName: '公章', sealCode: '3101010012345' },
  font,
);
const work = mkdtempSync(join(tmpdir(), 'yinjian-appearance-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DPI = 150;
const pxPerMm = DPI / 25.4;

/** Draws the operators as a form XObject (as a signature widget's appearance is) at xMm, yMm. */
function drawSeal(doc: PDFDocument, page: ReturnType<PDFDocument['addPage']>, art: SealArtwork, xMm: number, yMm: number, slice: PdfSliceOptions = {}) {
  const box = pdfBoxSize(art, slice);
  const form = doc.context.flateStream(sealToPdfOperators(art, slice), {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, box.width, box.height],
  });
  const ref = doc.context.register(form);
  const name = page.node.newXObject('Seal', ref);
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(1, 0, 0, 1, xMm * PT_PER_MM, yMm * PT_PER_MM),
    drawObject(name),
    popGraphicsState(),
  );
}

async function renderPages(doc: PDFDocument, label: string): Promise<Pixels[]> {
  const pdf = join(work, `${label}.pdf`);
  writeFileSync(pdf, await doc.save());
  execFileSync('pdftoppm', ['-r', String(DPI), '-png', pdf, join(work, label)]);
  const pages = doc.getPageCount();
  const digits = String(pages).length;
  return Array.from({ length: pages }, (_, i) => readPng(readFileSync(join(work, `${label}-${String(i + 1).padStart(digits, '0')}.png`))));
}

describe('sealToPdfOperators', () => {
  it('draws the impression at 1:1 physical size (checked by poppler at 150 dpi)', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([100 * PT_PER_MM, 80 * PT_PER_MM]);
    drawSeal(doc, page, company, 20, 10);
    const [img] = await renderPages(doc, 'whole');
    if (!img) throw new Error('no page rendered');
    // page y grows downwards: seal centre at x = 20 + 21 mm, y = 80 − (10 + 21) mm
    const cx = (20 + 21) * pxPerMm;
    const cy = (80 - 31) * pxPerMm;
    const ringMid = (21 - 0.6) * pxPerMm;
    for (const [x, y] of [[cx - ringMid, cy], [cx + ringMid, cy], [cx, cy - ringMid], [cx, cy + ringMid]] as const) {
      expect(isSealRed(img.at(x, y)), `ring at ${x.toFixed(0)},${y.toFixed(0)}`).toBe(true);
    }
    expect(isSealRed(img.at(cx, cy))).toBe(true);
    // 1 mm outside the ring and in the gap inside it: paper
    expect(isWhite(img.at(cx - 22 * pxPerMm, cy))).toBe(true);
    expect(isWhite(img.at(cx + 22 * pxPerMm, cy))).toBe(true);
    expect(isWhite(img.at(cx + 9 * pxPerMm, cy))).toBe(true);
  });

  it('cuts a seam seal into N vertical slices, each drawn alone and diameter/N wide', async () => {
    const N = 3;
    const sliceMm = 42 / N;
    expect(pdfBoxSize(company, { sliceIndex: 0, sliceCount: N }).width).toBeCloseTo(sliceMm * PT_PER_MM, 9);
    const doc = await PDFDocument.create();
    // each slice 30 mm from the left of its own page, so paper on both sides shows the clip
    for (let i = 0; i < N; i++) drawSeal(doc, doc.addPage([100 * PT_PER_MM, 60 * PT_PER_MM]), company, 30, 9, { sliceIndex: i, sliceCount: N });
    const pages = await renderPages(doc, 'seam');
    const cy = (60 - 30) * pxPerMm;
    const x = (mm: number) => (30 + mm) * pxPerMm;
    const [first, middle, last] = pages;
    if (!first || !middle || !last) throw new Error('pages missing');
    // slice 0: the ring's left side is there, nothing right of the slice (the star would be)
    expect(isSealRed(first.at(x(0.6), cy))).toBe(true);
    expect(isWhite(first.at(x(21), cy))).toBe(true);
    expect(isWhite(first.at(x(sliceMm + 0.5), cy - 8 * pxPerMm))).toBe(true);
    // slice 1: the star's centre, shifted to the slice's own origin
    expect(isSealRed(middle.at(x(21 - sliceMm), cy))).toBe(true);
    expect(isWhite(middle.at(x(-0.5), cy))).toBe(true);
    expect(isWhite(middle.at(x(sliceMm + 0.5), cy))).toBe(true);
    // slice 2: the ring's right side lands at the slice's right edge
    expect(isSealRed(last.at(x(sliceMm - 0.6), cy))).toBe(true);
    expect(isWhite(last.at(x(sliceMm + 0.5), cy))).toBe(true);
  });

  it('refuses a slice outside 0…N−1 with a typed error', () => {
    for (const slice of [{ sliceIndex: 3, sliceCount: 3 }, { sliceIndex: -1, sliceCount: 2 }, { sliceCount: 0 }, { sliceIndex: 0.5, sliceCount: 2 }]) {
      let code: string | undefined;
      try {
        sealToPdfOperators(company, slice);
      } catch (e) {
        code = e instanceof YinjianError ? e.code : String(e);
      }
      expect(code, JSON.stringify(slice)).toBe('APPEARANCE_SLICE_INVALID');
    }
  });
});

describe('embedShippedFontSubset', () => {
  it('embeds the shipped font as a subset that pdffonts recognises and pdftotext reads back', async () => {
    const text = '印章核验报告：华夏建设集团有限公司 協議 委託書 Seal 3101010012345';
    const doc = await PDFDocument.create();
    const pdfFont = await embedShippedFontSubset(doc, fontBytes);
    const page = doc.addPage([595, 842]);
    page.drawText(text, { x: 40, y: 760, size: 14, font: pdfFont });
    // a second subset in the same file must get a different tag (PDF 32000-1 §9.6.4)
    const second = await embedShippedFontSubset(doc, fontBytes);
    page.drawText('用印登记', { x: 40, y: 700, size: 14, font: second });
    const bytes = await doc.save();
    const pdf = join(work, 'font.pdf');
    writeFileSync(pdf, bytes);
    // subsets: a few kB, where the whole font is megabytes
    expect(bytes.length).toBeLessThan(100_000);
    const rows = execFileSync('pdffonts', [pdf], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /^[A-Z]{6}\+NotoSerifCJKsc-Regular\s/.test(l));
    expect(rows).toHaveLength(2);
    // name, type, encoding, then the emb / sub / uni columns
    for (const row of rows) expect(row.trim().split(/\s+/).slice(-5, -2)).toEqual(['yes', 'yes', 'yes']);
    expect(new Set(rows.map((r) => r.slice(0, 6))).size).toBe(2);
    const extracted = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
    expect(extracted.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([text, '用印登记']);
    // poppler reports a broken embedded font on stderr ("Embedded font file may be invalid")
    const render = spawnSync('pdftoppm', ['-r', '30', '-png', pdf, join(work, 'font')], { encoding: 'utf8' });
    expect(render.status).toBe(0);
    expect(render.stderr).toBe('');
  });

  it('refuses bytes that are not a font', async () => {
    const doc = await PDFDocument.create();
    await expect(embedShippedFontSubset(doc, new Uint8Array(100))).rejects.toMatchObject({ code: 'FONT_UNREADABLE' });
  });
});

/**
 * Seals on rotated pages (issue #4): `--at`, keyword and seam placement on pages with /Rotate
 * 90, 180, 270, inherited /Rotate and a visible box that does not start at (0, 0). Judged by
 * poppler: the stamped file is rendered at 72 dpi (1 px = 1 pt) and the seal-red pixels are
 * found on the *displayed* page. Position: their centre where the custodian asked (for a
 * keyword: where poppler drew the keyword). Upright: the red mask is compared with the seal
 * stamped on an unrotated page, and must match it better than any quarter turn of it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { degrees, PDFDict, PDFDocument, PDFName, PDFNumber, rgb } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../../src/main/core/appearance/index';
import type { PlacementRequest } from '../../../src/main/core/stamp/index';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { isSealRed, readPng, type Pixels } from '../appearance/png-pixels';
import { NOTICE, shippedFont, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

const A4: [number, number] = [595.28, 841.89];
const MM = 72 / 25.4;

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
/** The red mask of the seal stamped on a plain unrotated page: what "upright" looks like. */
let reference: Mask;
let counter = 0;

interface PageSpec {
  readonly rotate: 0 | 90 | 180 | 270;
  /** Put /Rotate on the page tree's root instead of the page (inherited). */
  readonly inherited?: boolean;
  /** MediaBox and CropBox with a non-zero origin. */
  readonly offsetBox?: boolean;
  readonly lines: readonly { text: string; size: number }[];
}

/**
 * Pages whose text reads upright on screen: drawn turned counter-clockwise by /Rotate in user
 * space, at displayed positions mapped by hand for each rotation (the test's own mapping; the
 * rendering, not this function, decides the expected places).
 */
async function rotatedPdf(pages: readonly PageSpec[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  for (const spec of pages) {
    const page = pdf.addPage(A4);
    const [W, H] = A4;
    const ox = spec.offsetBox ? 40 : 0;
    const oy = spec.offsetBox ? -25 : 0;
    if (spec.offsetBox) {
      page.setMediaBox(ox - 10, oy - 10, W + 20, H + 20);
      page.setCropBox(ox, oy, W, H);
    }
    const sideways = spec.rotate === 90 || spec.rotate === 270;
    const [dw, dh] = sideways ? [H, W] : [W, H];
    const toUser = (u: number, v: number): [number, number] => {
      switch (spec.rotate) {
        case 0:
          return [ox + u, oy + v];
        case 90:
          return [ox + W - v, oy + u];
        case 180:
          return [ox + W - u, oy + H - v];
        case 270:
          return [ox + v, oy + H - u];
      }
    };
    let v = dh - 90;
    for (const line of spec.lines) {
      const [x, y] = toUser(line.size > 16 ? 80 : dw - 200 > 90 ? 90 : 60, v);
      page.drawText(line.text, { x, y, size: line.size, font, color: rgb(0, 0, 0), rotate: degrees(spec.rotate) });
      v -= line.size * 2;
    }
    if (!spec.inherited) page.setRotation(degrees(spec.rotate));
  }
  if (pages.some((p) => p.inherited)) {
    // /Rotate on the /Pages root, inherited by every page that has none of its own (§7.7.3.4).
    const root = pdf.catalog.lookup(PDFName.of('Pages'), PDFDict);
    root.set(PDFName.of('Rotate'), PDFNumber.of(pages.find((p) => p.inherited)?.rotate ?? 0));
  }
  return pdf.save({ useObjectStreams: false });
}

interface Mask {
  readonly width: number;
  readonly height: number;
  readonly red: boolean[];
}

function render(bytes: Uint8Array, label: string): Pixels[] {
  const file = join(fx.dir, `${label}.pdf`);
  writeFileSync(file, bytes);
  execFileSync('pdftoppm', ['-r', '72', '-cropbox', '-png', file, join(fx.dir, label)]);
  const out: Pixels[] = [];
  for (let i = 1; ; i++) {
    try {
      out.push(readPng(readFileSync(join(fx.dir, `${label}-${i}.png`))));
    } catch {
      return out;
    }
  }
}

/** The red pixels' bounding box, in displayed-page pixels (y down). */
function redBox(img: Pixels, x0 = 0, x1 = img.width): { x1: number; y1: number; x2: number; y2: number } | undefined {
  let box: { x1: number; y1: number; x2: number; y2: number } | undefined;
  for (let y = 0; y < img.height; y++) {
    for (let x = x0; x < x1; x++) {
      if (!isSealRed(img.at(x, y))) continue;
      box = box ? { x1: Math.min(box.x1, x), y1: Math.min(box.y1, y), x2: Math.max(box.x2, x), y2: Math.max(box.y2, y) } : { x1: x, y1: y, x2: x, y2: y };
    }
  }
  return box;
}

function maskOf(img: Pixels, box: { x1: number; y1: number; x2: number; y2: number }): Mask {
  const width = box.x2 - box.x1 + 1;
  const height = box.y2 - box.y1 + 1;
  const red: boolean[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) red.push(isSealRed(img.at(box.x1 + x, box.y1 + y)));
  return { width, height, red };
}

/** Quarter turns clockwise of a mask. */
function turned(mask: Mask, quarters: number): Mask {
  let m = mask;
  for (let q = 0; q < quarters; q++) {
    const red: boolean[] = [];
    for (let y = 0; y < m.width; y++) for (let x = 0; x < m.height; x++) red.push(m.red[(m.height - 1 - x) * m.width + y] as boolean);
    m = { width: m.height, height: m.width, red };
  }
  return m;
}

/** Intersection over union of two masks, the second sampled onto the first's grid. */
function overlap(a: Mask, b: Mask): number {
  let both = 0;
  let either = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const ra = a.red[y * a.width + x] as boolean;
      const rb = b.red[Math.min(b.height - 1, Math.floor((y * b.height) / a.height)) * b.width + Math.min(b.width - 1, Math.floor((x * b.width) / a.width))] as boolean;
      if (ra && rb) both++;
      if (ra || rb) either++;
    }
  }
  return either === 0 ? 0 : both / either;
}

/** Upright: matches the reference, and better than any quarter turn of the reference. */
function expectUpright(mask: Mask, what: string, least = 0.6): void {
  // Thin strokes at other sub-pixel offsets anti-alias differently: the same seal scores about
  // 0.7 against itself, a quarter turn of it about 0.4.
  const scores = [0, 1, 2, 3].map((q) => overlap(mask, turned(reference, q)));
  expect(scores[0], `${what}: overlap with the upright seal (turns: ${scores.map((s) => s.toFixed(2)).join(' ')})`).toBeGreaterThan(least);
  for (const q of [1, 2, 3]) expect(scores[0] as number, `${what}: upright beats ${q * 90}° (${scores.map((s) => s.toFixed(2)).join(' ')})`).toBeGreaterThan((scores[q] as number) + 0.15);
}

async function stamp(input: Uint8Array, placement: PlacementRequest): Promise<Uint8Array> {
  const name = `rot-${++counter}.pdf`;
  const outcome = await fx.pipeline.stamp(fx.request(seal.seal, input, name, { placement }), seal.key);
  const path = outcome.outputPath;
  const reports = pdfsig(path, nss.nssdir);
  // poppler lists a seam seal's one signature once per widget.
  expect(reports.length).toBeGreaterThan(0);
  for (const report of reports) expect(report.signatureStatus, report.raw).toBe('Signature is Valid.');
  return new Uint8Array(readFileSync(path));
}

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-ROT-0001');
  const plain = await stamp(await rotatedPdf([{ rotate: 0, lines: NOTICE }]), { kind: 'page', at: { x: 100, y: 100, unit: 'mm' } });
  const [img] = render(plain, 'reference');
  const box = img && redBox(img);
  if (!img || !box) throw new Error('the reference seal did not render');
  reference = maskOf(img, box);
  // The seal is 42 mm across: about 119 px at 72 dpi.
  expect(reference.width).toBeGreaterThan(100);
}, 120_000);
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

const CASES: readonly (Omit<PageSpec, 'lines'> & { name: string })[] = [
  { name: '/Rotate 90', rotate: 90 },
  { name: '/Rotate 180', rotate: 180 },
  { name: '/Rotate 270', rotate: 270 },
  { name: 'inherited /Rotate 90', rotate: 90, inherited: true },
  { name: '/Rotate 270 with a CropBox not at the origin', rotate: 270, offsetBox: true },
  { name: '/Rotate 0 with a CropBox not at the origin', rotate: 0, offsetBox: true },
];

describe.each(CASES)('$name', (spec) => {
  it('--at 60,50 mm: the seal is centred there on the displayed page, upright, and pdfsig says valid', async () => {
    const out = await stamp(await rotatedPdf([{ ...spec, lines: NOTICE }]), { kind: 'page', at: { x: 60, y: 50, unit: 'mm' } });
    const [img] = render(out, `at-${counter}`);
    const box = img && redBox(img);
    if (!img || !box) throw new Error('no seal rendered');
    const sideways = spec.rotate === 90 || spec.rotate === 270;
    // poppler rounds the page size up to whole pixels (595.28 pt → 596 px).
    const [dw, dh] = sideways ? [842, 595] : [595, 842];
    expect(Math.abs(img.width - dw)).toBeLessThanOrEqual(1);
    expect(Math.abs(img.height - dh)).toBeLessThanOrEqual(1);
    // 72 dpi: 1 px per point; pixel rows count down from the top of the displayed page.
    expect((box.x1 + box.x2) / 2).toBeCloseTo(60 * MM, -0.5);
    expect((box.y1 + box.y2) / 2).toBeCloseTo(img.height - 50 * MM, -0.5);
    expectUpright(maskOf(img, box), spec.name);
  });

  it('keyword: the seal is centred over the keyword where poppler draws it, upright', async () => {
    const input = await rotatedPdf([{ ...spec, lines: [...NOTICE.slice(0, 6), { text: '盖章处', size: 14 }] }]);
    // Where the keyword is on screen: the black pixels of its line in the unstamped rendering.
    const [plain] = render(input, `kw-plain-${counter}`);
    if (!plain) throw new Error('input not rendered');
    const out = await stamp(input, { kind: 'keyword', keyword: '盖章处' });
    const [img] = render(out, `kw-${counter}`);
    const box = img && redBox(img);
    if (!img || !box) throw new Error('no seal rendered');
    // The keyword is the lowest line: the dark pixels furthest down the displayed page.
    let lowest = -1;
    for (let y = 0; y < plain.height; y++) for (let x = 0; x < plain.width; x++) if ((plain.at(x, y)[0] as number) < 100) lowest = y;
    let left = Infinity;
    let right = -1;
    for (let y = lowest - 16; y <= lowest; y++) {
      for (let x = 0; x < plain.width; x++) {
        if ((plain.at(x, y)[0] as number) >= 100) continue;
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
    expect(right - left, 'keyword width on screen (3 glyphs of 14 pt)').toBeGreaterThan(30);
    expect(right - left).toBeLessThan(50);
    expect(Math.abs((box.x1 + box.x2) / 2 - (left + right) / 2)).toBeLessThan(4);
    // Centred on the glyphs' body, a little above the baseline (the lowest dark row).
    const cy = (box.y1 + box.y2) / 2;
    expect(cy).toBeLessThan(lowest);
    expect(cy).toBeGreaterThan(lowest - 14);
    expectUpright(maskOf(img, box), spec.name);
  });
});

describe('seam seal on rotated pages', () => {
  it('slices sit at the displayed right edges, at the asked height, and join into the upright seal', async () => {
    const input = await rotatedPdf([
      { rotate: 90, lines: NOTICE },
      { rotate: 270, offsetBox: true, lines: [{ text: '附：用款计划表', size: 14 }] },
      { rotate: 180, lines: [{ text: '附：说明', size: 14 }] },
    ]);
    const out = await stamp(input, { kind: 'seam', at: { x: 0, y: 120, unit: 'mm' } });
    const images = render(out, `seam-${counter}`);
    expect(images).toHaveLength(3);
    const slice = reference.width / 3;
    const strips: Mask[] = [];
    for (const [i, img] of images.entries()) {
      const box = redBox(img);
      if (!box) throw new Error(`no slice on page ${i + 1}`);
      expect(box.x2, `page ${i + 1}: slice at the right edge`).toBeGreaterThan(img.width - 3);
      expect(box.x1, `page ${i + 1}: slice one third of the seal wide`).toBeGreaterThan(img.width - slice - 4);
      expect((box.y1 + box.y2) / 2, `page ${i + 1}: height`).toBeCloseTo(img.height - 120 * MM, -0.5);
      strips.push(maskOf(img, { x1: img.width - Math.round(slice), y1: Math.round(img.height - 120 * MM - reference.height / 2), x2: img.width - 1, y2: Math.round(img.height - 120 * MM + reference.height / 2) - 1 }));
    }
    // The strips side by side, left to right, as the pages are laid out for the seam check.
    const height = Math.min(...strips.map((s) => s.height));
    const width = strips.reduce((n, s) => n + s.width, 0);
    const red: boolean[] = [];
    for (let y = 0; y < height; y++) for (const s of strips) for (let x = 0; x < s.width; x++) red.push(s.red[y * s.width + x] as boolean);
    // Strips cut at whole pixels from three renderings join less exactly than one impression.
    expectUpright({ width, height, red }, 'joined seam', 0.5);
  });
});

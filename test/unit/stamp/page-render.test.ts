/**
 * The page OCR reads (issue 13): a page that is one scanned image is scaled straight from
 * pdf.js's decoded image to grey (page-render.ts, no canvas); every other page is drawn on the
 * canvas. Both must give the same picture: here the grey PGM handed to OCR is compared with
 * the canvas's rendering of the same page (the PNG path), pixel by pixel, for scans placed as
 * scanners and our fixtures place them, mirrored, turned, and with text drawn over them.
 */
import { createRequire } from 'node:module';
import { deflateSync, inflateSync as inflate } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PDFDocument, PDFName, concatTransformationMatrix, degrees, drawObject, popGraphicsState, pushGraphicsState, rgb } from 'pdf-lib';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { drawnDirectly, renderPage } from '../../../src/main/infra/ocr/page-render';
import { imagePdf, scanImage } from '../../helpers/gate-documents';
import { NOTICE, makePdf } from '../../integration/stamp/fixture';

const localRequire = createRequire(import.meta.url);
const A4: [number, number] = [595.28, 841.89];

interface Canvas2d {
  getContext(kind: '2d'): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
const canvasModule = localRequire('@napi-rs/canvas') as { createCanvas(w: number, h: number): Canvas2d; loadImage(data: Buffer): Promise<{ width: number; height: number }> };

/**
 * OCR's PGM against the canvas's PNG of the same page: the mean absolute grey difference, the
 * share of pixels off by more than 64, both ink ratios, and whether the picture sits where
 * the canvas has it (the difference is least unshifted, against every 1-pixel shift).
 */
async function compare(pdf: Uint8Array): Promise<{ mean: number; far: number; inkRatio: [number, number]; aligned: boolean }> {
  const document = PdfDocument.open(pdf);
  const grey = await renderPage(document, 0, 200, 'pgm');
  const png = await renderPage(document, 0, 200, 'png');
  expect([grey.width, grey.height]).toEqual([png.width, png.height]);
  const image = await canvasModule.loadImage(png.image);
  const canvas = canvasModule.createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const rgba = context.getImageData(0, 0, image.width, image.height).data;
  const { left, top, width, height } = grey.crop;
  const offset = grey.image.length - width * height;
  const at = (x: number, y: number): number => {
    const k = (Math.min(image.height - 1, Math.max(0, y)) * image.width + Math.min(image.width - 1, Math.max(0, x))) * 4;
    return (306 * (rgba[k] as number) + 601 * (rgba[k + 1] as number) + 117 * (rgba[k + 2] as number)) >> 10;
  };
  const differences = new Map<string, number>();
  let far = 0;
  for (const dy of [-1, 0, 1]) {
    for (const dx of [-1, 0, 1]) {
      // Every row unshifted; every 4th row for the shifts (the same rows for all of them).
      const unshifted = dx === 0 && dy === 0;
      let sum = 0;
      let count = 0;
      for (let y = 0; y < height; y += unshifted ? 1 : 4) {
        for (let x = 0; x < width; x++) {
          const difference = Math.abs((grey.image[offset + y * width + x] as number) - at(left + x + dx, top + y + dy));
          sum += difference;
          count++;
          if (unshifted && difference > 64) far++;
        }
      }
      differences.set(`${dx},${dy}`, sum / count);
      if (unshifted) {
        let rows = 0;
        for (let y = 0; y < height; y += 4) for (let x = 0; x < width; x++) rows += Math.abs((grey.image[offset + y * width + x] as number) - at(left + x, top + y));
        differences.set('0,0 sampled', rows / (Math.ceil(height / 4) * width));
      }
    }
  }
  const mean = differences.get('0,0') as number;
  const sampled = differences.get('0,0 sampled') as number;
  const aligned = [...differences.entries()].every(([shift, value]) => shift.startsWith('0,0') || value > sampled);
  return { mean, far: far / (width * height), inkRatio: [grey.inkRatio, png.inkRatio], aligned };
}

/** One scanned page placed by `draw` on an A4 page (pdf-lib), optionally with text over it. */
let notice300: Promise<Buffer> | undefined;
async function placed(draw: (page: ReturnType<PDFDocument['addPage']>, image: Awaited<ReturnType<PDFDocument['embedPng']>>) => void): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  notice300 ??= makePdf([NOTICE]).then((notice) => scanImage(notice, 0, { dpi: 300 }));
  const image = await pdf.embedPng(await notice300);
  draw(pdf.addPage(A4), image);
  return pdf.save({ useObjectStreams: false });
}

describe('the page OCR reads', { timeout: 120_000 }, () => {
  it('a full-page scan at 300 dpi (turned a little, specks): the grey page is the canvas’s picture', async () => {
    const result = await compare(await imagePdf([await scanImage(await makePdf([NOTICE]), 0, { dpi: 300, skew: 0.6, noise: 0.0002, seed: 5 })]));
    expect(result.aligned).toBe(true);
    expect(result.mean).toBeLessThan(0.5);
    expect(result.far).toBeLessThan(0.0005);
    expect(Math.abs(result.inkRatio[0] - result.inkRatio[1])).toBeLessThan(0.05 * result.inkRatio[1]);
  });

  it('a scan drawn mirrored, on part of the page (reduced 3×), and turned by 90°: the same picture as the canvas', async () => {
    const mirrored = await placed((page, image) => page.drawImage(image, { x: A4[0], y: 0, width: -A4[0], height: A4[1] }));
    const part = await placed((page, image) => page.drawImage(image, { x: 100, y: 200, width: A4[0] / 2, height: A4[1] / 2 }));
    const turned = await placed((page, image) => page.drawImage(image, { x: A4[0], y: 0, width: A4[1], height: A4[0], rotate: degrees(90) }));
    for (const [name, pdf] of [
      ['mirrored', mirrored],
      ['part', part],
      ['turned', turned],
    ] as const) {
      const result = await compare(pdf);
      expect(result.aligned, `${name}: ${JSON.stringify(result)}`).toBe(true);
      expect(result.mean, `${name}: ${JSON.stringify(result)}`).toBeLessThan(0.5);
      expect(result.far, name).toBeLessThan(0.0005);
      expect(Math.abs(result.inkRatio[0] - result.inkRatio[1]), name).toBeLessThan(0.05 * result.inkRatio[1]);
    }
  });

  it('a scan with a box drawn over it: the box is on the page OCR reads', async () => {
    const covered = await placed((page, image) => {
      page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
      page.drawRectangle({ x: 50, y: 50, width: 300, height: 120, color: rgb(0, 0, 0) });
    });
    const plain = await placed((page, image) => page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] }));
    const [withBox, without] = [await compare(covered), await compare(plain)];
    expect(withBox.aligned).toBe(true);
    expect(withBox.mean).toBeLessThan(0.5);
    // The black box (300 × 120 pt) is ink the plain scan does not have.
    expect(withBox.inkRatio[0] - without.inkRatio[0]).toBeGreaterThan(0.05);
  });
});

/** A scanner's image: 8-bit samples, `colors` a pixel, text-like strokes and a gradient (seeded). */
function samples(width: number, height: number, colors: 1 | 3, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * colors);
  let state = seed;
  const random = (): number => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const stroke = (Math.floor(x / 7) + Math.floor(y / 11)) % 9 === 0 || random() < 0.01;
      for (let c = 0; c < colors; c++) out[(y * width + x) * colors + c] = stroke ? Math.floor(random() * 90) : 200 + ((x + y * (c + 1)) % 56);
    }
  }
  return out;
}

/** `data` PNG-predicted (§7.4.4.4): each row's filter byte cycling through None, Sub, Up, Average, Paeth. */
function pngPredicted(data: Uint8Array, rowBytes: number, bpp: number): Uint8Array {
  const rows = data.length / rowBytes;
  const out = new Uint8Array(rows * (rowBytes + 1));
  for (let y = 0; y < rows; y++) {
    const type = y % 5;
    out[y * (rowBytes + 1)] = type;
    for (let i = 0; i < rowBytes; i++) {
      const at = y * rowBytes + i;
      const left = i >= bpp ? (data[at - bpp] as number) : 0;
      const up = y > 0 ? (data[at - rowBytes] as number) : 0;
      const upLeft = y > 0 && i >= bpp ? (data[at - rowBytes - bpp] as number) : 0;
      const p = left + up - upLeft;
      const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft;
      const prediction = [0, left, up, (left + up) >> 1, paeth][type] as number;
      out[y * (rowBytes + 1) + 1 + i] = ((data[at] as number) - prediction) & 0xff;
    }
  }
  return out;
}

interface StoredScan {
  readonly colors: 1 | 3;
  readonly encoding: 'raw' | 'flate' | 'png';
  /** Stream bytes instead of the encoded samples (corrupt or cut streams). */
  readonly stream?: (encoded: Uint8Array) => Uint8Array;
  /** An identity /Decode array: drawn the same, but left to pdf.js (not a plain scan). */
  readonly identityDecode?: boolean;
}

const PAGE: [number, number] = [200, 280];
const IMAGE = { width: 800, height: 1120 };

/** A page (200 × 280 pt) that is one image of IMAGE's size stored as `scan` says, as a scanner writes it. */
async function storedScan(scan: StoredScan): Promise<Uint8Array> {
  const { width, height } = IMAGE;
  const raw = samples(width, height, scan.colors, 7);
  const encoded = scan.encoding === 'raw' ? raw : deflateSync(scan.encoding === 'png' ? pngPredicted(raw, width * scan.colors, scan.colors) : raw);
  const pdf = await PDFDocument.create();
  const page = pdf.addPage(PAGE);
  const image = pdf.context.register(
    pdf.context.stream(scan.stream ? scan.stream(encoded) : encoded, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: width,
      Height: height,
      ColorSpace: scan.colors === 3 ? 'DeviceRGB' : 'DeviceGray',
      BitsPerComponent: 8,
      ...(scan.encoding === 'raw' ? {} : { Filter: 'FlateDecode' }),
      ...(scan.encoding === 'png' ? { DecodeParms: { Predictor: 15, Colors: scan.colors, BitsPerComponent: 8, Columns: width } } : {}),
      ...(scan.identityDecode ? { Decode: scan.colors === 3 ? [0, 1, 0, 1, 0, 1] : [0, 1] } : {}),
    }),
  );
  const name = page.node.newXObject('Im', image);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(PAGE[0], 0, 0, PAGE[1], 0, 0), drawObject(name), popGraphicsState());
  return pdf.save({ useObjectStreams: false });
}

describe('a scan as the scanner stored it (issue 13, memory): our decoder or pdf.js, the same page', { timeout: 120_000 }, () => {
  it('RGB and grey, raw, Flate and Flate with PNG predictors of every type: drawn by our decoder, byte for byte what pdf.js’s decoded image gives', async () => {
    for (const colors of [3, 1] as const) {
      for (const encoding of ['raw', 'flate', 'png'] as const) {
        const plain = PdfDocument.open(await storedScan({ colors, encoding }));
        const viaPdfJs = PdfDocument.open(await storedScan({ colors, encoding, identityDecode: true }));
        const label = `${colors === 3 ? 'RGB' : 'grey'} ${encoding}`;
        expect(drawnDirectly(plain, 0), label).toBe(true);
        expect(drawnDirectly(viaPdfJs, 0), label).toBe(false);
        const [ours, theirs] = [await renderPage(plain, 0, 200, 'pgm'), await renderPage(viaPdfJs, 0, 200, 'pgm')];
        expect(ours.inkRatio, label).toBeGreaterThan(0.05);
        expect({ ...ours, image: undefined }, label).toEqual({ ...theirs, image: undefined });
        expect(Buffer.compare(ours.image, theirs.image), label).toBe(0);
      }
    }
  });

  it('a corrupt, a cut and an unknown-predictor stream: the page is drawn as pdf.js draws it', async () => {
    const variants: [string, Partial<StoredScan>][] = [
      ['corrupt', { encoding: 'flate', stream: (e) => Uint8Array.from(e, (b, i) => (i > 2000 && i < 2100 ? b ^ 0x5a : b)) }],
      ['cut', { encoding: 'flate', stream: (e) => e.subarray(0, Math.floor(e.length / 2)) }],
      ['unknown PNG filter type', { encoding: 'png', stream: (e) => { const rows = Uint8Array.from(inflate(e)); rows[(IMAGE.width * 3 + 1) * 40] = 9; return deflateSync(rows); } }],
    ];
    for (const [label, variant] of variants) {
      const plain = PdfDocument.open(await storedScan({ colors: 3, encoding: 'flate', ...variant }));
      const viaPdfJs = PdfDocument.open(await storedScan({ colors: 3, encoding: 'flate', ...variant, identityDecode: true }));
      const [ours, theirs] = [await renderPage(plain, 0, 200, 'pgm'), await renderPage(viaPdfJs, 0, 200, 'pgm')];
      expect({ ...ours, image: undefined }, label).toEqual({ ...theirs, image: undefined });
      expect(Buffer.compare(ours.image, theirs.image), label).toBe(0);
    }
  });

  it('a page with more than the image (a box drawn, a second image, an annotation pdf.js draws for OCR): not a plain scan; a signature widget does not count', async () => {
    const box = await placed((page, image) => {
      page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
      page.drawRectangle({ x: 50, y: 50, width: 300, height: 120, color: rgb(0, 0, 0) });
    });
    const twice = await placed((page, image) => {
      page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] });
      page.drawImage(image, { x: 0, y: 0, width: A4[0] / 2, height: A4[1] / 2 });
    });
    const alone = await placed((page, image) => page.drawImage(image, { x: 0, y: 0, width: A4[0], height: A4[1] }));
    // U2: annotations are drawn for OCR (page-extract.ts), pdf.js draws them; a signature's is not (a seal impression).
    const annotatedWith = async (annotation: Record<string, unknown>): Promise<PdfDocument> => {
      const annotated = await PDFDocument.load(alone);
      const ref = annotated.context.register(annotated.context.obj(annotation as never));
      annotated.getPage(0).node.set(PDFName.of('Annots'), annotated.context.obj([ref]));
      return PdfDocument.open(await annotated.save({ useObjectStreams: false }));
    };
    expect(drawnDirectly(PdfDocument.open(alone), 0)).toBe(true);
    expect(drawnDirectly(PdfDocument.open(box), 0)).toBe(false);
    expect(drawnDirectly(PdfDocument.open(twice), 0)).toBe(false);
    expect(drawnDirectly(await annotatedWith({ Type: 'Annot', Subtype: 'Square', Rect: [10, 10, 100, 100] }), 0)).toBe(false);
    const signed = await annotatedWith({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: 'Signature1', Rect: [10, 10, 100, 100] });
    expect(drawnDirectly(signed, 0)).toBe(true);
    expect(Buffer.compare((await renderPage(signed, 0, 200, 'pgm')).image, (await renderPage(PdfDocument.open(alone), 0, 200, 'pgm')).image)).toBe(0);
  });
});

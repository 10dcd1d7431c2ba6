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
  return imagePage(scan.stream ? scan.stream(encoded) : encoded, scan.colors, {
    ...(scan.encoding === 'raw' ? {} : { Filter: 'FlateDecode' }),
    ...(scan.encoding === 'png' ? { DecodeParms: { Predictor: 15, Colors: scan.colors, BitsPerComponent: 8, Columns: width } } : {}),
    ...(scan.identityDecode ? { Decode: scan.colors === 3 ? [0, 1, 0, 1, 0, 1] : [0, 1] } : {}),
  });
}

/** A page (PAGE) that is the image stream `data` of IMAGE's size (8 bits, grey or RGB, `dict` added to its dictionary) drawn over the whole page, as a scanner writes it. */
async function imagePage(data: Uint8Array, colors: 1 | 3, dict: Record<string, unknown>): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage(PAGE);
  const image = pdf.context.register(
    pdf.context.stream(data, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: IMAGE.width,
      Height: IMAGE.height,
      ColorSpace: colors === 3 ? 'DeviceRGB' : 'DeviceGray',
      BitsPerComponent: 8,
      ...dict,
    } as never),
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

/** `samples` (RGB) as a baseline JPEG of quality 80, by the canvas's encoder (libjpeg-turbo: YCbCr, 4:2:0, JFIF). */
async function rgbJpeg(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  const { createCanvas } = localRequire('@napi-rs/canvas') as { createCanvas(w: number, h: number): { getContext(kind: '2d'): { createImageData(w: number, h: number): { data: Uint8ClampedArray }; putImageData(image: unknown, x: number, y: number): void }; encode(format: 'jpeg', quality: number): Promise<Buffer> } };
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    image.data.set(data.subarray(i * 3, i * 3 + 3), i * 4);
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas.encode('jpeg', 80);
}

/**
 * A grey baseline JPEG written here (no encoder we have writes grey): every 8 × 8 block one
 * flat grey (DC only; the AC table holds just end-of-block), Huffman-coded with JPEG's standard
 * DC table, a restart marker every `restartInterval` blocks.
 */
function greyJpeg(width: number, height: number, restartInterval: number, seed: number): Buffer {
  const bytes: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]): void => {
    bytes.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  };
  segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]);
  segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]);
  const dcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  segment(0xc4, [0x00, ...dcCounts, ...Array.from({ length: 12 }, (_, i) => i)]);
  segment(0xc4, [0x10, 1, ...new Array<number>(15).fill(0), 0x00]);
  if (restartInterval > 0) segment(0xdd, [restartInterval >> 8, restartInterval & 255]);
  segment(0xda, [1, 1, 0x00, 0, 63, 0]);
  // Canonical codes of the DC table: category → [code, length].
  const dcCodes: [number, number][] = [];
  for (let length = 1, code = 0, value = 0; length <= 16; length++, code <<= 1) for (let k = 0; k < (dcCounts[length - 1] as number); k++) dcCodes[value++] = [code++, length];
  let buffer = 0;
  let count = 0;
  const put = (value: number, length: number): void => {
    for (let b = length - 1; b >= 0; b--) {
      buffer = (buffer << 1) | ((value >> b) & 1);
      if (++count === 8) {
        bytes.push(buffer);
        if (buffer === 0xff) bytes.push(0);
        buffer = 0;
        count = 0;
      }
    }
  };
  const flush = (): void => {
    if (count > 0) put((1 << (8 - count)) - 1, 8 - count);
  };
  let state = seed;
  const random = (): number => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let predictor = 0;
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  for (let b = 0, restarts = 0; b < blocks; b++) {
    if (restartInterval > 0 && b > 0 && b % restartInterval === 0) {
      flush();
      bytes.push(0xff, 0xd0 + (restarts++ & 7));
      predictor = 0;
    }
    const column = b % Math.ceil(width / 8);
    const grey = column % 5 === 0 || random() < 0.1 ? Math.floor(random() * 80) : 190 + Math.floor(random() * 60);
    const dc = (grey - 128) * 8;
    const diff = dc - predictor;
    predictor = dc;
    const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    const [code, length] = dcCodes[category] as [number, number];
    put(code, length);
    if (category > 0) put(diff > 0 ? diff : diff + (1 << category) - 1, category);
    // End of block (the AC table's one code, '0').
    put(0, 1);
  }
  flush();
  bytes.push(0xff, 0xd9);
  return Buffer.from(bytes);
}

interface StoredJpeg {
  readonly colors: 1 | 3;
  /** The JPEG's bytes as stored (cut, corrupted, a marker added). */
  readonly stream?: (jpeg: Buffer) => Uint8Array;
  readonly identityDecode?: boolean;
  /** More keys of the image dictionary. */
  readonly dict?: Record<string, unknown>;
  readonly restartInterval?: number;
}

/** A page (200 × 280 pt) that is one JPEG (DCTDecode) of IMAGE's size, RGB from the canvas's encoder or grey from greyJpeg. */
async function storedJpeg(scan: StoredJpeg): Promise<Uint8Array> {
  const { width, height } = IMAGE;
  const jpeg = scan.colors === 3 ? await rgbJpeg(samples(width, height, 3, 7), width, height) : greyJpeg(width, height, scan.restartInterval ?? 0, 7);
  return imagePage(scan.stream ? scan.stream(jpeg) : jpeg, scan.colors, {
    Filter: 'DCTDecode',
    ...(scan.identityDecode ? { Decode: scan.colors === 3 ? [0, 1, 0, 1, 0, 1] : [0, 1] } : {}),
    ...scan.dict,
  });
}

/** Where `marker`'s segment starts in `jpeg` (the first one). */
const markerAt = (jpeg: Buffer, marker: number): number => {
  for (let i = 2; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === marker) return i;
  throw new Error(`no marker ${marker.toString(16)}`);
};
/** `jpeg` with a marker segment inserted after SOI. */
const withSegment = (jpeg: Buffer, marker: number, body: Buffer): Buffer => Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), body, jpeg.subarray(2)]);

describe('a scan stored as JPEG, as office scanners write it (issue 13, memory): our decoder or pdf.js, the same page', { timeout: 120_000 }, () => {
  it('RGB (canvas encoder, YCbCr 4:2:0) and grey (with and without restart markers): drawn by our decoder, the grey page pdf.js’s decoded image gives, level for level', async () => {
    for (const [label, scan] of [
      ['RGB', { colors: 3 }],
      ['grey', { colors: 1 }],
      ['grey, restart every 7 blocks', { colors: 1, restartInterval: 7 }],
    ] as [string, StoredJpeg][]) {
      const plain = PdfDocument.open(await storedJpeg(scan));
      const viaPdfJs = PdfDocument.open(await storedJpeg({ ...scan, identityDecode: true }));
      expect(drawnDirectly(plain, 0), label).toBe(true);
      expect(drawnDirectly(viaPdfJs, 0), label).toBe(false);
      const [ours, theirs] = [await renderPage(plain, 0, 200, 'pgm'), await renderPage(viaPdfJs, 0, 200, 'pgm')];
      expect(ours.inkRatio, label).toBeGreaterThan(0.05);
      expect(Math.abs(ours.inkRatio - theirs.inkRatio), label).toBeLessThan(0.002);
      // Our decoder's inverse DCT is pdf.js's own integer one: the same samples, the same page.
      expect(Buffer.compare(ours.image, theirs.image), label).toBe(0);
    }
  });

  it('a JPEG pdf.js reads otherwise is left to it: an Adobe marker (CMYK, YCCK, RGB by flag), components named R G B, /ColorTransform, another size than the dictionary’s', async () => {
    const adobe = Buffer.from('Adobe\x00\x64\x00\x00\x00\x00\x00', 'latin1');
    const renamedRgb = (jpeg: Buffer): Buffer => {
      const copy = Buffer.from(jpeg);
      const sof = markerAt(copy, 0xc0);
      for (const [k, id] of [0x52, 0x47, 0x42].entries()) copy[sof + 10 + 3 * k] = id;
      // The scan names its components by id too.
      const sos = markerAt(copy, 0xda);
      for (const [k, id] of [0x52, 0x47, 0x42].entries()) copy[sos + 5 + 2 * k] = id;
      return copy;
    };
    for (const [label, scan] of [
      ['Adobe marker', { colors: 3, stream: (jpeg) => withSegment(jpeg, 0xee, adobe) }],
      ['components R, G, B', { colors: 3, stream: renamedRgb }],
      ['/ColorTransform 0', { colors: 3, dict: { DecodeParms: { ColorTransform: 0 } } }],
      ['grey declared RGB', { colors: 1, dict: { ColorSpace: 'DeviceRGB' } }],
      ['another size', { colors: 1, dict: { Width: IMAGE.width / 2 } }],
    ] as [string, StoredJpeg][]) {
      expect(drawnDirectly(PdfDocument.open(await storedJpeg(scan)), 0), label).toBe(false);
    }
    // Markers that change nothing pdf.js draws (a comment, an application's own) keep the direct path.
    expect(drawnDirectly(PdfDocument.open(await storedJpeg({ colors: 3, stream: (jpeg) => withSegment(withSegment(jpeg, 0xfe, Buffer.from('scanner')), 0xeb, Buffer.from('vendor data')) })), 0)).toBe(true);
  });

  it('a cut, a corrupt and a broken-header JPEG, and one with more after its scan: no crash, the page is drawn as pdf.js draws it (or refused as pdf.js refuses it)', async () => {
    const outcome = async (document: PdfDocument): Promise<{ page?: Awaited<ReturnType<typeof renderPage>>; error?: string }> => {
      try {
        return { page: await renderPage(document, 0, 200, 'pgm') };
      } catch (error) {
        return { error: (error as { code?: string }).code ?? String(error) };
      }
    };
    const variants: [string, Partial<StoredJpeg>][] = [
      ['cut in the scan', { stream: (jpeg) => jpeg.subarray(0, Math.floor(jpeg.length / 2)) }],
      ['cut in the header', { stream: (jpeg) => jpeg.subarray(0, markerAt(jpeg, 0xda) - 20) }],
      ['entropy data corrupted', { stream: (jpeg) => Uint8Array.from(jpeg, (b, i) => (i > markerAt(jpeg, 0xda) + 3000 && i < markerAt(jpeg, 0xda) + 3100 && b !== 0xff ? b ^ 0x5a : b)) }],
      ['Huffman table garbled', { stream: (jpeg) => Uint8Array.from(jpeg, (b, i) => (i > markerAt(jpeg, 0xc4) + 4 && i < markerAt(jpeg, 0xc4) + 20 ? 0xee : b)) }],
      ['restart marker out of turn', { colors: 1, restartInterval: 7, stream: (jpeg) => { const copy = Buffer.from(jpeg); copy[markerAt(copy, 0xd3) + 1] = 0xd5; return copy; } }],
      ['no EOI, garbage after the scan', { stream: (jpeg) => Buffer.concat([jpeg.subarray(0, jpeg.length - 2), Buffer.alloc(300, 0x41)]) }],
      // pdf.js reads a second scan over the first, and dequantizes with the tables last defined:
      // what comes after the scan changes the picture it draws (ours would show the first).
      ['a second scan after the first', { colors: 1, stream: (jpeg) => { const other = greyJpeg(IMAGE.width, IMAGE.height, 0, 99); return Buffer.concat([jpeg.subarray(0, jpeg.length - 2), other.subarray(markerAt(other, 0xda))]); } }],
      ['a quantization table after the scan', { colors: 1, stream: (jpeg) => Buffer.concat([jpeg.subarray(0, jpeg.length - 2), Buffer.from([0xff, 0xdb, 0, 67, 0]), Buffer.alloc(64, 3), Buffer.from([0xff, 0xd9])]) }],
    ];
    for (const [label, variant] of variants) {
      const scan = { colors: 3 as const, ...variant };
      const plain = PdfDocument.open(await storedJpeg(scan));
      const viaPdfJs = PdfDocument.open(await storedJpeg({ ...scan, identityDecode: true }));
      const [ours, theirs] = [await outcome(plain), await outcome(viaPdfJs)];
      // Decoded by ours (the scan whole, the EOI missing) or left to pdf.js: pdf.js's page either way.
      expect(ours, label).toEqual(theirs);
    }
  });
});

/**
 * The JPEG row decoder the OCR page renderer uses for scanned images (issue 13's memory
 * budget, infra/ocr/jpeg-rows.ts), on progressive JPEGs: every scan read as pdf.js reads it
 * (the page OCR reads is the page pdf.js draws, sample for sample), and what pdf.js would read
 * otherwise, or what does not decode, left to pdf.js. The JPEGs are written by the tests' own
 * encoder (test/helpers/jpeg-encode.ts: libjpeg's progression, as scanners and phone apps write
 * it, and other scripts), the same coefficients as a baseline JPEG or progressive.
 */
import { describe, expect, it } from 'vitest';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { jpegRows, plainJpeg } from '../../../src/main/infra/ocr/jpeg-rows';
import { drawnDirectly, renderPage } from '../../../src/main/infra/ocr/page-render';
import { encodeJpeg, type JpegColour, type Scan } from '../../helpers/jpeg-encode';

/** A scan-like RGBA image: paper with a tint, dark strokes, specks (seeded). */
function picture(width: number, height: number, seed: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let state = seed;
  const random = (): number => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y * width + x) * 4;
      const ink = x % 23 < 3 || y % 17 === 0 || random() < 0.03;
      rgba[k] = ink ? 20 + Math.floor(random() * 40) : 235 - (x % 7);
      rgba[k + 1] = ink ? 30 : 230 - (y % 5);
      rgba[k + 2] = ink ? 90 : 200 + ((x + y) % 40);
      rgba[k + 3] = 255;
    }
  }
  return rgba;
}

const colorsOf = (colour: JpegColour): 1 | 3 => (colour === 'grey' ? 1 : 3);

/**
 * A page that is the JPEG (w × h) drawn at 1:1 for OCR's 200 dpi; with `viaPdfJs` an identity
 * /Decode array (drawn the same, but not a plain scan: pdf.js decodes it).
 */
async function jpegPage(jpeg: Uint8Array, width: number, height: number, colors: 1 | 3, viaPdfJs = false): Promise<PdfDocument> {
  const pdf = await PDFDocument.create();
  const size: [number, number] = [(width * 72) / 200, (height * 72) / 200];
  const page = pdf.addPage(size);
  const decode = viaPdfJs ? { Decode: colors === 3 ? [0, 1, 0, 1, 0, 1] : [0, 1] } : {};
  const image = pdf.context.register(pdf.context.stream(jpeg, { Type: 'XObject', Subtype: 'Image', Width: width, Height: height, ColorSpace: colors === 3 ? 'DeviceRGB' : 'DeviceGray', BitsPerComponent: 8, Filter: 'DCTDecode', ...decode } as never));
  const name = page.node.newXObject('Im', image);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(size[0], 0, 0, size[1], 0, 0), drawObject(name), popGraphicsState());
  return PdfDocument.open(await pdf.save({ useObjectStreams: false }));
}

/** The grey page OCR reads, by our decoder (when it takes the JPEG) and by pdf.js: the two PGMs, or what either threw. */
async function bothWays(jpeg: Uint8Array, width: number, height: number, colors: 1 | 3): Promise<{ direct: boolean; ours: Buffer | string; pdfJs: Buffer | string }> {
  const plain = await jpegPage(jpeg, width, height, colors);
  const viaPdfJs = await jpegPage(jpeg, width, height, colors, true);
  const grey = async (document: PdfDocument): Promise<Buffer | string> => {
    try {
      return (await renderPage(document, 0, 200, 'pgm')).image;
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  };
  expect(drawnDirectly(viaPdfJs, 0)).toBe(false);
  return { direct: drawnDirectly(plain, 0), ours: await grey(plain), pdfJs: await grey(viaPdfJs) };
}

/** The rows jpegRows hands over, joined; whether it decoded the whole image. */
function rowsOf(jpeg: Uint8Array): { ok: boolean; samples: Buffer } {
  const rows: Buffer[] = [];
  const ok = jpegRows(jpeg, (row) => rows.push(Buffer.from(row)));
  return { ok, samples: Buffer.concat(rows) };
}

/** Where each segment with `marker` starts (its 0xFF), in order. */
function markers(jpeg: Uint8Array, marker: number): number[] {
  const at: number[] = [];
  for (let i = 2; i + 3 < jpeg.length; ) {
    if (jpeg[i] !== 0xff) {
      i++;
      continue;
    }
    const code = jpeg[i + 1] as number;
    if (code === 0x00 || code === 0xff || (code >= 0xd0 && code <= 0xd7)) {
      i += code === 0xff ? 1 : 2;
      continue;
    }
    if (code === marker) at.push(i);
    if (code === 0xd9) break;
    // A segment's length skips it (an SOS's entropy-coded data is then walked byte by byte).
    i += 2 + (((jpeg[i + 2] as number) << 8) | (jpeg[i + 3] as number));
  }
  return at;
}

const insertAt = (jpeg: Uint8Array, at: number, bytes: readonly number[]): Buffer => Buffer.concat([jpeg.subarray(0, at), Buffer.from(bytes), jpeg.subarray(at)]);
const segment = (marker: number, body: readonly number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];

describe('progressive JPEG scans, decoded by our row decoder (issue 13, memory)', { timeout: 120_000 }, () => {
  it('libjpeg’s progression (grey, YCbCr 4:4:4, 4:2:2, 4:2:0; restart markers; odd sizes): the page is drawn by our decoder, pdf.js’s samples exactly', async () => {
    let n = 0;
    for (const [width, height] of [
      [203, 157],
      [33, 401],
      [640, 41],
    ] as const) {
      for (const colour of ['grey', 'ycc444', 'ycc422', 'ycc420'] as const) {
        const restartInterval = n++ % 2 === 0 ? 0 : 5;
        const jpeg = encodeJpeg(picture(width, height, n), width, height, { colour, progressive: true, quality: 80, restartInterval });
        const label = `${width}×${height} ${colour} restart ${restartInterval}`;
        expect(plainJpeg(jpeg, width, height, colorsOf(colour)), label).toBe(true);
        const { direct, ours, pdfJs } = await bothWays(jpeg, width, height, colorsOf(colour));
        expect(direct, label).toBe(true);
        expect(typeof ours, label).not.toBe('string');
        expect(Buffer.compare(ours as Buffer, pdfJs as Buffer), label).toBe(0);
      }
    }
  });

  it('every kind of scan (DC alone or interleaved, spectral bands, successive approximation down three bits, refinements): the same image as the baseline JPEG of the same coefficients', () => {
    const width = 77;
    const height = 53;
    const rgba = picture(width, height, 11);
    const all = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
    const scripts = (count: number): Record<string, Scan[]> => ({
      'DC per component, three bands, no approximation': [...all(count).map((c) => ({ components: [c], ss: 0, se: 0, ah: 0, al: 0 })), ...all(count).flatMap((c) => [{ components: [c], ss: 1, se: 2, ah: 0, al: 0 }, { components: [c], ss: 3, se: 20, ah: 0, al: 0 }, { components: [c], ss: 21, se: 63, ah: 0, al: 0 }])],
      'approximation 3 → 0, split refinements': [
        { components: all(count), ss: 0, se: 0, ah: 0, al: 2 },
        { components: all(count), ss: 0, se: 0, ah: 2, al: 1 },
        ...all(count).flatMap((c) => [{ components: [c], ss: 1, se: 63, ah: 0, al: 3 }, { components: [c], ss: 1, se: 63, ah: 3, al: 2 }, { components: [c], ss: 1, se: 40, ah: 2, al: 1 }, { components: [c], ss: 41, se: 63, ah: 2, al: 1 }]),
        { components: all(count), ss: 0, se: 0, ah: 1, al: 0 },
        ...all(count).map((c) => ({ components: [c], ss: 1, se: 63, ah: 1, al: 0 })),
      ],
    });
    for (const colour of ['grey', 'ycc444', 'ycc422', 'ycc420'] as const) {
      for (const restartInterval of [0, 3]) {
        for (const quality of [25, 100]) {
          const baseline = rowsOf(encodeJpeg(rgba, width, height, { colour, quality, restartInterval }));
          expect(baseline.ok).toBe(true);
          expect(baseline.samples.length).toBe(width * height * colorsOf(colour));
          for (const [name, script] of [['libjpeg', undefined], ...Object.entries(scripts(colorsOf(colour)))] as [string, Scan[] | undefined][]) {
            const progressive = rowsOf(encodeJpeg(rgba, width, height, { colour, quality, restartInterval, progressive: true, ...(script ? { script } : {}) }));
            const label = `${colour} restart ${restartInterval} quality ${quality}: ${name}`;
            expect(progressive.ok, label).toBe(true);
            expect(Buffer.compare(progressive.samples, baseline.samples), label).toBe(0);
          }
        }
      }
    }
  });

  it('what pdf.js reads the same way is read (a scan after the last, comments between scans, no EOI); what it reads otherwise or what does not decode is left to it', async () => {
    const width = 120;
    const height = 88;
    const jpeg = encodeJpeg(picture(width, height, 5), width, height, { colour: 'ycc420', progressive: true, restartInterval: 4 });
    const scans = markers(jpeg, 0xda);
    expect(scans.length).toBe(10);
    const second = scans[1] as number;
    const other = encodeJpeg(picture(width, height, 99), width, height, { colour: 'ycc420', progressive: true, restartInterval: 4 });
    // The other JPEG's first scan (DC, with its Huffman table before it) after this one's last: pdf.js reads it over the DC.
    const otherFirst = markers(other, 0xc4)[0] as number;
    const extraScan = Buffer.concat([jpeg.subarray(0, jpeg.length - 2), other.subarray(otherFirst, markers(other, 0xc4)[1] as number), Buffer.from([0xff, 0xd9])]);
    const read: [string, Uint8Array][] = [
      ['a DC scan after the last', extraScan],
      ['a comment and an application marker between scans', insertAt(jpeg, second, [...segment(0xfe, [...Buffer.from('scanner')]), ...segment(0xe5, [1, 2, 3])])],
      ['no EOI', jpeg.subarray(0, jpeg.length - 2)],
    ];
    for (const [label, stream] of read) {
      expect(rowsOf(stream).ok, label).toBe(true);
      const { direct, ours, pdfJs } = await bothWays(stream, width, height, 3);
      expect(direct, label).toBe(true);
      expect(Buffer.compare(ours as Buffer, pdfJs as Buffer), label).toBe(0);
    }
    // The extra scan changed the picture (it is read, not skipped).
    expect(Buffer.compare(rowsOf(extraScan).samples, rowsOf(jpeg).samples)).not.toBe(0);

    const rstAfter = (from: number): number => {
      for (let i = from; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xd1) return i;
      throw new Error('no RST1');
    };
    const left: [string, Uint8Array][] = [
      // pdf.js dequantizes every scan with the tables defined last.
      ['a quantization table between scans', insertAt(jpeg, second, segment(0xdb, [0, ...new Array<number>(64).fill(2)]))],
      ['an Adobe marker between scans', insertAt(jpeg, second, segment(0xee, [...Buffer.from('Adobe', 'latin1'), 0, 100, 0, 0, 0, 0, 1]))],
      ['a second frame', insertAt(jpeg, second, segment(0xc2, [8, 0, height, 0, width, 1, 1, 0x11, 0]))],
      ['a DNL marker', insertAt(jpeg, second, segment(0xdc, [0, height]))],
      ['a restart marker out of turn', Uint8Array.from(jpeg, (b, i) => (i === rstAfter(scans[4] as number) + 1 ? 0xd5 : b))],
      ['bytes between scans', insertAt(jpeg, second, [0x12, 0x34])],
      ['cut in the fourth scan', jpeg.subarray(0, (scans[3] as number) + 40)],
      ['restart interval changed between scans', insertAt(jpeg, second, segment(0xdd, [0, 7]))],
    ];
    for (const [label, stream] of left) {
      expect(rowsOf(stream).ok, label).toBe(false);
      const { ours, pdfJs } = await bothWays(stream, width, height, 3);
      expect(ours, label).toEqual(pdfJs);
    }
  });

  it('exploit: a quantization table hidden in a marker pdf.js does not know, or in an application segment followed by a fill byte (pdf.js searches for the next marker it knows and reads the table; skipped by the length, ours would not): left to pdf.js, baseline or progressive', async () => {
    const width = 96;
    const height = 64;
    const table = segment(0xdb, [0, ...new Array<number>(64).fill(40)]);
    // A reserved marker whose length covers the table; an application segment holding it, followed by a fill byte (pdf.js then looks for a marker from the segment's start).
    const hiding = [
      [0xff, 0x02, 0, 2 + table.length, ...table],
      [...segment(0xe3, [1, ...table]), 0xff],
    ];
    for (const progressive of [false, true]) {
      const jpeg = encodeJpeg(picture(width, height, 8), width, height, { colour: 'ycc420', progressive });
      // Before the first scan's tables (the header), and for a progressive JPEG between scans too.
      const variants = hiding.flatMap((hidden) => [insertAt(jpeg, markers(jpeg, 0xc4)[0] as number, hidden), ...(progressive ? [insertAt(jpeg, markers(jpeg, 0xda)[2] as number, hidden)] : [])]);
      for (const [k, stream] of variants.entries()) {
        const label = `${progressive ? 'progressive' : 'baseline'} ${k}`;
        const { direct, ours, pdfJs } = await bothWays(stream, width, height, 3);
        // pdf.js draws another picture than the JPEG's own tables give.
        expect(Buffer.compare(pdfJs as Buffer, (await bothWays(jpeg, width, height, 3)).pdfJs as Buffer), label).not.toBe(0);
        expect(ours, label).toEqual(pdfJs);
        expect(direct && rowsOf(stream).ok, label).toBe(false);
      }
    }
  });

  it('luma sampled 4 × 2: read where pdf.js draws it right (a width of whole MCUs), left to it where its rows of blocks overrun (it draws damaged blocks there)', async () => {
    const factors = [[4, 2], [1, 1], [1, 1]] as const;
    for (const progressive of [false, true]) {
      const fits = encodeJpeg(picture(64, 48, 3), 64, 48, { colour: 'ycc420', factors, progressive });
      expect(plainJpeg(fits, 64, 48, 3)).toBe(true);
      const { direct, ours, pdfJs } = await bothWays(fits, 64, 48, 3);
      expect(direct).toBe(true);
      expect(Buffer.compare(ours as Buffer, pdfJs as Buffer)).toBe(0);
      // 9 blocks across, MCUs of 4: pdf.js's rows hold 10, the MCUs write 12.
      const overruns = encodeJpeg(picture(72, 48, 3), 72, 48, { colour: 'ycc420', factors, progressive });
      expect(plainJpeg(overruns, 72, 48, 3)).toBe(false);
      expect(drawnDirectly(await jpegPage(overruns, 72, 48, 3), 0)).toBe(false);
    }
  });

  it('fuzzed: 1000 progressive JPEGs cut, bit-flipped, overwritten, spliced: none hangs, and every one our decoder takes is drawn as pdf.js draws it', async () => {
    let state = 2026;
    const random = (n: number): number => Math.floor(((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) * n);
    const sources = (
      [
        [64, 48, 'ycc420', 0],
        [61, 45, 'grey', 0],
        [80, 40, 'ycc422', 3],
        [40, 64, 'ycc444', 0],
        [64, 48, 'grey', 5],
      ] as const
    ).map(([width, height, colour, restartInterval], i) => ({ width, height, colors: colorsOf(colour), jpeg: encodeJpeg(picture(width, height, 40 + i), width, height, { colour, progressive: true, quality: 75, restartInterval }) }));
    let taken = 0;
    for (let n = 0; n < 1000; n++) {
      const { width, height, colors, jpeg } = sources[n % sources.length] as (typeof sources)[number];
      let stream: Buffer = Buffer.from(jpeg);
      const kind = n % 6;
      if (kind === 0) stream = stream.subarray(0, random(stream.length));
      else if (kind === 1) for (let k = random(8); k >= 0; k--) stream[random(stream.length)] = random(256);
      else if (kind === 2) {
        for (let k = random(3); k >= 0; k--) {
          const at = random(stream.length);
          stream[at] = (stream[at] as number) ^ (1 << random(8));
        }
      }
      else if (kind === 3) stream = insertAt(stream, random(stream.length), Array.from({ length: 1 + random(20) }, () => random(256)));
      else if (kind === 4) {
        const at = random(stream.length);
        stream = Buffer.concat([stream.subarray(0, at), stream.subarray(Math.min(stream.length, at + random(200)))]);
      } else for (let k = random(3); k >= 0; k--) stream[random(Math.min(700, stream.length))] = random(256);
      // As page-render takes it: the header checked against the dictionary, then decoded.
      if (!plainJpeg(stream, width, height, colors) || !rowsOf(stream).ok) continue;
      taken++;
      const { direct, ours, pdfJs } = await bothWays(stream, width, height, colors);
      expect(direct).toBe(true);
      expect(ours, `mutant ${n}`).toEqual(pdfJs);
    }
    // Enough of them decode (entropy data changed, tables that still work) for the comparison to mean something.
    expect(taken).toBeGreaterThan(40);
  });
});

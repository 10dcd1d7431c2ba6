/**
 * U2 on what a person sees (issue 13): contracts drawn in ways the gate's reading of a page did
 * not follow, each sealed before its fix while every viewer drew the contract (checked with
 * pdftoppm/pdftotext). The title 房屋租赁合同 and both parties' lines at the top of the page, three
 * harmless clauses below as an ordinary text layer; the real pipeline (gateOutcome), OCR where
 * the gate now sends the page.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFString, type PDFFont } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../../src/main/core/appearance/index';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { contentPageText } from '../../../src/main/core/policy/content-text';
import { MIN_OUTLINE_SEGMENTS } from '../../../src/main/core/policy/page-gate';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { renderPage } from '../../../src/main/infra/ocr/page-render';
import { SYSTEM_CJK_FONTS, fontScanImage, type SystemFont } from '../../helpers/gate-documents';
import { NOTICE, makePdf, shippedFont } from './fixture';
import { gateSuite } from './gate-suite';

const TITLE = '房屋租赁合同';
const PARTY_A = '出租人（甲方）：华夏建设集团有限公司';
const PARTY_B = '承租人（乙方）：华东建设公司';
const CLAUSES = ['第一条 房屋坐落于上海市某区某路，建筑面积一百二十平方米。', '第二条 期限自二〇二六年一月一日起至十二月三十一日止。', '第三条 每月人民币五千元，按季度支付。'];
/** Where the contract's lines are drawn: [text, size, x, baseline y]. */
const CONTRACT_LINES = [
  [TITLE, 26, 220, 760],
  [PARTY_A, 14, 80, 700],
  [PARTY_B, 14, 80, 670],
] as const;

const suite = gateSuite('YJ-DRAWN-0001', 'yinjian-drawn-');

const { outcome } = suite;

interface Page {
  /** The page's content streams, in order (its /Contents array). */
  readonly contents: readonly string[];
  /** More page resources beside /Font /F1 (the shipped font). */
  readonly resources?: Record<string, unknown>;
}

/** A one-page PDF whose content `make` writes, `hex` giving a string's codes in the shipped font (F1). */
async function onePage(make: (pdf: PDFDocument, font: PDFFont, hex: (text: string) => string) => Page): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  const made = make(pdf, font, (text) => font.encodeText(text).toString());
  page.node.set(PDFName.of('Contents'), pdf.context.obj(made.contents.map((c) => pdf.context.register(pdf.context.flateStream(c)))));
  page.node.set(PDFName.of('Resources'), pdf.context.obj({ Font: { F1: font.ref }, ...(made.resources ?? {}) }));
  return pdf.save({ useObjectStreams: false });
}

/** The harmless clauses as ordinary text, below the contract's lines. */
function clauses(hex: (text: string) => string): string {
  return CLAUSES.map((line, i) => `BT /F1 12 Tf 60 ${440 - i * 24} Td ${hex(line)} Tj ET`).join('\n');
}

type Command = { command: string; args: number[] };

/** Each glyph of `text` in the shipped font as path construction operators (the path left unpainted). */
function glyphPaths(text: string, size: number, left: number, baseline: number): string[] {
  const face = fontkit.create(Buffer.from(shippedFont())) as unknown as { unitsPerEm: number; layout(text: string): { glyphs: { path: { commands: Command[] }; advanceWidth: number }[] } };
  const k = size / face.unitsPerEm;
  let x = left;
  const glyphs: string[] = [];
  for (const glyph of face.layout(text).glyphs) {
    const ops: string[] = [];
    let [cx, cy] = [0, 0];
    const at = (u: number, v: number): string => `${(x + u * k).toFixed(2)} ${(baseline + v * k).toFixed(2)}`;
    for (const { command, args } of glyph.path.commands) {
      const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0] = args;
      if (command === 'moveTo') ops.push(`${at(a0, a1)} m`);
      else if (command === 'lineTo') ops.push(`${at(a0, a1)} l`);
      else if (command === 'bezierCurveTo') ops.push(`${at(a0, a1)} ${at(a2, a3)} ${at(a4, a5)} c`);
      else if (command === 'quadraticCurveTo') ops.push(`${at(cx + (2 / 3) * (a0 - cx), cy + (2 / 3) * (a1 - cy))} ${at(a2 + (2 / 3) * (a0 - a2), a3 + (2 / 3) * (a1 - a3))} ${at(a2, a3)} c`);
      else if (command === 'closePath') ops.push('h');
      if (args.length >= 2) [cx, cy] = [args[args.length - 2] as number, args[args.length - 1] as number];
    }
    glyphs.push(ops.join(' '));
    x += glyph.advanceWidth * k;
  }
  return glyphs;
}

/**
 * A Type3 font whose glyph procedures draw `characters` (the shipped font's outlines, 1000 units
 * an em, codes 1, 2, …) while its ToUnicode says each code is a character of `claimed`.
 */
function type3Font(doc: PDFDocument, characters: readonly string[], claimed: string): PDFRef {
  const procs: Record<string, PDFRef> = {};
  characters.forEach((character, i) => {
    procs[`g${i + 1}`] = doc.context.register(doc.context.flateStream(`1000 0 d0\n${glyphPaths(character, 1000, 0, 0)[0] ?? ''} f`));
  });
  const pairs = characters.map((_c, i) => `<${(i + 1).toString(16).padStart(2, '0')}> <${(claimed.charCodeAt(i % claimed.length)).toString(16).padStart(4, '0')}>`);
  const cmap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <00> <FF> endcodespacerange ${pairs.length} beginbfchar\n${pairs.join('\n')}\nendbfchar endcmap CMapName currentdict /CMap defineresource pop end end`;
  const encoding = doc.context.obj({ Type: 'Encoding' });
  encoding.set(PDFName.of('Differences'), doc.context.obj([1, ...characters.map((_c, i) => PDFName.of(`g${i + 1}`))]));
  return doc.context.register(
    doc.context.obj({
      Type: 'Font',
      Subtype: 'Type3',
      FontBBox: [0, -200, 1000, 1000],
      FontMatrix: [0.001, 0, 0, 0.001, 0, 0],
      CharProcs: procs,
      Encoding: encoding,
      FirstChar: 1,
      LastChar: characters.length,
      Widths: characters.map(() => 1000),
      Resources: {},
      ToUnicode: doc.context.register(doc.context.flateStream(cmap)),
    }),
  );
}

/**
 * The clauses as text, and the contract's lines as the values of text fields (UTF-16 /V) in an
 * AcroForm asking viewers to make appearances (/NeedAppearances true); `appearance`: each widget
 * also has one, drawing that text instead.
 */
async function filledForm(appearance?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  const hex = (text: string): string => font.encodeText(text).toString();
  hex(CONTRACT_LINES.map(([text]) => text).join(''));
  page.node.set(PDFName.of('Contents'), pdf.context.register(pdf.context.flateStream(clauses(hex))));
  page.node.set(PDFName.of('Resources'), pdf.context.obj({ Font: { F1: font.ref } }));
  const widgets = CONTRACT_LINES.map(([text, size, , y], i) => {
    const rect = [60, y - 6, 560, y + size + 4];
    const ap = appearance === undefined ? {} : { AP: { N: pdf.context.register(pdf.context.flateStream(`BT /F1 ${size} Tf 2 4 Td ${hex(appearance)} Tj ET`, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 500, size + 10], Resources: { Font: { F1: font.ref } } })) } };
    return pdf.context.register(pdf.context.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Tx', T: PDFString.of(`f${i}`), V: PDFHexString.fromText(text), Rect: rect, F: 4, DA: PDFString.of(`/F1 ${size} Tf 0 g`), P: page.ref, ...ap }));
  });
  page.node.set(PDFName.of('Annots'), pdf.context.obj(widgets));
  pdf.catalog.set(PDFName.of('AcroForm'), pdf.context.obj({ Fields: widgets, NeedAppearances: true, DR: { Font: { F1: font.ref } }, DA: PDFString.of('/F1 12 Tf 0 g') }));
  return pdf.save({ useObjectStreams: false });
}

/**
 * `pdf` with each of `characters` followed by a variation selector (U+FE00) in its ToUnicode map:
 * the same glyphs drawn (0 pixels differ), the same characters extracted, plus a selector no one sees.
 */
async function withVariationSelectors(pdf: Uint8Array, characters: string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf);
  let edited = 0;
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Subtype')) !== PDFName.of('Type0')) continue;
    const ref = object.get(PDFName.of('ToUnicode'));
    const stream = ref instanceof PDFRef ? doc.context.lookup(ref) : undefined;
    if (!(ref instanceof PDFRef) || !(stream instanceof PDFRawStream)) continue;
    let text = inflateSync(stream.contents).toString('latin1');
    for (const character of characters) {
      const code = (character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
      const before = text;
      text = text.replace(new RegExp(`<${code}>`, 'giu'), `<${code}FE00>`);
      if (text !== before) edited++;
    }
    doc.context.assign(ref, doc.context.flateStream(Buffer.from(text, 'latin1')));
  }
  expect(edited).toBe(characters.length);
  return doc.save({ useObjectStreams: false });
}

/** Dark pixels poppler draws in the top quarter of the page (where the contract's lines are), at 30 dpi. */
function popplerTopInk(pdf: Uint8Array, name: string): number {
  const file = join(suite.work, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', '30', '-gray', '-singlefile', file, join(suite.work, name)]);
  const pgm = readFileSync(join(suite.work, `${name}.pgm`));
  const [, width, height] = pgm.subarray(0, 40).toString('latin1').split(/\s+/u).map(Number) as [number, number, number];
  const pixels = pgm.subarray(pgm.length - width * height);
  return pixels.subarray(0, Math.round(height * 0.25) * width).filter((v) => v < 128).length;
}

/** Dark pixels pdf.js (OCR's renderer, page-render.ts) draws in the top quarter of the page, at 30 dpi. */
async function pdfjsTopInk(pdf: Uint8Array): Promise<number> {
  const page = await renderPage(PdfDocument.open(pdf), 0, 30, 'pgm');
  const pixels = page.image.subarray(page.image.length - page.crop.width * page.crop.height);
  const rows = Math.max(0, Math.min(page.crop.height, Math.round(page.height * 0.25) - page.crop.top));
  return pixels.subarray(0, rows * page.crop.width).filter((v) => v < 128).length;
}

/**
 * Dark pixels MuPDF draws in the top quarter of the page at 30 dpi, for `usage` 'View' (on
 * screen) or 'Print' (printed: MuPDF-based viewers print with the print usage of optional content).
 */
function mupdfTopInk(pdf: Uint8Array, name: string, usage: 'View' | 'Print'): number {
  const file = join(suite.work, `${name}.pdf`);
  writeFileSync(file, pdf);
  const script = join(suite.work, 'usage.js');
  writeFileSync(script, 'var page = new Document(scriptArgs[0]).loadPage(0);\npage.toPixmap(Scale(30 / 72, 30 / 72), DeviceGray, false, true, scriptArgs[1]).saveAsPNG(scriptArgs[2]);\n');
  const png = join(suite.work, `${name}-${usage}.png`);
  const pgm = join(suite.work, `${name}-${usage}.pgm`);
  execFileSync('mutool', ['run', script, file, usage, png], { stdio: 'ignore' });
  execFileSync('mutool', ['draw', '-q', '-F', 'pgm', '-c', 'gray', '-o', pgm, png], { stdio: 'ignore' });
  const bytes = readFileSync(pgm);
  const [, width, height] = bytes.subarray(0, 40).toString('latin1').split(/\s+/u).map(Number) as [number, number, number];
  const pixels = bytes.subarray(bytes.length - width * height);
  return pixels.subarray(0, Math.round(height * 0.25) * width).filter((v) => v < 128).length;
}

/** What poppler's text extraction finds on the page (a viewer's reading). */
function popplerText(pdf: Uint8Array, name: string): string {
  const file = join(suite.work, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8');
}

describe('content the gate did not follow (U2)', { timeout: 120_000 }, () => {
  it('exploit: shows split across the page\'s content streams (operands in one, the operator in the next) are read', async () => {
    // ISO 32000-1 §7.8.2: the streams of /Contents are one content, split between tokens.
    const pdf = await onePage((_pdf, _font, hex) => ({
      contents: [
        `BT /F1 26 Tf 220 760 Td ${hex(TITLE)}`,
        `Tj ET BT /F1 14 Tf 80 700 Td ${hex(PARTY_A)}`,
        `Tj ET BT /F1 14 Tf 80 670 Td ${hex(PARTY_B)}`,
        `Tj ET\n${clauses(hex)}`,
      ],
    }));
    expect(popplerText(pdf, 'split')).toMatch(/房屋租赁合同[\s\S]*出租人（甲方）/u);
    expect(contentPageText(PdfDocument.open(pdf), 0)?.runs.map((r) => r.text)).toContain(TITLE);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'split-contents.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  it('exploit: letters as a clipping path with a rectangle filled through them are read by OCR', async () => {
    // No text and no painted outline: each glyph's outline is a clip (W n), the fill a rectangle.
    const pdf = await onePage((_pdf, _font, hex) => ({
      contents: [
        CONTRACT_LINES.flatMap(([text, size, x, y]) => glyphPaths(text, size, x, y).map((glyph) => `q ${glyph} W n 0 g 0 600 595 242 re f Q`)).join('\n') + `\n${clauses(hex)}`,
      ],
    }));
    expect(popplerText(pdf, 'clip')).not.toMatch(/合同/u);
    expect(popplerTopInk(pdf, 'clip')).toBeGreaterThan(50);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).outlineSegments).toBeGreaterThanOrEqual(MIN_OUTLINE_SEGMENTS);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'clipped-letters.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  it('exploit: a tiling pattern whose cell writes the title and parties, filling a rectangle above the clauses, is read', async () => {
    // One cell as large as the page, steps wider than it: the pattern paints the cell once.
    const pdf = await onePage((doc, font, hex) => {
      const cell = CONTRACT_LINES.map(([text, size, x, y]) => `BT /F1 ${size} Tf ${x} ${y} Td ${hex(text)} Tj ET`).join('\n');
      const pattern = doc.context.register(
        doc.context.flateStream(cell, { Type: 'Pattern', PatternType: 1, PaintType: 1, TilingType: 1, BBox: [0, 0, 595.28, 841.89], XStep: 2000, YStep: 2000, Resources: { Font: { F1: font.ref } } }),
      );
      return { contents: [`q /Pattern cs /P1 scn 0 600 595 242 re f Q\n${clauses(hex)}`], resources: { Pattern: { P1: pattern } } };
    });
    expect(popplerText(pdf, 'pattern')).not.toMatch(/合同/u);
    expect(popplerTopInk(pdf, 'pattern')).toBeGreaterThan(50);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'pattern-cell.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  /** The contract's lines one character a show, `noise` (a show of 通) between every two characters. */
  function interleaved(hex: (text: string) => string, noise: (x: number, y: number) => string): string {
    return CONTRACT_LINES.flatMap(([text, size, x0, y]) =>
      [...text].flatMap((character, i) => [`BT /F1 ${size} Tf ${x0 + i * size} ${y} Td ${hex(character)} Tj ET`, noise(x0 + i * size + size * 0.95, y)]),
    ).join('\n');
  }

  it('exploit: transparent characters (ExtGState ca 0) between the title\'s characters are invisible text', async () => {
    const pdf = await onePage((doc, _font, hex) => ({
      contents: [`${interleaved(hex, (x, y) => `q /G0 gs BT /F1 14 Tf ${x} ${y} Td ${hex('通')} Tj ET Q`)}\n${clauses(hex)}`],
      resources: { ExtGState: { G0: doc.context.obj({ Type: 'ExtGState', ca: 0, CA: 0 }) } },
    }));
    expect(popplerTopInk(pdf, 'transparent')).toBeGreaterThan(50);
    // The layer reads 房通屋通租通赁通合通同通: no title.
    expect(contentPageText(PdfDocument.open(pdf), 0)?.runs.slice(0, 4).map((r) => r.text)).toEqual(['房', '通', '屋', '通']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'transparent-noise.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });

  it('exploit: characters a third of a point high between the title\'s characters are invisible text', async () => {
    const pdf = await onePage((_doc, _font, hex) => ({ contents: [`${interleaved(hex, (x, y) => `BT /F1 0.3 Tf ${x} ${y} Td ${hex('通')} Tj ET`)}\n${clauses(hex)}`] }));
    expect(popplerTopInk(pdf, 'tiny')).toBeGreaterThan(50);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'tiny-noise.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });
  it('exploit: a Type3 font whose glyphs draw the title and parties while its ToUnicode says 关于报送… is read by OCR', async () => {
    const characters = [...new Set(CONTRACT_LINES.flatMap(([text]) => [...text]))];
    const code = (text: string): string => `<${[...text].map((c) => (characters.indexOf(c) + 1).toString(16).padStart(2, '0')).join('')}>`;
    const pdf = await onePage((doc, font, hex) => ({
      contents: [`${CONTRACT_LINES.map(([text, size, x, y]) => `BT /T3 ${size} Tf ${x} ${y} Td ${code(text)} Tj ET`).join('\n')}\n${clauses(hex)}`],
      resources: { Font: { F1: font.ref, T3: type3Font(doc, characters, '关于报送用款计划的通知各部门根据集团与华东建设公司签订现将有关事项如下一二三四五六七八九十') } },
    }));
    // poppler draws the contract; its text (and pdf.js's, the layer here) is the claim.
    expect(popplerTopInk(pdf, 'type3')).toBeGreaterThan(50);
    expect(popplerText(pdf, 'type3')).toMatch(/^\s*关于报送/u);
    expect(textLayerFacts(PdfDocument.open(pdf), 0)).toMatchObject({ type3Shows: 3, suspicions: [] });
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'type3-glyphs.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ page: 1 });
  });
  it('exploit: text fields whose values are the title and parties, without appearances, are read', async () => {
    const pdf = await filledForm();
    expect(popplerText(pdf, 'form')).toMatch(/房屋租赁合同[\s\S]*出租人（甲方）/u);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'field-values.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('exploit: the same values behind appearances saying 关于通知, which viewers redraw from the values (NeedAppearances), are read', async () => {
    const pdf = await filledForm('关于通知');
    expect(popplerText(pdf, 'form-ap')).toMatch(/房屋租赁合同/u);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'field-values-behind-appearances.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  /** `columns` set vertically, a character a show, from the right: [text, size]. */
  function vertical(hex: (text: string) => string, columns: readonly (readonly [string, number])[]): string {
    let x = 520;
    return columns
      .flatMap(([text, size]) => {
        const column = [...text].map((character, i) => `BT /F1 ${size} Tf ${x} ${790 - i * size * 1.1} Td ${hex(character)} Tj ET`);
        x -= size * 2;
        return column;
      })
      .join('\n');
  }

  it('exploit: the title and parties set vertically (竖排), a character a show, are read as columns', async () => {
    const pdf = await onePage((_doc, _font, hex) => ({ contents: [`${vertical(hex, [[TITLE, 26], ['出租人甲方华夏建设集团', 16], ['承租人乙方华东建设公司', 16]])}\n${clauses(hex)}`] }));
    expect(popplerTopInk(pdf, 'vertical')).toBeGreaterThan(50);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'vertical-title.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('a notice set across a character a show, lines 1.2 em apart, is not read down its columns: sealed', async () => {
    const pdf = await onePage((_doc, _font, hex) => ({
      contents: [
        NOTICE.flatMap((line, row) => [...line.text].map((character, i) => `BT /F1 14 Tf ${72 + i * 14} ${760 - row * 14 * 1.2} Td ${hex(character)} Tj ET`)).join('\n'),
      ],
    }));
    expect(await outcome(suite.fx.request(suite.seal.seal, pdf, 'notice-glyph-runs.pdf'))).toMatchObject({ code: 'sealed' });
  });
  it('exploit: a variation selector after 合, 甲, 乙, 出 and 承 in the ToUnicode map (nothing drawn changes) does not hide the words', async () => {
    const contract = await makePdf([[{ text: TITLE, size: 26 }, { text: PARTY_A, size: 14 }, { text: PARTY_B, size: 14 }, ...CLAUSES.map((text) => ({ text, size: 12 }))]]);
    const pdf = await withVariationSelectors(contract, '合甲乙出承');
    expect(popplerText(pdf, 'selectors')).toContain('合\uFE00同');
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'variation-selectors.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });

  it('exploit: the title in book-title marks, 《房屋租赁合同》, above parties the form does not see (bulleted), is a title', async () => {
    const pdf = await makePdf([[{ text: `《${TITLE}》`, size: 26 }, { text: `● ${PARTY_A}`, size: 14 }, { text: `● ${PARTY_B}`, size: 14 }, ...CLAUSES.map((text) => ({ text, size: 12 }))]]);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'quoted-title.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1, where: `标题 title: 《${TITLE}》` });
  });
  /** The contract's lines a character a show, after `noise` (a show of 通 a third of an em into each character, painted first: the characters cover it). */
  function overNoise(hex: (text: string) => string, noise: (x: number, y: number, size: number) => string): string {
    const noises = CONTRACT_LINES.flatMap(([text, size, x0, y]) => [...text].map((_c, i) => noise(x0 + i * size + size * 0.4, y, size)));
    const shown = CONTRACT_LINES.flatMap(([text, size, x0, y]) => [...text].map((character, i) => `BT /F1 ${size} Tf ${x0 + i * size} ${y} Td ${hex(character)} Tj ET`));
    return [...noises, ...shown].join('\n');
  }

  it('exploit: near-white characters (0.97 g) between the title\'s characters are white text, and OCR does not read them', async () => {
    const pdf = await onePage((_doc, _font, hex) => ({ contents: [`${overNoise(hex, (x, y, size) => `q 0.97 g BT /F1 ${size} Tf ${x} ${y} Td ${hex('通')} Tj ET Q`)}\n${clauses(hex)}`] }));
    expect(popplerTopInk(pdf, 'near-white')).toBeGreaterThan(50);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).suspicions.map((s) => s.kind)).toEqual(['white-text']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'near-white-noise.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });

  it('exploit: characters in a spot colour at tint 0 (no ink) between the title\'s characters are white text', async () => {
    const pdf = await onePage((doc, _font, hex) => ({
      contents: [`${overNoise(hex, (x, y, size) => `q /CS0 cs 0 scn BT /F1 ${size} Tf ${x} ${y} Td ${hex('通')} Tj ET Q`)}\n${clauses(hex)}`],
      resources: { ColorSpace: { CS0: doc.context.obj([PDFName.of('Separation'), PDFName.of('Spot1'), PDFName.of('DeviceCMYK'), doc.context.obj({ FunctionType: 2, Domain: [0, 1], C0: [0, 0, 0, 0], C1: [0, 0, 0, 1], N: 1 })]) } },
    }));
    expect(popplerTopInk(pdf, 'spot-zero')).toBeGreaterThan(50);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).suspicions.map((s) => s.kind)).toEqual(['white-text']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'spot-tint-zero.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });
  /**
   * The contract's first lines as a picture at the top (beside a text layer: OCR reads the page),
   * the clauses as text, and a white rectangle over the picture that viewers may not draw:
   * in an OCG that is OFF by default (`ocg`), or filled with the colorant None (`none`), or
   * painted by a shading in a Separation of None: the `sh` operator clipped to the rectangle
   * (`none-sh`), or a shading pattern filling it (`none-pattern`); `bare`: no cover.
   */
  async function picturedUnderCover(cover: 'ocg' | 'none' | 'none-sh' | 'none-pattern' | 'bare'): Promise<Uint8Array> {
    const picture = await fontScanImage(SYSTEM_CJK_FONTS[0] as SystemFont, CONTRACT_LINES.map(([text, size]) => ({ text, size: size === 26 ? 26 : 16 })), { dpi: 150 });
    const doc = await PDFDocument.create();
    const font = await embedShippedFontSubset(doc, shippedFont());
    const page = doc.addPage([595.28, 841.89]);
    const image = await doc.embedPng(picture);
    const height = (595.28 * image.height) / image.width;
    page.drawImage(image, { x: 0, y: 841.89 - height, width: 595.28, height });
    CLAUSES.forEach((line, i) => page.drawText(line, { x: 60, y: 400 - i * 24, size: 12, font }));
    const group = doc.context.register(doc.context.obj({ Type: 'OCG', Name: PDFString.of('Cover') }));
    const resources = page.node.Resources();
    resources?.set(PDFName.of('Properties'), doc.context.obj({ OC1: group }));
    resources?.set(PDFName.of('ColorSpace'), doc.context.obj({ None: doc.context.obj([PDFName.of('Separation'), PDFName.of('None'), PDFName.of('DeviceGray'), doc.context.obj({ FunctionType: 2, Domain: [0, 1], C0: [1], C1: [1], N: 1 })]) }));
    // An axial shading in the same space, white from end to end, extended over the page.
    const shading = doc.context.obj({ ShadingType: 2, ColorSpace: doc.context.obj([PDFName.of('Separation'), PDFName.of('None'), PDFName.of('DeviceGray'), doc.context.obj({ FunctionType: 2, Domain: [0, 1], C0: [1], C1: [1], N: 1 })]), Coords: [0, 420, 0, 842], Function: { FunctionType: 2, Domain: [0, 1], C0: [1], C1: [1], N: 1 }, Extend: [true, true] });
    resources?.set(PDFName.of('Shading'), doc.context.obj({ Sh1: shading }));
    resources?.set(PDFName.of('Pattern'), doc.context.obj({ P1: doc.context.obj({ PatternType: 2, Shading: shading }) }));
    const ops = {
      ocg: '/OC /OC1 BDC 1 g 0 420 595 422 re f EMC',
      none: '/None cs 1 scn 0 420 595 422 re f',
      'none-sh': 'q 0 420 595 422 re W n /Sh1 sh Q',
      'none-pattern': '/Pattern cs /P1 scn 0 420 595 422 re f',
      bare: '',
    }[cover];
    const stream = doc.context.register(doc.context.flateStream(ops));
    const contents = page.node.Contents();
    page.node.set(PDFName.of('Contents'), doc.context.obj([...(contents instanceof PDFArray ? contents.asArray() : [page.node.get(PDFName.of('Contents')) as PDFRef]), stream]));
    if (cover === 'ocg') doc.catalog.set(PDFName.of('OCProperties'), doc.context.obj({ OCGs: [group], D: { OFF: [group], Order: [group] } }));
    return doc.save({ useObjectStreams: false });
  }

  it('exploit: a white cover in a layer viewers hide (OCG off by default) over the title pictured is not drawn for OCR', async () => {
    const pdf = await picturedUnderCover('ocg');
    expect(popplerTopInk(pdf, 'ocg-cover')).toBeGreaterThan(50);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'ocg-cover.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  it('exploit: a white cover filled with the colorant None (poppler draws nothing, pdf.js and MuPDF draw it) leaves the page unreadable', async () => {
    const pdf = await picturedUnderCover('none');
    expect(popplerTopInk(pdf, 'none-cover')).toBeGreaterThan(50);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'none-cover.pdf'));
    expect(result.code).toBe('SCANNED_PAGE_UNREADABLE');
    expect(result.error?.params).toMatchObject({ page: 1 });
    expect(String(result.error?.params?.['why'])).toMatch(/colorant None/u);
  });
  /**
   * The contract's first lines as a picture in a layer hidden on screen and shown when printed:
   * OFF in the default configuration, its usage /View OFF and /Print ON, applied automatically
   * on the Print and View events (/AS); the clauses as text below. The screen shows the clauses,
   * the printout the contract. `lines`: what the picture shows instead.
   */
  async function printedOnly(lines: readonly string[] = CONTRACT_LINES.map(([text]) => text), layer: { on?: boolean; auto?: boolean } = {}): Promise<Uint8Array> {
    const picture = await fontScanImage(SYSTEM_CJK_FONTS[0] as SystemFont, lines.map((text, i) => ({ text, size: i === 0 ? 26 : 16 })), { dpi: 150 });
    const doc = await PDFDocument.create();
    const font = await embedShippedFontSubset(doc, shippedFont());
    const page = doc.addPage([595.28, 841.89]);
    const image = await doc.embedPng(picture);
    const height = (595.28 * image.height) / image.width;
    const group = doc.context.register(doc.context.obj({ Type: 'OCG', Name: PDFString.of('Print'), Usage: { View: { ViewState: 'OFF' }, Print: { Subtype: 'Print', PrintState: 'ON' } } }));
    page.node.set(PDFName.of('Resources'), doc.context.obj({ Font: { F1: font.ref }, XObject: { Im1: image.ref }, Properties: { OC1: group } }));
    const hex = (text: string): string => font.encodeText(text).toString();
    page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(`/OC /OC1 BDC q 595.28 0 0 ${height.toFixed(2)} 0 ${(841.89 - height).toFixed(2)} cm /Im1 Do Q EMC\n${clauses(hex)}`)));
    const events = [
      { Event: 'View', OCGs: [group], Category: ['View'] },
      { Event: 'Print', OCGs: [group], Category: ['Print'] },
    ];
    doc.catalog.set(PDFName.of('OCProperties'), doc.context.obj({ OCGs: [group], D: { ...(layer.on ? { ON: [group] } : { OFF: [group] }), Order: [group], ...(layer.auto === false ? {} : { AS: events }) } }));
    return doc.save({ useObjectStreams: false });
  }

  it('exploit: the title and parties pictured in a layer shown only when printing are read as printed', async () => {
    const pdf = await printedOnly();
    // On screen no one draws the picture; MuPDF prints it (as Acrobat does, by the /AS print event).
    expect(mupdfTopInk(pdf, 'print-only', 'View')).toBe(0);
    expect(mupdfTopInk(pdf, 'print-only', 'Print')).toBeGreaterThan(20);
    expect(popplerTopInk(pdf, 'print-only')).toBe(0);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).layerViews?.map((view) => view.intent)).toEqual(['print']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'print-only.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
    expect(String(result.error?.params?.['where'])).toMatch(/as printed/u);
  });
  it('exploit: the title and parties pictured in a layer on by default whose view usage (not applied: no /AS) is OFF are read as poppler shows them', async () => {
    // poppler (and Acrobat, which applies a usage only through /AS) shows the layer on screen;
    // pdf.js, OCR's renderer, hides it by its view usage.
    const pdf = await printedOnly(undefined, { on: true, auto: false });
    expect(popplerTopInk(pdf, 'view-usage')).toBeGreaterThan(50);
    expect(await pdfjsTopInk(pdf)).toBe(0);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'view-usage.pdf'));
    expect(result.code).toBe('DOCUMENT_CONTENT_FORBIDDEN');
    expect(result.error?.params).toMatchObject({ term: '合同', page: 1 });
  });
  it('harmless clauses with a printed-only watermark layer (内部资料) are sealed; a layer without a usage adds no reading', async () => {
    const pdf = await printedOnly(['内部资料', '仅供参考']);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).layerViews?.length).toBe(1);
    expect((await outcome(suite.fx.request(suite.seal.seal, pdf, 'print-watermark.pdf'))).code).toBe('sealed');
    // A layer without a usage (the white cover above): every reader shows it the same way.
    expect(textLayerFacts(PdfDocument.open(await picturedUnderCover('ocg')), 0).layerViews).toBeUndefined();
  });
  it.each([
    ['a shading (sh) clipped to the cover', 'none-sh'],
    ['a shading pattern filling the cover', 'none-pattern'],
  ] as const)('exploit: a white cover painted by %s in a Separation of None leaves the page unreadable', async (_what, cover) => {
    const pdf = await picturedUnderCover(cover);
    // Painting in the colorant None has no effect (ISO 32000-1 §8.6.6.4): a conforming reader
    // shows the page as it is without the cover, the contract. poppler, MuPDF and pdf.js (OCR's
    // renderer) paint a shading in None in its alternate colour, white: readers differ, and no
    // rendering shows OCR what the others show.
    expect(popplerTopInk(await picturedUnderCover('bare'), 'bare')).toBeGreaterThan(50);
    expect(await pdfjsTopInk(pdf)).toBeLessThan(5);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, `${cover}.pdf`));
    expect(result.code).toBe('SCANNED_PAGE_UNREADABLE');
    expect(result.error?.params).toMatchObject({ page: 1 });
    expect(String(result.error?.params?.['why'])).toMatch(/colorant None/u);
  });
  it('exploit: characters stroked in white (Tr 1, 1 G) under the title\'s characters are white text', async () => {
    const pdf = await onePage((_doc, _font, hex) => ({ contents: [`${overNoise(hex, (x, y, size) => `q 1 G 1 Tr BT /F1 ${size} Tf ${x} ${y} Td ${hex('通')} Tj ET Q`)}\n${clauses(hex)}`] }));
    expect(popplerTopInk(pdf, 'white-stroke')).toBeGreaterThan(50);
    expect(textLayerFacts(PdfDocument.open(pdf), 0).suspicions.map((s) => s.kind)).toEqual(['white-text']);
    const result = await outcome(suite.fx.request(suite.seal.seal, pdf, 'white-stroke-noise.pdf'));
    expect(['TEXT_LAYER_MISMATCH', 'DOCUMENT_CONTENT_FORBIDDEN']).toContain(result.code);
    expect(result.error?.params).toMatchObject({ page: 1 });
  });
});

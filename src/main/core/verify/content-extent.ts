/**
 * Where a page's content draws, roughly: the boxes of its painted paths, text runs, images
 * and form XObjects, in default user space. Used to tell a later signature widget drawn on
 * blank paper (allowed) from one drawn over what the signer saw (a change, issue #11 class 5).
 *
 * Deliberately generous: a text run is as wide as one em per glyph, a form XObject is its
 * whole /BBox, a shading fills the page. Overestimating the content only makes the verifier
 * stricter. Bounded: past CONTENT_EXTENT_MAX_TOKENS tokens the whole page counts as content.
 */
import { ByteReader, IDENTITY, InMemoryPdfBytes, Lexer, multiply, PdfArray, PdfStream, type Matrix, type PdfRef, type PdfRevisionView, type Token } from '../pdf/index';

export type Box = readonly [number, number, number, number];

/** Tokens read from one page's content before giving up and calling the whole page content. */
export const CONTENT_EXTENT_MAX_TOKENS = 2_000_000;
/** Content boxes kept per page; more are merged into their union. */
export const CONTENT_EXTENT_MAX_BOXES = 20_000;



function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

function boxOf(m: Matrix, x0: number, y0: number, x1: number, y1: number): Box {
  const points = [apply(m, x0, y0), apply(m, x1, y0), apply(m, x0, y1), apply(m, x1, y1)];
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function numbers(stack: Token[], count: number): number[] | undefined {
  if (stack.length < count) return undefined;
  const out: number[] = [];
  for (let i = stack.length - count; i < stack.length; i++) {
    const token = stack[i] as Token;
    if (token.kind !== 'number') return undefined;
    out.push(token.value);
  }
  return out;
}

/** The page's content boxes, or 'page' when the whole page must be taken as drawn on. */
export function pageContentBoxes(view: PdfRevisionView, pageRef: PdfRef): Box[] | 'page' {
  const page = view.resolveDict(pageRef);
  if (!page) return [];
  const attributes = view.pageAttributes(pageRef);
  const resources = attributes.resources;
  const fonts = view.resolveDict(resources?.get('Font'));
  const xobjects = view.resolveDict(resources?.get('XObject'));
  const contents = view.resolve(page.get('Contents'));
  const streams: PdfStream[] = [];
  if (contents instanceof PdfStream) streams.push(contents);
  else if (contents instanceof PdfArray) for (const item of contents.items) {
    const stream = view.resolve(item);
    if (stream instanceof PdfStream) streams.push(stream);
  }
  const boxes: Box[] = [];
  let union: Box | undefined;
  const add = (box: Box): void => {
    if (!Number.isFinite(box[0] + box[1] + box[2] + box[3])) return;
    union = union ? [Math.min(union[0], box[0]), Math.min(union[1], box[1]), Math.max(union[2], box[2]), Math.max(union[3], box[3])] : box;
    if (boxes.length < CONTENT_EXTENT_MAX_BOXES) boxes.push(box);
  };
  let tokens = 0;
  for (const stream of streams) {
    const data = view.document.decodedStreamData(stream, view);
    const lexer = new Lexer(new ByteReader(new InMemoryPdfBytes(data)), 0);
    let ctm: Matrix = [...IDENTITY];
    const saved: Matrix[] = [];
    let tm: Matrix = [...IDENTITY];
    let tlm: Matrix = [...IDENTITY];
    let fontSize = 12;
    let leading = 0;
    let twoByte = false;
    let path: Box | undefined;
    const point = (x: number, y: number): void => {
      const [px, py] = apply(ctm, x, y);
      path = path ? [Math.min(path[0], px), Math.min(path[1], py), Math.max(path[2], px), Math.max(path[3], py)] : [px, py, px, py];
    };
    const showText = (glyphs: number): void => {
      const width = glyphs * fontSize;
      add(boxOf(multiply(tm, ctm), 0, -0.3 * fontSize, width, fontSize));
      tm = multiply([1, 0, 0, 1, width, 0], tm);
    };
    const stringGlyphs = (token: Token | undefined): number => (token?.kind === 'string' ? Math.ceil(token.value.bytes.length / (twoByte ? 2 : 1)) : 0);
    const stack: Token[] = [];
    let arrayGlyphs = 0;
    let inArray = false;
    for (;;) {
      if (++tokens > CONTENT_EXTENT_MAX_TOKENS) return 'page';
      let token: Token;
      try {
        token = lexer.next();
      } catch {
        return 'page';
      }
      if (token.kind === 'eof') break;
      if (token.kind === 'punct') {
        if (token.value === '[') {
          inArray = true;
          arrayGlyphs = 0;
        } else if (token.value === ']') inArray = false;
        continue;
      }
      if (inArray) {
        arrayGlyphs += stringGlyphs(token);
        continue;
      }
      if (token.kind !== 'keyword') {
        stack.push(token);
        if (stack.length > 64) stack.shift();
        continue;
      }
      const op = token.value;
      const n = (count: number): number[] | undefined => numbers(stack, count);
      switch (op) {
        case 'q':
          saved.push([...ctm]);
          break;
        case 'Q':
          ctm = saved.pop() ?? [...IDENTITY];
          break;
        case 'cm': {
          const m = n(6);
          if (m) ctm = multiply(m as Matrix, ctm);
          break;
        }
        case 're': {
          const r = n(4);
          if (r) {
            const [x, y, w, h] = r as [number, number, number, number];
            point(x, y);
            point(x + w, y);
            point(x, y + h);
            point(x + w, y + h);
          }
          break;
        }
        case 'm':
        case 'l': {
          const p = n(2);
          if (p) point(p[0] as number, p[1] as number);
          break;
        }
        case 'c':
        case 'v':
        case 'y': {
          const count = op === 'c' ? 6 : 4;
          const p = n(count);
          if (p) for (let i = 0; i < count; i += 2) point(p[i] as number, p[i + 1] as number);
          break;
        }
        case 'S': case 's': case 'f': case 'F': case 'f*': case 'B': case 'B*': case 'b': case 'b*':
          if (path) add(path);
          path = undefined;
          break;
        case 'n':
          path = undefined;
          break;
        case 'sh':
          return 'page';
        case 'BT':
          tm = [...IDENTITY];
          tlm = [...IDENTITY];
          break;
        case 'Tf': {
          const size = stack[stack.length - 1];
          const fontName = stack[stack.length - 2];
          if (size?.kind === 'number') fontSize = Math.abs(size.value) || 12;
          if (fontName?.kind === 'name') {
            const font = view.resolveDict(fonts?.get(fontName.value));
            twoByte = font?.getName('Subtype') === 'Type0';
          }
          break;
        }
        case 'TL': {
          const l = n(1);
          if (l) leading = l[0] as number;
          break;
        }
        case 'Td':
        case 'TD': {
          const p = n(2);
          if (p) {
            if (op === 'TD') leading = -(p[1] as number);
            tlm = multiply([1, 0, 0, 1, p[0] as number, p[1] as number], tlm);
            tm = [...tlm];
          }
          break;
        }
        case 'Tm': {
          const m = n(6);
          if (m) {
            tlm = m as Matrix;
            tm = [...tlm];
          }
          break;
        }
        case 'T*':
          tlm = multiply([1, 0, 0, 1, 0, -leading], tlm);
          tm = [...tlm];
          break;
        case 'Tj':
          showText(stringGlyphs(stack[stack.length - 1]));
          break;
        case "'":
        case '"':
          tlm = multiply([1, 0, 0, 1, 0, -leading], tlm);
          tm = [...tlm];
          showText(stringGlyphs(stack[stack.length - 1]));
          break;
        case 'TJ':
          showText(arrayGlyphs);
          arrayGlyphs = 0;
          break;
        case 'Do': {
          const nameToken = stack[stack.length - 1];
          const xobject = nameToken?.kind === 'name' ? view.resolve(xobjects?.get(nameToken.value)) : undefined;
          if (xobject instanceof PdfStream && xobject.dict.getName('Subtype') === 'Form') {
            const bbox = view.resolveArray(xobject.dict.get('BBox'))?.items.map((v) => (typeof v === 'number' ? v : 0)) ?? [0, 0, 0, 0];
            const matrixItems = view.resolveArray(xobject.dict.get('Matrix'))?.items;
            const matrix = matrixItems?.length === 6 && matrixItems.every((v) => typeof v === 'number') ? (matrixItems as Matrix) : IDENTITY;
            add(boxOf(multiply(matrix, ctm), Math.min(bbox[0] ?? 0, bbox[2] ?? 0), Math.min(bbox[1] ?? 0, bbox[3] ?? 0), Math.max(bbox[0] ?? 0, bbox[2] ?? 0), Math.max(bbox[1] ?? 0, bbox[3] ?? 0)));
          } else add(boxOf(ctm, 0, 0, 1, 1));
          break;
        }
        case 'ID': {
          // Inline image data: skip to EI; the image fills the unit square.
          add(boxOf(ctm, 0, 0, 1, 1));
          let at = lexer.pos;
          while (at + 2 < data.length && !(data[at] === 0x45 && data[at + 1] === 0x49 && (at === 0 || data[at - 1] === 0x20 || data[at - 1] === 0x0a || data[at - 1] === 0x0d))) at++;
          lexer.pos = at + 2;
          break;
        }
        default:
          break;
      }
      stack.length = 0;
    }
  }
  if (boxes.length >= CONTENT_EXTENT_MAX_BOXES && union) return [union];
  return boxes;
}

/** Whether `rect` (an annotation /Rect) overlaps any content box by more than a hairline. */
export function coversContent(boxes: Box[] | 'page', rect: Box): boolean {
  if (boxes === 'page') return true;
  const [x0, y0, x1, y1] = [Math.min(rect[0], rect[2]), Math.min(rect[1], rect[3]), Math.max(rect[0], rect[2]), Math.max(rect[1], rect[3])];
  return boxes.some((b) => Math.min(x1, b[2]) - Math.max(x0, b[0]) > 0.5 && Math.min(y1, b[3]) - Math.max(y0, b[1]) > 0.5);
}

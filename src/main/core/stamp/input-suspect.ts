/**
 * The stamping gate's STAMP_INPUT_SUSPECT check (issue #11; U2: what is sealed is what a
 * person sees, and stays so): a document prepared to change what it shows after sealing is
 * refused before anything is signed. The traps (dangling references, references to free
 * objects, duplicate cross-reference entries, a signature removed in a later revision, info,
 * metadata or DSS data a page also draws, a cross-reference section no /Prev reaches) are
 * found by core/pdf/traps.ts; the verifier judges the same
 * facts after a seal (core/verify/changes.ts). The refusal names what was found: kinds and
 * object numbers and byte offsets, in the message and in the error's params (JSON).
 */
import { YinjianError } from '../../../shared/errors/index';
import { PdfDict, PdfRef, describeTraps, findInputTraps, type InputTrap, type PdfDocument } from '../pdf/index';
import type { PageText, TextRun } from '../policy/document-text';
import { isSignatureWidget } from '../policy/content-text';
import { frameOf, userToDisplayed } from './page-frame';
import { pagesOf } from './page-list';

const KIND_ZH: Record<string, string> = {
  'dangling-reference': '引用了未定义的对象',
  'free-referenced': '引用了已释放的对象',
  'duplicate-xref-entry': '交叉引用表对同一对象有多个条目',
  'signature-removed': '早先修订版中的签名已被移除',
  'info-drawn': '文档信息（Info）对象同时被页面使用',
  'metadata-drawn': 'XMP 元数据对象同时被页面使用',
  'dss-drawn': '验证数据（DSS）中的对象同时被页面使用',
  'hidden-xref-section': '文件中有未接入交叉引用链（/Prev）的交叉引用段',
};

export function assertNoInputTraps(document: PdfDocument): void {
  refuseTraps(findInputTraps(document));
}

function refuseTraps(traps: readonly InputTrap[]): void {
  if (traps.length === 0) return;
  const zh = traps
    .map((t) => {
      const what = [t.objects.length > 0 ? `对象 ${t.objects.join('、')}` : '', t.offsets && t.offsets.length > 0 ? `字节偏移 ${t.offsets.join('、')}` : ''].filter((x) => x !== '').join('，');
      const more = t.count > Math.max(t.objects.length, t.offsets?.length ?? 0) ? ` 等 ${t.count} 处` : '';
      return `${KIND_ZH[t.kind] ?? t.kind}（${what}${more}，${t.page !== undefined ? `第 ${t.page} 页` : `修订版 ${t.revision}`}）`;
    })
    .join('；');
  const offsets = traps.flatMap((t) => t.offsets ?? []);
  throw new YinjianError('STAMP_INPUT_SUSPECT', {
    found: describeTraps(traps),
    foundZh: zh,
    kinds: [...new Set(traps.map((t) => t.kind))].join(','),
    objects: [...new Set(traps.flatMap((t) => t.objects))].sort((a, b) => a - b).join(','),
    ...(offsets.length > 0 ? { offsets: offsets.join(',') } : {}),
  });
}

/**
 * Characters a signature line is drawn with when it is typed: white space and leaders
 * (签发人：＿＿＿＿, Signature: ........). A widget over them is on the line, not over text.
 */
const LEADER = /[\s_＿.．。·…‥\-‐‒–—―─━=～~]/u;

/** A run counts as covered when the widget overlaps at least this share of its height. */
const COVERED_HEIGHT_SHARE = 0.5;

type Box = readonly [number, number, number, number];

/**
 * The parts of a run that are text, not leaders, as boxes on the displayed page (baseline at
 * y, descent and ascent from the size). A run is one string as shown ("签发人：______" is one):
 * its width is shared among its characters as they are usually drawn (CJK and full-width forms
 * one em, others about half), so a label and the typed line after it fall apart.
 */
function textBoxes(run: TextRun): Box[] {
  const chars = Array.from(run.text);
  const weights = chars.map((c) => ((c.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.55));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || !(run.width > 0) || !(run.fontSize > 0)) return [];
  const boxes: Box[] = [];
  const [y0, y1] = [run.y - 0.2 * run.fontSize, run.y + 0.8 * run.fontSize];
  let x = run.x;
  let start: number | undefined;
  chars.forEach((c, i) => {
    const advance = ((weights[i] as number) / total) * run.width;
    if (LEADER.test(c)) {
      if (start !== undefined) boxes.push([start, y0, x, y1]);
      start = undefined;
    } else start ??= x;
    x += advance;
  });
  if (start !== undefined) boxes.push([start, y0, x, y1]);
  return boxes;
}

/** Whether the widget box covers text: half its height, and half a glyph's width (or all of a narrower piece). */
function covers(box: Box, text: Box, fontSize: number): boolean {
  const across = Math.min(box[2], text[2]) - Math.max(box[0], text[0]);
  const up = Math.min(box[3], text[3]) - Math.max(box[1], text[1]);
  return up >= COVERED_HEIGHT_SHARE * (text[3] - text[1]) && across > 0 && across >= Math.min(text[2] - text[0], 0.5 * fontSize);
}

/** The field dictionary's value (/V), inherited from its parents (§12.7.3.1). */
function fieldValue(document: PdfDocument, widget: PdfDict): unknown {
  let field: PdfDict | undefined = widget;
  for (let depth = 0; field && depth < 16; depth++) {
    const value = field.get('V');
    if (value !== undefined && value !== null) return document.latest.resolve(value) ?? undefined;
    field = document.latest.resolveDict(field.get('Parent'));
  }
  return undefined;
}

/**
 * Class 15 (test/attacks): an empty signature field whose widget lies over the page's text.
 * Nothing is drawn for it at sealing; a later signature of that field draws its appearance
 * there, and a white one hides what was sealed. The verifier now calls that MODIFIED; the
 * stamping gate refuses such an input before (U1, U2: the seal vouches for what the page shows).
 * A custodian's forms have empty signature fields too, on a blank signature line beside its
 * label: only a widget that covers text (half a glyph's height and width, leaders such as
 * ＿＿＿ or …… not counted) is refused; one beside its label, on a ruled or typed line or in a
 * blank margin, is not. `pages` are the gate's reading of each page (text layer or OCR), in
 * displayed-page coordinates (document-text.ts).
 */
export function assertNoSignatureFieldOverText(document: PdfDocument, pages: readonly PageText[]): void {
  const pageRefs = pagesOf(document);
  const traps: InputTrap[] = [];
  const latest = document.revisions.length - 1;
  for (const text of pages) {
    const pageRef = pageRefs[text.pageIndex];
    const page = pageRef ? document.latest.resolveDict(pageRef) : undefined;
    const annots = page ? document.latest.resolveArray(page.get('Annots')) : undefined;
    if (!pageRef || !annots) continue;
    const nums: number[] = [];
    const frame = frameOf(document.pageAttributes(pageRef), text.pageIndex);
    const boxes: Box[] = [];
    for (const item of annots.items) {
      const widget = document.latest.resolveDict(item);
      if (!(item instanceof PdfRef) || !widget || !isSignatureWidget(document, widget) || fieldValue(document, widget) !== undefined) continue;
      const rect = document.latest.resolveArray(widget.get('Rect'))?.items.map((v) => document.latest.resolve(v));
      if (!rect || rect.length !== 4 || !rect.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) continue;
      const [a, b] = [userToDisplayed(frame, rect[0] as number, rect[1] as number), userToDisplayed(frame, rect[2] as number, rect[3] as number)];
      const box = [Math.min(a.u, b.u), Math.min(a.v, b.v), Math.max(a.u, b.u), Math.max(a.v, b.v)] as const;
      if (box[2] - box[0] < 0.5 || box[3] - box[1] < 0.5) continue; // an invisible signature's field
      boxes.push(box);
      nums.push(item.num);
    }
    if (boxes.length === 0) continue;
    const pieces = text.runs.flatMap((run) => textBoxes(run).map((box) => ({ box, fontSize: run.fontSize })));
    const over = nums.filter((_, i) => pieces.some((piece) => covers(boxes[i] as Box, piece.box, piece.fontSize)));
    if (over.length > 0) traps.push({ kind: 'signature-field-over-text', objects: over.slice(0, 16), count: over.length, revision: latest, page: text.pageIndex + 1 });
  }
  const first = traps[0];
  if (first === undefined) return;
  // Its own code: the custodian's remedy is to move or remove the field, not to regenerate the file.
  throw new YinjianError('STAMP_SIGNATURE_FIELD_OVER_TEXT', {
    page: first.page ?? 1,
    objects: first.objects.join(','),
    kinds: 'signature-field-over-text',
    pages: traps.map((t) => t.page ?? 1).join(','),
  });
}

/**
 * U2 on what a person sees: every page is read, by its text layer where that layer can be
 * trusted, by OCR where it is missing (a scan, text drawn as outlines) or suspect (a ToUnicode
 * map that contradicts the font, invisible or white text, text under an image; text-layer.ts).
 *
 * Order, cheapest first: (1) the trusted text layers of all pages are classified, and a
 * forbidden finding there refuses at once, no OCR needed; (2) the pages that need it are read
 * by OCR, one at a time, with progress and a stop; (3) a suspect page whose layer and OCR
 * disagree on a forbidden kind is TEXT_LAYER_MISMATCH; (4) the whole document, each page by
 * the text that stands for it, is classified again (a contract's parties may straddle a
 * scanned and a text page).
 *
 * A page OCR cannot read with enough confidence is SCANNED_PAGE_UNREADABLE, naming the page
 * and why, unless the office allows scanned documents (a published setting,
 * core/office/scanned-documents.ts): then it is SCANNED_PAGE_CONFIRMATION_REQUIRED until the
 * custodian confirms this document; that confirmation is the caller's to record (audited).
 */
import { YinjianError } from '../../../shared/errors/index';
import { DEFAULT_DENY_LIST, classifyDocumentText, normaliseForMatching, type DeniedDocumentKind, type DocumentTextVerdict } from './document-type';
import type { PageText } from './document-text';
import type { LayerView } from './optional-content';
import type { TextLayerFacts } from './text-layer';

/** What OCR read on one rendered page, positioned like a text layer (displayed page, points). */
export interface OcrPageText {
  readonly text: PageText;
  /** Mean word confidence, 0–100 (tesseract's). */
  readonly confidence: number;
  /** Share of dark pixels of the rendered page: a blank page has (almost) none. */
  readonly inkRatio: number;
  /** Characters read, spaces excluded. */
  readonly characters: number;
  /** Each line's confidence, 0–100, in the order of `text.runs` (one run a line); absent: not known. */
  readonly lineConfidence?: readonly number[];
}

export interface OcrOptions {
  readonly signal?: AbortSignal;
  /** Draw the page's optional content this way (printed, another reader's screen) instead of the default. */
  readonly view?: LayerView;
}

/** The gate's view of a document: its text layer, the layer's facts, and OCR when available. */
export interface GatePageSource {
  readonly pageCount: number;
  layer(pageIndex: number): Promise<PageText>;
  facts(pageIndex: number): TextLayerFacts;
  /** Undefined when no OCR engine is configured: pages that need OCR are then unreadable. */
  readonly ocr?: (pageIndex: number, options: OcrOptions) => Promise<OcrPageText>;
}

export interface GateProgress {
  /** Pages done of `pages`; `ocrDone` of `ocrPages` read by OCR. */
  readonly pages: number;
  readonly ocrPages: number;
  readonly ocrDone: number;
  /** 1-based page being read by OCR, if any. */
  readonly current?: number;
}

export interface DocumentGateOptions {
  readonly denyList?: readonly DeniedDocumentKind[];
  /**
   * The office's published setting allows scanned documents AND the custodian confirmed this
   * one: pages OCR cannot read are then let through (and listed in the result, for the audit).
   */
  readonly scannedConfirmed?: boolean;
  /**
   * The office's published setting allows scanned documents, but the custodian has not (yet)
   * confirmed this one: every page is still read (a page that reads as a contract refuses as
   * such), then unreadable pages refuse with SCANNED_PAGE_CONFIRMATION_REQUIRED, not
   * SCANNED_PAGE_UNREADABLE, so the window can ask for the confirmation.
   */
  readonly scannedAllowed?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: GateProgress) => void;
}

export interface DocumentGateResult {
  readonly verdict: Extract<DocumentTextVerdict, { forbidden: false }>;
  /** 1-based pages read by OCR. */
  readonly ocrPages: readonly number[];
  /** 1-based pages OCR could not read, let through on the custodian's confirmation. */
  readonly unreadablePages: readonly number[];
  /** The text that stood for each page (layer or OCR), in page order. */
  readonly pages: readonly PageText[];
}

/**
 * At least this many outline segments in a page's painted paths (curves, and straight segments
 * of filled paths: content-text.ts) may be words drawn as outlines (a Chinese character's outline
 * is 10–40 curves, more as a polygon; a circle 4 curves, a pie chart's slice 2–4): the page is
 * read by OCR beside its layer.
 */
export const MIN_OUTLINE_SEGMENTS = 40;
/** Fewer characters than this in a page's layer: the page has no usable text layer. */
export const MIN_LAYER_CHARACTERS = 8;
/** Below this share of dark pixels a rendered page is blank: nothing to read. */
export const BLANK_INK_RATIO = 0.002;
/** Mean OCR word confidence below which a page is not read with enough confidence. */
export const MIN_OCR_CONFIDENCE = 60;
/** A page with ink on which OCR reads fewer characters is not read at all. */
const MIN_OCR_CHARACTERS = 4;

/** Characters of a page's layer, white space (U+3000 included) not counted; stops at `enough`. */
function characters(page: PageText, enough = Infinity): number {
  let n = 0;
  for (const run of page.runs) {
    const text = run.text;
    for (let k = 0; k < text.length; k++) if (!WHITE_SPACE.test(text[k] as string)) n++;
    if (n >= enough) return n;
  }
  return n;
}

const WHITE_SPACE = /[\s\u3000]/u;

function stopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new YinjianError('STAMP_BATCH_STOPPED', {});
}

const SUSPICION_LABEL: Readonly<Record<string, string>> = {
  'to-unicode-mismatch': 'ToUnicode 与字体字符表不一致 ToUnicode contradicts the font',
  'unmapped-glyphs': '字形无映射 glyphs without mapping',
  'invisible-text': '不可见文字 invisible text',
  'white-text': '白色文字 white text',
  'text-under-image': '文字被图像覆盖 text under an image',
};

/** U2 over every page; throws DOCUMENT_CONTENT_FORBIDDEN, TEXT_LAYER_MISMATCH or SCANNED_PAGE_UNREADABLE. */
export async function gateDocumentText(source: GatePageSource, options: DocumentGateOptions = {}): Promise<DocumentGateResult> {
  const { denyList, signal } = options;
  const layers: PageText[] = [];
  // `beside`: the page's layer is trusted, but the page also shows images that may carry text
  // the layer does not have: OCR reads the page too, and both readings count.
  // `view`: the page drawn with its optional content as another reader shows it (printed, say).
  const needsOcr: { index: number; suspect: string | undefined; beside?: true; unrenderable?: true; view?: LayerView }[] = [];
  for (let i = 0; i < source.pageCount; i++) {
    stopped(signal);
    const layer = await source.layer(i);
    layers.push(layer);
    const facts = source.facts(i);
    const suspect = facts.suspicions[0];
    // U2: shapes filled with the colorant None are drawn by some viewers and not by others
    // (poppler and Acrobat: nothing; pdf.js, our OCR's renderer: the alternate colour), so no
    // rendering shows OCR what every reader sees: a white cover so filled hid a pictured title.
    if ((facts.noneFills ?? 0) > 0) needsOcr.push({ index: i, suspect: `以不着色的 None 色料绘制的图形或渐变 ${facts.noneFills} shapes or shadings painted in the colorant None, which viewers draw differently`, unrenderable: true });
    else if (suspect) needsOcr.push({ index: i, suspect: `${SUSPICION_LABEL[suspect.kind] ?? suspect.kind}: ${suspect.detail}` });
    // A scan, text drawn as outlines, or an empty page: what shows is only known by looking.
    else if (characters(layer, MIN_LAYER_CHARACTERS) < MIN_LAYER_CHARACTERS) needsOcr.push({ index: i, suspect: undefined });
    // A contract's title and parties pasted in as a picture above a text layer of harmless
    // clauses were sealed unread: a page showing an image that can hold text is looked at too.
    // So are the title and parties drawn as outlines (filled or curved paths) beside such a layer,
    // and text in a Type3 font, whose glyphs draw what they like while its ToUnicode says
    // something else (a contract's title and parties read as 关于报送… were sealed).
    else if (facts.textImages > 0 || facts.outlineSegments >= MIN_OUTLINE_SEGMENTS || facts.type3Shows > 0) needsOcr.push({ index: i, suspect: undefined, beside: true });
    // A picture in a layer hidden on screen and shown when printed (a contract's title and
    // parties over harmless clauses) was sealed: the page is also read as printed, and as any
    // other reader shows its layers; each reading counts beside what stands for the page.
    for (const view of facts.layerViews ?? []) needsOcr.push({ index: i, suspect: undefined, beside: true, view });
  }
  // (1) The trusted layers alone: a refusal here needs no OCR.
  const suspectPages = new Set(needsOcr.filter((p) => p.suspect !== undefined).map((p) => p.index));
  const trusted = layers.filter((page) => !suspectPages.has(page.pageIndex));
  const first = classifyDocumentText(trusted, denyList);
  if (first.forbidden) throwForbidden(first);
  options.onProgress?.({ pages: source.pageCount, ocrPages: needsOcr.length, ocrDone: 0 });

  // (2) OCR, page by page.
  const standing = [...layers];
  const ocrPages: number[] = [];
  const unreadablePages: number[] = [];
  let unreadableWhy: string | undefined;
  let done = 0;
  for (const { index, suspect, beside, unrenderable, view } of needsOcr) {
    stopped(signal);
    const page = index + 1;
    options.onProgress?.({ pages: source.pageCount, ocrPages: needsOcr.length, ocrDone: done, current: page });
    stopped(signal);
    if (!source.ocr || unrenderable) {
      const why = suspect ?? '无可用文字层且未配置文字识别 no text layer and no OCR engine';
      if (options.scannedConfirmed || options.scannedAllowed) {
        unreadablePages.push(page);
        unreadableWhy ??= why;
        done++;
        continue;
      }
      throw new YinjianError('SCANNED_PAGE_UNREADABLE', { page, why });
    }
    const read = await source.ocr(index, { ...(signal ? { signal } : {}), ...(view ? { view } : {}) });
    done++;
    if (!ocrPages.includes(page)) ocrPages.push(page);
    if (read.inkRatio < BLANK_INK_RATIO) continue; // a blank page (at most a page number)
    // What the page shows decides first: a title read through speckles still refuses, even when
    // the page as a whole is read with little confidence.
    const byEye = classifyDocumentText([read.text], denyList);
    if (suspect !== undefined) {
      // (3) The layer claims one thing, the page shows another.
      const byLayer = classifyDocumentText([layers[index] as PageText], denyList);
      if (byLayer.forbidden !== byEye.forbidden) {
        throw new YinjianError('TEXT_LAYER_MISMATCH', {
          page,
          layer: byLayer.forbidden ? byLayer.term : '—',
          shown: byEye.forbidden ? byEye.term : '—',
          why: suspect,
        });
      }
    }
    if (byEye.forbidden) throwForbidden(byEye, view?.label);
    const doubtful = doubtfulForbiddenLine(read, denyList);
    // Beside a trusted layer, OCR only looks for what the images add: a page it reads poorly on
    // the whole (a photograph, a chart) still has its layer; a forbidden word read in doubt does
    // not pass. A page read more than once (its layers as printed) keeps every reading.
    const seen = beside ? besideLayer(standing[index] as PageText, read.text) : read.text;
    const unreadable =
      doubtful !== undefined
        ? doubtful
        : beside
          ? undefined
          : read.characters < MIN_OCR_CHARACTERS
        ? `识别出 ${read.characters} 个字符 OCR read ${read.characters} characters`
        : read.confidence < MIN_OCR_CONFIDENCE
          ? `识别置信度 ${Math.round(read.confidence)} < ${MIN_OCR_CONFIDENCE} OCR confidence ${Math.round(read.confidence)} < ${MIN_OCR_CONFIDENCE}`
          : undefined;
    if (unreadable !== undefined) {
      const why = suspect ? `${unreadable}; ${suspect}` : unreadable;
      if (options.scannedConfirmed || options.scannedAllowed) {
        // A page in doubt for one line reads well on the whole: what it was read as still counts
        // for the document (its parties with the next page's), as it did before the doubt.
        if (doubtful !== undefined) standing[index] = seen;
        unreadablePages.push(page);
        unreadableWhy ??= why;
        continue;
      }
      throw new YinjianError('SCANNED_PAGE_UNREADABLE', { page, why });
    }
    standing[index] = seen;
  }
  options.onProgress?.({ pages: source.pageCount, ocrPages: needsOcr.length, ocrDone: done });
  // (4) The document as it is seen (with nothing read by OCR, that is what (1) classified).
  const verdict = needsOcr.length === 0 ? first : classifyDocumentText(standing, denyList);
  if (verdict.forbidden) throwForbidden(verdict);
  if (unreadablePages.length > 0 && !options.scannedConfirmed) {
    // The office allows scanned documents: the custodian confirms this one, or it is not sealed.
    throw new YinjianError('SCANNED_PAGE_CONFIRMATION_REQUIRED', { page: unreadablePages.join(', '), why: unreadableWhy ?? '' });
  }
  return { verdict, ocrPages, unreadablePages, pages: standing };
}

/** A page's trusted layer and what OCR read on it, as one page's text (both count for the document). */
function besideLayer(layer: PageText, read: PageText): PageText {
  return { ...layer, runs: [...layer.runs, ...read.runs] };
}

/**
 * U2: a line OCR reads with little confidence that holds a forbidden kind's word (合同, 协议,
 * 委托书, 介绍信 and the office's words, in any of their folded spellings) leaves the page in doubt,
 * however well the rest of the page reads: the words around it (a title's end, 甲方/乙方) may be
 * exactly what was misread. A contract title in a brush face, turned and speckled, read as
 * “房屋租賃合同一 oo at 48 with 甲方/乙方 as (TH)/己方 on a page of mean 65 was let through
 * before this (gate corpus, AR PL UKai). Returns why, or undefined.
 */
function doubtfulForbiddenLine(read: OcrPageText, denyList: readonly DeniedDocumentKind[] = DEFAULT_DENY_LIST): string | undefined {
  const confidence = read.lineConfidence;
  if (confidence === undefined) return undefined;
  const runs = read.text.runs;
  for (let i = 0; i < runs.length; i++) {
    const lineConfidence = confidence[i];
    if (lineConfidence === undefined || lineConfidence >= MIN_OCR_CONFIDENCE) continue;
    const line = normaliseForMatching((runs[i] as { text: string }).text);
    for (const kind of denyList) {
      const word = kind.words.find((w) => line.includes(normaliseForMatching(w)));
      if (word === undefined) continue;
      const c = Math.round(lineConfidence);
      return `含「${kind.term}」的一行识别置信度 ${c} < ${MIN_OCR_CONFIDENCE}，无法确认文种 a line holding "${word}" read with confidence ${c} < ${MIN_OCR_CONFIDENCE}: the document's kind cannot be told`;
    }
  }
  return undefined;
}

const WHERE_LABEL: Readonly<Record<string, string>> = {
  title: '标题 title',
  heading: '独立标题行 stand-alone heading',
  form: '格式条款 form of the document',
};

/** DOCUMENT_CONTENT_FORBIDDEN with the finding itself, so a window can mark the words on their page. */
export class DocumentContentForbidden extends YinjianError {
  /** `shown`: the page read as it shows in another way than on screen by default (as printed, say). */
  constructor(
    readonly finding: Extract<DocumentTextVerdict, { forbidden: true }>,
    shown?: string,
  ) {
    super('DOCUMENT_CONTENT_FORBIDDEN', { term: finding.term, page: finding.page, where: `${WHERE_LABEL[finding.where] ?? finding.where}: ${finding.line}${shown ? ` (${shown})` : ''}` });
  }
}

function throwForbidden(verdict: Extract<DocumentTextVerdict, { forbidden: true }>, shown?: string): never {
  throw new DocumentContentForbidden(verdict, shown);
}

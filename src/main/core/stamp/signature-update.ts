/**
 * The signature as an incremental update (ISO 32000-1 §12.8, ETSI EN 319 142-1 PAdES B-B):
 * only new and changed objects are appended — the signature dictionary, the field and its
 * widget(s) with their appearance, the page(s) /Annots, the AcroForm with /SigFlags 3 — and
 * a cross-reference section chained by /Prev, so every earlier signature keeps covering what
 * it covered. /ByteRange and /Contents are placeholders patched in place after hashing.
 */
import { YinjianError } from '../../../shared/errors/index';
import {
  IncrementalUpdate,
  PdfArray,
  PdfDict,
  PdfName,
  PdfPlaceholder,
  PdfRef,
  PdfStream,
  PdfString,
  type IncrementalUpdateResult,
  type PdfDocument,
  type PdfRevisionView,
  type PlaceholderLocation,
} from '../pdf/index';
import { appearanceStream, type ImpressionDrawing } from './impression';
import { pagesOf } from './page-list';
import { uprightMatrix, type PageRotation } from './page-frame';

/** A widget of the signature on one page: its rectangle (user space) and its slice of the seal. */
export interface WidgetPlacement {
  readonly pageIndex: number;
  readonly rect: readonly [number, number, number, number];
  readonly slice: { readonly index: number; readonly count: number };
  /** The page's display rotation: the appearance is turned back by it so it shows upright (page-frame.ts). */
  readonly rotate?: PageRotation;
}

export interface SignatureDictionaryInfo {
  /** Goes into /M: PAdES B-B carries no signingTime attribute, the time is here. */
  readonly signingTime: Date;
  readonly signerName: string;
  readonly reason: string;
  readonly location: string;
  readonly contactInfo: string;
}

export interface PreparedSignature {
  readonly fieldName: string;
  readonly result: IncrementalUpdateResult;
  readonly byteRange: PlaceholderLocation;
  readonly contents: PlaceholderLocation;
  /** Bytes the DER signature may take. */
  readonly contentsRoom: number;
  readonly pageCount: number;
}

/** Widget flags: Print (bit 3) and Locked (bit 8): printed, and not movable or deletable in a viewer. */
const WIDGET_FLAGS = 4 | 128;

/** PDF date (§7.9.4) in UTC. */
export function pdfDate(time: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(time.getUTCFullYear(), 4)}${p(time.getUTCMonth() + 1)}${p(time.getUTCDate())}${p(time.getUTCHours())}${p(time.getUTCMinutes())}${p(time.getUTCSeconds())}+00'00'`;
}

/** 印章1, 印章2, …: the first name no field of the document uses yet. */
export function nextSealFieldName(document: PdfDocument): string {
  const taken = new Set(document.formFields().map((f) => f.fullName));
  const roots = document.latest.resolveArray(document.latest.resolveDict(document.catalog().get('AcroForm'))?.get('Fields'))?.items ?? [];
  for (const root of roots) {
    const t = document.latest.resolveDict(root)?.getString('T');
    if (t) taken.add(t.text);
  }
  for (let n = 1; ; n++) if (!taken.has(`印章${n}`)) return `印章${n}`;
}

function text(value: string): PdfString {
  return PdfString.fromText(value);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The page as this update will write it (an earlier step of the same update may have changed it). */
function currentDict(update: IncrementalUpdate, view: PdfRevisionView, ref: PdfRef): PdfDict | undefined {
  const pending = update.pending(ref);
  return pending instanceof PdfDict ? pending : view.resolveDict(ref);
}

function contentStreamOf(operators: string): PdfStream {
  return PdfStream.withData(new PdfDict(), new TextEncoder().encode(operators));
}

/**
 * Draws a seam slice into the page's own content, inside the signed revision: the page's
 * existing content is wrapped in q … Q (its graphics state cannot leak into ours), then the
 * slice's form XObject is painted at the slice's /Rect with the same placement the widget
 * appearance algorithm would use (§12.5.5: the form's BBox, turned by its /Matrix, fitted
 * into the rectangle). The page gets its own /Resources (a copy of the inherited ones plus
 * the form), so pages that shared a resource dictionary are not changed by the copy.
 */
function drawSliceOnPage(update: IncrementalUpdate, view: PdfRevisionView, pageRef: PdfRef, slice: WidgetPlacement, form: PdfRef, drawing: ImpressionDrawing, fieldName: string): void {
  const pageDict = currentDict(update, view, pageRef);
  if (!pageDict) throw new YinjianError('PDF_MALFORMED', { detail: `page ${slice.pageIndex + 1} is not a dictionary` });
  const inherited = view.pageAttributes(pageRef).resources ?? new PdfDict();
  const xobjects = view.resolveDict(inherited.get('XObject')) ?? new PdfDict();
  let name = 'YjSeam1';
  for (let n = 1; xobjects.has(name); n++) name = `YjSeam${n}`;
  const resources = inherited.with('XObject', xobjects.with(name, form));

  const sliceWidth = drawing.widthPt / slice.slice.count;
  const matrix = uprightMatrix(slice.rotate ?? 0);
  const corners = [
    [0, 0],
    [sliceWidth, 0],
    [0, drawing.heightPt],
    [sliceWidth, drawing.heightPt],
  ].map(([x, y]) => [matrix[0] * (x as number) + matrix[2] * (y as number) + matrix[4], matrix[1] * (x as number) + matrix[3] * (y as number) + matrix[5]] as const);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const [bx1, by1, bx2, by2] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const [rx1, ry1, rx2, ry2] = slice.rect.map(round3) as [number, number, number, number];
  const sx = (rx2 - rx1) / (bx2 - bx1 || 1);
  const sy = (ry2 - ry1) / (by2 - by1 || 1);
  const f = (v: number): string => (Math.round(v * 10000) / 10000).toString();
  const head = update.add(contentStreamOf('q\n'));
  const tail = update.add(contentStreamOf(`\nQ\n% ${fieldName}: seam slice ${slice.slice.index + 1}/${slice.slice.count}\nq ${f(sx)} 0 0 ${f(sy)} ${f(rx1 - bx1 * sx)} ${f(ry1 - by1 * sy)} cm /${name} Do Q\n`));
  const contents = pageDict.get('Contents');
  const existing = contents === undefined ? [] : (view.resolveArray(contents)?.items ?? [contents]);
  update.put(pageRef, pageDict.with('Contents', new PdfArray([head, ...existing, tail])).with('Resources', resources));
}

/** ETSI EN 319 142-1 §5.6 / ISO 32000-2: the catalog declares the ESIC extension, base 1.7, level 2. */
function withEsicExtension(catalog: PdfDict, view: PdfRevisionView): PdfDict {
  const extensions = view.resolveDict(catalog.get('Extensions')) ?? new PdfDict();
  const esic = view.resolveDict(extensions.get('ESIC'));
  if (esic && esic.getName('BaseVersion') === '1.7' && (esic.getInteger('ExtensionLevel') ?? 0) >= 2) return catalog;
  return catalog.with('Extensions', extensions.with('ESIC', PdfDict.of({ BaseVersion: PdfName.of('1.7'), ExtensionLevel: 2 })));
}

/** Builds the update; the caller patches /ByteRange and /Contents in `result.appended`. */
/** Appends annotations to a page's /Annots (seal widgets, document-timestamp fields). */
export function appendAnnotations(update: IncrementalUpdate, view: PdfRevisionView, pageRef: PdfRef, pageDict: PdfDict, refs: readonly PdfRef[]): void {
  const annots = pageDict.get('Annots');
  const updated = new PdfArray([...(view.resolveArray(annots)?.items ?? []), ...refs]);
  // Keep an indirect /Annots array where it is: only that array changes, not the page.
  if (annots instanceof PdfRef && view.resolveArray(annots)) update.put(annots, updated);
  else update.put(pageRef, pageDict.with('Annots', updated));
}

/**
 * Lists a signature field in /AcroForm /Fields and sets SigFlags; `extendCatalog` may change the
 * catalog in the same update (the seal adds the ESIC extension, a document timestamp does not).
 */
export function addSignatureField(update: IncrementalUpdate, document: PdfDocument, field: PdfRef, extendCatalog: (catalog: PdfDict) => PdfDict = (c) => c): void {
  const view = document.latest;
  const rootRef = document.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new YinjianError('PDF_MALFORMED', { detail: 'trailer /Root is not an indirect reference' });
  const catalog = document.catalog();
  const acroValue = catalog.get('AcroForm');
  const acroForm = view.resolveDict(acroValue) ?? new PdfDict();
  const fields = view.resolveArray(acroForm.get('Fields'))?.items ?? [];
  // SigFlags 3: SignaturesExist | AppendOnly (§12.7.2): viewers must save incrementally.
  const newAcroForm = acroForm.with('Fields', new PdfArray([...fields, field])).with('SigFlags', 3);
  let newCatalog = extendCatalog(catalog);
  if (acroValue instanceof PdfRef && view.resolveDict(acroValue)) update.put(acroValue, newAcroForm);
  else newCatalog = newCatalog.with('AcroForm', update.add(newAcroForm));
  if (newCatalog !== catalog) update.put(rootRef, newCatalog);
}

export function prepareSignatureUpdate(
  document: PdfDocument,
  widgets: readonly WidgetPlacement[],
  drawing: ImpressionDrawing,
  info: SignatureDictionaryInfo,
  contentsRoom: number,
): PreparedSignature {
  if (widgets.length === 0) throw new YinjianError('STAMP_POSITION_INVALID', { detail: 'no widget' });
  const update = new IncrementalUpdate(document);
  const pages = pagesOf(document);
  const fieldName = nextSealFieldName(document);

  const byteRange = new PdfPlaceholder('ByteRange', 64, 'raw', new PdfArray([0, 0, 0, 0]));
  const contents = new PdfPlaceholder('Contents', contentsRoom * 2, 'hex');
  const signature = update.add(
    PdfDict.of({
      Type: PdfName.of('Sig'),
      Filter: PdfName.of('Adobe.PPKLite'),
      SubFilter: PdfName.of('ETSI.CAdES.detached'),
      ByteRange: byteRange,
      Contents: contents,
      M: text(pdfDate(info.signingTime)),
      Name: text(info.signerName),
      Reason: text(info.reason),
      Location: text(info.location),
      ContactInfo: text(info.contactInfo),
    }),
  );

  const imageRefs = new Map<string, PdfRef>();
  for (const [resourceName, { image, softMask }] of drawing.images) {
    const imageDict = softMask ? image.dict.with('SMask', update.add(softMask)) : image.dict;
    imageRefs.set(resourceName, update.add(PdfStream.withData(imageDict, image.data ?? new Uint8Array())));
  }

  // A seam seal (骑缝章) is ONE signature: one field, one widget (the last page's slice). The
  // other pages' slices are drawn into those pages inside the signed revision, so validators
  // list one seal and a later change to any slice is a change the signature reports.
  const holder = widgets[widgets.length - 1] as WidgetPlacement;
  const slices = widgets.slice(0, -1);
  const field = update.allocate();
  const holderPage = pages[holder.pageIndex];
  if (!holderPage) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: holder.pageIndex + 1, pages: pages.length });
  const holderAp = update.add(appearanceStream(drawing, imageRefs, holder.slice, holder.rotate ?? 0));
  // Field and widget merged (§12.7.3.1), as most signers write a one-widget signature.
  update.put(
    field,
    new PdfDict([
      ['FT', PdfName.of('Sig')],
      ['T', text(fieldName)],
      ['V', signature],
      ['Type', PdfName.of('Annot')],
      ['Subtype', PdfName.of('Widget')],
      ['F', WIDGET_FLAGS],
      ['P', holderPage],
      ['Rect', new PdfArray(holder.rect.map(round3))],
      ['AP', PdfDict.of({ N: holderAp })],
    ]),
  );
  const annotsByPage = new Map<number, PdfRef[]>([[holder.pageIndex, [field]]]);
  const view = document.latest;
  if (slices.length > 0) {
    // Page content is the strongest binding: removing a slice then means editing the page,
    // which every validator reports. The pipeline refuses a seam seal on a document that already
    // carries a signature (SEAM_SEAL_AFTER_SIGNATURE, certification.ts): editing its pages would
    // break what that signature allows.
    for (const slice of slices) {
      const pageRef = pages[slice.pageIndex];
      if (!pageRef) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: slice.pageIndex + 1, pages: pages.length });
      const form = update.add(appearanceStream(drawing, imageRefs, slice.slice, slice.rotate ?? 0));
      drawSliceOnPage(update, view, pageRef, slice, form, drawing, fieldName);
    }
  }

  for (const [pageIndex, refs] of annotsByPage) {
    const pageRef = pages[pageIndex] as PdfRef;
    const pageDict = currentDict(update, view, pageRef);
    if (!pageDict) throw new YinjianError('PDF_MALFORMED', { detail: `page ${pageIndex + 1} is not a dictionary` });
    appendAnnotations(update, view, pageRef, pageDict, refs);
  }

  addSignatureField(update, document, field, (catalog) => withEsicExtension(catalog, view));

  const result = update.build();
  const byteRangeAt = result.placeholders.find((p) => p.placeholder === byteRange);
  const contentsAt = result.placeholders.find((p) => p.placeholder === contents);
  if (!byteRangeAt || !contentsAt) throw new YinjianError('INTERNAL', { detail: 'signature placeholders not written' });
  return { fieldName, result, byteRange: byteRangeAt, contents: contentsAt, contentsRoom, pageCount: pages.length };
}

/**
 * Fills /ByteRange in the appended bytes: everything but the /Contents run, from the start of
 * the file to its end (the whole document is signed, §12.8.1).
 */
export function patchByteRange(prepared: PreparedSignature): readonly [number, number, number, number] {
  const { result, contents, byteRange } = prepared;
  const total = result.baseLength + result.appended.length;
  const gapStart = contents.offset;
  const gapEnd = contents.offset + contents.length;
  const range = [0, gapStart, gapEnd, total - gapEnd] as const;
  const textValue = `[${range.join(' ')}]`.padEnd(byteRange.length, ' ');
  if (textValue.length > byteRange.length) throw new YinjianError('INTERNAL', { detail: 'ByteRange does not fit' });
  result.appended.set(new TextEncoder().encode(textValue), byteRange.offset - result.baseLength);
  return range;
}

/** Writes the DER signature into /Contents (hex, zero-padded). */
export function patchContents(prepared: PreparedSignature, signatureDer: Uint8Array): void {
  if (signatureDer.length > prepared.contentsRoom) {
    throw new YinjianError('STAMP_SIGNATURE_TOO_LARGE', { size: signatureDer.length, room: prepared.contentsRoom });
  }
  const hex = Buffer.from(signatureDer).toString('hex').padEnd(prepared.contentsRoom * 2, '0');
  prepared.result.appended.set(new TextEncoder().encode(`<${hex}>`), prepared.contents.offset - prepared.result.baseLength);
}

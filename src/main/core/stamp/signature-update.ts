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
  type PdfValue,
  type PlaceholderLocation,
} from '../pdf/index';
import { appearanceStream, type ImpressionDrawing } from './impression';
import { pagesOf } from './page-list';
import type { PageRotation } from './page-frame';

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

/** Builds the update; the caller patches /ByteRange and /Contents in `result.appended`. */
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

  const field = update.allocate();
  const single = widgets.length === 1;
  const widgetRefs: PdfRef[] = [];
  const annotsByPage = new Map<number, PdfRef[]>();
  for (const widget of widgets) {
    const page = pages[widget.pageIndex];
    if (!page) throw new YinjianError('STAMP_PAGE_OUT_OF_RANGE', { page: widget.pageIndex + 1, pages: pages.length });
    const ap = update.add(appearanceStream(drawing, imageRefs, widget.slice, widget.rotate ?? 0));
    const entries: [string, PdfValue][] = [
      ['Type', PdfName.of('Annot')],
      ['Subtype', PdfName.of('Widget')],
      ['F', WIDGET_FLAGS],
      ['P', page],
      ['Rect', new PdfArray(widget.rect.map((v) => Math.round(v * 1000) / 1000))],
      ['AP', PdfDict.of({ N: ap })],
    ];
    const ref = single ? field : update.allocate();
    if (single) {
      // Field and widget merged (§12.7.3.1), as most signers write a one-widget signature.
      update.put(ref, new PdfDict([['FT', PdfName.of('Sig')], ['T', text(fieldName)], ['V', signature], ...entries]));
    } else {
      // /V is inheritable (§12.7.3.1), but poppler reads it from the widget itself and would
      // report each slice as an unsigned field: repeat it (and /FT) on each kid, as legal.
      update.put(ref, new PdfDict([...entries, ['Parent', field], ['FT', PdfName.of('Sig')], ['V', signature]]));
    }
    widgetRefs.push(ref);
    annotsByPage.set(widget.pageIndex, [...(annotsByPage.get(widget.pageIndex) ?? []), ref]);
  }
  if (!single) {
    // A seam seal: one signature, one field, a widget on each page it crosses.
    update.put(field, PdfDict.of({ FT: PdfName.of('Sig'), T: text(fieldName), V: signature, Kids: new PdfArray(widgetRefs) }));
  }

  const view = document.latest;
  for (const [pageIndex, refs] of annotsByPage) {
    const pageRef = pages[pageIndex] as PdfRef;
    const pageDict = view.resolveDict(pageRef);
    if (!pageDict) throw new YinjianError('PDF_MALFORMED', { detail: `page ${pageIndex + 1} is not a dictionary` });
    const annots = pageDict.get('Annots');
    const existing = view.resolveArray(annots)?.items ?? [];
    const updated = new PdfArray([...existing, ...refs]);
    // Keep an indirect /Annots array where it is: only that array changes, not the page.
    if (annots instanceof PdfRef && view.resolveArray(annots)) update.put(annots, updated);
    else update.put(pageRef, pageDict.with('Annots', updated));
  }

  const rootRef = document.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new YinjianError('PDF_MALFORMED', { detail: 'trailer /Root is not an indirect reference' });
  const catalog = document.catalog();
  const acroValue = catalog.get('AcroForm');
  const acroForm = view.resolveDict(acroValue) ?? new PdfDict();
  const fields = view.resolveArray(acroForm.get('Fields'))?.items ?? [];
  // SigFlags 3: SignaturesExist | AppendOnly (§12.7.2): viewers must save incrementally.
  const newAcroForm = acroForm.with('Fields', new PdfArray([...fields, field])).with('SigFlags', 3);
  if (acroValue instanceof PdfRef && view.resolveDict(acroValue)) update.put(acroValue, newAcroForm);
  else update.put(rootRef, catalog.with('AcroForm', update.add(newAcroForm)));

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

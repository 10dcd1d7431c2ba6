/**
 * The attack generator (issue #11): seals real documents with a key on a SoftHSM2 token and
 * builds, for each class of "later revision fools the verifier" attack, several variants on a
 * classic-xref input and on an object-stream input. Each case carries the sealed file and the
 * attacked file, so the oracle (render both, compare pixels) and the verifier can judge it.
 *
 * Classes: 1 objects freed / freed-and-redefined; 2 object streams rewritten; 3 references
 * prepared before sealing; 4 duplicate xref entries; 5 visible overlays after sealing; 7 an
 * object that is document info, XMP metadata or validation data (DSS) and also drawn; 8 a hybrid
 * section whose classic table frees an object its /XRefStm stream still lists; 9 an xref section
 * hidden in the sealed input's bytes, chained in after sealing; 10 an object whose header names
 * another generation than its xref entry (poppler rebuilds the file); 11 a compressed entry
 * with the wrong index in its object stream; 12 an update's table numbered from 1 with a free
 * first entry (the "numbered from 1" quirk); 13 an xref stream entry of a reserved type; 14 an
 * object an update defines without listing it; 15 an empty signature field over the text, signed
 * later with an appearance that covers it. Class 6
 * (resources) is in resources.ts. Controls (class 0) are changes a careful receiver accepts.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { embedShippedFontSubset } from '../../src/main/core/appearance/index';
import { IncrementalUpdate, PdfArray, PdfDict, PdfDocument, PdfPlaceholder, PdfRef, PdfStream, PdfString, name, type PdfValue } from '../../src/main/core/pdf/index';
import { readShippedFont } from '../../src/main/infra/appearance/index';
import { appendUpdate, completeSignature, signPdf, type SigningSeal } from '../helpers/signed-pdf';
import { appendRaw, objectStreamBody, serialize, streamBody, type RawXrefEntry } from './raw-update';

export type BaseKind = 'classic' | 'objstm';

export interface AttackCase {
  /** 1–5 as in the issue; 0 for controls (allowed changes). */
  readonly cls: number;
  readonly id: string;
  readonly base: BaseKind;
  readonly description: string;
  readonly sealed: Uint8Array;
  readonly attacked: Uint8Array;
  /** Page rectangles (PDF points) where an allowed later signature may draw on blank paper. */
  readonly allowedRects?: readonly (readonly [number, number, number, number])[];
  /** The case's point is the stamping gate (the signed revision itself carries the trap). */
  readonly gateOnly?: boolean;
}

const LINES = [
  '关于报送用款计划的通知',
  '各部门：',
  '根据集团与华东建设公司签订的采购合同，现将有关事项通知如下：',
  '一、各部门于2026年8月10日前报送用款计划，金额100万元。',
  '二、合同执行情况由财务部汇总。',
  '特此通知。',
];

let font: Uint8Array | undefined;

/** A one-page notice in the shipped CJK font (Type0 → CIDFontType2 → FontFile2, ToUnicode). */
export async function baseDocument(kind: BaseKind, options: { lines?: readonly string[]; form?: boolean; annotation?: boolean } = {}): Promise<Uint8Array> {
  font ??= readShippedFont();
  const pdf = await PDFDocument.create();
  const cjk = await embedShippedFontSubset(pdf, font);
  const page = pdf.addPage([595.28, 841.89]);
  let y = 750;
  for (const line of options.lines ?? LINES) {
    page.drawText(line, { x: 72, y, size: 14, font: cjk, color: rgb(0, 0, 0) });
    y -= 30;
  }
  if (options.form) {
    const helvetica = await pdf.embedFont(StandardFonts.Helvetica);
    const field = pdf.getForm().createTextField('amount');
    field.setText('100');
    field.addToPage(page, { x: 72, y: 450, width: 200, height: 24 });
    field.updateAppearances(helvetica);
  }
  return pdf.save({ useObjectStreams: kind === 'objstm' });
}

/** What the attacks aim at in page 1 of a document. */
export interface Targets {
  readonly doc: PdfDocument;
  readonly pageRef: PdfRef;
  readonly page: PdfDict;
  readonly contents: PdfRef[];
  readonly type0: PdfRef;
  readonly cidFont: PdfRef;
  readonly fontFile: PdfRef;
  readonly toUnicode: PdfRef;
  readonly size: number;
}

export function targets(bytes: Uint8Array): Targets {
  const doc = PdfDocument.open(bytes);
  const view = doc.latest;
  const pageRef = doc.pageRefs()[0] as PdfRef;
  const page = view.resolveDict(pageRef) as PdfDict;
  const c = page.get('Contents');
  const contents = c instanceof PdfRef && view.resolve(c) instanceof PdfArray ? (view.resolveArray(c) as PdfArray).items : c instanceof PdfArray ? c.items : [c];
  const fonts = view.resolveDict(view.resolveDict(page.get('Resources'))?.get('Font')) as PdfDict;
  const type0 = [...fonts.entries()].map(([, v]) => v).find((v) => view.resolveDict(v)?.getName('Subtype') === 'Type0') as PdfRef;
  const type0Dict = view.resolveDict(type0) as PdfDict;
  const cidFont = (view.resolveArray(type0Dict.get('DescendantFonts')) as PdfArray).get(0) as PdfRef;
  const descriptor = view.resolveDict((view.resolveDict(cidFont) as PdfDict).get('FontDescriptor')) as PdfDict;
  return {
    doc,
    pageRef,
    page,
    contents: contents.filter((x): x is PdfRef => x instanceof PdfRef),
    type0,
    cidFont,
    fontFile: descriptor.get('FontFile2') as PdfRef,
    toUnicode: type0Dict.get('ToUnicode') as PdfRef,
    size: doc.size,
  };
}

const BLACK_BOX = 'q 0 0 0 rg 70 600 460 170 re f Q';
const WHITE_OUT = 'q 1 1 1 rg 60 655 480 30 re f Q';

function objectBody(t: Targets, ref: PdfRef, edit?: (value: PdfValue) => PdfValue): string | Uint8Array {
  const value = t.doc.latest.getObject(ref);
  const edited = edit ? edit(value) : value;
  if (edited instanceof PdfStream) {
    const raw = edited.data ?? t.doc.rawStreamData(edited);
    const dict = serialize(edited.dict.with('Length', undefined));
    return streamBody(dict.slice(2, -2), raw);
  }
  return serialize(edited);
}

/** The CIDFont with every glyph 2.5 em wide: the same text, visibly re-spaced. */
function respacedCidFont(t: Targets): string | Uint8Array {
  return objectBody(t, t.cidFont, (v) => (v as PdfDict).with('W', undefined).with('DW', 2500));
}

/** The entries of the objects inside object stream `streamNum`, in stream order. */
function objectStreamMembers(t: Targets, streamNum: number): number[] {
  const members: { num: number; index: number }[] = [];
  for (const [num, entry] of t.doc.latest.table) if (entry.type === 'compressed' && entry.stream === streamNum) members.push({ num, index: entry.index });
  return members.sort((a, b) => a.index - b.index).map((m) => m.num);
}

function pageWith(t: Targets, key: string, value: PdfValue): string {
  return serialize(t.page.with(key, value));
}

function refArray(refs: readonly PdfRef[], extra: PdfRef): PdfArray {
  return new PdfArray([...refs, extra]);
}

/** A font program of another subset: the same glyph ids draw other characters. */
async function foreignFontProgram(kind: BaseKind): Promise<Uint8Array> {
  const other = targets(await baseDocument(kind, { lines: ['二〇二六年九月三十日前报送用款计划，金额九百万元整。', '各部门：特此通知！'] }));
  const stream = other.doc.latest.getObject(other.fontFile) as PdfStream;
  const dict = serialize(stream.dict.with('Length', undefined));
  return streamBody(dict.slice(2, -2), other.doc.rawStreamData(stream));
}

export type Rect = readonly [number, number, number, number];

function annotationUpdate(sealed: Uint8Array, annot: (doc: PdfDocument, ap: PdfRef) => PdfDict, apContent: string, bbox: Rect, asField = false): Uint8Array {
  return appendUpdate(sealed, (doc, update) => {
    const pageRef = doc.pageRefs()[0] as PdfRef;
    const page = doc.latest.resolveDict(pageRef) as PdfDict;
    const ap = update.add(PdfStream.withData(PdfDict.of({ Type: name('XObject'), Subtype: name('Form'), BBox: new PdfArray([0, 0, bbox[2] - bbox[0], bbox[3] - bbox[1]]) }), new TextEncoder().encode(apContent)));
    const annotRef = update.add(annot(doc, ap));
    const annots = doc.latest.resolveArray(page.get('Annots'));
    update.put(pageRef, page.with('Annots', new PdfArray([...(annots?.items ?? []), annotRef])));
    if (asField) {
      const catalogRef = doc.trailer.get('Root') as PdfRef;
      const catalog = doc.catalog();
      const acroForm = doc.latest.resolveDict(catalog.get('AcroForm')) ?? new PdfDict();
      const fields = doc.latest.resolveArray(acroForm.get('Fields'));
      const next = acroForm.with('Fields', new PdfArray([...(fields?.items ?? []), annotRef]));
      if (catalog.get('AcroForm') instanceof PdfRef) update.put(catalog.get('AcroForm') as PdfRef, next);
      else update.put(catalogRef, catalog.with('AcroForm', next));
    }
  });
}

/** Over the notice's text lines. */
export const COVER: Rect = [70, 600, 530, 770];

export async function buildAttacks(seal: SigningSeal, kinds: readonly BaseKind[] = ['classic', 'objstm']): Promise<AttackCase[]> {
  const cases: AttackCase[] = [];
  for (const kind of kinds) {
    const add = (cls: number, id: string, description: string, sealed: Uint8Array, attacked: Uint8Array, extra: Partial<AttackCase> = {}): void => {
      cases.push({ cls, id: `${cls}-${id}-${kind}`, base: kind, description, sealed, attacked, ...extra });
    };
    const base = await baseDocument(kind);
    const sealed = await signPdf(base, seal, { field: 'Seal1' });
    const t = targets(sealed);
    const xk = kind === 'objstm' ? 'stream' : 'table';

    // --- Class 1: objects freed, then redefined, in later revisions.
    {
      const freed = appendRaw(sealed, { entries: [{ num: t.cidFont.num, type: 'free', gen: 1 }] }).bytes;
      const redefined = appendRaw(freed, { objects: [{ num: t.cidFont.num, gen: kind === 'classic' ? 1 : 0, body: respacedCidFont(t) }] }).bytes;
      add(1, 'free-then-redefine-cidfont', 'update 1 frees the CIDFont, update 2 defines its number again with other widths', sealed, redefined);
      const redefinedGen0 = appendRaw(freed, { objects: [{ num: t.cidFont.num, body: respacedCidFont(t) }] }).bytes;
      add(1, 'free-then-redefine-cidfont-gen0', 'the same, redefined under the old generation number', sealed, redefinedGen0);
      add(1, 'free-font-program', 'an update frees the embedded font program (FontFile2)', sealed, appendRaw(sealed, { entries: [{ num: t.fontFile.num, type: 'free', gen: 1 }] }).bytes);
      const ffFreed = appendRaw(sealed, { entries: [{ num: t.fontFile.num, type: 'free', gen: 1 }] }).bytes;
      add(1, 'free-then-redefine-font-program', 'font program freed, then redefined with another subset (glyph swap)', sealed, appendRaw(ffFreed, { objects: [{ num: t.fontFile.num, body: await foreignFontProgram(kind) }] }).bytes);
      const tuFreed = appendRaw(sealed, { entries: [{ num: t.toUnicode.num, type: 'free', gen: 1 }] }).bytes;
      add(1, 'free-then-redefine-tounicode', 'ToUnicode CMap freed, then redefined (the copied text changes)', sealed, appendRaw(tuFreed, { objects: [{ num: t.toUnicode.num, body: streamBody('', '/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0000> <FFFF> <0039> endbfrange endcmap CMapName currentdict /CMap defineresource pop end end') }] }).bytes);
      const cFreed = appendRaw(sealed, { entries: [{ num: t.contents[0]!.num, type: 'free', gen: 1 }] }).bytes;
      add(1, 'free-then-redefine-content', 'page content stream freed, then redefined', sealed, appendRaw(cFreed, { objects: [{ num: t.contents[0]!.num, body: streamBody('', WHITE_OUT) }] }).bytes);
    }

    // --- Class 2: object streams rewritten in a later revision.
    {
      const cidEntry = t.doc.latest.table.get(t.cidFont.num);
      if (cidEntry?.type === 'compressed') {
        const streamNum = cidEntry.stream;
        const members = objectStreamMembers(t, streamNum);
        const body = (edit: (num: number) => string | undefined): Uint8Array =>
          objectStreamBody(members.map((num) => ({ num, body: edit(num) ?? serialize(t.doc.latest.getObject(new PdfRef(num, 0))) })));
        add(2, 'objstm-replaced-cidfont', 'the object stream holding the CIDFont is replaced under the same number; member entries untouched', sealed,
          appendRaw(sealed, { objects: [{ num: streamNum, body: body((n) => (n === t.cidFont.num ? (respacedCidFont(t) as string) : undefined)) }] }).bytes);
        const pageEntry = t.doc.latest.table.get(t.pageRef.num);
        if (pageEntry?.type === 'compressed') {
          const pageStream = pageEntry.stream;
          const pageMembers = objectStreamMembers(t, pageStream);
          const newContent = t.size;
          add(2, 'objstm-replaced-page', 'the object stream holding the page is replaced: the page draws a new content stream', sealed,
            appendRaw(sealed, {
              objects: [
                { num: newContent, body: streamBody('', 'q 0 0 0 rg BT /F1 1 Tf ET Q q 0 0 0 rg 70 680 300 20 re f Q') },
                { num: pageStream, body: objectStreamBody(pageMembers.map((num) => ({ num, body: num === t.pageRef.num ? pageWith(t, 'Contents', refArray(t.contents, new PdfRef(newContent, 0))) : serialize(t.doc.latest.getObject(new PdfRef(num, 0))) }))) },
              ],
            }).bytes);
        }
      }
      // Any input: a new object stream, and the CIDFont's entry moved into it.
      const ns = t.size;
      add(2, 'moved-into-new-objstm', 'a new object stream holds a changed CIDFont; its entry now points into it', sealed,
        appendRaw(sealed, { kind: 'stream', objects: [{ num: ns, body: objectStreamBody([{ num: t.cidFont.num, body: respacedCidFont(t) as string }]) }], entries: [{ num: t.cidFont.num, type: 'compressed', stream: ns, index: 0 }] }).bytes);
      add(2, 'page-moved-into-new-objstm', 'a new object stream holds a page dict with one more content stream', sealed,
        appendRaw(sealed, {
          kind: 'stream',
          objects: [
            { num: ns + 1, body: streamBody('', BLACK_BOX) },
            { num: ns, body: objectStreamBody([{ num: t.pageRef.num, body: pageWith(t, 'Contents', refArray(t.contents, new PdfRef(ns + 1, 0))) }]) },
          ],
          entries: [{ num: t.pageRef.num, type: 'compressed', stream: ns, index: 0 }],
        }).bytes);
    }

    // --- Class 3: references prepared before sealing.
    {
      const u = targets(base);
      const trap = u.size + 40;
      const dangling = appendRaw(base, { kind: xk, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }] }).bytes;
      const sealedDangling = await signPdf(dangling, seal, { field: 'Seal1' });
      add(3, 'dangling-content-defined-later', 'the signed page draws a content stream that does not exist; an update defines it', sealedDangling,
        appendRaw(sealedDangling, { objects: [{ num: trap, body: streamBody('', BLACK_BOX) }] }).bytes);
      const freeTrap = appendRaw(base, { kind: xk, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }], entries: [{ num: trap, type: 'free', gen: 0 }] }).bytes;
      const sealedFree = await signPdf(freeTrap, seal, { field: 'Seal1' });
      add(3, 'free-entry-defined-later', 'the signed revision lists the referenced object as free; an update defines it', sealedFree,
        appendRaw(sealedFree, { objects: [{ num: trap, body: streamBody('', BLACK_BOX) }] }).bytes);
      const hidden = appendRaw(base, { kind: xk, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }, { num: trap, body: streamBody('', BLACK_BOX), hidden: true }] });
      const sealedHidden = await signPdf(hidden.bytes, seal, { field: 'Seal1' });
      add(3, 'xref-only-update', 'signed bytes hold an unlisted object; an update adds only an xref entry pointing at it', sealedHidden,
        appendRaw(sealedHidden, { entries: [{ num: trap, type: 'offset', offset: hidden.offsets.get(trap) as number }] }).bytes);
      const annotTrap = appendRaw(base, { kind: xk, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Annots', new PdfArray([new PdfRef(trap, 0)])) }] }).bytes;
      const sealedAnnot = await signPdf(annotTrap, seal, { field: 'Seal1' });
      add(3, 'dangling-annotation-defined-later', 'the signed page lists an annotation that does not exist; an update defines it over the text', sealedAnnot,
        appendRaw(sealedAnnot, {
          objects: [
            { num: trap, body: `<< /Type /Annot /Subtype /Square /Rect [${COVER.join(' ')}] /F 4 /AP << /N ${trap + 1} 0 R >> >>` },
            { num: trap + 1, body: streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 ${COVER[2] - COVER[0]} ${COVER[3] - COVER[1]}]`, 'q 0 0 0 rg 0 0 460 170 re f Q') },
          ],
        }).bytes);
    }

    // --- Class 4: duplicate or ambiguous xref entries.
    {
      const content = t.contents[0]!;
      const original = t.doc.latest.table.get(content.num);
      const originalOffset = original?.type === 'offset' ? original.offset : 0;
      const altered = (first: 'original' | 'altered'): Uint8Array =>
        appendRaw(sealed, {
          objects: [{ num: content.num, body: streamBody('', WHITE_OUT), hidden: true }],
          entries: (offsets): RawXrefEntry[] => {
            const a: RawXrefEntry = { num: content.num, type: 'offset', offset: originalOffset };
            const b: RawXrefEntry = { num: content.num, type: 'offset', offset: offsets.get(content.num) as number };
            return first === 'original' ? [a, b] : [b, a];
          },
        }).bytes;
      add(4, 'duplicate-original-first', 'one update lists the content stream twice: the signed one first, an altered one second', sealed, altered('original'));
      add(4, 'duplicate-altered-first', 'one update lists the content stream twice: an altered one first, the signed one second', sealed, altered('altered'));
      const u = targets(base);
      const uc = u.contents[0]!;
      const uOriginal = u.doc.latest.table.get(uc.num);
      const preDup = appendRaw(base, {
        kind: xk,
        objects: [{ num: uc.num, body: streamBody('', WHITE_OUT), hidden: true }],
        entries: (offsets) => [
          { num: uc.num, type: 'offset', offset: uOriginal?.type === 'offset' ? uOriginal.offset : 0 },
          { num: uc.num, type: 'offset', offset: offsets.get(uc.num) as number },
        ],
      }).bytes;
      const sealedDup = await signPdf(preDup, seal, { field: 'Seal1' });
      add(4, 'duplicate-in-signed-revision', 'the signed revision itself lists a content stream twice (gate case)', sealedDup, sealedDup, { gateOnly: true });
    }

    // --- Class 5: visible overlays after sealing.
    {
      const box = 'q 1 1 1 rg 0 0 460 170 re f 0 0 0 rg BT /Helv 14 Tf 10 80 Td (Amount: 900) Tj ET Q';
      add(5, 'freetext-over-text', 'a FreeText annotation with a white appearance drawn over the text', sealed,
        annotationUpdate(sealed, (_doc, ap) => PdfDict.of({ Type: name('Annot'), Subtype: name('FreeText'), Rect: new PdfArray([...COVER]), F: 4, DA: PdfString.fromText('/Helv 14 Tf 0 g'), Contents: PdfString.fromText('Amount: 900'), AP: PdfDict.of({ N: ap }) }), box, COVER));
      add(5, 'square-over-text', 'a Square annotation filled black over the text', sealed,
        annotationUpdate(sealed, (_doc, ap) => PdfDict.of({ Type: name('Annot'), Subtype: name('Square'), Rect: new PdfArray([...COVER]), F: 4, IC: new PdfArray([0, 0, 0]), AP: PdfDict.of({ N: ap }) }), 'q 0 0 0 rg 0 0 460 170 re f Q', COVER));
      add(5, 'empty-signature-field-covering', 'a new empty signature field whose appearance covers the text', sealed,
        annotationUpdate(sealed, (doc, ap) => PdfDict.of({ Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: PdfString.fromText('Trap'), Rect: new PdfArray([...COVER]), F: 4, P: doc.pageRefs()[0] as PdfRef, AP: PdfDict.of({ N: ap }) }), 'q 1 1 1 rg 0 0 460 170 re f Q', COVER, true));
      add(5, 'later-signature-covering', 'a later signature (validly made) whose widget appearance covers the text', sealed,
        await signPdf(sealed, seal, { field: 'Seal2', visible: { rect: [...COVER] as unknown as Rect & [number, number, number, number], content: 'q 1 1 1 rg 0 0 460 170 re f Q' } }));

      const formBase = await baseDocument(kind, { form: true });
      const formSealed = await signPdf(formBase, seal, { field: 'Seal1' });
      const fieldEdit = (withValue: boolean): Uint8Array =>
        appendUpdate(formSealed, (doc, update) => {
          const field = doc.formFields().find((f) => f.fullName === 'amount');
          if (!field?.ref) throw new Error('no amount field');
          const ap = update.add(PdfStream.withData(PdfDict.of({ Type: name('XObject'), Subtype: name('Form'), BBox: new PdfArray([0, 0, 200, 24]) }), new TextEncoder().encode('q 0 0 0 rg 0 0 200 24 re f Q')));
          const widget = field.widgets[0] ?? field.ref;
          const widgetDict = doc.latest.resolveDict(widget) as PdfDict;
          if (widget.equals(field.ref)) {
            update.put(field.ref, withValue ? widgetDict.with('AP', PdfDict.of({ N: ap })).with('V', PdfString.fromText('900')) : widgetDict.with('AP', PdfDict.of({ N: ap })));
          } else {
            update.put(widget, widgetDict.with('AP', PdfDict.of({ N: ap })));
            if (withValue) update.put(field.ref, field.dict.with('V', PdfString.fromText('900')));
          }
        });
      add(5, 'form-value-changed', 'a form field value and its appearance changed after the seal', formSealed, fieldEdit(true));
      add(5, 'form-appearance-changed', 'a form field appearance changed, value unchanged', formSealed, fieldEdit(false));

      const u = targets(base);
      const annotNum = u.size + 10;
      const withAnnot = appendRaw(base, {
        kind: xk,
        objects: [
          { num: u.pageRef.num, body: pageWith(u, 'Annots', new PdfArray([new PdfRef(annotNum, 0)])) },
          { num: annotNum, body: `<< /Type /Annot /Subtype /Square /Rect [${COVER.join(' ')}] /F 4 /AP << /N ${annotNum + 1} 0 R >> >>` },
          { num: annotNum + 1, body: streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 ${COVER[2] - COVER[0]} ${COVER[3] - COVER[1]}]`, 'q 1 0 0 RG 2 2 456 166 re S Q') },
        ],
      }).bytes;
      const annotSealed = await signPdf(withAnnot, seal, { field: 'Seal1' });
      add(5, 'annotation-appearance-changed', "an existing annotation's appearance stream replaced by a filled box", annotSealed,
        appendRaw(annotSealed, { objects: [{ num: annotNum + 1, body: streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 ${COVER[2] - COVER[0]} ${COVER[3] - COVER[1]}]`, 'q 0 0 0 rg 0 0 460 170 re f Q') }] }).bytes);
    }

    // --- Class 7: one object, two roles. Document info, XMP metadata and validation data may
    // change after an approval seal (no viewer draws them); the input names as such an object
    // that a page also draws (a form XObject nested in one the page paints), then an update
    // overrides it. Before the fix: VALID_WITH_CHANGES (info, metadata) and VALID (DSS).
    for (const role of roleSharingInputs(base, xk)) {
      const roleSealed = await signPdf(role.bytes, seal, { field: 'Seal1' });
      add(7, role.id, role.description, roleSealed,
        appendRaw(roleSealed, { objects: [{ num: role.drawn, body: drawnForm('q 1 1 1 rg 60 560 480 220 re f 0 0 0 rg BT /Helv 18 Tf 72 700 Td (Amount: 9,000,000 yuan) Tj ET Q') }] }).bytes);
    }

    // --- Class 8: a hybrid-reference update (§7.5.8.4: a classic table whose trailer names an
    // /XRefStm stream). The table frees an object; the stream lists it where it always was.
    // poppler and MuPDF take the table's entry (free): MuPDF draws the page without it, poppler
    // rebuilds the file by scanning and draws the last definition it finds (a black box the
    // update carries unlisted). Our reader took the stream's entry: nothing changed, VALID.
    {
      const content = t.contents[0]!;
      const cidEntry = t.doc.latest.table.get(t.cidFont.num);
      const victims: { id: string; num: number; entry: RawXrefEntry }[] = [];
      const contentEntry = t.doc.latest.table.get(content.num);
      if (contentEntry?.type === 'offset') victims.push({ id: 'content', num: content.num, entry: { num: content.num, type: 'offset', offset: contentEntry.offset, gen: contentEntry.gen } });
      if (cidEntry?.type === 'compressed') victims.push({ id: 'compressed-cidfont', num: t.cidFont.num, entry: { num: t.cidFont.num, type: 'compressed', stream: cidEntry.stream, index: cidEntry.index } });
      else if (cidEntry?.type === 'offset') victims.push({ id: 'cidfont', num: t.cidFont.num, entry: { num: t.cidFont.num, type: 'offset', offset: cidEntry.offset, gen: cidEntry.gen } });
      for (const victim of victims) {
        add(8, `hybrid-table-frees-${victim.id}`, 'a hybrid update: the classic table frees an object, its /XRefStm stream lists it unchanged; an unlisted redefinition follows', sealed,
          appendHybrid(sealed, { num: victim.num, body: victim.id === 'content' ? streamBody('', BLACK_BOX) : respacedCidFont(t) }, victim.entry));
      }
    }

    // --- Class 9: an update hidden in sealed bytes. The input carries, unlisted, an altered
    // content stream and an xref stream F listing it, whose /Prev is the offset the seal's own
    // section will have (the stamper's layout is deterministic: seal, read the offset, write it
    // in, seal again). After sealing, an empty update whose /Prev is F puts F in the chain:
    // viewers draw F's object. F lies before the seal's section, which our reader took for a
    // linearized file's first-page section and merged into the sealed revision: VALID.
    {
      const prepare = (prev: number): HiddenSectionInput => hiddenSectionInput(base, xk, prev);
      let prev = 0;
      let prepared = prepare(prev);
      let hiddenSealed = await signPdf(prepared.bytes, seal, { field: 'Seal1' });
      for (let i = 0; i < 4 && PdfDocument.open(hiddenSealed).latestRevision.xrefOffset !== prev; i++) {
        prev = PdfDocument.open(hiddenSealed).latestRevision.xrefOffset;
        prepared = prepare(prev);
        hiddenSealed = await signPdf(prepared.bytes, seal, { field: 'Seal1' });
      }
      if (PdfDocument.open(hiddenSealed).latestRevision.xrefOffset !== prev) throw new Error('class 9: the seal section\'s offset did not settle');
      const s = PdfDocument.open(hiddenSealed);
      const xAt = hiddenSealed.length;
      const root = serialize(s.trailer.get('Root') as PdfValue);
      const n = s.size + 60;
      const rows = Buffer.alloc(7);
      rows.writeUInt8(1, 0);
      rows.writeUInt32BE(xAt, 1);
      const pointer =
        kind === 'classic'
          ? Buffer.from(`xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size ${n} /Root ${root} /Prev ${prepared.fAt} >>\nstartxref\n${xAt}\n%%EOF\n`, 'latin1')
          : Buffer.concat([Buffer.from(`${n} 0 obj\n`, 'latin1'), Buffer.from(streamBody(`/Type /XRef /Size ${n + 1} /W [1 4 2] /Index [${n} 1] /Root ${root} /Prev ${prepared.fAt}`, new Uint8Array(rows))), Buffer.from(`\nendobj\nstartxref\n${xAt}\n%%EOF\n`, 'latin1')]);
      add(9, 'hidden-section-chained-after-sealing', 'the sealed input hides an xref stream (its /Prev: the seal\'s section) and an altered content stream; an empty update chains it in', hiddenSealed,
        new Uint8Array(Buffer.concat([Buffer.from(hiddenSealed), pointer])));
    }

    // --- Class 10: an update re-lists an object at a byte-identical copy whose header says
    // `n 1 obj` while the entry says generation 0, and carries, unlisted, an altered page
    // content. poppler refuses the header ("xref num n not found but needed"), rebuilds the
    // file by scanning and draws the last definition of each number it finds: the altered
    // content. Our reader did not compare the header's generation: the copy equals the sealed
    // object, nothing changed, VALID.
    {
      const content = t.contents[0]!;
      const copyOf = (ref: PdfRef): string | Uint8Array => objectBody(t, ref);
      for (const [id, trigger] of [['type0', t.type0], ['cidfont', t.cidFont], ['content', content]] as const) {
        add(10, `header-generation-mismatch-${id}`, `the ${id} object re-listed at a copy whose header says generation 1 (entry 0); an altered content stream follows unlisted`, sealed,
          appendRaw(sealed, {
            objects: [
              { num: trigger.num, gen: 1, body: copyOf(trigger), hidden: true },
              ...(trigger === content ? [] : [{ num: content.num, body: streamBody('', BLACK_BOX), hidden: true }]),
            ],
            entries: (offsets) => [{ num: trigger.num, type: 'offset', offset: offsets.get(trigger.num) as number, gen: 0 }],
          }).bytes);
      }
    }

    // --- Class 11: an update re-lists a compressed object in the same object stream under
    // another index. poppler takes the index as given and, finding another object there,
    // draws null (the font is gone: the text is not drawn); MuPDF looks the number up. Our
    // reader looked the number up too: nothing changed, VALID.
    {
      for (const [id, ref] of [['type0', t.type0], ['cidfont', t.cidFont]] as const) {
        const entry = t.doc.latest.table.get(ref.num);
        if (entry?.type !== 'compressed') continue;
        add(11, `compressed-entry-wrong-index-${id}`, `the ${id}'s compressed entry re-listed with another index in the same object stream`, sealed,
          appendRaw(sealed, { entries: [{ num: ref.num, type: 'compressed', stream: entry.stream, index: entry.index === 0 ? 1 : 0 }] }).bytes);
      }
    }

    // --- Class 12: an update's classic table opens `1 2` with `0000000000 65535 f` and then
    // an entry for a byte-identical copy of object 1. Read with the quirk of writers that
    // number the first subsection from 1 (poppler, our reader): objects 0 and 1, nothing
    // changed. Read as written (MuPDF): object 1 freed, object 2 (here the catalog) at a
    // header saying 1: MuPDF repairs the file by scanning and draws an altered content stream
    // the update carries unlisted. VALID before the fix.
    {
      const one = new PdfRef(1, 0);
      const content = t.contents[0]!;
      const withCopy = appendRaw(sealed, { kind: 'table', objects: [{ num: 1, body: objectBody(t, one), hidden: true }, { num: content.num, body: streamBody('', BLACK_BOX), hidden: true }] });
      const copyAt = withCopy.offsets.get(1) as number;
      // The table appendRaw wrote lists no entries; replace it by the quirky one.
      const text = Buffer.from(withCopy.bytes).toString('latin1');
      const xrefAt = text.lastIndexOf('\nxref\n') + 1;
      const tail = text.slice(xrefAt + 'xref\n'.length);
      if (xrefAt <= 0 || !tail.startsWith('trailer')) throw new Error('class 12: unexpected table layout');
      const quirky = `xref\n1 2\n0000000000 65535 f\r\n${String(copyAt).padStart(10, '0')} 00000 n\r\n${tail}`;
      add(12, 'update-table-numbered-from-1', 'an update\'s table numbered from 1 whose first entry is free 65535, then a copy of object 1; an altered content stream unlisted', sealed,
        new Uint8Array(Buffer.from(text.slice(0, xrefAt) + quirky, 'latin1')));
    }

    // --- Class 13: an update's xref stream gives the page content an entry of a reserved type
    // (3; §7.5.8.3: a reference to the null object) and carries an altered content stream
    // unlisted. poppler refuses the section, rebuilds the file by scanning and draws the
    // altered content (or loses the page); MuPDF ignores the entry. Our reader left the entry
    // out, so the sealed object showed through: VALID.
    {
      const content = t.contents[0]!;
      const s = t.doc;
      const parts: Buffer[] = [Buffer.from(sealed)];
      let at = sealed.length;
      const hidden = Buffer.concat([Buffer.from(`${content.num} 0 obj\n`, 'latin1'), Buffer.from(streamBody('', BLACK_BOX)), Buffer.from('\nendobj\n', 'latin1')]);
      parts.push(hidden);
      at += hidden.length;
      const n = s.size;
      const rows = Buffer.alloc(14);
      rows.writeUInt8(3, 0);
      rows.writeUInt8(1, 7);
      rows.writeUInt32BE(at, 8);
      const dict = `/Type /XRef /Size ${n + 1} /W [1 4 2] /Index [${content.num} 1 ${n} 1] /Root ${serialize(s.trailer.get('Root') as PdfValue)} /Prev ${s.latestRevision.xrefOffset}`;
      parts.push(Buffer.concat([Buffer.from(`${n} 0 obj\n`, 'latin1'), Buffer.from(streamBody(dict, new Uint8Array(rows))), Buffer.from(`\nendobj\nstartxref\n${at}\n%%EOF\n`, 'latin1')]));
      add(13, 'xref-stream-reserved-entry-type', 'an update\'s xref stream gives the content stream an entry of type 3; an altered content stream follows unlisted', sealed, new Uint8Array(Buffer.concat(parts)));
    }

    // --- Class 14: objects an update carries without listing them. The sealed page draws a
    // content stream that does not exist (class 3's trap, here sealed by a signer without our
    // gate): poppler, not finding it, rebuilds the file by scanning on every opening. After
    // sealing, an update lists nothing and carries the missing object unlisted: poppler draws
    // it. No xref entry changed: VALID before the scan of each update's own bytes.
    {
      const u = targets(base);
      const trap = u.size + 40;
      const dangling = appendRaw(base, { kind: xk, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }] }).bytes;
      const sealedDangling = await signPdf(dangling, seal, { field: 'Seal1' });
      add(14, 'unlisted-object-in-update', 'the signed page draws a missing content stream; an update lists nothing and carries it unlisted', sealedDangling,
        appendRaw(sealedDangling, { objects: [{ num: trap, body: streamBody('', BLACK_BOX), hidden: true }] }).bytes);
      // The same carried by an update that lists another, harmless object (document info).
      add(14, 'unlisted-object-beside-info-update', 'as above, in an update that also rewrites the document info', sealedDangling,
        appendRaw(sealedDangling, { objects: [{ num: trap, body: streamBody('', BLACK_BOX), hidden: true }, { num: u.size + 41, body: '<< /Title (Notice) >>' }], trailer: { Info: new PdfRef(u.size + 41, 0) } }).bytes);
    }

    // --- Class 15: the input carries an empty signature field over the text (no appearance,
    // nothing drawn at sealing). After the seal, a second seal signs that field with an
    // appearance that whites the text out. A new signature widget covering content was
    // already MODIFIED; signing an existing field was judged by its keys alone: VALID_WITH_CHANGES.
    {
      const prepared = emptySignatureFieldInput(base, COVER);
      const fieldSealed = await signPdf(prepared, seal, { field: 'Seal1' });
      add(15, 'empty-signature-field-signed-over-text', 'an empty signature field over the text, present at sealing, signed later with an appearance that whites the text out', fieldSealed,
        await signExistingField(fieldSealed, seal, 'Later', 'q 1 1 1 rg 0 0 460 170 re f Q'));
    }

    // --- Controls: what a careful receiver accepts after an approval seal.
    {
      add(0, 'later-invisible-seal', 'a second seal, invisible', sealed, await signPdf(sealed, seal, { field: 'Seal2' }));
      const margin: Rect = [400, 20, 560, 80];
      add(0, 'later-seal-in-blank-margin', 'a second seal drawn in the blank bottom margin', sealed,
        await signPdf(sealed, seal, { field: 'Seal2', visible: { rect: [...margin] as unknown as Rect & [number, number, number, number], content: 'q 1 0 0 rg 5 5 150 50 re f Q' } }), { allowedRects: [margin] });
      add(0, 'dss-added', 'validation data (DSS) added', sealed,
        appendUpdate(sealed, (doc, update) => {
          const crl = update.add(PdfStream.withData(new PdfDict(), new Uint8Array([0x30, 0x00])));
          const dss = update.add(PdfDict.of({ Type: name('DSS'), CRLs: new PdfArray([crl]) }));
          update.put(doc.trailer.get('Root') as PdfRef, doc.catalog().with('DSS', dss));
        }));
    }
  }
  return cases;
}

const HELV_RESOURCES = '/Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>';

/** A page-sized form XObject drawing `content` (Helvetica as /Helv). */
export function drawnForm(content: string): Uint8Array {
  return streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 595 842] ${HELV_RESOURCES}`, content);
}

/** A class 7 input: an object with an undrawn role (document info, XMP metadata, DSS) that a page also draws. */
export interface RoleSharingInput {
  readonly id: string;
  readonly description: string;
  readonly bytes: Uint8Array;
  /** The object with both roles: a form XObject the page draws (nested), named as info, metadata or DSS data. */
  readonly drawn: number;
}

/**
 * Class 7, the prepared input: an update (of kind `xref`) makes page 1 draw a form XObject
 * nested in another, and names the inner one as the trailer's /Info, the catalog's /Metadata or
 * a certificate of the catalog's /DSS. Empty when sealed; an update after the seal fills it.
 */
export function roleSharingInputs(base: Uint8Array, xref: 'table' | 'stream'): RoleSharingInput[] {
  const u = targets(base);
  const inner = u.size;
  const outer = u.size + 1;
  const draw = u.size + 2;
  const dssNum = u.size + 3;
  const resources = u.doc.latest.resolveDict(u.page.get('Resources')) as PdfDict;
  const xobjects = (u.doc.latest.resolveDict(resources.get('XObject')) ?? new PdfDict()).with('Fm1', new PdfRef(outer, 0));
  const drawn = [
    { num: inner, body: drawnForm('') },
    { num: outer, body: streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Fm2 ${inner} 0 R >> >>`, '/Fm2 Do') },
    { num: draw, body: streamBody('', 'q /Fm1 Do Q') },
    { num: u.pageRef.num, body: serialize(u.page.with('Resources', resources.with('XObject', xobjects)).with('Contents', new PdfArray([...u.contents, new PdfRef(draw, 0)]))) },
  ];
  const catalogRef = u.doc.trailer.get('Root') as PdfRef;
  const roles: { id: string; description: string; objects: { num: number; body: string | Uint8Array }[]; trailer?: Record<string, PdfValue> }[] = [
    { id: 'info-is-drawn-form', description: 'the trailer /Info is a form XObject the page draws (nested); an update overrides it', objects: [], trailer: { Info: new PdfRef(inner, 0) } },
    { id: 'metadata-is-drawn-form', description: 'the catalog /Metadata is a form XObject the page draws (nested); an update overrides it', objects: [{ num: catalogRef.num, body: serialize(u.doc.catalog().with('Metadata', new PdfRef(inner, 0))) }] },
    {
      id: 'dss-cert-is-drawn-form',
      description: 'a certificate the DSS lists is a form XObject the page draws (nested); an update overrides it',
      objects: [
        { num: dssNum, body: `<< /Type /DSS /Certs [${inner} 0 R] >>` },
        { num: catalogRef.num, body: serialize(u.doc.catalog().with('DSS', new PdfRef(dssNum, 0))) },
      ],
    },
  ];
  return roles.map((role) => ({
    id: role.id,
    description: role.description,
    drawn: inner,
    bytes: appendRaw(base, { kind: xref, objects: [...drawn, ...role.objects], ...(role.trailer ? { trailer: role.trailer } : {}) }).bytes,
  }));
}

/** A class 9 input and where its hidden cross-reference stream lies. */
export interface HiddenSectionInput {
  readonly bytes: Uint8Array;
  /** Byte offset of the hidden xref stream F (reached by no /Prev). */
  readonly fAt: number;
  /** F's object number. */
  readonly fNum: number;
}

/**
 * Class 9, the prepared input: two updates (of kind `xref`) carry, unlisted, a black box as
 * page 1's first content stream and an xref stream F listing it, whose /Prev is `prev` (the
 * offset the seal's own section will have). Nothing in the input's /Prev chain reaches F.
 */
export function hiddenSectionInput(base: Uint8Array, xref: 'table' | 'stream', prev: number): HiddenSectionInput {
  const u = targets(base);
  const content = u.contents[0]!;
  const fNum = u.size + 50;
  const hidden = appendRaw(base, { kind: xref, objects: [{ num: content.num, body: streamBody('', BLACK_BOX), hidden: true }] });
  const rows = Buffer.alloc(7);
  rows.writeUInt8(1, 0);
  rows.writeUInt32BE(hidden.offsets.get(content.num) as number, 1);
  const f = streamBody(`/Type /XRef /Size ${fNum + 1} /W [1 4 2] /Index [${content.num} 1] /Root ${serialize(u.doc.trailer.get('Root') as PdfValue)} /Prev ${String(prev).padStart(10, '0')}`, new Uint8Array(rows));
  const withF = appendRaw(hidden.bytes, { kind: xref, objects: [{ num: fNum, body: f, hidden: true }] });
  return { bytes: withF.bytes, fAt: withF.offsets.get(fNum) as number, fNum };
}

/**
 * Class 15, the prepared input: an update adds to page 1 an empty signature field named
 * 'Later' (no value, no appearance: nothing drawn) whose widget lies at `rect`.
 */
export function emptySignatureFieldInput(base: Uint8Array, rect: Rect): Uint8Array {
  return appendUpdate(base, (doc, update) => {
    const pageRef = doc.pageRefs()[0] as PdfRef;
    const page = doc.latest.resolveDict(pageRef) as PdfDict;
    const widget = update.add(PdfDict.of({ Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: PdfString.fromText('Later'), F: 4, Rect: new PdfArray([...rect]), P: pageRef }));
    update.put(pageRef, page.with('Annots', new PdfArray([widget])));
    update.put(doc.trailer.get('Root') as PdfRef, doc.catalog().with('AcroForm', PdfDict.of({ Fields: new PdfArray([widget]) })));
  });
}

/**
 * A hybrid-reference update: `hidden` written but listed nowhere, then an xref stream (the
 * trailer's /XRefStm, reached from no startxref) holding `streamEntry`, then a classic table
 * that lists the same number as free, chained to the file's last section.
 */
function appendHybrid(base: Uint8Array, hidden: { num: number; body: string | Uint8Array }, streamEntry: RawXrefEntry): Uint8Array {
  const doc = PdfDocument.open(base);
  const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
  const separator = base[base.length - 1] === 0x0a ? '' : '\n';
  const parts: Buffer[] = [Buffer.from(base), latin1(separator)];
  let at = base.length + separator.length;
  const push = (chunk: Buffer): void => {
    parts.push(chunk);
    at += chunk.length;
  };
  push(Buffer.concat([latin1(`${hidden.num} 0 obj\n`), Buffer.from(hidden.body), latin1('\nendobj\n')]));
  const size = doc.trailer.getInteger('Size') ?? doc.size;
  const streamNum = size;
  const streamAt = at;
  const rows = Buffer.alloc(14);
  const [type, field2, field3] = streamEntry.type === 'offset' ? [1, streamEntry.offset, streamEntry.gen ?? 0] : streamEntry.type === 'compressed' ? [2, streamEntry.stream, streamEntry.index] : [0, 0, 1];
  rows.writeUInt8(type, 0);
  rows.writeUInt32BE(field2, 1);
  rows.writeUInt16BE(field3, 5);
  rows.writeUInt8(1, 7);
  rows.writeUInt32BE(streamAt, 8);
  push(Buffer.concat([latin1(`${streamNum} 0 obj\n`), Buffer.from(streamBody(`/Type /XRef /Size ${size + 1} /W [1 4 2] /Index [${streamEntry.num} 1 ${streamNum} 1]`, new Uint8Array(rows))), latin1('\nendobj\n')]));
  const xrefAt = at;
  const trailer = new PdfDict([
    ['Size', size + 1],
    ['Root', doc.trailer.get('Root') as PdfValue],
    ...(doc.trailer.get('ID') ? ([['ID', doc.trailer.get('ID') as PdfValue]] as [string, PdfValue][]) : []),
    ['Prev', doc.latestRevision.xrefOffset],
    ['XRefStm', streamAt],
  ]);
  push(latin1(`xref\n0 1\n0000000000 65535 f\r\n${streamEntry.num} 1\n0000000000 00001 f\r\ntrailer\n${serialize(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

/** Signs the existing empty signature field `field` with an appearance drawing `content` over its /Rect. */
async function signExistingField(bytes: Uint8Array, seal: SigningSeal, field: string, content: string): Promise<Uint8Array> {
  const doc = PdfDocument.open(bytes);
  const update = new IncrementalUpdate(doc);
  const target = doc.formFields().find((f) => f.fullName === field);
  if (!target?.ref) throw new Error(`no field ${field}`);
  const contents = new PdfPlaceholder('contents', 16384, 'hex');
  const range = new PdfPlaceholder('range', 64, 'raw', new PdfArray([0, 0, 0, 0]));
  const sigRef = update.add(PdfDict.of({ Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached'), ByteRange: range, Contents: contents, M: PdfString.fromText('D:20250302080000Z') }));
  const rect = (doc.latest.resolveArray(target.dict.get('Rect'))?.items ?? []) as number[];
  const ap = update.add(PdfStream.withData(PdfDict.of({ Type: name('XObject'), Subtype: name('Form'), BBox: new PdfArray([0, 0, (rect[2] ?? 0) - (rect[0] ?? 0), (rect[3] ?? 0) - (rect[1] ?? 0)]) }), new TextEncoder().encode(content)));
  update.put(target.ref, target.dict.with('V', sigRef).with('AP', PdfDict.of({ N: ap })));
  return completeSignature(bytes, update, { contents, range }, seal, { approvalReference: 'SP-2025-0002' });
}

/** An unsigned input prepared with one trap, for the stamping gate (STAMP_INPUT_SUSPECT). */
export interface TrappedInput {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** The trap kind the gate must name (core/pdf/traps.ts). */
  readonly trap: 'dangling-reference' | 'free-referenced' | 'duplicate-xref-entry' | 'signature-removed';
  /** An object number the gate must name. */
  readonly object: number;
}

/**
 * The traps of classes 3 and 4 laid into an unsigned document before anyone seals it, and a
 * signed-then-unsigned history (a signature whose field a later update removed). `xref` is the
 * kind of cross-reference section the prepared update writes.
 */
export async function trappedInputs(base: Uint8Array, xref: 'table' | 'stream', seal: SigningSeal): Promise<TrappedInput[]> {
  const u = targets(base);
  const trap = u.size + 40;
  const inputs: TrappedInput[] = [];
  inputs.push({
    id: 'dangling-content',
    trap: 'dangling-reference',
    object: trap,
    bytes: appendRaw(base, { kind: xref, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }] }).bytes,
  });
  inputs.push({
    id: 'free-entry-referenced',
    trap: 'free-referenced',
    object: trap,
    bytes: appendRaw(base, { kind: xref, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Contents', refArray(u.contents, new PdfRef(trap, 0))) }], entries: [{ num: trap, type: 'free', gen: 0 }] }).bytes,
  });
  inputs.push({
    id: 'hidden-object-unlisted',
    trap: 'dangling-reference',
    object: trap,
    bytes: appendRaw(base, { kind: xref, objects: [{ num: u.pageRef.num, body: pageWith(u, 'Annots', new PdfArray([new PdfRef(trap, 0)])) }, { num: trap, body: '<< /Type /Annot /Subtype /Square /Rect [70 600 530 770] >>', hidden: true }] }).bytes,
  });
  const content = u.contents[0] as PdfRef;
  const original = u.doc.latest.table.get(content.num);
  inputs.push({
    id: 'duplicate-xref-entry',
    trap: 'duplicate-xref-entry',
    object: content.num,
    bytes: appendRaw(base, {
      kind: xref,
      objects: [{ num: content.num, body: streamBody('', WHITE_OUT), hidden: true }],
      entries: (offsets) => [
        { num: content.num, type: 'offset', offset: original?.type === 'offset' ? original.offset : 0 },
        { num: content.num, type: 'offset', offset: offsets.get(content.num) as number },
      ],
    }).bytes,
  });
  // Signed, then unsigned: the signature's field and widget taken out of /AcroForm and /Annots.
  const signed = await signPdf(base, seal, { field: 'Seal1' });
  const s = PdfDocument.open(signed);
  const view = s.latest;
  const catalogRef = s.trailer.get('Root') as PdfRef;
  const pageRef = s.pageRefs()[0] as PdfRef;
  const field = view.formFields().find((f) => f.fullName === 'Seal1');
  const sigRef = field?.dict.get('V') as PdfRef;
  const acro = s.catalog().get('AcroForm');
  const unsigned: { num: number; body: string }[] = [{ num: pageRef.num, body: serialize((view.resolveDict(pageRef) as PdfDict).with('Annots', undefined)) }];
  if (acro instanceof PdfRef) unsigned.push({ num: acro.num, body: serialize((view.resolveDict(acro) as PdfDict).with('Fields', new PdfArray([]))) });
  else unsigned.push({ num: catalogRef.num, body: serialize(s.catalog().with('AcroForm', undefined)) });
  inputs.push({ id: 'signed-then-unsigned', trap: 'signature-removed', object: sigRef.num, bytes: appendRaw(signed, { kind: xref, objects: unsigned }).bytes });
  return inputs;
}

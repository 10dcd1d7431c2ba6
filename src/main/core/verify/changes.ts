/**
 * Step 6: what changed after a signature. Every later incremental update is compared with the
 * revision before it, object by object, and each overridden object is judged by the role it
 * played in the earlier revision (catalog, form field, widget, page, annotation, DSS, …): the
 * role comes from where the earlier revision references the object, never from what the new
 * object claims to be, so an attacker cannot relabel a page content stream as "metadata".
 *
 * Levels, from harmless to disallowed: none < signatures (signatures, document timestamps,
 * DSS validation data, XMP/Info metadata) < form-filling < annotations < other (page content,
 * resources, pages added or removed, objects overridden). This is what defeats the Incremental
 * Saving Attack and the Shadow attacks (hide, replace, hide-and-replace): all of them need a
 * later update to override or re-point something that is rendered, which lands in "other".
 */
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, TRAP_SCAN_MAX_OBJECTS, objectHeadersIn, reachableFromCatalog, undefinedReferences, undrawnRoleObjects, UNDRAWN_CATALOG_KEYS, type PdfDocument, type PdfRevisionView, type PdfValue } from '../pdf/index';
import { coversContent, pageContentBoxes, type Box } from './content-extent';
import type { ChangeLevel, DocumentChange } from './types';

export const CHANGE_LEVELS: readonly ChangeLevel[] = ['none', 'signatures', 'form-filling', 'annotations', 'other'];

export function levelRank(level: ChangeLevel): number {
  return CHANGE_LEVELS.indexOf(level);
}

type Role =
  | { readonly kind: 'catalog' }
  | { readonly kind: 'info' }
  | { readonly kind: 'acroform' }
  | { readonly kind: 'fields-array' }
  | { readonly kind: 'dss' }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'extensions' }
  | { readonly kind: 'pages-node' }
  | { readonly kind: 'page'; readonly page: number }
  | { readonly kind: 'annots-array'; readonly page: number }
  | { readonly kind: 'annotation'; readonly page: number | undefined; readonly widget: boolean }
  | { readonly kind: 'field'; readonly name: string; readonly signature: boolean; readonly widgetOf: boolean }
  | { readonly kind: 'widget'; readonly name: string; readonly signature: boolean; readonly page: number | undefined }
  | { readonly kind: 'signature-value'; readonly field: string }
  | { readonly kind: 'appearance'; readonly owners: readonly number[]; readonly page: number | undefined }
  | { readonly kind: 'page-content'; readonly page: number }
  | { readonly kind: 'page-resource'; readonly page: number };

type RoleMap = Map<number, Role[]>;

function addRole(map: RoleMap, value: PdfValue | undefined, role: Role): void {
  if (!(value instanceof PdfRef)) return;
  const list = map.get(value.num);
  if (list) list.push(role);
  else map.set(value.num, [role]);
}

function refsIn(view: PdfRevisionView, value: PdfValue | undefined): PdfRef[] {
  if (value instanceof PdfRef) {
    const resolved = view.resolve(value);
    if (resolved instanceof PdfArray) return [value, ...resolved.items.filter((item): item is PdfRef => item instanceof PdfRef)];
    return [value];
  }
  if (value instanceof PdfArray) return value.items.filter((item): item is PdfRef => item instanceof PdfRef);
  return [];
}

/** Appearance streams of an annotation: /AP /N, /D, /R, each a stream or a dict of states. */
function appearanceRefs(view: PdfRevisionView, annotation: PdfDict): PdfRef[] {
  const ap = view.resolveDict(annotation.get('AP'));
  if (!ap) return [];
  const refs: PdfRef[] = [];
  for (const key of ['N', 'D', 'R']) {
    const entry = ap.get(key);
    if (entry instanceof PdfRef) {
      const resolved = view.resolve(entry);
      if (resolved instanceof PdfDict) for (const state of resolved.entries()) if (state[1] instanceof PdfRef) refs.push(state[1]);
      refs.push(entry);
    } else if (entry instanceof PdfDict) {
      for (const [, state] of entry.entries()) if (state instanceof PdfRef) refs.push(state);
    }
  }
  return refs;
}

/** Who references what in one revision: the roles overridden objects are judged by. */
function buildRoles(view: PdfRevisionView): { roles: RoleMap; pageOf: Map<number, number>; pageCount: number } {
  const roles: RoleMap = new Map();
  const pageOf = new Map<number, number>();
  addRole(roles, view.trailer.get('Root'), { kind: 'catalog' });
  // Info, metadata and DSS data: the same objects the stamping gate checks (core/pdf/traps.ts).
  for (const [num, kinds] of undrawnRoleObjects(view)) for (const kind of kinds) addRole(roles, new PdfRef(num, 0), { kind });
  const catalog = view.catalog();
  addRole(roles, catalog.get('Extensions'), { kind: 'extensions' });
  addRole(roles, catalog.get('Pages'), { kind: 'pages-node' });
  const acroFormRef = catalog.get('AcroForm');
  addRole(roles, acroFormRef, { kind: 'acroform' });
  const acroForm = view.resolveDict(acroFormRef);
  if (acroForm) addRole(roles, acroForm.get('Fields'), { kind: 'fields-array' });
  const pages = view.pageRefs();
  pages.forEach((pageRef, index) => {
    const page = index + 1;
    pageOf.set(pageRef.num, page);
    addRole(roles, pageRef, { kind: 'page', page });
    const dict = view.resolveDict(pageRef);
    if (!dict) return;
    for (const content of refsIn(view, dict.get('Contents'))) addRole(roles, content, { kind: 'page-content', page });
    const resourcesValue = dict.get('Resources');
    addRole(roles, resourcesValue, { kind: 'page-resource', page });
    const resources = view.resolveDict(resourcesValue);
    if (resources) {
      for (const [, category] of resources.entries()) {
        addRole(roles, category, { kind: 'page-resource', page });
        const categoryDict = view.resolveDict(category);
        if (categoryDict) for (const [, item] of categoryDict.entries()) addRole(roles, item, { kind: 'page-resource', page });
      }
    }
    const annotsValue = dict.get('Annots');
    if (annotsValue instanceof PdfRef) addRole(roles, annotsValue, { kind: 'annots-array', page });
    const annots = view.resolveArray(annotsValue);
    for (const annotRef of annots?.items ?? []) {
      if (!(annotRef instanceof PdfRef)) continue;
      pageOf.set(annotRef.num, page);
      const annot = view.resolveDict(annotRef);
      const widget = annot?.getName('Subtype') === 'Widget';
      addRole(roles, annotRef, { kind: 'annotation', page, widget });
      if (annot) for (const ap of appearanceRefs(view, annot)) addRole(roles, ap, { kind: 'appearance', owners: [annotRef.num], page });
    }
  });
  for (const field of view.formFields()) {
    const signature = field.fieldType === 'Sig';
    const merged = field.ref !== undefined && field.widgets.some((w) => w.equals(field.ref));
    addRole(roles, field.ref, { kind: 'field', name: field.fullName, signature, widgetOf: merged });
    if (signature) addRole(roles, field.dict.get('V'), { kind: 'signature-value', field: field.fullName });
    for (const widget of field.widgets) {
      addRole(roles, widget, { kind: 'widget', name: field.fullName, signature, page: pageOf.get(widget.num) });
      const widgetDict = view.resolveDict(widget);
      const owners = field.ref ? [widget.num, field.ref.num] : [widget.num];
      if (widgetDict) for (const ap of appearanceRefs(view, widgetDict)) addRole(roles, ap, { kind: 'appearance', owners, page: pageOf.get(widget.num) });
    }
  }
  return { roles, pageOf, pageCount: pages.length };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of two values (references compared as references). */
export function valuesEqual(doc: PdfDocument, a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (depth > 512) return false;
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PdfName || b instanceof PdfName) return a instanceof PdfName && b instanceof PdfName && a.value === b.value;
  if (a instanceof PdfRef) return a.equals(b);
  if (a instanceof PdfString) return b instanceof PdfString && bytesEqual(a.bytes, b.bytes);
  if (a instanceof PdfArray) {
    if (!(b instanceof PdfArray) || a.length !== b.length) return false;
    return a.items.every((item, i) => valuesEqual(doc, item, b.items[i], depth + 1));
  }
  if (a instanceof PdfDict) {
    if (!(b instanceof PdfDict) || a.size !== b.size) return false;
    for (const [key, value] of a.entries()) if (!b.has(key) || !valuesEqual(doc, value, b.get(key), depth + 1)) return false;
    return true;
  }
  if (a instanceof PdfStream) {
    if (!(b instanceof PdfStream)) return false;
    const lengthless = (s: PdfStream): PdfDict => s.dict.with('Length', undefined);
    if (!valuesEqual(doc, lengthless(a), lengthless(b), depth + 1)) return false;
    return bytesEqual(doc.rawStreamData(a), doc.rawStreamData(b));
  }
  return false;
}

function changedKeys(doc: PdfDocument, before: PdfDict, after: PdfDict): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => !valuesEqual(doc, before.get(key), after.get(key)));
}

function asDict(value: PdfValue | undefined): PdfDict | undefined {
  if (value instanceof PdfDict) return value;
  if (value instanceof PdfStream) return value.dict;
  return undefined;
}

interface RevisionContext {
  readonly doc: PdfDocument;
  readonly revision: number;
  readonly before: PdfRevisionView;
  readonly after: PdfRevisionView;
  readonly touched: ReadonlySet<number>;
  readonly pageOf: ReadonlyMap<number, number>;
  readonly changes: DocumentChange[];
  readonly values: { before?: Map<string, PdfValue | undefined>; after?: Map<string, PdfValue | undefined> };
  /** Content boxes of the earlier revision's pages, by page number, computed on demand. */
  readonly contentBoxes: Map<number, Box[] | 'page'>;
  beforePages?: PdfRef[];
}

function push(ctx: RevisionContext, level: ChangeLevel, kind: string, extra: { object?: number; page?: number | undefined; detail?: string } = {}): void {
  ctx.changes.push({
    revision: ctx.revision,
    level,
    kind,
    ...(extra.object !== undefined ? { object: `${extra.object} 0 R` } : {}),
    ...(extra.page !== undefined ? { page: extra.page } : {}),
    ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
  });
}

function isSignatureField(view: PdfRevisionView, dict: PdfDict | undefined): boolean {
  let current = dict;
  for (let depth = 0; current && depth < 32; depth++) {
    const type = current.getName('FT');
    if (type) return type === 'Sig';
    current = view.resolveDict(current.get('Parent'));
  }
  return false;
}

/** New and removed entries of an array of references (annotations, fields). */
function arrayDelta(before: PdfArray | undefined, after: PdfArray | undefined): { added: PdfValue[]; removed: PdfValue[] } {
  const key = (v: PdfValue): string => (v instanceof PdfRef ? v.key : `direct:${String(v)}`);
  const beforeKeys = new Set((before?.items ?? []).map(key));
  const afterKeys = new Set((after?.items ?? []).map(key));
  return {
    added: (after?.items ?? []).filter((v) => !beforeKeys.has(key(v))),
    removed: (before?.items ?? []).filter((v) => !afterKeys.has(key(v))),
  };
}

/** An annotation's rectangle when a viewer draws it (not Hidden/NoView, non-empty, with an appearance). */
function visibleRect(view: PdfRevisionView, annot: PdfDict): Box | undefined {
  const flags = view.resolve(annot.get('F'));
  if (typeof flags === 'number' && (flags & (2 | 32)) !== 0) return undefined;
  const rect = view.resolveArray(annot.get('Rect'))?.items.map((v) => view.resolve(v));
  if (!rect || rect.length !== 4 || !rect.every((v): v is number => typeof v === 'number')) return undefined;
  const [x0, y0, x1, y1] = rect as [number, number, number, number];
  if (Math.abs(x1 - x0) < 0.5 || Math.abs(y1 - y0) < 0.5) return undefined;
  // A widget without an appearance is not drawn; other annotations may have one generated.
  if (annot.getName('Subtype') === 'Widget' && !annot.has('AP')) return undefined;
  return [x0, y0, x1, y1];
}

/** Whether a rectangle on a page of the earlier revision covers what that page draws. */
function coversPageContent(ctx: RevisionContext, page: number | undefined, rect: Box): boolean {
  if (page === undefined) return true;
  let boxes = ctx.contentBoxes.get(page);
  if (!boxes) {
    const pageRef = (ctx.beforePages ??= ctx.before.pageRefs())[page - 1];
    boxes = pageRef ? pageContentBoxes(ctx.before, pageRef) : 'page';
    ctx.contentBoxes.set(page, boxes);
  }
  return coversContent(boxes, rect);
}

/** The /V of a (possibly inherited) field dictionary. */
function fieldValue(view: PdfRevisionView, dict: PdfDict | undefined): PdfValue | undefined {
  let current = dict;
  for (let depth = 0; current && depth < 32; depth++) {
    const value = current.get('V');
    if (value !== undefined && value !== null) return view.resolve(value) ?? undefined;
    current = view.resolveDict(current.get('Parent'));
  }
  return undefined;
}

function judgeAnnots(ctx: RevisionContext, page: number | undefined, before: PdfArray | undefined, after: PdfArray | undefined): void {
  const { added, removed } = arrayDelta(before, after);
  for (const item of added) {
    const annot = ctx.after.resolveDict(item);
    const num = item instanceof PdfRef ? item.num : undefined;
    const rect = annot ? visibleRect(ctx.after, annot) : undefined;
    const covers = rect !== undefined && coversPageContent(ctx, page, rect);
    if (annot?.getName('Subtype') === 'Widget') {
      if (isSignatureField(ctx.after, annot)) {
        // Later signatures are allowed where they do not cover what the signer saw; an empty
        // signature field that draws something is an overlay like any other (pyHanko, EU DSS).
        if (rect && fieldValue(ctx.after, annot) === undefined) push(ctx, 'annotations', 'empty-signature-field-visible', { object: num, page, detail: covers ? 'covers content' : 'visible' });
        else if (covers) push(ctx, 'other', 'signature-appearance-covers-content', { object: num, page });
        else push(ctx, 'signatures', 'signature-widget-added', { object: num, page, ...(rect ? { detail: 'visible, on blank paper' } : {}) });
      } else push(ctx, 'other', 'form-field-added', { object: num, page });
    } else {
      push(ctx, 'annotations', 'annotation-added', { object: num, page, detail: `${annot?.getName('Subtype') ?? 'unknown'}${covers ? ', covers content' : ''}` });
    }
  }
  for (const item of removed) {
    const annot = ctx.before.resolveDict(item);
    const kind = annot?.getName('Subtype') === 'Widget' ? 'widget-removed' : 'annotation-removed';
    push(ctx, kind === 'widget-removed' ? 'other' : 'annotations', kind, { object: item instanceof PdfRef ? item.num : undefined, page });
  }
}

function judgeFields(ctx: RevisionContext, before: PdfArray | undefined, after: PdfArray | undefined): void {
  const { added, removed } = arrayDelta(before, after);
  for (const item of added) {
    const dict = ctx.after.resolveDict(item);
    const num = item instanceof PdfRef ? item.num : undefined;
    if (isSignatureField(ctx.after, dict)) push(ctx, 'signatures', 'signature-field-added', { object: num, page: num === undefined ? undefined : ctx.pageOf.get(num) });
    else push(ctx, 'other', 'form-field-added', { object: num });
  }
  for (const item of removed) push(ctx, 'other', 'form-field-removed', { object: item instanceof PdfRef ? item.num : undefined });
}

function judgeAcroForm(ctx: RevisionContext, num: number | undefined, before: PdfDict | undefined, after: PdfDict | undefined): Set<string> {
  const unexplained = new Set<string>();
  const keys = changedKeys(ctx.doc, before ?? new PdfDict(), after ?? new PdfDict());
  for (const key of keys) {
    if (key === 'Fields') judgeFields(ctx, ctx.before.resolveArray(before?.get('Fields')), ctx.after.resolveArray(after?.get('Fields')));
    else if (key === 'SigFlags') push(ctx, 'signatures', 'signature-flags-set', { object: num });
    else if (key === 'DR' || key === 'DA' || key === 'NeedAppearances') push(ctx, 'form-filling', 'form-defaults-changed', { object: num, detail: key });
    else unexplained.add(key);
  }
  return unexplained;
}


/** Whether the value (/V) of the named field differs between the two revisions. */
function valueChanged(ctx: RevisionContext, name: string): boolean {
  const cache = ctx.values;
  if (!cache.before) cache.before = fieldValues(ctx.before);
  if (!cache.after) cache.after = fieldValues(ctx.after);
  return !valuesEqual(ctx.doc, cache.before.get(name), cache.after.get(name));
}

function fieldValues(view: PdfRevisionView): Map<string, PdfValue | undefined> {
  const values = new Map<string, PdfValue | undefined>();
  for (const field of view.formFields()) values.set(field.fullName, field.dict.get('V') ?? null);
  return values;
}

/** The catalog's /Names changed only in its /AP tree (named annotation appearances). */
function namesOnlyAppearances(ctx: RevisionContext, before: PdfValue | undefined, after: PdfValue | undefined): boolean {
  const beforeDict = ctx.before.resolveDict(before) ?? new PdfDict();
  const afterDict = ctx.after.resolveDict(after) ?? new PdfDict();
  return changedKeys(ctx.doc, beforeDict, afterDict).every((key) => key === 'AP');
}

/** Objects scanned when looking for other users of an overridden appearance stream. */
const REFERENCE_SCAN_LIMIT = 100_000;

/**
 * Whether anything besides `owners` references object `num` (pyHanko's "sneaky" case: an
 * appearance stream also drawn somewhere else, so overriding it changes more than the
 * widget). Conservative: a document too large to scan counts as "referenced elsewhere".
 */
function referencedElsewhere(view: PdfRevisionView, num: number, owners: readonly number[]): boolean {
  // The sections' extent is a cheap upper bound of the table's size (counting it is O(entries)).
  if (((view.table as { end?: number }).end ?? view.table.size) > REFERENCE_SCAN_LIMIT) return true;
  const refers = (value: PdfValue | undefined, depth: number): boolean => {
    if (depth > 64) return true;
    if (value instanceof PdfRef) return value.num === num;
    if (value instanceof PdfArray) return value.items.some((item) => refers(item, depth + 1));
    if (value instanceof PdfDict) return [...value.entries()].some(([, item]) => refers(item, depth + 1));
    if (value instanceof PdfStream) return refers(value.dict, depth + 1);
    return false;
  };
  for (const [other, entry] of view.table) {
    if (other === num || owners.includes(other) || entry.type === 'free') continue;
    let value: PdfValue;
    try {
      value = view.getObject(new PdfRef(other, entry.type === 'offset' ? entry.gen : 0));
    } catch {
      continue;
    }
    if (refers(value, 0)) return true;
  }
  if (refers(view.trailer, 0)) return true;
  return false;
}

const SIGNATURE_FIELD_KEYS = new Set(['AP', 'AS', 'MK', 'F', 'DA', 'Lock', 'SV']);
const FORM_FIELD_KEYS = new Set(['V', 'AP', 'AS', 'MK', 'RV', 'DA']);
const WIDGET_KEYS = new Set(['AP', 'AS', 'MK']);

/** Explains the changed keys of one overridden object by one of its roles; returns those it cannot explain. */
function judgeRole(ctx: RevisionContext, num: number, role: Role, before: PdfValue, after: PdfValue): Set<string> | 'explained' | 'unexplained' {
  const doc = ctx.doc;
  const beforeDict = asDict(before);
  const afterDict = asDict(after);
  const keys = beforeDict && afterDict ? changedKeys(doc, beforeDict, afterDict) : undefined;
  switch (role.kind) {
    case 'catalog': {
      if (!beforeDict || !afterDict || !keys) return 'unexplained';
      const left = new Set<string>();
      for (const key of keys) {
        if (key === 'AcroForm') {
          const rest = judgeAcroForm(ctx, undefined, ctx.before.resolveDict(beforeDict.get('AcroForm')), ctx.after.resolveDict(afterDict.get('AcroForm')));
          for (const k of rest) left.add(`AcroForm.${k}`);
        } else if (key === 'DSS') push(ctx, 'signatures', 'dss-updated', { object: num });
        else if (key === 'Metadata') push(ctx, 'signatures', 'metadata-updated', { object: num });
        else if (key === 'Extensions' && !(beforeDict.get('Extensions') instanceof PdfRef)) push(ctx, 'signatures', 'extensions-updated', { object: num });
        else if (key === 'Names' && namesOnlyAppearances(ctx, beforeDict.get('Names'), afterDict.get('Names'))) push(ctx, 'annotations', 'named-appearances-updated', { object: num });
        else left.add(key);
      }
      return left;
    }
    case 'acroform':
      return judgeAcroForm(ctx, num, beforeDict, afterDict);
    case 'fields-array':
      judgeFields(ctx, before instanceof PdfArray ? before : undefined, after instanceof PdfArray ? after : undefined);
      return after instanceof PdfArray ? 'explained' : 'unexplained';
    case 'dss':
      push(ctx, 'signatures', 'dss-updated', { object: num });
      return 'explained';
    case 'metadata':
      push(ctx, 'signatures', 'metadata-updated', { object: num });
      return 'explained';
    case 'info':
      push(ctx, 'signatures', 'document-info-updated', { object: num });
      return 'explained';
    case 'page': {
      if (!beforeDict || !afterDict || !keys) return 'unexplained';
      const left = new Set<string>();
      for (const key of keys) {
        if (key === 'Annots') judgeAnnots(ctx, role.page, ctx.before.resolveArray(beforeDict.get('Annots')), ctx.after.resolveArray(afterDict.get('Annots')));
        else left.add(key);
      }
      return left;
    }
    case 'annots-array':
      judgeAnnots(ctx, role.page, before instanceof PdfArray ? before : undefined, after instanceof PdfArray ? after : undefined);
      return after instanceof PdfArray ? 'explained' : 'unexplained';
    case 'annotation':
      // Widgets are judged by their 'widget' role; this role only accepts what that role may.
      if (role.widget) return keys ? new Set(keys.filter((k) => !WIDGET_KEYS.has(k))) : 'unexplained';
      push(ctx, 'annotations', 'annotation-modified', { object: num, page: role.page });
      return 'explained';
    case 'widget': {
      if (!keys) return 'unexplained';
      const left = new Set(keys.filter((k) => !WIDGET_KEYS.has(k)));
      if (keys.some((k) => WIDGET_KEYS.has(k))) {
        // Shadow "replace": a new appearance for a field whose value did not change shows
        // content nobody signed or filled in. Only an appearance that goes with a new value
        // (or with the signing of an empty signature field) is form filling.
        if (!valueChanged(ctx, role.name)) {
          push(ctx, 'other', role.signature ? 'signature-appearance-replaced' : 'field-appearance-replaced', { object: num, page: role.page, detail: role.name });
          return left;
        }
        // Signing a field that was empty at sealing draws its appearance where the field sits:
        // over what the signer saw, that is an overlay like a new widget covering content
        // (test/attacks class 15: an empty field over the text, signed later with a white box).
        const rect = role.signature && afterDict ? visibleRect(ctx.after, afterDict) : undefined;
        if (rect && coversPageContent(ctx, role.page, rect)) {
          push(ctx, 'other', 'signature-appearance-covers-content', { object: num, page: role.page, detail: role.name });
          return left;
        }
        push(ctx, role.signature ? 'signatures' : 'form-filling', role.signature ? 'signature-appearance-changed' : 'field-appearance-changed', { object: num, page: role.page, detail: role.name });
      }
      return left;
    }
    case 'field': {
      if (!beforeDict || !afterDict || !keys) return 'unexplained';
      const left = new Set<string>();
      for (const key of keys) {
        if (role.signature) {
          if (key === 'V' && (beforeDict.get('V') === undefined || beforeDict.get('V') === null)) push(ctx, 'signatures', 'signature-added', { object: num, detail: role.name });
          else if (SIGNATURE_FIELD_KEYS.has(key) && (!['AP', 'AS'].includes(key) || valueChanged(ctx, role.name))) push(ctx, 'signatures', 'signature-field-updated', { object: num, detail: `${role.name} /${key}` });
          else if (SIGNATURE_FIELD_KEYS.has(key)) push(ctx, 'other', 'signature-appearance-replaced', { object: num, detail: role.name });
          else left.add(key);
        } else if (FORM_FIELD_KEYS.has(key)) {
          if (key !== 'V' && !keys.includes('V')) push(ctx, 'other', 'field-appearance-replaced', { object: num, detail: role.name });
          else push(ctx, 'form-filling', key === 'V' ? 'field-filled' : 'field-appearance-changed', { object: num, detail: role.name });
        } else left.add(key);
      }
      return left;
    }
    case 'appearance':
      // Overriding an appearance stream is form filling only when the widget (or its field)
      // it belongs to is updated in the same revision; an appearance stream overridden on its
      // own, or one also used elsewhere, is a content change (pyHanko's "sneaky" override).
      if (role.owners.some((owner) => ctx.touched.has(owner)) && !referencedElsewhere(ctx.before, num, role.owners)) {
        push(ctx, 'form-filling', 'field-appearance-changed', { object: num, page: role.page });
        return 'explained';
      }
      return 'unexplained';
    default:
      return 'unexplained';
  }
}

function otherKind(roles: readonly Role[]): { kind: string; page: number | undefined } {
  for (const role of roles) {
    if (role.kind === 'page-content') return { kind: 'page-content-changed', page: role.page };
    if (role.kind === 'page-resource') return { kind: 'page-resources-changed', page: role.page };
    if (role.kind === 'page') return { kind: 'page-changed', page: role.page };
    if (role.kind === 'signature-value') return { kind: 'signature-dictionary-changed', page: undefined };
    if (role.kind === 'pages-node') return { kind: 'page-tree-changed', page: undefined };
    if (role.kind === 'catalog') return { kind: 'catalog-changed', page: undefined };
  }
  const withPage = roles.find((r) => 'page' in r && r.page !== undefined) as { page?: number } | undefined;
  return { kind: 'object-overridden', page: withPage?.page };
}

function refFor(num: number, entry: { type: string; gen?: number }): PdfRef {
  return new PdfRef(num, entry.type === 'offset' ? (entry.gen ?? 0) : 0);
}

/**
 * Roles whose objects no viewer draws (document info, XMP metadata, validation data): any
 * change to them is allowed after an approval seal. That holds only while the object is
 * nothing else: the role comes from one reference, and the same number can also be a form
 * XObject a page draws, its resources, a font (the exploit: /DSS /Certs [n 0 R] where n is a
 * form nested in one the page paints; overriding n redrew the page and the seal stayed VALID).
 */
const UNDRAWN_ROLES: ReadonlySet<Role['kind']> = new Set(['info', 'metadata', 'dss']);
/** Catalog keys under which only undrawn data hangs. */

/** Objects whose references a dangling-reference scan may follow before it gives up. */
export const DANGLING_SCAN_MAX_OBJECTS = TRAP_SCAN_MAX_OBJECTS;

function pageOfRoles(roles: readonly Role[] | undefined): number | undefined {
  const withPage = roles?.find((r) => 'page' in r && r.page !== undefined) as { page?: number } | undefined;
  return withPage?.page;
}

/**
 * Numbers the revision refers to (from its trailer or any object it defines) that it does not
 * define, or lists as free. A later revision that defines one of them changes what this
 * revision drew: the "prepared reference" trap (issue #11, class 3).
 */
function danglingReferences(view: PdfRevisionView): Set<number> {
  const { missing, free } = undefinedReferences(view);
  for (const num of free) missing.add(num);
  return missing;
}

/** The changes revision `index` made to revision `index - 1`. */
export function classifyRevision(doc: PdfDocument, index: number): DocumentChange[] {
  const revision = doc.revisions[index];
  if (!revision || index === 0) return [];
  const before = doc.atRevision(index - 1);
  const after = doc.atRevision(index);
  let built: ReturnType<typeof buildRoles> | undefined;
  const structure = (): ReturnType<typeof buildRoles> => (built ??= buildRoles(before));
  const changes: DocumentChange[] = [];
  const touched = new Set<number>();
  for (const num of revision.entries.keys()) {
    const old = before.table.get(num);
    if (num !== 0 && old && old.type !== 'free') touched.add(num);
  }
  let ctx: RevisionContext | undefined;
  const context = (): RevisionContext => (ctx ??= { doc, revision: index, before, after, touched, pageOf: structure().pageOf, changes, values: {}, contentBoxes: new Map() });

  const oldRoot = before.trailer.get('Root');
  const newRoot = after.trailer.get('Root');
  if (!(oldRoot instanceof PdfRef && newRoot instanceof PdfRef && oldRoot.equals(newRoot))) {
    const left = judgeRole(context(), newRoot instanceof PdfRef ? newRoot.num : 0, { kind: 'catalog' }, before.catalog(), after.catalog());
    if (left === 'unexplained' || (left instanceof Set && left.size > 0)) {
      push(context(), 'other', 'catalog-changed', { detail: left instanceof Set ? [...left].join(',') : 'replaced' });
    }
  }

  // Every object whose value may differ between the two revisions: the numbers this
  // revision's section declares (defined, redefined, freed, repeated), and the members of any
  // object stream it replaces under the same number (their entries do not change, their bytes
  // do). Each is compared by value, loaded through each revision's own table (issue #11).
  // Members are kept apart from the section's own entries, which may be millions (class 6).
  const members = new Map<number, 'member'>();
  let containers: Map<number, number[]> | undefined;
  const membersOf = (streamNum: number): number[] => {
    if (!containers) {
      containers = new Map();
      for (const [num, entry] of before.table) {
        if (entry.type !== 'compressed') continue;
        const list = containers.get(entry.stream);
        if (list) list.push(num);
        else containers.set(entry.stream, [num]);
      }
    }
    return containers.get(streamNum) ?? [];
  };
  for (const num of revision.entries.keys()) {
    const old = before.table.get(num);
    if (old?.type !== 'offset') continue;
    let value: PdfValue;
    try {
      value = before.getObject(refFor(num, old));
    } catch {
      continue;
    }
    if (value instanceof PdfStream && value.dict.getName('Type') === 'ObjStm') for (const member of membersOf(num)) if (!revision.entries.has(member)) members.set(member, 'member');
  }
  // Conflicting duplicate entries in this section: which one a viewer takes is not ours to
  // guess, and the attacker chose the order (class 4).
  for (const [num, alternatives] of revision.duplicates ?? []) push(context(), 'other', 'xref-duplicate-entry', { object: num, detail: `${alternatives.length + 1} entries` });

  let referenced: ReadonlySet<number> | undefined;
  let drawn: ReadonlySet<number> | undefined;
  function* compared(): Generator<[number, 'entry' | 'member']> {
    for (const num of revision!.entries.keys()) if (num !== 0) yield [num, 'entry'];
    yield* members;
  }
  for (const [num, how] of compared()) {
    const old = before.table.get(num);
    const entry = after.table.get(num);
    const existed = old !== undefined && old.type !== 'free';
    const exists = entry !== undefined && entry.type !== 'free';
    if (!existed) {
      if (!exists) continue;
      // An update's own cross-reference stream is not part of the document's object graph.
      if (entry.type === 'offset') {
        let value: PdfValue;
        try {
          value = after.getObject(refFor(num, entry));
        } catch {
          value = null;
        }
        if (value instanceof PdfStream && value.dict.getName('Type') === 'XRef') continue;
      }
      // A number the earlier revision used without defining it (a dangling reference, or one
      // listed as free): defining it now changes what that revision drew (class 3).
      referenced ??= danglingReferences(before);
      if (referenced.has(num)) push(context(), 'other', 'referenced-object-defined', { object: num, page: structure().pageOf.get(num) ?? pageOfRoles(structure().roles.get(num)) });
      continue; // other new objects matter only through what existing objects now point to
    }
    const roles = structure().roles.get(num) ?? [];
    let oldValue: PdfValue;
    try {
      oldValue = before.getObject(refFor(num, old));
    } catch {
      oldValue = null;
    }
    const structural = oldValue instanceof PdfStream && ['XRef', 'ObjStm'].includes(oldValue.dict.getName('Type') ?? '');
    if (!exists) {
      // Freed (class 1): whatever used the object now gets null. Object streams and xref
      // streams are containers: their members are compared one by one above.
      if (!structural) push(context(), 'other', 'object-deleted', { object: num, page: otherKind(roles).page ?? pageOfRoles(roles) });
      continue;
    }
    let newValue: PdfValue;
    try {
      newValue = after.getObject(refFor(num, entry));
    } catch (error) {
      push(context(), 'other', 'object-unreadable', { object: num, detail: error instanceof Error ? error.message.slice(0, 120) : 'unreadable' });
      continue;
    }
    if (entry.type === 'offset' && old.type === 'offset' && entry.gen !== old.gen) {
      // Same number, new generation: references to the old generation now resolve to null.
      push(context(), 'other', 'object-generation-changed', { object: num, page: otherKind(roles).page, detail: `${old.gen} → ${entry.gen}` });
      continue;
    }
    if (valuesEqual(doc, oldValue, newValue)) continue;
    if (structural) {
      if (!(newValue instanceof PdfStream && oldValue instanceof PdfStream && newValue.dict.getName('Type') === oldValue.dict.getName('Type'))) push(context(), 'other', 'object-overridden', { object: num, detail: 'object stream replaced by another object' });
      continue;
    }
    if (how === 'member') touched.add(num);
    const undrawn = roles.filter((r) => UNDRAWN_ROLES.has(r.kind));
    if (undrawn.length > 0) {
      // Reached from the catalog other than through /Metadata and /DSS: the document uses it.
      drawn ??= reachableFromCatalog(before, UNDRAWN_CATALOG_KEYS);
      if (drawn.has(num)) {
        const { kind, page } = otherKind(roles);
        push(context(), 'other', kind === 'object-overridden' ? 'drawn-object-changed' : kind, { object: num, page, detail: `${[...new Set(undrawn.map((r) => r.kind))].join(', ')} object also used by the document` });
        continue;
      }
    }
    if (roles.length === 0) {
      // Not referenced by any structure the roles know (fonts, images, form XObjects, …):
      // overriding it changes whatever uses it.
      push(context(), 'other', 'object-overridden', { object: num, ...(how === 'member' ? { detail: 'inside a replaced object stream' } : {}) });
      continue;
    }
    // Every role the object plays must accept the change: a key is explained when some role
    // explains it (a merged field/widget), but a role that rejects the whole object wins.
    let unexplained: Set<string> | undefined;
    let rejected = false;
    for (const role of roles) {
      const result = judgeRole(context(), num, role, oldValue, newValue);
      if (result === 'unexplained') rejected = true;
      else if (result instanceof Set) unexplained = unexplained ? new Set([...unexplained].filter((k) => result.has(k))) : result;
    }
    if (rejected || (unexplained !== undefined && unexplained.size > 0)) {
      const { kind, page } = otherKind(roles);
      push(context(), 'other', kind, { object: num, page, ...(unexplained && unexplained.size > 0 ? { detail: [...unexplained].join(',') } : {}) });
    }
  }
  // Objects the update's bytes define that its cross-reference does not list where they are.
  // A viewer that rebuilds a file by scanning (poppler on an object it cannot find or whose
  // header it refuses, MuPDF on a section it cannot read) takes the last definition of each
  // number it finds, listed or not: every disagreement between our reader and a viewer's
  // (test/attacks classes 8, 10, 12, 13) became a way to draw such an object. Whatever the
  // trigger, an update that carries one is not an update we can vouch for.
  const previousEnd = doc.revisions[index - 1]?.endOffset ?? 0;
  if (revision.kind !== 'recovered' && revision.endOffset > previousEnd) {
    let named = 0;
    const unlisted: string[] = [];
    for (const header of objectHeadersIn(doc.reader, previousEnd, revision.endOffset, doc.limits)) {
      const entry = revision.entries.get(header.num);
      if (entry?.type === 'offset' && entry.offset === header.offset) continue;
      if (++named <= 16) push(context(), 'other', 'unlisted-object', { object: header.num, detail: `${header.num} ${header.gen} obj at byte ${header.offset}, not in this revision's cross-reference` });
      else unlisted.push(String(header.num));
    }
    if (unlisted.length > 0) push(context(), 'other', 'unlisted-object', { detail: `${unlisted.length} more` });
  }
  // Pages added or removed, told apart from other page-tree edits for the report.
  const touchedTree = changes.some((c) => c.kind === 'page-tree-changed' || (c.kind === 'catalog-changed' && c.detail?.includes('Pages')));
  if (touchedTree) {
    const countAfter = after.pageRefs().length;
    const countBefore = structure().pageCount;
    if (countAfter > countBefore) push(context(), 'other', 'pages-added', { detail: `${countBefore} → ${countAfter}`, page: countBefore + 1 });
    if (countAfter < countBefore) push(context(), 'other', 'pages-removed', { detail: `${countBefore} → ${countAfter}` });
  }
  return changes;
}

export function worstLevel(changes: readonly DocumentChange[]): ChangeLevel {
  let worst: ChangeLevel = 'none';
  for (const change of changes) if (levelRank(change.level) > levelRank(worst)) worst = change.level;
  return worst;
}

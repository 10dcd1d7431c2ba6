/**
 * Traps a file can carry into a seal (issue #11, class 3 and 4; STAMP_INPUT_SUSPECT). A later
 * revision can change what a sealed revision shows without touching a single sealed byte when
 * the sealed revision itself was prepared for it:
 *  - a dangling reference: an object number referenced but defined nowhere (a later update
 *    "defines" it and fills in a font, an image, a page);
 *  - a reference to an object the cross-reference lists as free (same, under a free number);
 *  - duplicate entries for one number in one cross-reference section with different targets
 *    (viewers disagree on which one wins);
 *  - a signed-then-unsigned history: an earlier revision held a signature (a dictionary with
 *    /ByteRange) that the latest revision no longer shows, the residue of a removed signature;
 *  - an object with a role no viewer draws (the trailer's /Info, the catalog's /Metadata, the
 *    DSS and the data it lists) that the document also uses (test/attacks class 7): a later
 *    "metadata-only" update would rewrite what a page draws;
 *  - a cross-reference section in the bytes that the /Prev chain does not reach (class 9): a
 *    later update that names it as its /Prev brings in whatever it lists.
 * The stamping gate refuses such inputs; the verifier judges the same facts after a seal.
 * The scan is linear in the objects of the file and bounded by TRAP_SCAN_MAX_OBJECTS.
 */
import { limitExceeded } from './limits';
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfValue } from './objects';
import type { PdfDocument, PdfRevisionView } from './document';
import { chainedSectionOffsets, xrefSectionsIn, type XrefEntry } from './xref';

/** Objects a trap scan (or the verifier's dangling-reference scan) may parse before it gives up. */
export const TRAP_SCAN_MAX_OBJECTS = 2_000_000;
/** How many trap objects are named in a report; the count says how many there are. */
const MAX_NAMED = 16;

export type InputTrapKind =
  | 'dangling-reference'
  | 'free-referenced'
  | 'duplicate-xref-entry'
  | 'signature-removed'
  | 'info-drawn'
  | 'metadata-drawn'
  | 'dss-drawn'
  | 'hidden-xref-section'
  /** Found by the stamping side from the page's text (core/stamp/input-suspect.ts), not by findInputTraps. */
  | 'signature-field-over-text';

export interface InputTrap {
  readonly kind: InputTrapKind;
  /** Object numbers concerned (at most MAX_NAMED). */
  readonly objects: readonly number[];
  /** How many objects of this kind there are in all. */
  readonly count: number;
  /** Revision (0-based) the trap is in. */
  readonly revision: number;
  /** Byte offsets concerned (a hidden section's), at most MAX_NAMED. */
  readonly offsets?: readonly number[];
  /** 1-based page concerned, when the trap is on a page. */
  readonly page?: number;
}

function refFor(num: number, entry: XrefEntry): PdfRef {
  return new PdfRef(num, entry.type === 'offset' ? entry.gen : 0);
}

/**
 * Numbers the revision refers to that it does not define (`missing`), or lists as free
 * (`free`). Scope 'all' looks at the whole trailer and every object the revision defines, used
 * or not (the verifier: any number a later update fills in is a change). Scope 'reachable'
 * follows references from the catalog only, i.e. what the document is and draws (the stamping
 * gate: a dangling entry in an Adobe-private trailer key such as /AdditionalStreams is no trap).
 */
export function undefinedReferences(view: PdfRevisionView, scope: 'all' | 'reachable' = 'all', skip?: ReadonlySet<string>): { missing: Set<number>; free: Set<number>; used?: Set<number> } {
  const missing = new Set<number>();
  const free = new Set<number>();
  const pending: PdfRef[] = [];
  const queued = new Set<number>();
  const visit = (value: PdfValue | undefined, depth: number): void => {
    if (depth > 256) throw limitExceeded('maxDepth', 'nesting while scanning references');
    if (value instanceof PdfRef) {
      const entry = view.table.get(value.num);
      if (!entry) missing.add(value.num);
      else if (entry.type === 'free') free.add(value.num);
      else if (scope === 'reachable' && !queued.has(value.num)) {
        queued.add(value.num);
        pending.push(refFor(value.num, entry));
      }
    } else if (value instanceof PdfArray) for (const item of value.items) visit(item, depth + 1);
    else if (value instanceof PdfDict) for (const [, item] of value.entries()) visit(item, depth + 1);
    else if (value instanceof PdfStream) visit(value.dict, depth + 1);
  };
  let scanned = 0;
  const load = (ref: PdfRef): PdfValue | undefined => {
    if (++scanned > TRAP_SCAN_MAX_OBJECTS) throw limitExceeded('TRAP_SCAN_MAX_OBJECTS', `more than ${TRAP_SCAN_MAX_OBJECTS} objects to scan for references`);
    try {
      return view.getObject(ref);
    } catch {
      return undefined;
    }
  };
  const root = view.trailer.get('Root');
  if (scope === 'reachable' && skip !== undefined && root instanceof PdfRef) {
    // One walk for both questions: first what the catalog reaches without the keys in `skip`
    // (`used`, as reachableFromCatalog gives it), then on through those keys for the rest.
    const entry = view.table.get(root.num);
    const catalog = entry && entry.type !== 'free' ? load(refFor(root.num, entry)) : undefined;
    if (catalog instanceof PdfDict) {
      queued.add(root.num);
      for (const [key, value] of catalog.entries()) if (!skip.has(key)) visit(value, 0);
      for (let ref = pending.pop(); ref; ref = pending.pop()) visit(load(ref), 0);
      const used = new Set(queued);
      for (const [key, value] of catalog.entries()) if (skip.has(key)) visit(value, 0);
      for (let ref = pending.pop(); ref; ref = pending.pop()) visit(load(ref), 0);
      return { missing, free, used };
    }
  }
  if (scope === 'reachable') {
    visit(root, 0);
    for (let ref = pending.pop(); ref; ref = pending.pop()) visit(load(ref), 0);
    return { missing, free, used: queued };
  }
  visit(view.trailer, 0);
  for (const [num, entry] of view.table) {
    if (entry.type === 'free') continue;
    visit(load(refFor(num, entry)), 0);
  }
  return { missing, free };
}

/**
 * The object numbers the document reaches from its catalog, leaving out what hangs only off
 * the catalog keys in `skip` (e.g. /Metadata and /DSS: data no viewer draws). The catalog's
 * own number is included. Linear in the objects reached, bounded by TRAP_SCAN_MAX_OBJECTS.
 */
export function reachableFromCatalog(view: PdfRevisionView, skip: ReadonlySet<string>): Set<number> {
  const reached = new Set<number>();
  const pending: PdfRef[] = [];
  const visit = (value: PdfValue | undefined, depth: number): void => {
    if (depth > 256) throw limitExceeded('maxDepth', 'nesting while following references');
    if (value instanceof PdfRef) {
      const entry = view.table.get(value.num);
      if (!entry || entry.type === 'free' || reached.has(value.num)) return;
      reached.add(value.num);
      pending.push(refFor(value.num, entry));
    } else if (value instanceof PdfArray) for (const item of value.items) visit(item, depth + 1);
    else if (value instanceof PdfDict) for (const [, item] of value.entries()) visit(item, depth + 1);
    else if (value instanceof PdfStream) visit(value.dict, depth + 1);
  };
  const root = view.trailer.get('Root');
  if (root instanceof PdfRef) reached.add(root.num);
  for (const [key, value] of view.catalog().entries()) if (!skip.has(key)) visit(value, 0);
  let scanned = 0;
  for (let ref = pending.pop(); ref; ref = pending.pop()) {
    if (++scanned > TRAP_SCAN_MAX_OBJECTS) throw limitExceeded('TRAP_SCAN_MAX_OBJECTS', `more than ${TRAP_SCAN_MAX_OBJECTS} objects reached from the catalog`);
    let value: PdfValue | undefined;
    try {
      value = view.getObject(ref);
    } catch {
      value = undefined;
    }
    visit(value, 0);
  }
  return reached;
}

/** The roles of objects that no viewer draws: data a later update may change after a seal. */
export type UndrawnRole = 'info' | 'metadata' | 'dss';

/**
 * The objects of `view` whose role no viewer draws: the trailer's /Info, the catalog's
 * /Metadata, the catalog's /DSS with its entries and the items of their arrays and
 * dictionaries (certificates, CRLs, OCSP responses, VRI). The verifier accepts a later update
 * of these as signature-level data (core/verify/changes.ts); the same objects reached from the
 * catalog otherwise are used by the document (reachableFromCatalog with UNDRAWN_CATALOG_KEYS).
 */
export function undrawnRoleObjects(view: PdfRevisionView): Map<number, UndrawnRole[]> {
  const roles = new Map<number, UndrawnRole[]>();
  const add = (value: PdfValue | undefined, role: UndrawnRole): void => {
    if (!(value instanceof PdfRef)) return;
    const list = roles.get(value.num);
    if (!list) roles.set(value.num, [role]);
    else if (!list.includes(role)) list.push(role);
  };
  add(view.trailer.get('Info'), 'info');
  const catalog = view.catalog();
  add(catalog.get('Metadata'), 'metadata');
  const dssRef = catalog.get('DSS');
  add(dssRef, 'dss');
  const dss = view.resolveDict(dssRef);
  if (dss) {
    for (const [, value] of dss.entries()) {
      add(value, 'dss');
      const resolved = view.resolve(value);
      if (resolved instanceof PdfArray) for (const item of resolved.items) add(item, 'dss');
      if (resolved instanceof PdfDict) for (const [, item] of resolved.entries()) add(item, 'dss');
    }
  }
  return roles;
}

/** Catalog keys under which hangs only data no viewer draws (with /Info in the trailer). */
export const UNDRAWN_CATALOG_KEYS: ReadonlySet<string> = new Set(['Metadata', 'DSS']);

const LINEARIZED_MARK = new TextEncoder().encode('/Linearized');

/**
 * Cross-reference sections in the file's bytes that its /Prev chain does not reach (class 9).
 * A linearized file's first-page section is not one of them when an update chained to the
 * main section instead (its /Prev is that main section, the file's first).
 */
function hiddenXrefSections(doc: PdfDocument): { offset: number; num?: number }[] {
  if (doc.recovered) return [];
  const chained = chainedSectionOffsets(doc.reader, doc.parser, doc.limits);
  const linearized = doc.reader.indexOf(LINEARIZED_MARK, 0, Math.min(doc.reader.length, 2048)) >= 0;
  return xrefSectionsIn(doc.reader, doc.parser, doc.limits, chained)
    .filter((s) => !(linearized && s.prev !== undefined && chained.has(s.prev) && s.offset < s.prev))
    .map((s) => ({ offset: s.offset, ...(s.num !== undefined ? { num: s.num } : {}) }));
}

function isSignatureDict(value: PdfValue | undefined): boolean {
  const dict = value instanceof PdfDict ? value : value instanceof PdfStream ? value.dict : undefined;
  return dict !== undefined && dict.get('ByteRange') instanceof PdfArray && dict.get('Contents') !== undefined;
}

/** Signature dictionaries (object numbers) the latest revision's form fields show as values. */
function signaturesShown(doc: PdfDocument): Set<number> {
  const shown = new Set<number>();
  for (const field of doc.latest.formFields()) {
    const value = field.dict.get('V');
    if (value instanceof PdfRef && isSignatureDict(doc.latest.resolve(value))) shown.add(value.num);
  }
  return shown;
}

/** Every trap in the file (empty for a clean input). */
export function findInputTraps(doc: PdfDocument): InputTrap[] {
  const traps: InputTrap[] = [];
  const latest = doc.revisions.length - 1;
  const add = (kind: InputTrapKind, numbers: Iterable<number>, revision: number, offsets?: readonly number[]): void => {
    const all = [...numbers].sort((a, b) => a - b);
    const count = Math.max(all.length, offsets?.length ?? 0);
    if (count > 0) traps.push({ kind, objects: all.slice(0, MAX_NAMED), count, revision, ...(offsets ? { offsets: offsets.slice(0, MAX_NAMED) } : {}) });
  };
  const { missing, free, used } = undefinedReferences(doc.latest, 'reachable', UNDRAWN_CATALOG_KEYS);
  add('dangling-reference', missing, latest);
  add('free-referenced', free, latest);
  for (const revision of doc.revisions) {
    if (revision.duplicates && revision.duplicates.size > 0) add('duplicate-xref-entry', revision.duplicates.keys(), revision.index);
  }
  // Signed, then unsigned: a signature dictionary defined in an earlier revision that the
  // latest revision's fields no longer show.
  if (doc.revisions.length > 1) {
    let shown: Set<number> | undefined;
    let scanned = 0;
    for (const revision of doc.revisions.slice(0, -1)) {
      const view = doc.atRevision(revision.index);
      const removed: number[] = [];
      for (const [num, entry] of revision.entries) {
        if (entry.type === 'free' || num === 0) continue;
        if (++scanned > TRAP_SCAN_MAX_OBJECTS) throw limitExceeded('TRAP_SCAN_MAX_OBJECTS', `more than ${TRAP_SCAN_MAX_OBJECTS} objects to scan for removed signatures`);
        let value: PdfValue;
        try {
          value = view.getObject(refFor(num, entry));
        } catch {
          continue;
        }
        if (!isSignatureDict(value)) continue;
        shown ??= signaturesShown(doc);
        if (!shown.has(num)) removed.push(num);
      }
      add('signature-removed', removed, revision.index);
    }
  }
  // Class 7: info, metadata or validation data that the document also uses. Data under
  // /Metadata and /DSS, and /Info, may change after a seal; the same object drawn by a page
  // (or used otherwise) would then change with it.
  const undrawn = undrawnRoleObjects(doc.latest);
  if (undrawn.size > 0) {
    const usedByDocument = used ?? reachableFromCatalog(doc.latest, UNDRAWN_CATALOG_KEYS);
    for (const role of ['info', 'metadata', 'dss'] as const) {
      add(`${role}-drawn`, [...undrawn].filter(([num, roles]) => roles.includes(role) && usedByDocument.has(num)).map(([num]) => num), latest);
    }
  }
  // Class 9: a cross-reference section no /Prev reaches.
  const hidden = hiddenXrefSections(doc).sort((a, b) => a.offset - b.offset);
  add('hidden-xref-section', hidden.flatMap((h) => (h.num !== undefined ? [h.num] : [])), latest, hidden.map((h) => h.offset));
  return traps;
}

/** One line per trap, English, for messages and logs: "dangling-reference 12, 14 (r0)". */
export function describeTraps(traps: readonly InputTrap[]): string {
  return traps
    .map((t) => {
      const what = [t.objects.length > 0 ? t.objects.join(', ') : '', t.offsets && t.offsets.length > 0 ? `at byte ${t.offsets.join(', ')}` : ''].filter((x) => x !== '').join(' ');
      const more = t.count > Math.max(t.objects.length, t.offsets?.length ?? 0) ? ` … (${t.count})` : '';
      return `${t.kind} ${what}${more} (${t.page !== undefined ? `page ${t.page}` : `revision ${t.revision}`})`;
    })
    .join('; ');
}

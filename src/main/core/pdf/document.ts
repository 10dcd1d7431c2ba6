/**
 * Lazy, revision-aware access to a PDF (see index.ts for the design). Opening reads the
 * header and the cross-reference sections only; every object is parsed when first asked for,
 * from its offset, and cached by location.
 */
import { YinjianError } from '../../../shared/errors/index';
import { ByteReader, InMemoryPdfBytes, ascii, type PdfBytes } from './bytes';
import { RevisionTable } from './entry-table';
import { decodeFilters } from './filters';
import { DEFAULT_PDF_LIMITS, limitExceeded, malformed, type PdfLimits } from './limits';
import { PdfArray, PdfDict, PdfRef, PdfStream, PdfString, type PdfValue } from './objects';
import { Lexer, PdfParser } from './parser';
import { directFilterSteps, peekTypeNames, readRevisions, scanForObjects, type PdfRevision, type XrefEntry } from './xref';

export interface PdfReadOptions {
  readonly limits?: Partial<PdfLimits>;
  /**
   * When the cross-reference is unusable, rebuild it by scanning for `n g obj` instead of
   * failing. The document then says `recovered: true`; treat such a file as suspicious.
   */
  readonly recover?: boolean;
}

export type ObjectTable = ReadonlyMap<number, XrefEntry>;

/** Page attributes a page inherits from its ancestors when it does not set them (§7.7.3.4). */
export interface InheritedPageAttributes {
  readonly mediaBox: PdfArray | undefined;
  readonly cropBox: PdfArray | undefined;
  readonly resources: PdfDict | undefined;
  readonly rotate: number;
}

export interface PdfFormField {
  /** The field's own object, when it is indirect (it should be). */
  readonly ref: PdfRef | undefined;
  readonly dict: PdfDict;
  /** Partial names (/T) of the field and its ancestors joined with '.' (§12.7.3.2). */
  readonly fullName: string;
  /** /FT, inherited from ancestors when absent. */
  readonly fieldType: string | undefined;
  /** The widget annotations of the field (itself when field and widget are merged). */
  readonly widgets: readonly PdfRef[];
}

const HEADER = ascii('%PDF-');

/** Objects parsed and cached, per document; cleared past this count to bound memory. */
const OBJECT_CACHE_MAX = 200_000;

export class PdfDocument {
  readonly reader: ByteReader;
  readonly parser: PdfParser;
  readonly limits: PdfLimits;
  readonly revisions: readonly PdfRevision[];
  readonly recovered: boolean;
  /** Why the cross-reference could not be used, when `recovered`. */
  readonly recoveryReason: string | undefined;
  /** Version from the header, e.g. "1.7". */
  readonly version: string;

  private readonly tables = new Map<number, RevisionTable>();
  private readonly objectCache = new Map<string, PdfValue>();
  private readonly loading = new Set<string>();
  private readonly objectStreams = new Map<number, { offsets: number[]; data: Uint8Array; first: number; nums: number[] }>();
  private objectStreamBytes = 0;

  private constructor(
    readonly source: PdfBytes,
    options: PdfReadOptions,
  ) {
    this.limits = { ...DEFAULT_PDF_LIMITS, ...options.limits };
    this.reader = new ByteReader(source);
    this.parser = new PdfParser(this.reader, this.limits);
    const headerAt = this.reader.indexOf(HEADER, 0, 1024);
    if (headerAt < 0) throw new YinjianError('PDF_NOT_PDF');
    const versionLexer = new Lexer(this.reader, headerAt + 5);
    const versionToken = versionLexer.next();
    this.version = versionToken.kind === 'number' ? String(versionToken.value) : '';

    let revisions: PdfRevision[];
    let reason: string | undefined;
    try {
      revisions = readRevisions(this.reader, this.parser, this.limits);
    } catch (error) {
      if (!options.recover || !(error instanceof YinjianError) || error.category !== 'input') throw error;
      reason = error.params?.detail !== undefined ? String(error.params.detail) : error.code;
      revisions = [this.recoverRevision()];
    }
    if (options.recover && reason === undefined && !this.catalogReachable(revisions)) {
      // A well-formed xref that does not lead to a catalog (an update with an empty table
      // and no /Prev, as in incremental-saving attacks) is as unusable as a broken one.
      reason = 'catalog not reachable through the cross-reference';
      revisions = [this.recoverRevision()];
    }
    this.revisions = Object.freeze(revisions);
    this.recovered = reason !== undefined;
    this.recoveryReason = reason;
  }

  private catalogReachable(revisions: readonly PdfRevision[]): boolean {
    const latest = revisions[revisions.length - 1];
    if (!latest) return false;
    const table = new RevisionTable(revisions.map((r) => r.entries));
    try {
      return new PdfRevisionView(this, latest, table).resolveDict(latest.trailer.get('Root')) !== undefined;
    } catch {
      return false;
    }
  }

  static open(source: PdfBytes | Uint8Array, options: PdfReadOptions = {}): PdfDocument {
    return new PdfDocument(source instanceof Uint8Array ? new InMemoryPdfBytes(source) : source, options);
  }

  get latestRevision(): PdfRevision {
    return this.revisions[this.revisions.length - 1] as PdfRevision;
  }

  /** The newest trailer (what a reader of the whole file sees). */
  get trailer(): PdfDict {
    return this.latestRevision.trailer;
  }

  get isEncrypted(): boolean {
    return this.trailer.has('Encrypt');
  }

  /** Throws PDF_ENCRYPTED when the document's content is encrypted. */
  requireUnencrypted(): void {
    if (this.isEncrypted) throw new YinjianError('PDF_ENCRYPTED');
  }

  /** The document as a reader would have seen it right after `revisionIndex` was written. */
  atRevision(revisionIndex: number): PdfRevisionView {
    const revision = this.revisions[revisionIndex];
    if (!revision) throw malformed(`no revision ${revisionIndex}`);
    return new PdfRevisionView(this, revision, this.objectTableAt(revisionIndex));
  }

  get latest(): PdfRevisionView {
    // The revisions never change after opening: one view serves every lookup (the gate resolves
    // objects on every page; a new view each time was garbage on every one).
    return (this.latestView ??= this.atRevision(this.revisions.length - 1));
  }

  private latestView: PdfRevisionView | undefined;

  /**
   * The merged object table as of a revision: its entries over those of all earlier ones. A
   * view over the sections (shared by every revision), never a copy (issue #11).
   */
  objectTableAt(revisionIndex: number): ObjectTable {
    const cached = this.tables.get(revisionIndex);
    if (cached) return cached;
    const revision = this.revisions[revisionIndex];
    if (!revision) throw malformed(`no revision ${revisionIndex}`);
    const table = new RevisionTable(this.revisions.slice(0, revisionIndex + 1).map((r) => r.entries));
    this.tables.set(revisionIndex, table);
    return table;
  }

  /** One past the highest object number any revision uses, or the trailer's /Size if larger. */
  get size(): number {
    const table = this.objectTableAt(this.revisions.length - 1) as RevisionTable;
    return Math.max(table.end, this.trailer.getInteger('Size') ?? 0);
  }

  getObject(ref: PdfRef): PdfValue {
    return this.latest.getObject(ref);
  }

  getObjectAt(ref: PdfRef, revisionIndex: number): PdfValue {
    return this.atRevision(revisionIndex).getObject(ref);
  }

  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return this.latest.resolve(value);
  }

  catalog(): PdfDict {
    return this.latest.catalog();
  }

  /** The pages in order; with `until`, only up to the first page it accepts (see PdfRevisionView.pageRefs). */
  pageRefs(until?: (page: PdfRef) => boolean): PdfRef[] {
    return this.latest.pageRefs(until);
  }

  pageAttributes(page: PdfRef): InheritedPageAttributes {
    return this.latest.pageAttributes(page);
  }

  formFields(): PdfFormField[] {
    return this.latest.formFields();
  }

  /** A stream's bytes as stored in the file (still encoded). */
  rawStreamData(stream: PdfStream): Uint8Array {
    if (stream.data) return stream.data;
    const location = stream.location as { offset: number; length: number };
    if (location.length > this.limits.maxStreamBytes) throw limitExceeded('maxStreamBytes', `raw stream of ${location.length} bytes`);
    return this.reader.slice(location.offset, location.length);
  }

  /** A stream's bytes with its filters undone, capped by maxStreamBytes. */
  decodedStreamData(stream: PdfStream, view: PdfRevisionView = this.latest): Uint8Array {
    if (this.isEncrypted && stream.dict.getName('Type') !== 'XRef') throw new YinjianError('PDF_ENCRYPTED');
    const steps = directFilterSteps(stream.dict, (value) => view.resolve(value));
    return decodeFilters(this.rawStreamData(stream), steps, this.limits.maxStreamBytes);
  }

  /** Reads the object an entry points at. Guards against an object needing itself to load. */
  loadEntry(num: number, entry: XrefEntry, table: ObjectTable, view: PdfRevisionView): PdfValue {
    if (entry.type === 'free') return null;
    // A compressed object is keyed by where its object stream lies, never by the stream's
    // number alone: a later revision may replace the object stream under the same number, and
    // the two revisions must not share what was read from the old one (issue #11, class 2).
    let key: string;
    if (entry.type === 'offset') key = `o${entry.offset}`;
    else {
      const container = table.get(entry.stream);
      key = `c${container?.type === 'offset' ? container.offset : `x${entry.stream}`}:${entry.index}:${num}`;
    }
    if (this.objectCache.has(key)) return this.objectCache.get(key) as PdfValue;
    if (this.loading.has(key)) throw malformed(`object ${num} needs itself to load`);
    if (this.loading.size > this.limits.maxRefChain) throw limitExceeded('maxRefChain', 'objects nested in object loading');
    this.loading.add(key);
    try {
      let value: PdfValue;
      if (entry.type === 'offset') {
        if (entry.offset < 0 || entry.offset >= this.reader.length) throw malformed(`object ${num} offset out of range`);
        const object = this.parser.parseIndirectObject(entry.offset, (lengthRef) => view.resolve(lengthRef) ?? null);
        if (object.num !== num) throw malformed(`xref entry for object ${num} points at object ${object.num}`);
        // The generation too, as poppler checks it: a header that names another generation is
        // an object poppler does not find, so it rebuilds the file by scanning and draws the
        // last definition of each number, listed or not (test/attacks class 10: a copy of a
        // sealed object under `n 1 obj` beside an unlisted altered page verified VALID).
        if (object.gen !== entry.gen) throw malformed(`xref entry for object ${num} ${entry.gen} points at generation ${object.gen}`);
        value = object.value;
      } else {
        value = this.loadCompressed(num, entry.stream, entry.index, table, view);
      }
      if (this.objectCache.size >= OBJECT_CACHE_MAX) this.objectCache.clear();
      this.objectCache.set(key, value);
      return value;
    } finally {
      this.loading.delete(key);
    }
  }

  private loadCompressed(num: number, streamNum: number, index: number, table: ObjectTable, view: PdfRevisionView): PdfValue {
    if (this.isEncrypted) throw new YinjianError('PDF_ENCRYPTED');
    const streamEntry = table.get(streamNum);
    // An object stream may not itself be compressed (§7.5.7); this also stops a stream that
    // claims to contain itself.
    if (!streamEntry || streamEntry.type !== 'offset') throw malformed(`object stream ${streamNum} is not a plain object`);
    let parsed = this.objectStreams.get(streamEntry.offset);
    if (!parsed) {
      const stream = this.loadEntry(streamNum, streamEntry, table, view);
      if (!(stream instanceof PdfStream) || stream.dict.getName('Type') !== 'ObjStm') throw malformed(`object ${streamNum} is not an object stream`);
      const count = stream.dict.getInteger('N');
      const first = stream.dict.getInteger('First');
      if (count === undefined || first === undefined || count < 0 || first < 0) throw malformed(`bad object stream ${streamNum}`);
      const data = this.decodedStreamData(stream, view);
      if (count > data.length / 2) throw malformed(`object stream ${streamNum} claims ${count} objects`);
      const lexer = new Lexer(new ByteReader(new InMemoryPdfBytes(data)), 0);
      const nums: number[] = [];
      const offsets: number[] = [];
      for (let i = 0; i < count; i++) {
        const objNum = lexer.next();
        const objOffset = lexer.next();
        if (objNum.kind !== 'number' || objOffset.kind !== 'number' || !objNum.integer || !objOffset.integer) {
          throw malformed(`bad object stream ${streamNum} header`);
        }
        nums.push(objNum.value);
        offsets.push(objOffset.value);
      }
      parsed = { offsets, data, first, nums };
      this.objectStreamBytes += data.length;
      if (this.objectStreamBytes > this.limits.objectStreamCacheBytes) {
        this.objectStreams.clear();
        this.objectStreamBytes = data.length;
      }
      this.objectStreams.set(streamEntry.offset, parsed);
    }
    // The index is taken as given, as poppler does (it draws null when another object sits
    // there; MuPDF looks the number up). Looking the number up here made an update that
    // re-lists a font under another index "no change" while poppler drew the page without it
    // (test/attacks class 11).
    const slot = index;
    if (parsed.nums[slot] !== num) throw malformed(`object ${num} is not at index ${index} of object stream ${streamNum}`);
    const offset = parsed.offsets[slot] as number;
    const inner = new PdfParser(new ByteReader(new InMemoryPdfBytes(parsed.data)), this.limits);
    if (parsed.first + offset >= parsed.data.length) throw malformed(`object ${num} offset outside object stream ${streamNum}`);
    return inner.parseValueAt(parsed.first + offset).value;
  }

  private recoverRevision(): PdfRevision {
    const { entries, trailers } = scanForObjects(this.reader, this.limits);
    const table: ObjectTable = entries;
    const view = (trailer: PdfDict): PdfRevisionView =>
      new PdfRevisionView(this, { index: 0, xrefOffset: -1, kind: 'recovered', trailer, endOffset: this.reader.length, hasEof: false, entries }, table);
    const probe = view(new PdfDict());
    let trailer: PdfDict | undefined;
    for (let i = trailers.length - 1; i >= 0 && !trailer; i--) {
      try {
        const candidate = this.parser.parseValueAt(trailers[i] as number).value;
        if (candidate instanceof PdfDict && candidate.get('Root') instanceof PdfRef) trailer = candidate;
      } catch {
        // A damaged trailer candidate: try the previous one.
      }
    }
    const contained = new Map<number, XrefEntry>();
    const mattering = new Set(['ObjStm', 'XRef', 'Catalog']);
    for (const [num, entry] of entries) {
      // Parse only the objects that can matter here (issue #11: a million-object file took
      // 15 s when every object was parsed): peek at the start of each for its /Type.
      if (entry.type === 'offset' && !peekTypeNames(this.reader, entry.offset).some((t) => mattering.has(t))) continue;
      let value: PdfValue;
      try {
        value = probe.getObject(new PdfRef(num, entry.type === 'offset' ? entry.gen : 0));
      } catch {
        continue;
      }
      if (value instanceof PdfStream && value.dict.getName('Type') === 'XRef' && !trailer && value.dict.get('Root') instanceof PdfRef) {
        trailer = new PdfDict([...value.dict.entries()].filter(([key]) => ['Root', 'Info', 'ID', 'Encrypt', 'Size'].includes(key)));
      }
      if (value instanceof PdfStream && value.dict.getName('Type') === 'ObjStm') {
        const count = value.dict.getInteger('N') ?? 0;
        try {
          const data = this.decodedStreamData(value, probe);
          const lexer = new Lexer(new ByteReader(new InMemoryPdfBytes(data)), 0);
          for (let i = 0; i < count && i < data.length / 2; i++) {
            const objNum = lexer.next();
            lexer.next();
            if (objNum.kind === 'number' && objNum.integer && !entries.has(objNum.value)) {
              contained.set(objNum.value, { type: 'compressed', stream: num, index: i });
            }
          }
        } catch {
          // An unreadable object stream contributes nothing.
        }
      }
      if (!trailer && value instanceof PdfDict && value.getName('Type') === 'Catalog') {
        trailer = PdfDict.of({ Root: new PdfRef(num, entry.type === 'offset' ? entry.gen : 0) });
      }
    }
    for (const [num, entry] of contained) entries.set(num, entry);
    if (!trailer) throw malformed('no trailer or catalog found while recovering');
    const eof = this.reader.lastIndexOf(ascii('%%EOF'), Math.max(0, this.reader.length - 1024));
    return Object.freeze({
      index: 0,
      xrefOffset: -1,
      kind: 'recovered' as const,
      trailer,
      endOffset: this.reader.length,
      hasEof: eof >= 0,
      entries,
    });
  }
}

/** The document as of one revision: its trailer and the object table merged up to it. */
export class PdfRevisionView {
  constructor(
    readonly document: PdfDocument,
    readonly revision: PdfRevision,
    readonly table: ObjectTable,
  ) {}

  get trailer(): PdfDict {
    return this.revision.trailer;
  }

  /** The object `ref` names, or null when it does not exist (§7.3.10: a dangling ref is null). */
  getObject(ref: PdfRef): PdfValue {
    const entry = this.table.get(ref.num);
    if (!entry || entry.type === 'free') return null;
    if (entry.type === 'offset' && entry.gen !== ref.gen) return null;
    if (entry.type === 'compressed' && ref.gen !== 0) return null;
    return this.document.loadEntry(ref.num, entry, this.table, this);
  }

  /** Follows references until a direct value; loops and long chains are errors. */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    if (!(value instanceof PdfRef)) return value;
    if (this.document.limits.maxRefChain < 1) throw limitExceeded('maxRefChain', `reference chain from ${String(value)}`);
    // Nearly every reference leads straight to its value: no loop bookkeeping for those.
    const first = this.getObject(value);
    if (!(first instanceof PdfRef)) return first;
    let current: PdfValue | undefined = first;
    let steps = 1;
    const seen = new Set<string>([value.key]);
    while (current instanceof PdfRef) {
      if (seen.has(current.key)) throw malformed(`reference loop at ${current.toString()}`);
      if (++steps > this.document.limits.maxRefChain) throw limitExceeded('maxRefChain', `reference chain from ${String(value)}`);
      seen.add(current.key);
      current = this.getObject(current);
    }
    return current;
  }

  resolveDict(value: PdfValue | undefined): PdfDict | undefined {
    const resolved = this.resolve(value);
    if (resolved instanceof PdfDict) return resolved;
    if (resolved instanceof PdfStream) return resolved.dict;
    return undefined;
  }

  resolveArray(value: PdfValue | undefined): PdfArray | undefined {
    const resolved = this.resolve(value);
    return resolved instanceof PdfArray ? resolved : undefined;
  }

  catalog(): PdfDict {
    const root = this.resolve(this.trailer.get('Root'));
    if (!(root instanceof PdfDict)) throw malformed('no document catalog (/Root)');
    return root;
  }

  /** Page references in document order (§7.7.3.2), with cycle and depth bounds. */
  /**
   * The pages in document order. With `until`, the walk stops at the first page `until`
   * accepts, which is then the last element (the same pages, in the same order, as a full walk
   * starts with): finding one page's number need not parse the pages after it.
   */
  pageRefs(until?: (page: PdfRef) => boolean): PdfRef[] {
    const limits = this.document.limits;
    const rootRef = this.catalog().get('Pages');
    if (!(rootRef instanceof PdfRef)) throw malformed('/Pages is not an indirect reference');
    const pages: PdfRef[] = [];
    const visited = new Set<string>();
    const stack: { ref: PdfRef; depth: number }[] = [{ ref: rootRef, depth: 0 }];
    while (stack.length > 0) {
      const { ref: nodeRef, depth } = stack.pop() as { ref: PdfRef; depth: number };
      if (visited.has(nodeRef.key)) throw malformed(`page tree cycle at ${nodeRef.toString()}`);
      visited.add(nodeRef.key);
      if (visited.size > limits.maxTreeNodes) throw limitExceeded('maxTreeNodes', 'page tree too large');
      if (depth > limits.maxTreeDepth) throw limitExceeded('maxTreeDepth', 'page tree too deep');
      const node = this.resolveDict(nodeRef);
      if (!node) throw malformed(`page tree node ${nodeRef.toString()} is not a dictionary`);
      const type = node.getName('Type');
      const kids = this.resolveArray(node.get('Kids'));
      if (type === 'Page' || (type !== 'Pages' && !kids)) {
        pages.push(nodeRef);
        if (until?.(nodeRef)) return pages;
        continue;
      }
      if (!kids) throw malformed(`page tree node ${nodeRef.toString()} has no /Kids`);
      for (let i = kids.length - 1; i >= 0; i--) {
        const kid = kids.get(i);
        if (!(kid instanceof PdfRef)) throw malformed('page tree kid is not an indirect reference');
        stack.push({ ref: kid, depth: depth + 1 });
      }
    }
    return pages;
  }

  /** A page's /MediaBox, /CropBox, /Resources and /Rotate, inherited through /Parent. */
  pageAttributes(page: PdfRef): InheritedPageAttributes {
    const found = new Map<string, PdfValue>();
    const keys = ['MediaBox', 'CropBox', 'Resources', 'Rotate'];
    const seen = new Set<string>();
    let current: PdfValue | undefined = page;
    let depth = 0;
    while (current !== undefined && current !== null) {
      if (current instanceof PdfRef) {
        if (seen.has(current.key)) throw malformed(`/Parent cycle at ${current.toString()}`);
        seen.add(current.key);
      }
      if (++depth > this.document.limits.maxTreeDepth) throw limitExceeded('maxTreeDepth', '/Parent chain too long');
      const node = this.resolveDict(current);
      if (!node) break;
      for (const key of keys) {
        if (!found.has(key) && node.has(key)) found.set(key, this.resolve(node.get(key)) ?? null);
      }
      current = node.get('Parent');
    }
    const mediaBox = found.get('MediaBox');
    const cropBox = found.get('CropBox');
    const resources = found.get('Resources');
    const rotate = found.get('Rotate');
    return {
      mediaBox: mediaBox instanceof PdfArray ? mediaBox : undefined,
      cropBox: cropBox instanceof PdfArray ? cropBox : undefined,
      resources: resources instanceof PdfDict ? resources : undefined,
      rotate: typeof rotate === 'number' && Number.isInteger(rotate) ? (((rotate % 360) + 360) % 360) : 0,
    };
  }

  /** Terminal form fields of /AcroForm, in /Fields order, with full names. */
  formFields(): PdfFormField[] {
    const acroForm = this.resolveDict(this.catalog().get('AcroForm'));
    const roots = this.resolveArray(acroForm?.get('Fields'));
    if (!roots) return [];
    const limits = this.document.limits;
    const fields: PdfFormField[] = [];
    const visited = new Set<string>();
    type Pending = { value: PdfValue; parentName: string; parentType: string | undefined; depth: number };
    const stack: Pending[] = [...roots.items].reverse().map((value) => ({ value, parentName: '', parentType: undefined, depth: 0 }));
    while (stack.length > 0) {
      const { value, parentName, parentType, depth } = stack.pop() as Pending;
      if (value instanceof PdfRef) {
        if (visited.has(value.key)) throw malformed(`form field cycle at ${value.toString()}`);
        visited.add(value.key);
      }
      if (visited.size > limits.maxTreeNodes) throw limitExceeded('maxTreeNodes', 'too many form fields');
      if (depth > limits.maxTreeDepth) throw limitExceeded('maxTreeDepth', 'form field tree too deep');
      const dict = this.resolveDict(value);
      if (!dict) continue;
      const partial = this.resolve(dict.get('T'));
      const partialName = partial instanceof PdfString ? partial.text : undefined;
      const fullName = partialName === undefined ? parentName : parentName ? `${parentName}.${partialName}` : partialName;
      const fieldType = dict.getName('FT') ?? parentType;
      const kids = this.resolveArray(dict.get('Kids'));
      const kidDicts = kids ? kids.items.map((kid) => ({ kid, dict: this.resolveDict(kid) })) : [];
      const fieldKids = kidDicts.filter(({ dict: kidDict }) => kidDict?.has('T'));
      if (fieldKids.length > 0) {
        for (let i = kidDicts.length - 1; i >= 0; i--) {
          const kid = kidDicts[i] as { kid: PdfValue; dict: PdfDict | undefined };
          if (kid.dict?.has('T')) stack.push({ value: kid.kid, parentName: fullName, parentType: fieldType, depth: depth + 1 });
        }
        continue;
      }
      const widgets: PdfRef[] = [];
      if (kidDicts.length > 0) {
        for (const { kid } of kidDicts) if (kid instanceof PdfRef) widgets.push(kid);
      } else if (dict.getName('Subtype') === 'Widget' && value instanceof PdfRef) {
        widgets.push(value);
      }
      fields.push({ ref: value instanceof PdfRef ? value : undefined, dict, fullName, fieldType, widgets });
    }
    return fields;
  }
}

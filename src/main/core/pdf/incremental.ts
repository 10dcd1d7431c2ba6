/**
 * The incremental writer (ISO 32000-1 §7.5.6). It never rewrites a byte of the original: an
 * update is appended after it, so every earlier signature's /ByteRange still covers exactly
 * what it covered (pdf-lib's full re-save would break them). It knows nothing of signatures;
 * placeholders are how a signing step reserves room it fills in later.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { YinjianError } from '../../../shared/errors/index';
import { concatBytes } from './bytes';
import type { PdfDocument } from './document';
import { malformed } from './limits';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './objects';
import { PdfSerializer, type PlaceholderLocation } from './serializer';

export interface IncrementalUpdateResult {
  /** The bytes to append to the original (starting with "\n" when the original lacked a final EOL). */
  readonly appended: Uint8Array;
  /** Length of the original: `appended` starts at this absolute offset. */
  readonly baseLength: number;
  /** Absolute offset of the new cross-reference section. */
  readonly xrefOffset: number;
  readonly xrefKind: 'table' | 'stream';
  /** Absolute offsets of every placeholder written, in write order. */
  readonly placeholders: readonly PlaceholderLocation[];
  /** Absolute offset of each object written, by object number. */
  readonly objectOffsets: ReadonlyMap<number, number>;
}

function invalid(detail: string): YinjianError {
  return new YinjianError('PDF_UPDATE_INVALID', { detail });
}

export class IncrementalUpdate {
  private readonly objects = new Map<number, { ref: PdfRef; value: PdfValue }>();
  private nextNumber: number;
  private info: PdfRef | undefined;
  private root: PdfRef | undefined;

  constructor(private readonly document: PdfDocument) {
    // Appending to an encrypted file would need its keys; appending to a file whose xref we
    // had to guess would chain our update to a structure no other reader agrees with.
    document.requireUnencrypted();
    if (document.recovered) throw malformed('cannot update a file whose cross-reference was recovered');
    this.nextNumber = document.size;
    const root = document.trailer.get('Root');
    if (!(root instanceof PdfRef)) throw malformed('trailer /Root is not an indirect reference');
    this.root = root;
    const info = document.trailer.get('Info');
    this.info = info instanceof PdfRef ? info : undefined;
  }

  /** A fresh object number (generation 0), above every number the file uses. */
  allocate(): PdfRef {
    return new PdfRef(this.nextNumber++, 0);
  }

  /** Allocates a number and puts `value` there. */
  add(value: PdfValue): PdfRef {
    const ref = this.allocate();
    this.put(ref, value);
    return ref;
  }

  /**
   * Writes `value` as object `ref`: a number from allocate(), or an existing object to
   * override (same number and generation as the current version).
   */
  put(ref: PdfRef, value: PdfValue): void {
    if (ref.num <= 0) throw invalid(`object number ${ref.num}`);
    if (ref.num < this.document.size) {
      const entry = this.document.objectTableAt(this.document.revisions.length - 1).get(ref.num);
      const currentGen = entry === undefined ? 0 : entry.type === 'compressed' ? 0 : entry.gen;
      if (entry?.type !== 'free' && ref.gen !== currentGen) {
        throw invalid(`object ${ref.num} has generation ${currentGen}, not ${ref.gen}`);
      }
    } else if (ref.num >= this.nextNumber) {
      throw invalid(`object ${ref.num} was not allocated`);
    }
    this.objects.set(ref.num, { ref, value });
  }

  /** The value this update will write for `ref`, if it writes one. */
  pending(ref: PdfRef): PdfValue | undefined {
    return this.objects.get(ref.num)?.value;
  }

  setInfo(info: PdfRef): void {
    this.info = info;
  }

  setRoot(root: PdfRef): void {
    this.root = root;
  }

  build(): IncrementalUpdateResult {
    const reader = this.document.reader;
    const baseLength = reader.length;
    const last = reader.at(baseLength - 1);
    const writer = new PdfSerializer((stream) => this.document.rawStreamData(stream));
    // The original must end with an EOL so our first object starts on its own line.
    if (last !== 0x0a && last !== 0x0d) writer.writeText('\n');
    const offsets = new Map<number, number>();
    const written = [...this.objects.values()];
    for (const { ref, value } of written) {
      offsets.set(ref.num, baseLength + writer.length);
      writer.writeIndirectObject(ref, value);
    }
    const previous = this.document.latestRevision;
    // A classic or hybrid file gets a classic section (§7.5.8.4: a hybrid file stays readable
    // by readers that know no xref streams, and strict validators such as pyHanko refuse an
    // xref stream appended to it); our update writes no compressed objects, so the new
    // section needs no /XRefStm of its own. Only an xref-stream file gets an xref stream.
    const kind = previous.kind === 'stream' ? 'stream' : 'table';
    const idDigest = createHash('sha256').update(String(baseLength)).update(writer.toBytes()).digest().subarray(0, 16);
    const trailer = this.trailerEntries(new Uint8Array(idDigest), previous.xrefOffset);
    let xrefOffset: number;
    if (kind === 'table') {
      xrefOffset = baseLength + writer.length;
      const size = Math.max(this.nextNumber, this.document.size);
      writer.writeText(classicTable(written.map(({ ref }) => ({ num: ref.num, gen: ref.gen, offset: offsets.get(ref.num) as number }))));
      writer.writeText('trailer\n').writeValue(trailer.with('Size', size)).writeText('\n');
    } else {
      const xrefRef = this.allocate();
      xrefOffset = baseLength + writer.length;
      offsets.set(xrefRef.num, xrefOffset);
      const size = Math.max(this.nextNumber, this.document.size);
      const rows = [...written.map(({ ref }) => ({ num: ref.num, gen: ref.gen, offset: offsets.get(ref.num) as number })), { num: xrefRef.num, gen: 0, offset: xrefOffset }];
      writer.writeIndirectObject(xrefRef, xrefStream(rows, trailer.with('Size', size)));
    }
    writer.writeText(`startxref\n${xrefOffset}\n%%EOF\n`);
    const appended = writer.toBytes();
    return {
      appended,
      baseLength,
      xrefOffset,
      xrefKind: kind,
      placeholders: writer.placeholders.map((location) => ({ ...location, offset: baseLength + location.offset })),
      objectOffsets: offsets,
    };
  }

  /** The whole new file (original ‖ update); convenient for in-memory documents. */
  static concat(original: Uint8Array, result: IncrementalUpdateResult): Uint8Array {
    return concatBytes([original, result.appended]);
  }

  private trailerEntries(newId: Uint8Array, prev: number): PdfDict {
    const entries: [string, PdfValue][] = [['Root', this.root as PdfRef]];
    if (this.info) entries.push(['Info', this.info]);
    // Keep the permanent first /ID element; the second changes with every update (§14.4).
    const oldId = this.document.trailer.getArray('ID');
    const first = oldId?.get(0);
    const permanent = first instanceof PdfString ? first : new PdfString(newId, true);
    entries.push(['ID', new PdfArray([new PdfString(permanent.bytes, true), new PdfString(newId, true)])]);
    entries.push(['Prev', prev]);
    return new PdfDict(entries);
  }
}

interface XrefRow {
  readonly num: number;
  readonly gen: number;
  readonly offset: number;
}

/** Contiguous runs of object numbers, each with its rows (object 0 heads the free list). */
function subsections(rows: readonly XrefRow[]): XrefRow[][] {
  const sorted = [{ num: 0, gen: 65535, offset: -1 }, ...rows].sort((a, b) => a.num - b.num);
  const runs: XrefRow[][] = [];
  for (const row of sorted) {
    const run = runs[runs.length - 1];
    const tail = run?.[run.length - 1];
    if (run && tail && tail.num + 1 === row.num) run.push(row);
    else runs.push([row]);
  }
  return runs;
}

function classicTable(rows: readonly XrefRow[]): string {
  let out = 'xref\n';
  for (const run of subsections(rows)) {
    out += `${(run[0] as XrefRow).num} ${run.length}\n`;
    for (const row of run) {
      // Each entry is exactly 20 bytes, ending in CR LF (§7.5.4).
      out += row.offset < 0
        ? `0000000000 ${String(row.gen).padStart(5, '0')} f\r\n`
        : `${String(row.offset).padStart(10, '0')} ${String(row.gen).padStart(5, '0')} n\r\n`;
    }
  }
  return out;
}

function xrefStream(rows: readonly XrefRow[], trailer: PdfDict): PdfStream {
  const runs = subsections(rows);
  const maxOffset = Math.max(...rows.map((row) => row.offset));
  let offsetWidth = 1;
  while (2 ** (8 * offsetWidth) <= maxOffset) offsetWidth++;
  const rowLength = 1 + offsetWidth + 2;
  const data = new Uint8Array(runs.reduce((total, run) => total + run.length, 0) * rowLength);
  let pos = 0;
  const index: number[] = [];
  for (const run of runs) {
    index.push((run[0] as XrefRow).num, run.length);
    for (const row of run) {
      const free = row.offset < 0;
      data[pos] = free ? 0 : 1;
      const offset = free ? 0 : row.offset;
      for (let i = 0; i < offsetWidth; i++) data[pos + 1 + i] = Math.floor(offset / 2 ** (8 * (offsetWidth - 1 - i))) & 0xff;
      const gen = free ? 65535 : row.gen;
      data[pos + 1 + offsetWidth] = (gen >> 8) & 0xff;
      data[pos + 2 + offsetWidth] = gen & 0xff;
      pos += rowLength;
    }
  }
  const dict = new PdfDict([
    ['Type', PdfName.of('XRef')],
    ...trailer.entries(),
    ['W', new PdfArray([1, offsetWidth, 2])],
    ['Index', new PdfArray(index)],
    ['Filter', PdfName.of('FlateDecode')],
  ]);
  return PdfStream.withData(dict, new Uint8Array(deflateSync(data)));
}

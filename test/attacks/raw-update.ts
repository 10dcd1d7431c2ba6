/**
 * A hand-rolled incremental-update writer for the attack generator. Unlike the product's
 * IncrementalUpdate it writes whatever an attacker would: free entries, entries for bytes
 * that are already in the file, duplicate entries, objects packed in a new object stream,
 * objects written but left out of the cross-reference. Classic table or xref stream, chained
 * to the file's last section through /Prev.
 */
import { PdfDict, PdfDocument, serializeValue, type PdfValue } from '../../src/main/core/pdf/index';

export type RawXrefEntry =
  | { readonly num: number; readonly type: 'free'; readonly gen?: number }
  | { readonly num: number; readonly type: 'offset'; readonly offset: number; readonly gen?: number }
  | { readonly num: number; readonly type: 'compressed'; readonly stream: number; readonly index: number };

export interface RawObject {
  readonly num: number;
  readonly gen?: number;
  /** What goes between `n g obj` and `endobj`. */
  readonly body: string | Uint8Array;
  /** Written into the file but given no cross-reference entry (bytes an xref-only update can point at later). */
  readonly hidden?: boolean;
}

export interface RawUpdate {
  readonly objects?: readonly RawObject[];
  /** More entries, after those of the written objects, in this order (duplicates allowed). */
  readonly entries?: readonly RawXrefEntry[] | ((offsets: ReadonlyMap<number, number>) => RawXrefEntry[]);
  /** Entries of the written objects go after `entries` instead of before. */
  readonly objectEntriesLast?: boolean;
  readonly kind?: 'table' | 'stream';
  /** Trailer keys replaced or added (serialized values). */
  readonly trailer?: Readonly<Record<string, PdfValue>>;
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** `<< dict /Length n >> stream … endstream` */
export function streamBody(dict: string, data: string | Uint8Array): Uint8Array {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  return concat([latin1(`<< ${dict} /Length ${bytes.length} >>\nstream\n`), bytes, latin1('\nendstream')]);
}

/** An object stream (uncompressed) holding `objects` in this order. */
export function objectStreamBody(objects: readonly { num: number; body: string }[]): Uint8Array {
  let header = '';
  let data = '';
  for (const object of objects) {
    header += `${object.num} ${data.length} `;
    data += `${object.body}\n`;
  }
  return streamBody(`/Type /ObjStm /N ${objects.length} /First ${header.length}`, header + data);
}

export function serialize(value: PdfValue): string {
  return Buffer.from(serializeValue(value)).toString('latin1');
}

/** Appends one incremental update; returns the new file and where each written object starts. */
export function appendRaw(base: Uint8Array, update: RawUpdate): { bytes: Uint8Array; offsets: Map<number, number> } {
  const doc = PdfDocument.open(base);
  const last = doc.latestRevision;
  const kind = update.kind ?? (last.kind === 'stream' ? 'stream' : 'table');
  const separator = base[base.length - 1] === 0x0a ? new Uint8Array() : latin1('\n');
  const parts: Uint8Array[] = [base, separator];
  let at = base.length + separator.length;
  const offsets = new Map<number, number>();
  const objectEntries: RawXrefEntry[] = [];
  for (const object of update.objects ?? []) {
    const head = latin1(`${object.num} ${object.gen ?? 0} obj\n`);
    const body = typeof object.body === 'string' ? latin1(object.body) : object.body;
    const chunk = concat([head, body, latin1('\nendobj\n')]);
    offsets.set(object.num, at);
    if (!object.hidden) objectEntries.push({ num: object.num, type: 'offset', offset: at, gen: object.gen ?? 0 });
    parts.push(chunk);
    at += chunk.length;
  }
  const extra = typeof update.entries === 'function' ? update.entries(offsets) : [...(update.entries ?? [])];
  const entries = update.objectEntriesLast ? [...extra, ...objectEntries] : [...objectEntries, ...extra];
  let size = Math.max(doc.trailer.getInteger('Size') ?? 0, ...entries.map((e) => e.num + 1));
  const trailer = new Map<string, PdfValue>();
  for (const key of ['Root', 'Info', 'ID']) {
    const value = doc.trailer.get(key);
    if (value !== undefined) trailer.set(key, value);
  }
  for (const [key, value] of Object.entries(update.trailer ?? {})) trailer.set(key, value);
  const xrefAt = at;
  if (kind === 'table') {
    let table = 'xref\n';
    for (const e of entries) {
      const line =
        e.type === 'free'
          ? `0000000000 ${String(e.gen ?? 1).padStart(5, '0')} f\r\n`
          : e.type === 'offset'
            ? `${String(e.offset).padStart(10, '0')} ${String(e.gen ?? 0).padStart(5, '0')} n\r\n`
            : (() => {
                throw new Error('a classic table cannot hold a compressed entry');
              })();
      table += `${e.num} 1\n${line}`;
    }
    trailer.set('Size', size);
    trailer.set('Prev', last.xrefOffset);
    table += `trailer\n${serialize(new PdfDict([...trailer]))}\nstartxref\n${xrefAt}\n%%EOF\n`;
    parts.push(latin1(table));
  } else {
    const selfNum = size;
    size += 1;
    const all = [...entries, { num: selfNum, type: 'offset' as const, offset: xrefAt, gen: 0 }];
    const rows = Buffer.alloc(all.length * 7);
    all.forEach((e, i) => {
      const row = i * 7;
      if (e.type === 'free') {
        rows.writeUInt8(0, row);
        rows.writeUInt16BE(e.gen ?? 1, row + 5);
      } else if (e.type === 'offset') {
        rows.writeUInt8(1, row);
        rows.writeUInt32BE(e.offset, row + 1);
        rows.writeUInt16BE(e.gen ?? 0, row + 5);
      } else {
        rows.writeUInt8(2, row);
        rows.writeUInt32BE(e.stream, row + 1);
        rows.writeUInt16BE(e.index, row + 5);
      }
    });
    const index = all.map((e) => `${e.num} 1`).join(' ');
    const dictExtra = [...trailer].map(([key, value]) => `/${key} ${serialize(value)}`).join(' ');
    const body = streamBody(`/Type /XRef /Size ${size} /W [1 4 2] /Index [${index}] /Prev ${last.xrefOffset} ${dictExtra}`, new Uint8Array(rows));
    parts.push(concat([latin1(`${selfNum} 0 obj\n`), body, latin1(`\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`)]));
  }
  return { bytes: concat(parts), offsets };
}

/**
 * Attack mutations for the fuzz campaign (issue #11): each takes a signed seed and changes what
 * it shows (or what its signature claims) WITHOUT touching a signed byte, so the byte oracle of
 * hostile-pdf.test.ts cannot see it. Their oracle: a signature that was VALID or
 * VALID_WITH_CHANGES on the seed must not be either after the mutation.
 *
 *  free-redefine   one update frees an object, a second defines it again with other content
 *  free-only       an update frees an object the signed revision uses
 *  objstm-replace  an object stream replaced under its number with one member altered, or an
 *                  object moved into a new object stream
 *  xref-repoint    an update of one xref entry pointing an object at bytes already in the file
 *  duplicate-entry one section lists an object twice (signed target and altered one, either order)
 *  overlay         an annotation with an appearance over page 1, or an empty signature field
 *                  with an appearance
 *  der-mangle      a signature's CMS re-encoded not-DER (padded INTEGER, non-minimal length,
 *                  bytes after the object)
 *  byterange       a signature's /ByteRange moved outside the file or short of its revision end
 */
import { PdfArray, PdfDict, PdfDocument, PdfRef, PdfStream, PdfString, name, type PdfValue } from '../../src/main/core/pdf/index';
import { appendRaw, objectStreamBody, serialize, streamBody, type RawXrefEntry } from '../attacks/raw-update';
import type { Prng } from '../helpers/fuzz';

export interface AttackMutation {
  readonly mutator: string;
  readonly detail: string;
  readonly bytes: Uint8Array;
  /**
   * The /ByteRange (as the mutated file states it) of the one signature the mutation aims at
   * (der-mangle, byterange); absent when it aims at every signature of the seed.
   */
  readonly signature?: readonly number[];
}

type AttackMutator = (input: Uint8Array, rng: Prng) => AttackMutation | undefined;

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

/** In-use objects of the latest revision an attack may aim at (not xref streams, not the catalog). */
function candidates(doc: PdfDocument): { num: number; value: PdfValue }[] {
  const out: { num: number; value: PdfValue }[] = [];
  const rootNum = (doc.trailer.get('Root') as PdfRef | undefined)?.num;
  // The document information dictionary is metadata a receiver may update after a seal
  // (allowed, listed): not a target.
  const infoNum = (doc.trailer.get('Info') as PdfRef | undefined)?.num;
  for (const [num, entry] of doc.latest.table) {
    if (entry.type === 'free' || num === 0 || num === rootNum || num === infoNum) continue;
    let value: PdfValue;
    try {
      value = doc.latest.getObject(new PdfRef(num, entry.type === 'offset' ? entry.gen : 0));
    } catch {
      continue;
    }
    const type = value instanceof PdfStream ? value.dict.getName('Type') : value instanceof PdfDict ? value.getName('Type') : undefined;
    if (type === 'XRef' || type === 'ObjStm' || type === 'Metadata') continue;
    out.push({ num, value });
    if (out.length >= 400) break;
  }
  return out;
}

/** Another content for an object: a stream draws a black box, a dictionary gains a key, anything else becomes a dictionary. */
function altered(value: PdfValue): string | Uint8Array {
  if (value instanceof PdfStream) return streamBody(serialize(value.dict.with('Length', undefined).with('Filter', undefined).with('DecodeParms', undefined)).slice(2, -2), 'q 0 0 0 rg 50 500 400 200 re f Q');
  if (value instanceof PdfDict) return serialize(value.with('YinjianFuzz', 1).with('MediaBox', new PdfArray([0, 0, 200, 200])));
  return '<< /YinjianFuzz 1 >>';
}

function open(input: Uint8Array): PdfDocument | undefined {
  try {
    const doc = PdfDocument.open(input);
    doc.catalog();
    return doc;
  } catch {
    return undefined;
  }
}

function kindOf(doc: PdfDocument, rng: Prng): 'table' | 'stream' {
  return doc.latestRevision.kind === 'stream' || rng.next() < 0.3 ? 'stream' : 'table';
}

/** Offsets of the seed's /ByteRange arrays and /Contents hex strings (the last signature's first). */
function signatureSpans(bytes: Uint8Array): { rangeStart: number; rangeEnd: number; values: number[] }[] {
  const text = latin1(bytes);
  const out: { rangeStart: number; rangeEnd: number; values: number[] }[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    out.push({ rangeStart: m.index ?? 0, rangeEnd: (m.index ?? 0) + m[0].length, values: m.slice(1, 5).map(Number) });
  }
  return out;
}

interface Header {
  readonly tag: number;
  readonly length: number;
  readonly headerLength: number;
}

function header(der: Uint8Array, pos: number): Header {
  const tag = der[pos] as number;
  let length = der[pos + 1] as number;
  let headerLength = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[pos + 2 + i] as number);
    headerLength += n;
  }
  return { tag, length, headerLength };
}

function encodeHeader(tag: number, length: number, leadingZero = false): Buffer {
  if (length < 0x80 && !leadingZero) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  if (leadingZero) bytes.unshift(0);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

/** The CMS re-encoded so it is no longer DER, or undefined when its shape is not ContentInfo/SignedData. */
function mangleDer(der: Buffer, how: number): Buffer | undefined {
  try {
    const outer = header(der, 0);
    const end = outer.headerLength + outer.length;
    if (outer.tag !== 0x30 || end > der.length) return undefined;
    const body = der.subarray(outer.headerLength, end);
    if (how === 0) return Buffer.concat([der.subarray(0, end), Buffer.from('YINJIAN', 'latin1')]);
    if (how === 1) return Buffer.concat([encodeHeader(0x30, outer.length, true), body]);
    // Padded INTEGER: SignedData.version gets a redundant leading zero byte.
    const oid = header(body, 0);
    const explicitAt = oid.headerLength + oid.length;
    const explicit = header(body, explicitAt);
    const sdAt = explicitAt + explicit.headerLength;
    const sd = header(body, sdAt);
    const versionAt = sdAt + sd.headerLength;
    const version = header(body, versionAt);
    if (explicit.tag !== 0xa0 || sd.tag !== 0x30 || version.tag !== 0x02) return undefined;
    const versionValue = body.subarray(versionAt + version.headerLength, versionAt + version.headerLength + version.length);
    const rest = body.subarray(versionAt + version.headerLength + version.length, sdAt + sd.headerLength + sd.length);
    const newVersion = Buffer.concat([encodeHeader(0x02, version.length + 1), Buffer.from([0]), versionValue]);
    const newSd = Buffer.concat([encodeHeader(0x30, newVersion.length + rest.length), newVersion, rest]);
    const newExplicit = Buffer.concat([encodeHeader(0xa0, newSd.length), newSd]);
    const newBody = Buffer.concat([body.subarray(0, explicitAt), newExplicit, body.subarray(sdAt + sd.headerLength + sd.length)]);
    return Buffer.concat([encodeHeader(0x30, newBody.length), newBody]);
  } catch {
    return undefined;
  }
}

export const ATTACK_MUTATORS: Readonly<Record<string, AttackMutator>> = {
  'free-redefine'(input, rng) {
    const doc = open(input);
    const target = doc && rng.pick(candidates(doc));
    if (!doc || !target) return undefined;
    const kind = kindOf(doc, rng);
    const freed = appendRaw(input, { kind, entries: [{ num: target.num, type: 'free', gen: 1 }] }).bytes;
    const bytes = appendRaw(freed, { kind, objects: [{ num: target.num, gen: rng.next() < 0.5 ? 0 : 1, body: altered(target.value) }] }).bytes;
    return { mutator: 'free-redefine', detail: `object ${target.num} (${kind})`, bytes };
  },
  'free-only'(input, rng) {
    const doc = open(input);
    const target = doc && rng.pick(candidates(doc));
    if (!doc || !target) return undefined;
    return { mutator: 'free-only', detail: `object ${target.num}`, bytes: appendRaw(input, { kind: kindOf(doc, rng), entries: [{ num: target.num, type: 'free', gen: 1 }] }).bytes };
  },
  'objstm-replace'(input, rng) {
    const doc = open(input);
    if (!doc) return undefined;
    const aims = new Set(candidates(doc).map((c) => c.num));
    const compressed = [...doc.latest.table].filter(([n, e]) => e.type === 'compressed' && aims.has(n));
    if (compressed.length > 0 && rng.next() < 0.7) {
      const [num, entry] = rng.pick(compressed);
      if (entry.type !== 'compressed') return undefined;
      const members = [...doc.latest.table].filter(([, e]) => e.type === 'compressed' && e.stream === entry.stream).sort((a, b) => (a[1] as { index: number }).index - (b[1] as { index: number }).index);
      const body = objectStreamBody(
        members.map(([m]) => {
          const value = doc.latest.getObject(new PdfRef(m, 0));
          return { num: m, body: m === num ? (value instanceof PdfDict ? serialize(value.with('YinjianFuzz', 1).with('MediaBox', new PdfArray([0, 0, 200, 200]))) : '<< /YinjianFuzz 1 >>') : serialize(value) };
        }),
      );
      return { mutator: 'objstm-replace', detail: `object stream ${entry.stream} (member ${num} altered)`, bytes: appendRaw(input, { objects: [{ num: entry.stream, body }] }).bytes };
    }
    const target = rng.pick(candidates(doc).filter((c) => !(c.value instanceof PdfStream)));
    if (!target) return undefined;
    const ns = doc.size + 1;
    const body = objectStreamBody([{ num: target.num, body: altered(target.value) as string }]);
    return {
      mutator: 'objstm-replace',
      detail: `object ${target.num} moved into new object stream ${ns}`,
      bytes: appendRaw(input, { kind: 'stream', objects: [{ num: ns, body }], entries: [{ num: target.num, type: 'compressed', stream: ns, index: 0 }] }).bytes,
    };
  },
  'xref-repoint'(input, rng) {
    const doc = open(input);
    const list = doc ? candidates(doc) : [];
    const target = list.length > 1 ? rng.pick(list) : undefined;
    if (!doc || !target) return undefined;
    const offsets = [...doc.latest.table].flatMap(([n, e]) => (e.type === 'offset' && n !== target.num ? [e.offset] : []));
    if (offsets.length === 0) return undefined;
    const offset = rng.pick(offsets);
    return { mutator: 'xref-repoint', detail: `object ${target.num} → offset ${offset}`, bytes: appendRaw(input, { kind: kindOf(doc, rng), entries: [{ num: target.num, type: 'offset', offset, gen: 0 }] }).bytes };
  },
  'duplicate-entry'(input, rng) {
    const doc = open(input);
    const target = doc && rng.pick(candidates(doc));
    if (!doc || !target) return undefined;
    const entry = doc.latest.table.get(target.num);
    const original: RawXrefEntry = entry?.type === 'offset' ? { num: target.num, type: 'offset', offset: entry.offset, gen: entry.gen } : { num: target.num, type: 'free', gen: 0 };
    const kind = entry?.type === 'compressed' ? 'stream' : kindOf(doc, rng);
    const signedFirst = rng.next() < 0.5;
    const bytes = appendRaw(input, {
      kind,
      objects: [{ num: target.num, body: altered(target.value), hidden: true }],
      entries: (offsets) => {
        const next: RawXrefEntry = { num: target.num, type: 'offset', offset: offsets.get(target.num) as number, gen: 0 };
        return signedFirst ? [original, next] : [next, original];
      },
    }).bytes;
    return { mutator: 'duplicate-entry', detail: `object ${target.num} listed twice (${signedFirst ? 'signed' : 'altered'} first, ${kind})`, bytes };
  },
  overlay(input, rng) {
    const doc = open(input);
    if (!doc) return undefined;
    let pageRef: PdfRef | undefined;
    try {
      pageRef = doc.pageRefs()[0];
    } catch {
      return undefined;
    }
    const page = pageRef && doc.latest.resolveDict(pageRef);
    if (!pageRef || !page) return undefined;
    const rect = [40 + rng.int(100), 300 + rng.int(300), 300 + rng.int(200), 650 + rng.int(100)];
    const size = doc.size;
    const apNum = size;
    const annotNum = size + 1;
    const subtype = rng.pick(['FreeText', 'Square', 'Stamp', 'Ink', 'Widget', 'SigField']);
    const ap = streamBody(`/Type /XObject /Subtype /Form /BBox [0 0 ${rect[2]! - rect[0]!} ${rect[3]! - rect[1]!}]`, 'q 1 1 1 rg 0 0 600 600 re f Q');
    const isField = subtype === 'Widget' || subtype === 'SigField';
    const annot = PdfDict.of({
      Type: name('Annot'),
      Subtype: name(isField ? 'Widget' : subtype),
      Rect: new PdfArray(rect),
      F: 4,
      P: pageRef,
      AP: PdfDict.of({ N: new PdfRef(apNum, 0) }),
      ...(isField ? { FT: name(subtype === 'SigField' ? 'Sig' : 'Tx'), T: PdfString.fromText(`Fuzz${rng.int(1000)}`) } : { Contents: PdfString.fromText('fuzz') }),
    });
    const annots = doc.latest.resolveArray(page.get('Annots'));
    const objects: { num: number; body: string | Uint8Array }[] = [
      { num: apNum, body: ap },
      { num: annotNum, body: serialize(annot) },
      { num: pageRef.num, body: serialize(page.with('Annots', new PdfArray([...(annots?.items ?? []), new PdfRef(annotNum, 0)]))) },
    ];
    if (isField) {
      const catalogRef = doc.trailer.get('Root') as PdfRef;
      const catalog = doc.catalog();
      const acroValue = catalog.get('AcroForm');
      const acro = doc.latest.resolveDict(acroValue) ?? new PdfDict();
      const fields = doc.latest.resolveArray(acro.get('Fields'));
      const next = acro.with('Fields', new PdfArray([...(fields?.items ?? []), new PdfRef(annotNum, 0)]));
      if (acroValue instanceof PdfRef) objects.push({ num: acroValue.num, body: serialize(next) });
      else objects.push({ num: catalogRef.num, body: serialize(catalog.with('AcroForm', next)) });
    }
    return { mutator: 'overlay', detail: `${subtype} at [${rect.join(' ')}]`, bytes: appendRaw(input, { kind: kindOf(doc, rng), objects }).bytes };
  },
  'der-mangle'(input, rng) {
    const spans = signatureSpans(input);
    if (spans.length === 0) return undefined;
    const span = rng.pick(spans);
    const [, b, c] = span.values as [number, number, number, number];
    if (c - 1 > input.length || b + 1 >= c - 1) return undefined;
    const hex = latin1(input.subarray(b + 1, c - 1));
    if (!/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
    const der = Buffer.from(hex, 'hex');
    const how = rng.int(3);
    const mangled = mangleDer(der, how);
    if (!mangled || mangled.length * 2 > hex.length) return undefined;
    const out = new Uint8Array(input);
    out.set(Buffer.from(Buffer.concat([mangled, Buffer.alloc(hex.length / 2 - mangled.length)]).toString('hex').toUpperCase(), 'latin1'), b + 1);
    return { mutator: 'der-mangle', detail: `${['trailing bytes', 'non-minimal length', 'padded INTEGER'][how]} in the CMS at ${b}`, bytes: out, signature: span.values };
  },
  byterange(input, rng) {
    const spans = signatureSpans(input);
    if (spans.length === 0) return undefined;
    const span = rng.pick(spans);
    const [a, b, c, d] = span.values as [number, number, number, number];
    const variants = [
      [a, b, c, d + 1 + rng.int(5000)],
      [a, b, c, Math.max(0, d - 1 - rng.int(50))],
      [a + 1 + rng.int(8), b, c, d],
    ];
    const values = rng.pick(variants);
    const width = span.rangeEnd - span.rangeStart;
    const text = `/ByteRange [${values.join(' ')}]`;
    if (text.length > width) return undefined;
    const out = new Uint8Array(input);
    out.set(Buffer.from(text.padEnd(width, ' '), 'latin1'), span.rangeStart);
    return { mutator: 'byterange', detail: `[${values.join(' ')}]`, bytes: out, signature: values };
  },
};

export const ATTACK_MUTATOR_NAMES = Object.keys(ATTACK_MUTATORS);

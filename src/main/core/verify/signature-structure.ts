/**
 * Step 1 of verification: find every signature in every revision and check its structure
 * byte by byte. The checks defend against the published attack classes on the byte range:
 * Universal Signature Forgery (no or empty /ByteRange or /Contents), Signature Wrapping (a
 * gap larger than /Contents, or ranges that do not end at the end of a revision, so new
 * bytes hide outside what was signed) and incremental-saving tricks (a signature whose dict
 * is later overridden: the version read is the one in the revision the signature covers).
 */
import { Buffer } from 'node:buffer';
import {
  Lexer,
  PdfArray,
  PdfDict,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfDocument,
  type PdfRevision,
  type PdfValue,
} from '../pdf/index';
import { finding, type VerifyFinding } from './findings';

/** Revisions whose form fields are read to find signatures; later ones only (hostile files can have thousands). */
const MAX_REVISIONS_SCANNED = 256;

export interface LocatedSignature {
  readonly field: string;
  readonly fieldRef: PdfRef | undefined;
  /** The signature dictionary's object, when indirect. */
  readonly valueRef: PdfRef | undefined;
  /** The signature dictionary as the signed revision has it (or the first version found). */
  readonly dict: PdfDict;
  readonly widgets: readonly PdfRef[];
  /** Whether the field still holds this value in the latest revision. */
  readonly presentInLatest: boolean;
}

export interface SignatureStructure {
  readonly byteRange: readonly number[] | undefined;
  /** Index of the revision whose end the ranges reach, when they reach one. */
  readonly signedRevision: number | undefined;
  /** The decoded /Contents bytes. */
  readonly contents: Uint8Array | undefined;
  /** Offsets of the /Contents string in the file ('<' and one past '>'). */
  readonly contentsSpan: { readonly start: number; readonly end: number } | undefined;
  /** Ranges are readable and inside the file, so a digest can be computed over them. */
  readonly digestable: boolean;
  readonly findings: readonly VerifyFinding[];
}

function isSignatureField(fieldType: string | undefined): boolean {
  return fieldType === 'Sig';
}

/**
 * Every signature value of every signature field, newest revision first, each once. A value
 * only an older revision has (a signature removed later) is still found, so its removal shows
 * up as a change instead of silently vanishing.
 */
export function locateSignatures(doc: PdfDocument): { signatures: LocatedSignature[]; emptyFields: string[]; findings: VerifyFinding[] } {
  const signatures: LocatedSignature[] = [];
  const emptyFields: string[] = [];
  const findings: VerifyFinding[] = [];
  const seen = new Set<string>();
  const last = doc.revisions.length - 1;
  const first = Math.max(0, last - MAX_REVISIONS_SCANNED + 1);
  for (let index = last; index >= first; index--) {
    let fields;
    const view = doc.atRevision(index);
    try {
      fields = view.formFields();
    } catch (error) {
      if (index === last) findings.push(finding('FILE_UNREADABLE', { detail: `form fields: ${(error as Error).message}` }));
      continue;
    }
    for (const field of fields) {
      if (!isSignatureField(field.fieldType)) continue;
      const raw = field.dict.get('V');
      let value: PdfValue | undefined;
      try {
        value = view.resolve(raw);
      } catch {
        value = undefined;
      }
      if (raw === undefined || value === null || value === undefined) {
        if (index === last && !emptyFields.includes(field.fullName)) emptyFields.push(field.fullName);
        continue;
      }
      const valueRef = raw instanceof PdfRef ? raw : undefined;
      const key = valueRef ? `ref:${valueRef.key}` : `direct:${field.ref?.key ?? field.fullName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const dict = value instanceof PdfDict ? value : value instanceof PdfStream ? value.dict : new PdfDict();
      signatures.push({ field: field.fullName, fieldRef: field.ref, valueRef, dict, widgets: field.widgets, presentInLatest: index === last });
    }
  }
  return { signatures, emptyFields, findings };
}

interface RawContents {
  readonly count: number;
  readonly start: number;
  readonly end: number;
  readonly hex: boolean;
}

/**
 * Finds where /Contents of the dictionary at `offset` lies in the file, by lexing the object
 * itself: the parsed value says what /Contents holds, only the bytes say where.
 */
function rawContentsOf(doc: PdfDocument, offset: number): RawContents | undefined {
  const lexer = new Lexer(doc.reader, offset);
  const num = lexer.next();
  const gen = lexer.next();
  const obj = lexer.next();
  if (num.kind !== 'number' || gen.kind !== 'number' || obj.kind !== 'keyword' || obj.value !== 'obj') return undefined;
  const open = lexer.next();
  if (open.kind !== 'punct' || open.value !== '<<') return undefined;
  let depth = 1;
  let expectKey = true;
  let pendingContents = false;
  let count = 0;
  let start = -1;
  let end = -1;
  let hex = false;
  // Bounded by the object's own tokens; a dictionary of a signature is small.
  for (let steps = 0; steps < 100_000; steps++) {
    lexer.skipWhitespace();
    const tokenStart = lexer.pos;
    const token = lexer.next();
    if (token.kind === 'eof') return undefined;
    if (token.kind === 'punct' && (token.value === '<<' || token.value === '[')) {
      depth++;
      if (depth === 2 && pendingContents) pendingContents = false;
      expectKey = false;
      continue;
    }
    if (token.kind === 'punct' && (token.value === '>>' || token.value === ']')) {
      depth--;
      if (depth === 0) return count > 0 ? { count, start, end, hex } : { count: 0, start: -1, end: -1, hex: false };
      if (depth === 1) expectKey = true;
      continue;
    }
    if (depth !== 1) continue;
    if (expectKey) {
      if (token.kind === 'name') {
        expectKey = false;
        pendingContents = token.value === 'Contents';
        if (pendingContents) count++;
      }
      continue;
    }
    // A value at depth 1. References are three tokens: number number R.
    if (token.kind === 'number') {
      const save = lexer.pos;
      const second = lexer.next();
      const third = lexer.next();
      if (!(second.kind === 'number' && third.kind === 'keyword' && third.value === 'R')) lexer.pos = save;
    }
    if (pendingContents && count === 1) {
      start = tokenStart;
      end = lexer.pos;
      hex = token.kind === 'string' && token.value.hex;
    }
    pendingContents = false;
    expectKey = true;
  }
  return undefined;
}

const HEX_DIGITS_ONLY = /^[0-9A-Fa-f]*$/;

/** Revision ends a byte range may reach: after %%EOF and its EOL, or just before the EOL (node-signpdf). */
function revisionEnds(doc: PdfDocument, revision: PdfRevision): number[] {
  const ends = [revision.endOffset];
  const reader = doc.reader;
  let end = revision.endOffset;
  if (reader.at(end - 1) === 0x0a) end--;
  if (reader.at(end - 1) === 0x0d) end--;
  if (end !== revision.endOffset) ends.push(end);
  if (revision.endOffset - 1 !== end && reader.at(revision.endOffset - 1) === 0x0a) ends.push(revision.endOffset - 1);
  return ends;
}

function readByteRange(value: PdfValue | undefined): number[] | string {
  if (!(value instanceof PdfArray)) return 'missing or not an array';
  const numbers: number[] = [];
  for (const item of value.items) {
    if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0) return `bad entry ${String(item)}`;
    numbers.push(item);
  }
  if (numbers.length !== 4) return `${numbers.length} numbers instead of 4 (exactly two ranges)`;
  return numbers;
}

/**
 * The version of the signature dictionary to judge: of all versions the revisions define, the
 * one whose byte range ends at the end of the revision that wrote it (that is the signature
 * as made); else the oldest version.
 */
export function signedVersion(doc: PdfDocument, located: LocatedSignature): { dict: PdfDict; offset: number | undefined; compressed: boolean; revision: number | undefined } {
  const ref = located.valueRef;
  if (!ref) return { dict: located.dict, offset: undefined, compressed: false, revision: undefined };
  let oldest: { dict: PdfDict; offset: number | undefined; compressed: boolean; revision: number } | undefined;
  for (const revision of doc.revisions) {
    const entry = revision.entries.get(ref.num);
    if (!entry || entry.type === 'free') continue;
    let value: PdfValue;
    try {
      value = doc.atRevision(revision.index).getObject(new PdfRef(ref.num, entry.type === 'offset' ? entry.gen : 0));
    } catch {
      continue;
    }
    const dict = value instanceof PdfDict ? value : value instanceof PdfStream ? value.dict : undefined;
    if (!dict) continue;
    const version = { dict, offset: entry.type === 'offset' ? entry.offset : undefined, compressed: entry.type === 'compressed', revision: revision.index };
    oldest ??= version;
    const range = readByteRange(dict.get('ByteRange'));
    if (typeof range !== 'string') {
      const end = (range[2] as number) + (range[3] as number);
      if (revisionEnds(doc, revision).includes(end)) return version;
    }
  }
  return oldest ?? { dict: located.dict, offset: undefined, compressed: false, revision: undefined };
}

/** Step 1: /ByteRange and /Contents, byte by byte. */
export function checkStructure(doc: PdfDocument, dict: PdfDict, offset: number | undefined, compressed: boolean): SignatureStructure {
  const findings: VerifyFinding[] = [];
  const size = doc.reader.length;
  const contentsValue = dict.get('Contents');
  const contents = contentsValue instanceof PdfString ? contentsValue.bytes : undefined;
  const range = readByteRange(dict.get('ByteRange'));
  if (typeof range === 'string') {
    findings.push(finding('BYTE_RANGE_MALFORMED', { detail: range }));
    return { byteRange: undefined, signedRevision: undefined, contents, contentsSpan: undefined, digestable: false, findings };
  }
  const [a, b, c, d] = range as [number, number, number, number];
  const end = c + d;
  if (end > size || a + b > size) {
    // The signed bytes are not in the file any more: nothing can match the signed digest.
    findings.push(finding('BYTE_RANGE_OUTSIDE_FILE', { size, end: Math.max(end, a + b) }));
    return { byteRange: range, signedRevision: undefined, contents, contentsSpan: undefined, digestable: false, findings };
  }
  if (a !== 0) findings.push(finding('BYTE_RANGE_NOT_FROM_START'));
  if (c < a + b) findings.push(finding('BYTE_RANGE_MALFORMED', { detail: 'the second range starts before the first ends' }));
  if (!(contentsValue instanceof PdfString)) findings.push(finding('CONTENTS_NOT_HEX'));

  let contentsSpan: SignatureStructure['contentsSpan'];
  if (compressed) findings.push(finding('SIGNATURE_DICTIONARY_COMPRESSED'));
  else if (offset === undefined) findings.push(finding('BYTE_RANGE_GAP_NOT_CONTENTS', { detail: 'the signature dictionary is not an indirect object' }));
  else {
    const raw = rawContentsOf(doc, offset);
    if (!raw || raw.count === 0) findings.push(finding('BYTE_RANGE_GAP_NOT_CONTENTS', { detail: 'no /Contents in the signature dictionary\'s bytes' }));
    else {
      if (raw.count > 1) findings.push(finding('CONTENTS_DUPLICATED'));
      contentsSpan = { start: raw.start, end: raw.end };
      if (!raw.hex) findings.push(finding('CONTENTS_NOT_HEX'));
      else {
        // One read of the whole string (up to a few hundred kB), checked by one regular
        // expression: a loop over its bytes cost ~5 ms of a 30 MB file's verification (issue #15).
        const hex = doc.reader.slice(raw.start + 1, Math.max(0, raw.end - raw.start - 2));
        if (!HEX_DIGITS_ONLY.test(Buffer.from(hex.buffer, hex.byteOffset, hex.length).toString('latin1'))) {
          findings.push(finding('CONTENTS_NOT_HEX'));
        }
      }
      if (a + b !== raw.start || c !== raw.end) {
        findings.push(finding('BYTE_RANGE_GAP_NOT_CONTENTS', { detail: `gap ${a + b}–${c}, /Contents ${raw.start}–${raw.end}` }));
      }
    }
  }

  let signedRevision: number | undefined;
  for (const revision of doc.revisions) {
    if (revision.kind === 'recovered') continue;
    if (revisionEnds(doc, revision).includes(end)) {
      signedRevision = revision.index;
      break;
    }
  }
  if (signedRevision === undefined) {
    if (doc.recovered && end === size) signedRevision = doc.revisions.length - 1;
    else if (doc.recovered && endsAfterEof(doc, end)) {
      // The cross-reference is broken, so revisions are unknown; the range ends right after
      // an %%EOF, as a signed revision does. What follows is judged as a change (step 6).
    } else findings.push(finding('BYTE_RANGE_NOT_REVISION_END', { detail: `range ends at ${end}; revisions end at ${doc.revisions.map((r) => r.endOffset).join(', ')}` }));
  }
  if (contentsSpan && signedRevision !== undefined) {
    // A dictionary written after the revision its ranges cover is not the dictionary that was
    // signed: an earlier signature's ranges and CMS reused under new /Reason, /M, /Name …
    // (signature dictionary spoofing). Its gap check above is meaningless; what happened is
    // a change after signing.
    const revisionEnd = doc.revisions[signedRevision]?.endOffset ?? size;
    if (contentsSpan.start >= revisionEnd) {
      for (let i = findings.length - 1; i >= 0; i--) if (findings[i]?.code === 'BYTE_RANGE_GAP_NOT_CONTENTS') findings.splice(i, 1);
      findings.push(finding('SIGNATURE_DICTIONARY_REWRITTEN', { detail: `/Contents at ${contentsSpan.start}, signed revision ends at ${revisionEnd}` }));
    } else if (contentsSpan.end > revisionEnd) findings.push(finding('BYTE_RANGE_GAP_NOT_CONTENTS', { detail: '/Contents lies after the signed revision' }));
  }
  // Ranges out of order cannot be hashed as one signed message.
  return { byteRange: range, signedRevision, contents, contentsSpan, digestable: c >= a + b, findings };
}

function endsAfterEof(doc: PdfDocument, end: number): boolean {
  let pos = end;
  if (doc.reader.at(pos - 1) === 0x0a) pos--;
  if (doc.reader.at(pos - 1) === 0x0d) pos--;
  const marker = '%%EOF';
  for (let i = 0; i < marker.length; i++) if (doc.reader.at(pos - marker.length + i) !== marker.charCodeAt(i)) return false;
  return true;
}

/** Bytes after the last revision: one EOL is tolerated, anything else is unsigned content. */
export function trailingUncoveredBytes(doc: PdfDocument): number {
  if (doc.recovered) return 0;
  const last = doc.latestRevision;
  const extra = doc.reader.length - last.endOffset;
  if (extra <= 0) return 0;
  if (extra <= 2) {
    let onlyEol = true;
    for (let pos = last.endOffset; pos < doc.reader.length; pos++) {
      const byte = doc.reader.at(pos);
      if (byte !== 0x0a && byte !== 0x0d) onlyEol = false;
    }
    if (onlyEol) return 0;
  }
  return extra;
}

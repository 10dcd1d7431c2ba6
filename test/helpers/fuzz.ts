/**
 * Hostile-PDF fuzzing (issue #7): a seeded PRNG, the seed files (our own signed PDFs and the
 * interop corpus' small signed files), the mutators, and the oracle that no signature may be
 * VALID over bytes its signer did not sign.
 *
 * Everything random comes from one 32-bit seed, so a failure printed as `seed/case` is replayed
 * exactly by `FUZZ_SEED=<seed> FUZZ_FROM=<case> FUZZ_CASES=1`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { makeBasePdf, makeTestSeal, signPdf, appendUpdate } from './signed-pdf';
import { PdfDict, PdfString } from '../../src/main/core/pdf/index';

/** mulberry32: tiny, fast, and good enough to spread mutations; not for cryptography. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** The seed for case `index` of a campaign: each case is replayable on its own. */
export function caseSeed(campaignSeed: number, index: number): number {
  return (Math.imul(campaignSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

export interface FuzzSeed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** SHA-256 of the bytes each of its signatures signs (its two /ByteRange ranges, concatenated). */
  readonly signedContent: ReadonlySet<string>;
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** SHA-256 over a byte range pair, or undefined when the pair does not fit the file. */
export function rangeDigest(bytes: Uint8Array, br: readonly number[] | undefined): string | undefined {
  if (!br || br.length !== 4 || !br.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const [a, b, c, d] = br as [number, number, number, number];
  if (a + b > bytes.length || c + d > bytes.length) return undefined;
  return createHash('sha256').update(bytes.subarray(a, a + b)).update(bytes.subarray(c, c + d)).digest('hex');
}

/** Every /ByteRange [a b c d] written in the file, read textually (also ones the verifier may not find). */
export function textualByteRanges(bytes: Uint8Array): number[][] {
  const out: number[][] = [];
  for (const m of latin1(bytes).matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) out.push(m.slice(1, 5).map(Number));
  return out;
}

function seedOf(name: string, bytes: Uint8Array): FuzzSeed {
  const signedContent = new Set<string>();
  for (const br of textualByteRanges(bytes)) {
    const digest = rangeDigest(bytes, br);
    if (digest) signedContent.add(digest);
  }
  return { name, bytes, signedContent };
}

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CORPUS_DIR = resolve(repoRoot, '../shared/corpus');
export const REGRESSIONS_DIR = join(repoRoot, 'test/fixtures/regressions');

export interface SeedSet {
  readonly seeds: readonly FuzzSeed[];
  /** DER trust anchors: our test root, and the corpus' pyhanko root when present. */
  readonly trustAnchors: readonly Uint8Array[];
}

/**
 * Our own signed files (classic xref; xref stream base; two seals; a DocMDP certification; a
 * seal followed by an allowed later update) and the corpus' signed files under `maxCorpusBytes`.
 */
export async function loadSeeds(maxCorpusBytes = 40_000): Promise<SeedSet> {
  const seal = await makeTestSeal();
  const base = await makeBasePdf(2, 'Fuzz seed');
  const once = await signPdf(base, seal);
  const twice = await signPdf(once, seal, { field: 'Second' });
  const certified = await signPdf(base, seal, { docMdp: 2 });
  const { PDFDocument } = await import('pdf-lib');
  const streamBase = await (await PDFDocument.load(base)).save({ useObjectStreams: true });
  const objectStreams = await signPdf(streamBase, seal);
  const updated = appendUpdate(once, (_doc, update) => update.setInfo(update.add(PdfDict.of({ Title: PdfString.fromText('later edit') }))));
  const seeds: FuzzSeed[] = [
    seedOf('own/signed-once.pdf', once),
    seedOf('own/signed-twice.pdf', twice),
    seedOf('own/certified-p2.pdf', certified),
    seedOf('own/object-streams.pdf', objectStreams),
    seedOf('own/signed-then-updated.pdf', updated),
  ];
  const trustAnchors: Uint8Array[] = [seal.root];
  if (existsSync(CORPUS_DIR)) {
    for (const group of readdirSync(CORPUS_DIR).sort()) {
      const dir = join(CORPUS_DIR, group);
      if (!statSync(dir).isDirectory()) continue;
      for (const file of readdirSync(dir).sort()) {
        const path = join(dir, file);
        if (file.endsWith('.pdf') && statSync(path).size <= maxCorpusBytes) seeds.push(seedOf(`corpus/${group}/${file}`, new Uint8Array(readFileSync(path))));
      }
    }
    const pem = join(CORPUS_DIR, 'trust/pyhanko-testing-root.pem');
    if (existsSync(pem)) trustAnchors.push(new Uint8Array(Buffer.from(readFileSync(pem, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')));
  }
  return { seeds, trustAnchors };
}

export interface Mutation {
  readonly mutator: string;
  readonly detail: string;
  readonly bytes: Uint8Array;
}

type Mutator = (input: Uint8Array, rng: Prng) => Mutation;

function splice(input: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length - remove + insert.length);
  out.set(input.subarray(0, at));
  out.set(insert, at);
  out.set(input.subarray(at + remove), at + insert.length);
  return out;
}

function matchesOf(text: string, re: RegExp): RegExpMatchArray[] {
  return [...text.matchAll(re)];
}

/** What an appended update needs: the last startxref, /Root and /Size, read textually. */
function tail(text: string): { prev: number; root: string; size: number; page: number } {
  const prev = Number(matchesOf(text, /startxref\s+(\d+)/g).at(-1)?.[1] ?? 0);
  const root = matchesOf(text, /\/Root\s+(\d+\s+\d+)\s+R/g).at(-1)?.[1] ?? '1 0';
  const size = Number(matchesOf(text, /\/Size\s+(\d+)/g).at(-1)?.[1] ?? 50);
  const page = Number(matchesOf(text, /(?<!\d)(\d{1,10})\s+0\s+obj\s*<<(?:(?!endobj)[\s\S]){0,400}?\/Type\s*\/Page(?![s\w])/g)[0]?.[1] ?? 3);
  return { prev, root, size, page };
}

/** Appends a classic-xref incremental update with `objects` (number → body after "n 0 obj"). */
function appendRaw(input: Uint8Array, objects: readonly { num: number; body: Uint8Array }[], trailerExtra = '', prevOverride?: (xrefAt: number) => number): Uint8Array {
  const text = latin1(input);
  const t = tail(text);
  const parts: Uint8Array[] = [input, bytesOf('\n')];
  let offset = input.length + 1;
  const offsets: [number, number][] = [];
  for (const o of objects) {
    const head = bytesOf(`${o.num} 0 obj\n`);
    const end = bytesOf('\nendobj\n');
    offsets.push([o.num, offset]);
    parts.push(head, o.body, end);
    offset += head.length + o.body.length + end.length;
  }
  const xrefAt = offset;
  let xref = 'xref\n';
  for (const [num, at] of offsets) xref += `${num} 1\n${String(at).padStart(10, '0')} 00000 n \n`;
  const size = Math.max(t.size, ...objects.map((o) => o.num + 1));
  const prev = prevOverride ? prevOverride(xrefAt) : t.prev;
  xref += `trailer\n<< /Size ${size} /Root ${t.root} R /Prev ${prev}${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  parts.push(bytesOf(xref));
  return Buffer.concat(parts);
}

let bombCache: Uint8Array | undefined;
/** 96 MiB of zeros in ~100 KB of Flate: above the reader's 64 MiB stream bound. */
function flateBomb(): Uint8Array {
  bombCache ??= new Uint8Array(deflateSync(Buffer.alloc(96 * 1024 * 1024), { level: 9 }));
  return bombCache;
}

const INTERESTING = [...'()<>[]/ \n\r0R%{}\\', '\x00', '\xff', 'e', '9', '-', '.'].map((c) => c.charCodeAt(0));

export const MUTATORS: Readonly<Record<string, Mutator>> = {
  bitflip(input, rng) {
    const out = input.slice();
    const n = 1 + rng.int(8);
    const at: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = rng.int(out.length);
      at.push(p);
      out[p] = (out[p] as number) ^ (1 << rng.int(8));
    }
    return { mutator: 'bitflip', detail: `at ${at.join(',')}`, bytes: out };
  },
  byteset(input, rng) {
    const out = input.slice();
    const p = rng.int(out.length);
    out[p] = rng.pick(INTERESTING);
    return { mutator: 'byteset', detail: `at ${p}`, bytes: out };
  },
  truncate(input, rng) {
    const at = rng.int(input.length);
    if (rng.next() < 0.5) return { mutator: 'truncate', detail: `to ${at}`, bytes: input.slice(0, at) };
    const len = 1 + rng.int(Math.min(4096, input.length - at));
    return { mutator: 'truncate', detail: `cut ${len} at ${at}`, bytes: splice(input, at, len, new Uint8Array()) };
  },
  byterange(input, rng) {
    const text = latin1(input);
    const found = matchesOf(text, /\/ByteRange\s*\[([^\]]*)\]/g);
    const m = found.length ? rng.pick(found) : undefined;
    if (!m || m.index === undefined) return MUTATORS.bitflip!(input, rng);
    const nums = (m[1] ?? '').trim().split(/\s+/).map(Number);
    const i = rng.int(Math.max(1, nums.length));
    const choices = [(n: number) => n + 1, (n: number) => n - 1, () => 0, () => input.length, () => 2 ** 40, (n: number) => -n, (n: number) => n + rng.int(5000) - 2500];
    nums[i] = rng.pick(choices)(nums[i] ?? 0);
    let replacement = nums.join(' ');
    if (rng.next() < 0.2) replacement += ` ${rng.int(input.length)} ${rng.int(100)}`; // a third range
    const body = (m[1] ?? '');
    // Keep the length when it fits, so offsets (xref) stay right and only the range changes.
    if (replacement.length <= body.length) replacement = replacement.padEnd(body.length, ' ');
    const start = m.index + m[0].indexOf('[') + 1;
    return { mutator: 'byterange', detail: `[${body.trim()}] -> [${replacement.trim()}] at ${start}`, bytes: splice(input, start, body.length, bytesOf(replacement)) };
  },
  xref(input, rng) {
    const text = latin1(input);
    const entries = matchesOf(text, /(?<!\d)(\d{10}) (\d{5}) ([nf])/g);
    const starts = matchesOf(text, /startxref\s+(\d+)/g);
    if (entries.length && rng.next() < 0.6) {
      const e = rng.pick(entries);
      const start = e.index ?? 0;
      const value = rng.next() < 0.5 ? String(rng.int(input.length)).padStart(10, '0') : String(Number(e[1]) + rng.int(41) - 20).padStart(10, '0').slice(-10);
      const kind = rng.next() < 0.1 ? (e[3] === 'n' ? 'f' : 'n') : e[3];
      return { mutator: 'xref', detail: `entry ${e[0]} -> ${value} ${kind}`, bytes: splice(input, start, e[0].length, bytesOf(`${value} ${e[2]} ${kind}`)) };
    }
    const s = starts.length ? rng.pick(starts) : undefined;
    if (!s || s.index === undefined) return MUTATORS.bitflip!(input, rng);
    const numAt = s.index + s[0].length - (s[1] ?? '').length;
    const value = rng.pick([0, rng.int(input.length), Number(s[1]) + 1, 2 ** 31, input.length + 10]);
    return { mutator: 'xref', detail: `startxref ${s[1]} -> ${value}`, bytes: splice(input, numAt, (s[1] ?? '').length, bytesOf(String(value))) };
  },
  duplicateObject(input, rng) {
    const text = latin1(input);
    const objs = matchesOf(text, /(?<!\d)\d{1,10}\s+\d{1,5}\s+obj\b[\s\S]{0,20000}?endobj/g);
    if (!objs.length) return MUTATORS.bitflip!(input, rng);
    const o = rng.pick(objs);
    const ends = matchesOf(text, /endobj\s/g);
    const after = rng.pick(ends);
    let copy = o[0];
    // Half the time the copy differs: the same object number with other content.
    if (rng.next() < 0.5) copy = copy.replace(/\/(Type|Contents|ByteRange|Kids|Parent|Length)\b/, (k) => `${k} /X`);
    const at = (after.index ?? 0) + after[0].length;
    return { mutator: 'duplicateObject', detail: `${o[0].slice(0, 20).replace(/\s+/g, ' ')} at ${at}`, bytes: splice(input, at, 0, bytesOf(`${copy}\n`)) };
  },
  cyclicPrev(input, rng) {
    const text = latin1(input);
    const prevs = matchesOf(text, /\/Prev\s+(\d+)/g);
    if (prevs.length && rng.next() < 0.5) {
      // An existing /Prev made to point at the newest section: a loop through the whole chain.
      const p = rng.pick(prevs);
      const latest = tail(text).prev;
      const numAt = (p.index ?? 0) + p[0].length - (p[1] ?? '').length;
      return { mutator: 'cyclicPrev', detail: `/Prev ${p[1]} -> ${latest}`, bytes: splice(input, numAt, (p[1] ?? '').length, bytesOf(String(latest))) };
    }
    const t = tail(text);
    return { mutator: 'cyclicPrev', detail: 'appended section whose /Prev is itself', bytes: appendRaw(input, [{ num: t.size, body: bytesOf('<< /Loop true >>') }], '', (self) => self) };
  },
  cyclicParent(input, rng) {
    const t = tail(latin1(input));
    const n = t.size;
    const variant = rng.int(3);
    const objects =
      variant === 0
        ? [{ num: t.page, body: bytesOf(`<< /Type /Page /Parent ${t.page} 0 R /Contents ${n} 0 R >>`) }, { num: n, body: bytesOf('<< /Length 0 >>\nstream\n\nendstream') }]
        : variant === 1
          ? [{ num: n, body: bytesOf(`<< /Type /Pages /Kids [${n + 1} 0 R] /Count 1 /Parent ${n + 1} 0 R >>`) }, { num: n + 1, body: bytesOf(`<< /Type /Pages /Kids [${n} 0 R] /Count 1 /Parent ${n} 0 R >>`) }, { num: t.page, body: bytesOf(`<< /Type /Page /Parent ${n} 0 R /MediaBox [0 0 10 10] >>`) }]
          : [{ num: n, body: bytesOf(`<< /FT /Sig /T (loop) /Kids [${n} 0 R] /Parent ${n} 0 R >>`) }, { num: Number(t.root.split(' ')[0]), body: bytesOf(`<< /Type /Catalog /Pages ${n + 1} 0 R /AcroForm << /Fields [${n} 0 R] >> >>`) }, { num: n + 1, body: bytesOf(`<< /Type /Pages /Kids [${n + 1} 0 R] /Count 1 >>`) }];
    return { mutator: 'cyclicParent', detail: `variant ${variant}`, bytes: appendRaw(input, objects) };
  },
  deepNesting(input, rng) {
    const t = tail(latin1(input));
    const depth = rng.pick([300, 5000, 100_000]);
    const open = rng.next() < 0.5 ? '[' : '<< /A ';
    const close = open === '[' ? ']' : '>>';
    const body = bytesOf(`${open.repeat(depth)}1${rng.next() < 0.5 ? close.repeat(depth) : ''}`);
    const num = rng.next() < 0.5 ? t.page : t.size;
    return { mutator: 'deepNesting', detail: `${depth} x ${open.trim()} as object ${num}`, bytes: appendRaw(input, [{ num, body }]) };
  },
  hugeLength(input, rng) {
    const text = latin1(input);
    const lengths = matchesOf(text, /\/Length\s+(\d+)(\s+\d+\s+R)?/g);
    const m = lengths.length ? rng.pick(lengths) : undefined;
    if (!m || m.index === undefined) return MUTATORS.bitflip!(input, rng);
    const value = rng.pick(['99999999999', '2147483648', '-1', '0', String(input.length * 4), '1e308']);
    return { mutator: 'hugeLength', detail: `${m[0]} -> /Length ${value}`, bytes: splice(input, m.index, m[0].length, bytesOf(`/Length ${value}`)) };
  },
  flateBomb(input, rng) {
    const t = tail(latin1(input));
    const bomb = flateBomb();
    const stream = Buffer.concat([bytesOf(`<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`), bomb, bytesOf('\nendstream')]);
    // As the page's content (the text reader and stamping read it), or as an object stream.
    if (rng.next() < 0.5) {
      return { mutator: 'flateBomb', detail: 'page content', bytes: appendRaw(input, [{ num: t.page, body: bytesOf(`<< /Type /Page /Parent ${t.size + 1} 0 R /MediaBox [0 0 595 842] /Contents ${t.size} 0 R >>`) }, { num: t.size, body: stream }, { num: t.size + 1, body: bytesOf(`<< /Type /Pages /Kids [${t.page} 0 R] /Count 1 >>`) }]) };
    }
    const objStm = Buffer.concat([bytesOf(`<< /Type /ObjStm /N 1 /First 10 /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`), bomb, bytesOf('\nendstream')]);
    return { mutator: 'flateBomb', detail: 'object stream', bytes: appendRaw(input, [{ num: t.size, body: objStm }]) };
  },
  numberToken(input, rng) {
    const text = latin1(input);
    const refs = matchesOf(text, /(?<!\d)(\d{1,10}) (\d{1,5}) R\b/g);
    const r = refs.length ? rng.pick(refs) : undefined;
    if (!r || r.index === undefined) return MUTATORS.bitflip!(input, rng);
    const value = rng.pick([0, 1, Number(r[1]) + 1, 8_388_608, 2 ** 53, rng.int(200)]);
    return { mutator: 'numberToken', detail: `${r[0]} -> ${value} ${r[2]} R`, bytes: splice(input, r.index, r[0].length, bytesOf(`${value} ${r[2]} R`)) };
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** One case: a seed, one to three stacked mutations, all from `caseSeed(campaign, index)`. */
export function makeCase(seeds: readonly FuzzSeed[], campaignSeed: number, index: number): { seed: FuzzSeed; mutation: Mutation } {
  const rng = new Prng(caseSeed(campaignSeed, index));
  const seed = rng.pick(seeds);
  let bytes = seed.bytes;
  const steps: string[] = [];
  const mutators: string[] = [];
  const rounds = rng.next() < 0.75 ? 1 : 2 + rng.int(2);
  for (let i = 0; i < rounds; i++) {
    const m = MUTATORS[rng.pick(MUTATOR_NAMES)]!(bytes, rng);
    bytes = m.bytes;
    mutators.push(m.mutator);
    steps.push(`${m.mutator}: ${m.detail}`);
  }
  return { seed, mutation: { mutator: mutators.join('+'), detail: steps.join('; '), bytes } };
}

/** What the worker reports for one case. */
export interface CaseOutcome {
  readonly verify: { readonly kind: 'report'; readonly verdict: string; readonly signatures: readonly { field: string; verdict: string; byteRange: readonly number[] | undefined }[] } | { readonly kind: 'typed-error'; readonly code: string } | { readonly kind: 'crash'; readonly error: string };
  readonly reader: { readonly kind: 'ok'; readonly pages: number } | { readonly kind: 'typed-error'; readonly code: string } | { readonly kind: 'crash'; readonly error: string };
  readonly text?: { readonly kind: 'ok' | 'typed-error' | 'crash'; readonly detail: string };
  readonly ms: number;
  readonly rssMb: number;
}

/**
 * The oracle. A verdict of VALID or VALID_WITH_CHANGES is allowed only for a signature whose
 * ranges, read from the mutated file, hold exactly bytes that a signature of the seed signed.
 * A mutation in the unsigned /Contents gap or after the signed revision keeps that true, and
 * may rightly stay valid; any change inside the signed bytes must not.
 */
export function oracleViolations(seed: FuzzSeed, mutated: Uint8Array, outcome: CaseOutcome): string[] {
  const problems: string[] = [];
  if (outcome.verify.kind === 'crash') problems.push(`verifier crashed: ${outcome.verify.error}`);
  if (outcome.reader.kind === 'crash') problems.push(`stamping reader crashed: ${outcome.reader.error}`);
  if (outcome.text?.kind === 'crash') problems.push(`text reader crashed: ${outcome.text.detail}`);
  if (outcome.verify.kind === 'report') {
    for (const sig of outcome.verify.signatures) {
      if (sig.verdict !== 'VALID' && sig.verdict !== 'VALID_WITH_CHANGES') continue;
      const digest = rangeDigest(mutated, sig.byteRange);
      if (!digest || !seed.signedContent.has(digest)) problems.push(`signature ${sig.field} is ${sig.verdict} over bytes its signer never signed (ByteRange ${JSON.stringify(sig.byteRange)})`);
    }
  }
  return problems;
}

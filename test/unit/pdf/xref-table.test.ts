import { describe, expect, it } from 'vitest';
import { ByteReader, DEFAULT_PDF_LIMITS, InMemoryPdfBytes, PdfParser, type XrefEntry } from '../../../src/main/core/pdf/index';
import { readRevisions } from '../../../src/main/core/pdf/xref';

/**
 * Classic xref tables are read in batches when their rows have the standard 20-byte form, and
 * token by token otherwise (issue #15). Whatever the spacing, a table must read as the entries
 * it was written with: the oracle here is the generator, not either reader.
 */

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Form = 'standard' | 'odd';

/** One row as written: the standard form with one of its three ends of line, or a form only the lexer reads. */
function row(offset: number, gen: number, type: 'n' | 'f', form: Form, rnd: () => number): string {
  const o = String(offset).padStart(10, '0');
  const g = String(gen).padStart(5, '0');
  if (form === 'standard') return `${o} ${g} ${type}${[' \r', ' \n', '\r\n'][Math.floor(rnd() * 3)]}`;
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return `${o} ${g} ${type} \r\n`; // 21 bytes, as some writers do
    case 1:
      return `${offset} ${gen} ${type}\n`; // no padding
    case 2:
      return `${o}  ${g}\t${type}\n`; // other spacing
    case 3:
      return `${o} ${g} ${type} % a comment\n`;
    default:
      return `${o} ${g} ${type}\n`; // one-byte end of line
  }
}

function tablePdf(seed: number, oddShare: number): { bytes: Uint8Array; expected: Map<number, XrefEntry> } {
  const rnd = random(seed);
  const expected = new Map<number, XrefEntry>();
  let body = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n';
  const xrefOffset = body.length;
  body += 'xref\n';
  let next = 0;
  const subsections = 1 + Math.floor(rnd() * 4);
  for (let s = 0; s < subsections; s++) {
    // Counts around and across the reader's 4096-row batches.
    const count = [1, 7, 4095, 4096, 4097, 9000][Math.floor(rnd() * 6)] as number;
    const start = next + Math.floor(rnd() * 50);
    body += `${start} ${count}\n`;
    for (let i = 0; i < count; i++) {
      const free = rnd() < 0.1;
      const gen = free ? (rnd() < 0.5 ? 65535 : Math.floor(rnd() * 10)) : Math.floor(rnd() * 3);
      const offset = Math.floor(rnd() * 9_999_999_999);
      body += row(offset, gen, free ? 'f' : 'n', rnd() < oddShare ? 'odd' : 'standard', rnd);
      expected.set(start + i, free ? { type: 'free', gen } : { type: 'offset', offset, gen });
    }
    next = start + count;
  }
  body += `trailer\n<< /Size ${next} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return { bytes: new TextEncoder().encode(body), expected };
}

function read(bytes: Uint8Array): Map<number, XrefEntry> {
  const reader = new ByteReader(new InMemoryPdfBytes(bytes));
  const limits = { ...DEFAULT_PDF_LIMITS, xrefEntriesPerFileByte: 1 };
  const [revision] = readRevisions(reader, new PdfParser(reader), limits);
  return new Map([...(revision?.entries ?? [])].map(([num, entry]) => [num, { ...entry }]));
}

describe('classic xref tables', () => {
  it('read as written, with standard rows, odd rows, and both mixed within and across 4096-row batches', () => {
    for (const [seed, oddShare] of [
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 0.001],
      [5, 0.01],
      [6, 0.3],
      [7, 0.0002],
    ] as const) {
      const { bytes, expected } = tablePdf(seed, oddShare);
      expect(read(bytes), `seed ${seed}`).toEqual(expected);
    }
  });

  it('keep the subsection-numbered-from-1 quirk in both forms', () => {
    for (const eol of ['\r\n', ' \r', ' \n', '\n']) {
      const rows = `0000000000 65535 f${eol}0000000009 00000 n${eol}`;
      const body = '%PDF-1.7\n1 0 obj\n<< >>\nendobj\n';
      const text = `${body}xref\n1 2\n${rows}trailer\n<< /Size 2 >>\nstartxref\n${body.length}\n%%EOF\n`;
      expect(read(new TextEncoder().encode(text)), JSON.stringify(eol)).toEqual(
        new Map<number, XrefEntry>([
          [0, { type: 'free', gen: 65535 }],
          [1, { type: 'offset', offset: 9, gen: 0 }],
        ]),
      );
    }
  });

  it('refuse a bad entry type in a table otherwise in standard form', () => {
    for (const eol of ['\r\n', '\n']) {
      const body = '%PDF-1.7\n';
      const text = `${body}xref\n0 2\n0000000000 65535 f${eol}0000000009 00000 x${eol}trailer\n<< /Size 2 >>\nstartxref\n${body.length}\n%%EOF\n`;
      expect(() => read(new TextEncoder().encode(text))).toThrow(/xref entry type 'x'/);
    }
  });
});

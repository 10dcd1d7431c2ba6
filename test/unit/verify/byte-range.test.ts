/**
 * Step 1 on hand-built one-revision PDFs whose /ByteRange is written by the test: exactly the
 * /Contents gap and the whole revision is clean; every way of getting it wrong is its finding.
 * And the one-pass digests agree with hashing each signature's ranges on its own.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryPdfBytes, PdfDict, PdfDocument, PdfRef } from '../../../src/main/core/pdf/index';
import { ByteRangeDigests } from '../../../src/main/core/verify/byte-range-digests';
import { checkStructure } from '../../../src/main/core/verify/signature-structure';

const CONTENTS = `<${'AB'.repeat(64)}>`;
const RANGE_WIDTH = 60;

interface Built {
  readonly bytes: Uint8Array;
  /** Offsets of '<' and one past '>' of /Contents, and the file length. */
  readonly gap: readonly [number, number];
  readonly size: number;
}

/** A one-revision PDF with a signature dictionary (object 3); `range` gets the real offsets. */
function build(range: (gap: readonly [number, number], size: number) => string, contents = CONTENTS): Built {
  const compose = (rangeText: string): { text: string; offsets: number[]; gap: [number, number] } => {
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ${rangeText.padEnd(RANGE_WIDTH)} /Contents ${contents} >>`,
    ];
    let text = '%PDF-1.7\n';
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(text.length);
      text += `${i + 1} 0 obj\n${body}\nendobj\n`;
    });
    const xref = text.length;
    text += `xref\n0 4\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const start = text.indexOf('/Contents ') + '/Contents '.length;
    return { text, offsets, gap: [start, start + contents.length] };
  };
  const first = compose('[0 0 0 0]');
  const rangeText = range(first.gap, first.text.length);
  if (rangeText.length > RANGE_WIDTH) throw new Error('range text too wide');
  const final = compose(rangeText);
  return { bytes: new TextEncoder().encode(final.text), gap: final.gap, size: final.text.length };
}

function structureOf(built: Built): ReturnType<typeof checkStructure> {
  const doc = PdfDocument.open(built.bytes);
  const dict = doc.latest.getObject(new PdfRef(3, 0)) as PdfDict;
  const entry = doc.latestRevision.entries.get(3);
  const offset = entry?.type === 'offset' ? entry.offset : undefined;
  return checkStructure(doc, dict, offset, false);
}

const codes = (s: ReturnType<typeof checkStructure>): string[] => s.findings.map((f) => f.code);
const exact = ([a, b]: readonly [number, number], size: number): string => `[0 ${a} ${b} ${size - b}]`;

describe('ByteRange structure (step 1)', () => {
  it('exactly the /Contents gap, to the end of the revision: clean and digestable', () => {
    const s = structureOf(build(exact));
    expect(codes(s)).toEqual([]);
    expect(s.digestable).toBe(true);
    expect(s.signedRevision).toBe(0);
  });

  it('a gap wider than /Contents swallows signed bytes', () => {
    expect(codes(structureOf(build(([a, b], size) => `[0 ${a - 10} ${b} ${size - b}]`)))).toContain('BYTE_RANGE_GAP_NOT_CONTENTS');
  });

  it('a first range that does not start at byte 0', () => {
    expect(codes(structureOf(build(([a, b], size) => `[5 ${a - 5} ${b} ${size - b}]`)))).toContain('BYTE_RANGE_NOT_FROM_START');
  });

  it('a range ending short of the revision end', () => {
    const s = structureOf(build(([a, b], size) => `[0 ${a} ${b} ${size - b - 20}]`));
    expect(codes(s)).toContain('BYTE_RANGE_NOT_REVISION_END');
    expect(s.signedRevision).toBeUndefined();
  });

  it('a range beyond the end of the file: not digestable', () => {
    const s = structureOf(build(([a, b], size) => `[0 ${a} ${b} ${size - b + 100}]`));
    expect(codes(s)).toEqual(['BYTE_RANGE_OUTSIDE_FILE']);
    expect(s.digestable).toBe(false);
  });

  it.each([
    ['three numbers', ([a, b]: readonly [number, number]) => `[0 ${a} ${b}]`],
    ['a negative number', ([a, b]: readonly [number, number], size: number) => `[0 ${a} -${b} ${size - b}]`],
    ['not an array', () => '42'],
  ])('malformed: %s', (_name, range) => {
    const s = structureOf(build(range));
    expect(codes(s)).toContain('BYTE_RANGE_MALFORMED');
    expect(s.digestable).toBe(false);
  });

  it('overlapping ranges (the second starts inside the first)', () => {
    expect(codes(structureOf(build(([a], size) => `[0 ${a} ${a - 10} ${size - a + 10}]`)))).toContain('BYTE_RANGE_MALFORMED');
  });

  it('/Contents as a literal string, not hex', () => {
    const literal = `(${'x'.repeat(40)})`;
    expect(codes(structureOf(build(exact, literal)))).toContain('CONTENTS_NOT_HEX');
  });

  it('/Contents hex with white space inside (legal PDF, but room in the gap for unsigned bytes)', () => {
    const bad = `<${'AB'.repeat(30)}  ${'AB'.repeat(30)}>`;
    expect(codes(structureOf(build(exact, bad)))).toContain('CONTENTS_NOT_HEX');
  });
});

describe('one-pass byte-range digests', () => {
  const data = new Uint8Array(1_000_003).map((_, i) => (i * 2654435761) >>> 24);
  const direct = (ranges: readonly (readonly [number, number])[]): string => {
    const h = createHash('sha256');
    for (const [o, l] of ranges) h.update(data.subarray(o, o + l));
    return h.digest('hex');
  };

  it('gives every signature the digest of its own ranges: nested, identical, disjoint and partial overlaps', () => {
    const ranges = new Map<number, (readonly [number, number])[]>([
      [0, [[0, 400_000], [400_100, 100_000]]], // first seal: revision ends at 500 100
      [1, [[0, 700_000], [700_200, 100_000]]], // second seal covers the first's gap
      [2, [[0, 700_000], [700_200, 100_000]]], // same ranges as the second
      [3, [[0, 1_000_003]]], // everything
      [4, [[300_000, 50_000], [900_000, 100_003]]], // starts late, skips a middle part
    ]);
    const digests = new ByteRangeDigests(new InMemoryPdfBytes(data), ranges);
    for (const [signature, r] of ranges) expect(Buffer.from(digests.digest(signature, 'sha256')).toString('hex')).toBe(direct(r));
    // A second algorithm is computed separately, from the same ranges.
    expect(Buffer.from(digests.digest(1, 'sha1')).toString('hex')).toBe(
      createHash('sha1').update(data.subarray(0, 700_000)).update(data.subarray(700_200, 800_200)).digest('hex'),
    );
  });
});

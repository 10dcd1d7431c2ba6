/**
 * Builds small PDFs by hand, byte by byte, for cases no real writer produces (hostile or
 * broken structure). Offsets in the xref are computed, so only the part under test is wrong.
 */
export interface HandBuiltObject {
  readonly num: number;
  /** Everything between `num 0 obj` and `endobj`. */
  readonly body: string | Uint8Array;
}

const enc = new TextEncoder();

export function handBuiltPdf(
  objects: readonly HandBuiltObject[],
  trailer: string,
  options: { startxref?: (xrefOffset: number) => number; extraXref?: string } = {},
): Uint8Array {
  const parts: Uint8Array[] = [enc.encode('%PDF-1.7\n%\xe2\xe3\n')];
  let length = parts[0]!.length;
  const offsets = new Map<number, number>();
  for (const object of objects) {
    offsets.set(object.num, length);
    const body = typeof object.body === 'string' ? enc.encode(object.body) : object.body;
    for (const part of [enc.encode(`${object.num} 0 obj\n`), body, enc.encode('\nendobj\n')]) {
      parts.push(part);
      length += part.length;
    }
  }
  const xrefOffset = length;
  const max = Math.max(0, ...objects.map((o) => o.num));
  let xref = `xref\n0 ${max + 1}\n0000000000 65535 f\r\n`;
  for (let num = 1; num <= max; num++) {
    const offset = offsets.get(num);
    xref += offset === undefined ? '0000000000 00000 f\r\n' : `${String(offset).padStart(10, '0')} 00000 n\r\n`;
  }
  const startxref = options.startxref ? options.startxref(xrefOffset) : xrefOffset;
  parts.push(enc.encode(`${xref}${options.extraXref ?? ''}trailer\n${trailer}\nstartxref\n${startxref}\n%%EOF\n`));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** A minimal valid one-page document, as objects. */
export const MINIMAL_OBJECTS: readonly HandBuiltObject[] = [
  { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
  { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>' },
  { num: 3, body: '<< /Type /Page /Parent 2 0 R >>' },
];

/**
 * A PDF whose cross-reference is a stream (unfiltered, /W [1 4 2]). `entries` overrides the
 * computed entry of an object number: [type, field2, field3].
 */
export function handBuiltXrefStreamPdf(
  objects: readonly HandBuiltObject[],
  trailerEntries: string,
  entries: ReadonlyMap<number, readonly [number, number, number]> = new Map(),
): Uint8Array {
  const chunks: Uint8Array[] = [enc.encode('%PDF-1.7\n')];
  let length = chunks[0]!.length;
  const offsets = new Map<number, number>();
  const push = (part: Uint8Array): void => {
    chunks.push(part);
    length += part.length;
  };
  for (const object of objects) {
    offsets.set(object.num, length);
    push(enc.encode(`${object.num} 0 obj\n`));
    push(typeof object.body === 'string' ? enc.encode(object.body) : object.body);
    push(enc.encode('\nendobj\n'));
  }
  const xrefNum = Math.max(0, ...objects.map((o) => o.num), ...entries.keys()) + 1;
  const xrefOffset = length;
  offsets.set(xrefNum, xrefOffset);
  const rows = new Uint8Array((xrefNum + 1) * 7);
  for (let num = 0; num <= xrefNum; num++) {
    const offset = offsets.get(num);
    const row = entries.get(num) ?? (offset === undefined ? [0, 0, num === 0 ? 65535 : 0] : [1, offset, 0]);
    const at = num * 7;
    rows[at] = row[0];
    new DataView(rows.buffer).setUint32(at + 1, row[1]);
    new DataView(rows.buffer).setUint16(at + 5, row[2]);
  }
  push(enc.encode(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /W [1 4 2] /Length ${rows.length} ${trailerEntries} >>\nstream\n`));
  push(rows);
  push(enc.encode(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`));
  const out = new Uint8Array(length);
  let pos = 0;
  for (const part of chunks) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/**
 * Class 6 of issue #11: inputs that cost the reader time and memory out of all proportion to
 * their size. Each is written to a file; the resource test and the verify benchmark run the
 * shipped CLI on them under /usr/bin/time -v.
 *
 *  - xref-millions: a sealed file, then an update whose xref stream declares millions of
 *    (free) entries in a few kilobytes of Flate data, then dozens of empty updates.
 *  - open-parens: 10 MB of unbalanced "(" inside an object.
 *  - million-objects: a million small objects and a broken startxref (recovery scans).
 */
import { deflateSync } from 'node:zlib';
import { streamBody } from './raw-update';

const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

/**
 * Declares `declared` entries in one xref stream, then `empty` empty updates. With `padBytes`,
 * an unused stream of that size goes first, so the file is big enough to hold that many
 * entries (the reader refuses more entries than bytes: xrefEntriesPerFileByte) and the reader
 * has to build them all.
 */
export function xrefMillions(sealed: Uint8Array, declared = 8_000_000, empty = 40, padBytes = 0): Uint8Array {
  // Rows of W [1 0 0]: one byte each, type 0 (free). Declared from a high number up, so the
  // sealed file's own objects keep their entries and the verdict is about resources only.
  const start = 100_000;
  const rows = deflateSync(Buffer.alloc(declared, 0), { level: 9 });
  const xrefNum = start + declared;
  let bytes = sealed;
  if (padBytes > 0) bytes = new Uint8Array(Buffer.concat([bytes, Buffer.from(`\n${xrefNum + 1000} 0 obj\n<< /Length ${padBytes} >>\nstream\n`, 'latin1'), Buffer.alloc(padBytes, 0x20), Buffer.from('\nendstream\nendobj\n', 'latin1')]));
  {
    const xrefAt = bytes.length + 1;
    const prev = lastStartXref(bytes);
    const trailerKeys = trailerOf(bytes);
    const body = Buffer.concat([
      Buffer.from(`\n${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /W [1 0 0] /Index [${start} ${declared}] /Filter /FlateDecode /Length ${rows.length} /Prev ${prev} ${trailerKeys} >>\nstream\n`, 'latin1'),
      rows,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
    ]);
    bytes = new Uint8Array(Buffer.concat([bytes, body]));
  }
  // Empty updates written by hand: the reader may refuse the file, the generator must not.
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailerOf(sealed))?.[1];
  for (let i = 0; i < empty; i++) {
    const num = xrefNum + 1 + i;
    const prev = lastStartXref(bytes);
    const at = bytes.length + 1;
    const row = Buffer.alloc(7);
    row.writeUInt8(1, 0);
    row.writeUInt32BE(at, 1);
    const body = Buffer.concat([
      Buffer.from(`\n${num} 0 obj\n<< /Type /XRef /Size ${num + 1} /W [1 4 2] /Index [${num} 1] /Prev ${prev}${root ? ` /Root ${root}` : ''} /Length 7 >>\nstream\n`, 'latin1'),
      row,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`, 'latin1'),
    ]);
    bytes = new Uint8Array(Buffer.concat([bytes, body]));
  }
  return bytes;
}

function lastStartXref(bytes: Uint8Array): number {
  const text = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 64))).toString('latin1');
  return Number(/startxref\s+(\d+)/.exec(text)?.[1]);
}

function trailerOf(bytes: Uint8Array): string {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 4096))).toString('latin1');
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(tail)?.[1];
  return root ? `/Root ${root}` : '';
}

/** 10 MB of "(" that never close, inside an object the catalog points at. */
export function openParens(megabytes = 10): Uint8Array {
  const head = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n';
  const parens = Buffer.alloc(megabytes * 1024 * 1024, 0x28);
  const tail = `\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000109 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Info 3 0 R >>\nstartxref\n${head.length + parens.length + 8}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(head, 'latin1'), parens, Buffer.from(tail, 'latin1')]));
}

/** A million small objects and a startxref that points nowhere: the reader must recover by scanning. */
export function millionObjects(count = 1_000_000): Uint8Array {
  const parts: string[] = ['%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n'];
  for (let i = 4; i < count + 4; i++) parts.push(`${i} 0 obj\n<< /N ${i} >>\nendobj\n`);
  parts.push('trailer\n<< /Root 1 0 R >>\nstartxref\n999999999\n%%EOF\n');
  return latin1(parts.join(''));
}

export { streamBody };

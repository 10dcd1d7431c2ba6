/**
 * Builds a hybrid-reference PDF (ISO 32000-1 §7.5.8.4) from a classic one, for tests: the
 * document's /Info dictionary moves into an object stream that only the /XRefStm stream
 * lists; the classic table leaves its number out (as real hybrid writers do: a number the
 * table lists as free is free for poppler, MuPDF and our reader), so a reader without stream
 * support sees the same document minus /Info. With `disagree`, the classic table keeps the old /Info in use while
 * the stream points at a different one: the two tables then describe different files.
 */
import { PdfDocument, PdfRef } from '../../src/main/core/pdf/index';

export function toHybrid(classic: Uint8Array, options: { disagree?: boolean } = {}): Uint8Array {
  const doc = PdfDocument.open(classic);
  const revision = doc.latestRevision;
  if (revision.kind !== 'table') throw new Error('toHybrid needs a classic-table PDF');
  const info = doc.trailer.get('Info');
  const root = doc.trailer.get('Root');
  if (!(info instanceof PdfRef) || !(root instanceof PdfRef)) throw new Error('toHybrid needs /Info and /Root');
  const table = doc.objectTableAt(0);
  const body = Buffer.from(classic.subarray(0, revision.xrefOffset));
  const parts: Buffer[] = [body];
  let at = body.length;
  const push = (text: string | Buffer): void => {
    const chunk = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    parts.push(chunk);
    at += chunk.length;
  };
  const k = info.num;
  const objStm = doc.size;
  const xrefStm = objStm + 1;
  const objText = `<< /Producer (hybrid test writer) /Title (${options.disagree ? 'Shadow title' : 'Hybrid'}) >>`;
  const header = `${k} 0 `;
  const objStmOffset = at;
  const objStmData = header + objText;
  push(`${objStm} 0 obj\n<< /Type /ObjStm /N 1 /First ${header.length} /Length ${objStmData.length} >>\nstream\n${objStmData}\nendstream\nendobj\n`);
  const xrefStmOffset = at;
  const row = (type: number, field2: number, field3: number): Buffer => {
    const b = Buffer.alloc(7);
    b[0] = type;
    b.writeUInt32BE(field2, 1);
    b.writeUInt16BE(field3, 5);
    return b;
  };
  const rows = Buffer.concat([row(2, objStm, 0)]);
  const idHex = Buffer.from('hybrid-test-id-1').toString('hex');
  push(`${xrefStm} 0 obj\n<< /Type /XRef /Size ${xrefStm + 1} /Index [${k} 1] /W [1 4 2] /Root ${root.num} ${root.gen} R /Length ${rows.length} >>\nstream\n`);
  push(rows);
  push('\nendstream\nendobj\n');
  const xrefOffset = at;
  const lines: { num: number; line: string }[] = [];
  for (let num = 0; num <= xrefStm; num++) {
    const entry = table.get(num);
    let offset: number | undefined;
    if (num === objStm) offset = objStmOffset;
    else if (num === xrefStm) offset = xrefStmOffset;
    else if (num === k) {
      if (!options.disagree || entry?.type !== 'offset') continue;
      offset = entry.offset;
    } else if (entry?.type === 'offset') offset = entry.offset;
    lines.push({ num, line: offset === undefined ? `0000000000 65535 f\r\n` : `${String(offset).padStart(10, '0')} 00000 n\r\n` });
  }
  let xref = 'xref\n';
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && (lines[j + 1] as { num: number }).num === (lines[j] as { num: number }).num + 1) j++;
    xref += `${(lines[i] as { num: number }).num} ${j - i + 1}\n${lines.slice(i, j + 1).map((l) => l.line).join('')}`;
    i = j + 1;
  }
  push(xref);
  push(`trailer\n<< /Size ${xrefStm + 1} /Root ${root.num} ${root.gen} R /Info ${k} 0 R /ID [<${idHex}> <${idHex}>] /XRefStm ${xrefStmOffset} >>\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

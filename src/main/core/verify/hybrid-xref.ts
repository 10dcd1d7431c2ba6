/**
 * Hybrid-reference files (ISO 32000-1 §7.5.8.4) carry two descriptions of the same revision:
 * a classic table for old readers and, through /XRefStm, a stream for the compressed objects.
 * A reader that knows streams and one that does not must see the same document; when the
 * two tables name different places for one object, they do not (a shadowing attack, or a
 * broken writer). Issue 16: warn, naming the objects. Kept apart from the change analysis.
 */
import { readHybridTables, type PdfDocument, type XrefEntry } from '../pdf/index';
import { finding, type VerifyFinding } from './findings';

function location(entry: XrefEntry): string {
  switch (entry.type) {
    case 'free':
      return 'free';
    case 'offset':
      return `offset ${entry.offset}`;
    case 'compressed':
      return `stream ${entry.stream}#${entry.index}`;
  }
}

/**
 * One finding per hybrid revision whose tables disagree. The usual shape is not a
 * disagreement: the classic table omits a compressed object and the stream says where it is.
 * Two in-use places, or an in-use table entry the stream frees, are. A table entry that frees
 * what the stream lists is read as free, by viewers and by our reader alike (xref.ts), so the
 * change analysis sees the object deleted.
 */
export function hybridXrefFindings(doc: PdfDocument): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  for (const revision of doc.revisions) {
    if (revision.kind !== 'hybrid') continue;
    let tables: ReturnType<typeof readHybridTables>;
    try {
      tables = readHybridTables(doc.reader, doc.parser, doc.limits, revision.xrefOffset);
    } catch {
      continue; // the reader already reported what it could not read
    }
    if (!tables) continue;
    const differences: string[] = [];
    for (const [num, inTable] of tables.table) {
      const inStream = tables.stream.get(num);
      if (!inStream || inTable.type === 'free') continue;
      const same = inStream.type === 'offset' && inTable.type === 'offset' && inStream.offset === inTable.offset;
      if (!same) differences.push(`${num}: ${location(inTable)} / ${location(inStream)}`);
    }
    if (differences.length > 0) {
      const shown = differences.slice(0, 8).join('; ') + (differences.length > 8 ? `; … ${differences.length - 8} more` : '');
      out.push(finding('HYBRID_XREF_MISMATCH', { detail: `revision ${revision.index + 1}: ${shown}` }));
    }
  }
  return out;
}

/**
 * A line of the document with the words of a forbidden kind marked (U2). The policy matched
 * after folding case, full-width forms and spaces (a title spaced out with ideographic spaces
 * reads as one word), so marking goes character by character: a character is marked when it
 * belongs to a run that, with spaces dropped, spells one of the words.
 */
export function markedCharacters(line: string, words: readonly string[]): boolean[] {
  const chars = Array.from(line);
  const folded = chars.map((ch) => ch.normalize('NFKC').toLowerCase());
  const marks = chars.map(() => false);
  const isSpace = (s: string) => /^[\s\u3000]*$/u.test(s);
  for (const word of words) {
    const target = Array.from(word.normalize('NFKC').toLowerCase().replace(/\s/gu, ''));
    if (target.length === 0) continue;
    for (let start = 0; start < chars.length; start++) {
      let t = 0;
      let i = start;
      const hit: number[] = [];
      while (i < chars.length && t < target.length) {
        const f = folded[i] as string;
        if (f === target[t]) {
          hit.push(i);
          t++;
        } else if (!(isSpace(f) && hit.length > 0)) break;
        i++;
      }
      if (t === target.length) for (const k of hit) marks[k] = true;
    }
  }
  return marks;
}

export function Highlighted({ line, words }: { line: string; words: readonly string[] }) {
  const marks = markedCharacters(line, words);
  return (
    <q className="document-line" data-testid="forbidden-line">
      {Array.from(line).map((ch, i) => (marks[i] ? <mark key={i}>{ch}</mark> : <span key={i}>{ch}</span>))}
    </q>
  );
}

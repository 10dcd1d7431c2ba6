/**
 * The text of a PDF as the policy and the placement see it: runs of text with their position
 * on the page as displayed (points, y up, the page's /Rotate applied, origin at the displayed
 * lower-left of the visible box), as the text extractor (infra/stamp/pdfjs-text.ts) reports them. Pure data; the extractor lives behind the DocumentTextReader port.
 */

export interface TextRun {
  readonly text: string;
  /** Lower-left of the run's baseline start, displayed page. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  /** Font size in points (the run's height). */
  readonly fontSize: number;
}

export interface PageText {
  /** 0-based page index in the document. */
  readonly pageIndex: number;
  /** The page's visible box (CropBox, else MediaBox) as displayed: origin 0, 0. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly runs: readonly TextRun[];
}

/** One visual line: runs on the same baseline, left to right. */
export interface TextLine {
  readonly text: string;
  readonly runs: readonly TextRun[];
  readonly y: number;
  readonly fontSize: number;
  readonly x: number;
  readonly width: number;
}

/**
 * Groups runs into lines by baseline (within half the font size), left to right. Runs on one
 * line are joined without a space unless there is a visible gap: CJK text comes one glyph or
 * one phrase per run, and a spaced-out title (合\u3000同) must join back into one word, while
 * English words separated by a gap keep their space.
 */
export function textLines(page: PageText): TextLine[] {
  // Loops, not callbacks or regular expressions: the gate groups every page of a document (issue 13).
  const runs: TextRun[] = [];
  for (const run of page.runs) if (run.text.trim() !== '') runs.push(run);
  runs.sort(byBaselineThenX);
  const groups: TextRun[][] = [];
  for (const run of runs) {
    const tolerance = Math.max(1, run.fontSize * 0.5);
    // The first line (in order of creation) within the tolerance, as Array.find would.
    let group: TextRun[] | undefined;
    for (let g = 0; g < groups.length; g++) {
      const candidate = groups[g] as TextRun[];
      if (Math.abs((candidate[0] as TextRun).y - run.y) <= tolerance) {
        group = candidate;
        break;
      }
    }
    if (group) group.push(run);
    else groups.push([run]);
  }
  const lines: TextLine[] = [];
  for (const group of groups) {
    group.sort(byX);
    let text = '';
    let previous: TextRun | undefined;
    let fontSize = -Infinity;
    for (const run of group) {
      if (previous) {
        const gap = run.x - (previous.x + previous.width);
        if (gap > Math.max(previous.fontSize, run.fontSize) * 0.2 && !endsWithSpace(text) && !isSpaceUnit(run.text.charCodeAt(0))) text += ' ';
      }
      text += run.text;
      fontSize = Math.max(fontSize, run.fontSize);
      previous = run;
    }
    const first = group[0] as TextRun;
    const last = group[group.length - 1] as TextRun;
    lines.push({ text, runs: group, y: first.y, fontSize, x: first.x, width: last.x + last.width - first.x });
  }
  return lines;
}

const byBaselineThenX = (a: TextRun, b: TextRun): number => b.y - a.y || a.x - b.x;
const byX = (a: TextRun, b: TextRun): number => a.x - b.x;

/**
 * A UTF-16 unit of JavaScript's white space (`\s`: ECMAScript WhiteSpace and LineTerminator —
 * tab, line feed, vertical tab, form feed, carriage return, the space separators Zs, U+2028,
 * U+2029 and U+FEFF). NaN (an empty string's charCodeAt) is none.
 */
export function isSpaceUnit(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function endsWithSpace(text: string): boolean {
  return text.length > 0 && isSpaceUnit(text.charCodeAt(text.length - 1));
}

/**
 * U2: text set vertically one character a run (竖排: each glyph placed under the one before with
 * a horizontal font, no vertical writing mode) read as columns, top to bottom. Grouped by
 * baseline (textLines), such a title is one line a character: 房屋租赁合同 written down the
 * page with its parties beside it was sealed while a reader reads the columns. A column is 3 or
 * more one-character runs of one size, each alone on its baseline within half an em (text set
 * across, a glyph a run, has its neighbours next to it), on one vertical within a quarter em,
 * each 0.8–1.6 em under the one above. `lines` are the page's textLines.
 */
export function textColumns(lines: readonly TextLine[]): TextLine[] {
  const alone: TextRun[] = [];
  for (const line of lines) {
    const runs = line.runs;
    for (let k = 0; k < runs.length; k++) {
      const run = runs[k] as TextRun;
      // Most runs are words or lines: passed over without a string made (every page is classified).
      if (run.text.length > 4) continue;
      const text = run.text.trim();
      if (text.length === 0 || text.length > 2 || [...text].length !== 1) continue;
      const room = run.fontSize * 0.5;
      const before = runs[k - 1];
      const after = runs[k + 1];
      if (before && run.x - (before.x + before.width) < room) continue;
      if (after && after.x - (run.x + run.width) < room) continue;
      alone.push(run);
    }
  }
  if (alone.length < 3) return [];
  const centre = (r: TextRun): number => r.x + r.width / 2;
  alone.sort((a, b) => b.y - a.y || centre(a) - centre(b));
  const columns: TextRun[][] = [];
  for (const run of alone) {
    const column = columns.find((c) => {
      const last = c[c.length - 1] as TextRun;
      const step = last.y - run.y;
      return Math.abs(centre(last) - centre(run)) <= last.fontSize * 0.25 && Math.abs(last.fontSize - run.fontSize) <= last.fontSize * 0.1 && step >= last.fontSize * 0.8 && step <= last.fontSize * 1.6;
    });
    if (column) column.push(run);
    else columns.push([run]);
  }
  return columns
    .filter((c) => c.length >= 3)
    .map((c) => {
      const top = c[0] as TextRun;
      return { text: c.map((r) => r.text.trim()).join(''), runs: c, y: top.y, fontSize: Math.max(...c.map((r) => r.fontSize)), x: Math.min(...c.map((r) => r.x)), width: Math.max(...c.map((r) => r.width)) };
    });
}

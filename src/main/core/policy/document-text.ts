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
  const runs = page.runs.filter((r) => r.text.trim() !== '').slice().sort((a, b) => b.y - a.y || a.x - b.x);
  const groups: TextRun[][] = [];
  for (const run of runs) {
    const tolerance = Math.max(1, run.fontSize * 0.5);
    const group = groups.find((g) => Math.abs((g[0] as TextRun).y - run.y) <= tolerance);
    if (group) group.push(run);
    else groups.push([run]);
  }
  return groups.map((group) => {
    group.sort((a, b) => a.x - b.x);
    let text = '';
    let previous: TextRun | undefined;
    for (const run of group) {
      if (previous) {
        const gap = run.x - (previous.x + previous.width);
        if (gap > Math.max(previous.fontSize, run.fontSize) * 0.2 && !/\s$/.test(text) && !/^\s/.test(run.text)) text += ' ';
      }
      text += run.text;
      previous = run;
    }
    const first = group[0] as TextRun;
    const last = group[group.length - 1] as TextRun;
    return {
      text,
      runs: group,
      y: first.y,
      fontSize: Math.max(...group.map((r) => r.fontSize)),
      x: first.x,
      width: last.x + last.width - first.x,
    };
  });
}

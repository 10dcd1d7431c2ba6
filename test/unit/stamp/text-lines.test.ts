/**
 * U2 (issue 13's budget): textLines groups every page the gate reads, so it is written with
 * loops and a character test instead of callbacks and regular expressions. Its behaviour must
 * not move: the grouping as it was written first (Array.find, /\s$/, /^\s/, Math.max) is kept
 * here as the oracle, and both are run on generated pages.
 */
import { describe, expect, it } from 'vitest';
import { isSpaceUnit, textLines, type PageText, type TextLine, type TextRun } from '../../../src/main/core/policy/document-text';
import { seeded } from '../../helpers/gate-documents';

function oracle(page: PageText): TextLine[] {
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
    return { text, runs: group, y: first.y, fontSize: Math.max(...group.map((r) => r.fontSize)), x: first.x, width: last.x + last.width - first.x };
  });
}

const PIECES = ['合同', '甲方：', ' ', '\u3000', '\u00a0', 'Party A', '\t', '通知', 'x ', ' y', '\u2028', '\ufeff', '买方', '乙方（盖章）', ''];

describe('textLines (U2 gate, issue 13)', () => {
  it('isSpaceUnit is JavaScript white space (\\s) for every UTF-16 unit', () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isSpaceUnit(c) !== /\s/u.test(String.fromCharCode(c))) differ.push(c);
    expect(differ).toEqual([]);
    expect(isSpaceUnit(Number.NaN)).toBe(false);
  });

  it('groups generated pages exactly as the first version did (order, joins, spaces, sizes)', () => {
    const random = seeded(13);
    for (let n = 0; n < 400; n++) {
      const runs: TextRun[] = [];
      const count = Math.floor(random() * 40);
      for (let k = 0; k < count; k++) {
        const text = Array.from({ length: 1 + Math.floor(random() * 3) }, () => PIECES[Math.floor(random() * PIECES.length)] as string).join('');
        // Baselines on a coarse grid with jitter, so that runs share lines, nearly share them, and overlap.
        const y = 800 - Math.floor(random() * 12) * 14 + (random() - 0.5) * 9;
        runs.push({ text, x: Math.floor(random() * 20) * 25 + random() * 3, y, width: random() * 60, fontSize: [8, 10.5, 14, 22][Math.floor(random() * 4)] as number });
      }
      const page: PageText = { pageIndex: 0, box: { x: 0, y: 0, width: 595, height: 842 }, runs };
      expect(textLines(page), `page ${n}`).toEqual(oracle({ ...page, runs: [...runs] }));
    }
  });
});

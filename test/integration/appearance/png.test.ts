import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSealArtwork, loadSealFont, sealToSvg, type SealSpec } from '../../../src/main/core/appearance/index';
import { pngSizePx, rasteriseSvg, readShippedFont, sealToPng } from '../../../src/main/infra/appearance/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { isSealRed, readPng } from './png-pixels';

const font = loadSealFont(readShippedFont());
const COMPANY: SealSpec = { kind: 'company', unitName: '华夏建设集团有限公司', sealName: '公章', sealCode: '3101010012345' };
const DEPARTMENT: SealSpec = { kind: 'department', unitName: '集团办公室', sealName: '部门章' };

describe('sealToPng (resvg)', () => {
  it('is 42 mm at 300 dpi: red ring and star, transparent outside and in the gaps', () => {
    const png = sealToPng(composeSealArtwork(COMPANY, font), { dpi: 300 });
    mkdirSync('test-artifacts/appearance', { recursive: true });
    writeFileSync('test-artifacts/appearance/company-seal.png', png);
    const img = readPng(png);
    const side = Math.round((42 / 25.4) * 300);
    expect([img.width, img.height]).toEqual([side, side]);
    expect(pngSizePx(42, 300)).toBe(side);
    const pxPerMm = side / 42;
    const c = side / 2;
    // the ring's middle (0.6 mm in from the edge) on all four sides
    const ringMid = (21 - 0.6) * pxPerMm;
    for (const [x, y] of [[c - ringMid, c], [c + ringMid, c], [c, c - ringMid], [c, c + ringMid]] as const) {
      expect(isSealRed(img.at(x, y)), `ring at ${x},${y}`).toBe(true);
    }
    // the star's centre
    expect(isSealRed(img.at(c, c))).toBe(true);
    // corners (outside the circle) are fully transparent
    for (const [x, y] of [[1, 1], [side - 2, 1], [1, side - 2], [side - 2, side - 2]] as const) {
      expect(img.at(x, y)[3]).toBe(0);
    }
    // between the star and the text on the horizontal axis there is nothing
    expect(img.at(c + 9 * pxPerMm, c)[3]).toBe(0);
  });

  it('scales with the dpi and the diameter', () => {
    const png = readPng(sealToPng(composeSealArtwork(DEPARTMENT, font), { dpi: 150 }));
    expect(png.width).toBe(Math.round((40 / 25.4) * 150));
    writeFileSync('test-artifacts/appearance/department-seal.png', sealToPng(composeSealArtwork(DEPARTMENT, font)));
  });

  it('refuses a silly dpi and a malformed SVG with typed errors', () => {
    const svg = sealToSvg(composeSealArtwork(DEPARTMENT, font));
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof YinjianError ? e.code : String(e);
      }
      return undefined;
    };
    expect(code(() => rasteriseSvg(svg, 40, 0))).toBe('APPEARANCE_SPEC_INVALID');
    expect(code(() => rasteriseSvg('<svg', 40, 300))).toBe('APPEARANCE_RENDER_FAILED');
    // resvg parses what we write: the SVG is well-formed
    expect(code(() => rasteriseSvg(svg, 40, 72))).toBeUndefined();
  });
});

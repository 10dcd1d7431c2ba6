import { describe, expect, it } from 'vitest';
import {
  composeSealArtwork,
  loadSealFont,
  sealToSvg,
  unitNameSpanDeg,
  type ArtworkPart,
  type SealArtwork,
  type SealFont,
  type SealSpec,
} from '../../../src/main/core/appearance/index';
import { pathPoints, type Point } from '../../../src/main/core/appearance/path';
import { readShippedFont } from '../../../src/main/infra/appearance/index';
import { YinjianError } from '../../../src/shared/errors/index';

// The real shipped font: the geometry is only as right as the outlines it places.
const font: SealFont = loadSealFont(readShippedFont());

const COMPANY: SealSpec = { kind: 'company', unitName: '华夏建设集团有限公司', sealName: '公章', sealCode: '3101010012345' };
const DEPARTMENT: SealSpec = { kind: 'department', unitName: '集团办公室', sealName: '部门章' };
const LONG_NAME = '华夏建设集团第十二工程局投资发展有限责任公司';

type Glyph = Extract<ArtworkPart, { kind: 'glyph' }>;
const glyphs = (art: SealArtwork, role: Glyph['role']): Glyph[] =>
  art.parts.filter((p): p is Glyph => p.kind === 'glyph' && p.role === role);
const ring = (art: SealArtwork) => art.parts.find((p) => p.kind === 'ring');
const star = (art: SealArtwork) => art.parts.find((p) => p.kind === 'star');
const dist = (p: Point) => Math.hypot(p.x, p.y);
const up = (g: Glyph): Point => ({ x: -Math.sin((g.rotationDeg * Math.PI) / 180), y: Math.cos((g.rotationDeg * Math.PI) / 180) });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof YinjianError ? e.code : `not a YinjianError: ${String(e)}`;
  }
  return undefined;
}

describe('seal geometry (U1: the impression looks like the unit official seal)', () => {
  const company = composeSealArtwork(COMPANY, font);
  const department = composeSealArtwork(DEPARTMENT, font);

  it('has the standard diameters and a 1.2 mm ring', () => {
    expect(company.diameterMm).toBe(42);
    expect(department.diameterMm).toBe(40);
    const r = ring(company);
    expect(r?.kind).toBe('ring');
    if (r?.kind !== 'ring') return;
    expect(r.outerRadiusMm).toBeCloseTo(21, 9);
    expect(r.outerRadiusMm - r.innerRadiusMm).toBeCloseTo(1.2, 9);
    // every on-curve point of the ring's path lies on one of its two circles
    const onCurve = r.path.flatMap((c) => (c.op === 'Z' ? [] : [{ x: c.x, y: c.y }]));
    for (const p of onCurve) {
      const d = dist(p);
      expect(Math.min(Math.abs(d - 21), Math.abs(d - 19.8))).toBeLessThan(1e-9);
    }
    expect(ring(composeSealArtwork({ ...COMPANY, diameterMm: 45, ringMm: 1.5 }, font))).toMatchObject({
      outerRadiusMm: 22.5,
      innerRadiusMm: 21,
    });
  });

  it('has a five-pointed star 14 mm across in the centre, point up', () => {
    const s = star(company);
    if (s?.kind !== 'star') throw new Error('no star');
    const points = pathPoints(s.path);
    expect(points).toHaveLength(10);
    const outer = points.filter((_, i) => i % 2 === 0);
    for (const p of outer) expect(dist(p)).toBeCloseTo(7, 9);
    expect(Math.max(...points.map((p) => p.y))).toBeCloseTo(7, 9);
    expect(outer[0]?.x).toBeCloseTo(0, 9);
    expect(s.center).toEqual({ x: 0, y: 0 });
  });

  it('keeps every glyph inside the ring and clear of the star', () => {
    for (const art of [company, department, composeSealArtwork({ ...COMPANY, unitName: LONG_NAME }, font)]) {
      const r = ring(art);
      const s = star(art);
      if (r?.kind !== 'ring' || s?.kind !== 'star') throw new Error('no ring or star');
      const all = art.parts.filter((p): p is Glyph => p.kind === 'glyph');
      expect(all.length).toBeGreaterThan(0);
      for (const g of all) {
        for (const p of pathPoints(g.path)) {
          expect(dist(p) + art.glyphStrokeMm / 2).toBeLessThan(r.innerRadiusMm);
          if (g.role === 'unitName') expect(dist(p)).toBeGreaterThan(s.outerRadiusMm);
        }
      }
    }
  });

  it('spreads the unit name left to right over 210–250°, upright, symmetric about the vertical axis', () => {
    for (const [art, n] of [
      [company, 10],
      [department, 5],
    ] as const) {
      const name = glyphs(art, 'unitName');
      expect(name.map((g) => g.char).join('')).toBe(n === 10 ? '华夏建设集团有限公司' : '集团办公室');
      const slot = unitNameSpanDeg(n) / n;
      expect(unitNameSpanDeg(n)).toBeGreaterThanOrEqual(210);
      expect(unitNameSpanDeg(n)).toBeLessThanOrEqual(250);
      // first and last centres sit half a slot inside the span's ends
      expect(-(name[0]?.rotationDeg ?? 0)).toBeCloseTo(-unitNameSpanDeg(n) / 2 + slot / 2, 9);
      name.forEach((g, i) => {
        const mirror = name[n - 1 - i];
        if (!mirror) throw new Error('missing mirror glyph');
        expect(g.rotationDeg).toBeCloseTo(-mirror.rotationDeg, 9);
        expect(g.center.x).toBeCloseTo(-mirror.center.x, 9);
        expect(g.center.y).toBeCloseTo(mirror.center.y, 9);
        // upright: the glyph's top points away from the centre, along the radius
        const radial = { x: g.center.x / dist(g.center), y: g.center.y / dist(g.center) };
        expect(up(g).x * radial.x + up(g).y * radial.y).toBeCloseTo(1, 9);
        // even spacing: consecutive characters one slot apart, clockwise (left to right)
        const next = name[i + 1];
        if (next) expect(g.rotationDeg - next.rotationDeg).toBeCloseTo(slot, 9);
      });
      expect(name[0]?.center.x).toBeLessThan(0);
    }
  });

  it('rotates the outlines themselves, not just the labels', () => {
    // 一 is a wide, flat stroke: upright its extent is wide across and thin up and down,
    // so on the arc it must be long along the tangent and short along the radius
    const art = composeSealArtwork({ kind: 'company', unitName: '一一一一一', sealName: '公章' }, font);
    for (const g of glyphs(art, 'unitName')) {
      const u = up(g);
      const t = { x: u.y, y: -u.x };
      const pts = pathPoints(g.path).map((p) => ({ x: p.x - g.center.x, y: p.y - g.center.y }));
      const along = (v: Point) => Math.max(...pts.map((p) => p.x * v.x + p.y * v.y)) - Math.min(...pts.map((p) => p.x * v.x + p.y * v.y));
      expect(along(t)).toBeGreaterThan(4 * along(u));
    }
  });

  it('compresses the characters of a long unit name so that neighbours never touch', () => {
    const short = glyphs(department, 'unitName');
    const normal = glyphs(company, 'unitName');
    const long = glyphs(composeSealArtwork({ ...COMPANY, unitName: LONG_NAME }, font), 'unitName');
    expect(short[0]?.scaleX).toBe(1);
    expect(normal[0]?.scaleX).toBeLessThanOrEqual(1);
    expect(long[0]?.scaleX).toBeLessThan(normal[0]?.scaleX ?? 0);
    expect(long[0]?.heightMm).toBeCloseTo(normal[0]?.heightMm ?? 0, 9);
    // angular extents (clockwise from the top) of neighbouring characters do not overlap
    const extent = (g: Glyph) => {
      const angles = pathPoints(g.path).map((p) => Math.atan2(p.x, p.y));
      return { min: Math.min(...angles), max: Math.max(...angles) };
    };
    for (let i = 0; i + 1 < long.length; i++) {
      const a = long[i];
      const b = long[i + 1];
      if (!a || !b) throw new Error('missing glyph');
      expect(extent(a).max).toBeLessThan(extent(b).min);
    }
  });

  it('refuses a unit name too long to stay readable', () => {
    expect(codeOf(() => composeSealArtwork({ ...COMPANY, unitName: LONG_NAME + LONG_NAME.slice(0, 18) }, font))).toBe(
      'APPEARANCE_TEXT_TOO_LONG',
    );
  });

  it('sets the seal name straight and centred below the star', () => {
    const s = star(company);
    if (s?.kind !== 'star') throw new Error('no star');
    const name = glyphs(company, 'sealName');
    expect(name.map((g) => g.char).join('')).toBe('公章');
    const starBottom = Math.min(...pathPoints(s.path).map((p) => p.y));
    for (const g of name) {
      expect(g.rotationDeg).toBe(0);
      expect(g.center.y).toBeCloseTo(name[0]?.center.y ?? NaN, 9);
      for (const p of pathPoints(g.path)) expect(p.y).toBeLessThan(starBottom);
    }
    expect((name[0]?.center.x ?? 0) + (name[1]?.center.x ?? 0)).toBeCloseTo(0, 9);
    expect(name[0]?.center.x).toBeLessThan(0);
  });

  it('runs the seal code along the lower arc, left to right, tops towards the centre', () => {
    const code = glyphs(company, 'sealCode');
    expect(code.map((g) => g.char).join('')).toBe('3101010012345');
    for (const [i, g] of code.entries()) {
      // on one arc near the ring, in the lower half, within the 90° the unit name leaves free
      expect(dist(g.center)).toBeCloseTo(dist(code[0]?.center ?? { x: 0, y: 0 }), 9);
      expect(dist(g.center)).toBeGreaterThan(15);
      expect(g.center.y).toBeLessThan(0);
      expect(Math.abs((Math.atan2(g.center.x, -g.center.y) * 180) / Math.PI)).toBeLessThanOrEqual(45);
      const radial = { x: g.center.x / dist(g.center), y: g.center.y / dist(g.center) };
      expect(up(g).x * radial.x + up(g).y * radial.y).toBeCloseTo(-1, 9);
      const next = code[i + 1];
      if (next) expect(next.center.x).toBeGreaterThan(g.center.x);
    }
    const first = code[0];
    const last = code[code.length - 1];
    if (!first || !last) throw new Error('no code');
    // centred on the bottom of the circle
    expect(Math.abs(first.center.x + last.center.x)).toBeLessThan(0.6);
    expect(glyphs(department, 'sealCode')).toHaveLength(0);
  });

  it('names a character the font lacks', () => {
    const err = (() => {
      try {
        composeSealArtwork({ ...COMPANY, unitName: '华夏😀公司' }, font);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(YinjianError);
    expect((err as YinjianError).code).toBe('FONT_GLYPH_MISSING');
    expect((err as YinjianError).params?.char).toBe('😀');
  });

  it('rejects bad specs with a typed error, never a crash', () => {
    const bad: unknown[] = [
      { ...COMPANY, unitName: '' },
      { ...COMPANY, unitName: '华夏\u0000公司' },
      { ...COMPANY, diameterMm: 5 },
      { ...COMPANY, diameterMm: Number.NaN },
      { ...COMPANY, ringMm: 2.9 },
      { ...COMPANY, starMm: 22 },
      { ...COMPANY, color: { r: 300, g: 0, b: 0 } },
      { ...COMPANY, sealCode: '3101<script>' },
      { ...COMPANY, kind: 'personal' },
      { ...COMPANY, extra: 1 },
      null,
      'company',
    ];
    for (const spec of bad) {
      expect(codeOf(() => composeSealArtwork(spec as SealSpec, font)), JSON.stringify(spec)).toBe('APPEARANCE_SPEC_INVALID');
    }
  });

  it('rejects bytes that are not a font', () => {
    expect(codeOf(() => loadSealFont(new Uint8Array(64).fill(7)))).toBe('FONT_UNREADABLE');
    expect(codeOf(() => loadSealFont(new Uint8Array(0)))).toBe('FONT_UNREADABLE');
  });
});

describe('sealToSvg', () => {
  const svg = sealToSvg(composeSealArtwork(COMPANY, font));

  it('is a standalone SVG in millimetres, in seal red, with no external references', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="42mm" height="42mm" viewBox="0 0 42 42">')).toBe(true);
    expect(svg).toContain('fill="rgb(230,0,18)"');
    for (const forbidden of ['<text', '<image', 'href', 'url(', '<script', '@font-face', 'http://www.w3.org/1999/xlink']) {
      expect(svg).not.toContain(forbidden);
    }
  });

  it('is well-formed: tags balance, attributes are quoted, path data is numbers and commands only', () => {
    const tags = [...svg.matchAll(/<(\/?)([a-z]+)([^>]*?)(\/?)>/g)];
    const stack: string[] = [];
    for (const [, closing, name, attrs, selfClosing] of tags) {
      if (!name) continue;
      expect(attrs ?? '').toMatch(/^(\s+[a-zA-Z-]+="[^"<>]*")*\s*$/);
      if (closing) expect(stack.pop()).toBe(name);
      else if (!selfClosing) stack.push(name);
    }
    expect(stack).toEqual([]);
    expect(svg.replace(/<[^>]*>/g, '').trim()).toBe('');
    for (const [, d] of svg.matchAll(/ d="([^"]*)"/g)) expect(d).toMatch(/^(?:[MLCZ]|-?\d+(?:\.\d+)?| )+$/);
  });

  it('flips y: the star points up in SVG coordinates', () => {
    const starPath = svg.split('\n').find((l) => l.startsWith('<path d="M21 '));
    // the star's first vertex is its top point, 21 − 7 = 14 mm from the top edge
    expect(starPath?.startsWith('<path d="M21 14L')).toBe(true);
  });
});

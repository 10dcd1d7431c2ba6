/**
 * Vector paths of the seal impression, in millimetres, y pointing up, origin at the seal's
 * centre. Only moves, lines, cubic curves and closes: quadratic curves from TrueType
 * outlines are raised to cubics on the way in, so every renderer (SVG, PDF) speaks the same
 * four commands and draws the very same shape.
 */
export interface Point {
  readonly x: number;
  readonly y: number;
}

export type PathCommand =
  | { readonly op: 'M'; readonly x: number; readonly y: number }
  | { readonly op: 'L'; readonly x: number; readonly y: number }
  | {
      readonly op: 'C';
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly x: number;
      readonly y: number;
    }
  | { readonly op: 'Z' };

/** An affine map x' = a·x + c·y + e, y' = b·x + d·y + f (PDF's `cm` order). */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

export function applyAffine(m: Affine, x: number, y: number): Point {
  return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
}

export function transformPath(path: readonly PathCommand[], m: Affine): PathCommand[] {
  return path.map((cmd): PathCommand => {
    switch (cmd.op) {
      case 'M':
      case 'L': {
        const p = applyAffine(m, cmd.x, cmd.y);
        return { op: cmd.op, x: p.x, y: p.y };
      }
      case 'C': {
        const p1 = applyAffine(m, cmd.x1, cmd.y1);
        const p2 = applyAffine(m, cmd.x2, cmd.y2);
        const p = applyAffine(m, cmd.x, cmd.y);
        return { op: 'C', x1: p1.x, y1: p1.y, x2: p2.x, y2: p2.y, x: p.x, y: p.y };
      }
      case 'Z':
        return cmd;
    }
  });
}

/** Every on-curve and control point: a cubic lies inside the hull of its points. */
export function pathPoints(path: readonly PathCommand[]): Point[] {
  const points: Point[] = [];
  for (const cmd of path) {
    if (cmd.op === 'C') {
      points.push({ x: cmd.x1, y: cmd.y1 }, { x: cmd.x2, y: cmd.y2 }, { x: cmd.x, y: cmd.y });
    } else if (cmd.op !== 'Z') {
      points.push({ x: cmd.x, y: cmd.y });
    }
  }
  return points;
}

/**
 * A full circle as four cubic arcs (the usual 0.5523 handle length, radial error < 0.03 %),
 * counter-clockwise unless asked otherwise: a ring is an outer circle and an inner one
 * running the other way, so it fills correctly under both the non-zero and even-odd rules.
 */
export function circlePath(cx: number, cy: number, r: number, clockwise = false): PathCommand[] {
  const k = 0.5522847498;
  const turn = clockwise ? -1 : 1;
  const at = (quarter: number): Point => {
    const angle = (turn * quarter * Math.PI) / 2;
    return { x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) };
  };
  const path: PathCommand[] = [{ op: 'M', x: cx + r, y: cy }];
  for (let q = 0; q < 4; q++) {
    const from = at(q);
    const to = at(q + 1);
    // the tangent at angle t is (-sin t, cos t) times the direction of travel
    const c1 = { x: from.x - turn * k * (from.y - cy), y: from.y + turn * k * (from.x - cx) };
    const c2 = { x: to.x + turn * k * (to.y - cy), y: to.y - turn * k * (to.x - cx) };
    path.push({ op: 'C', x1: c1.x, y1: c1.y, x2: c2.x, y2: c2.y, x: to.x, y: to.y });
  }
  path.push({ op: 'Z' });
  return path;
}

/** A closed polygon. */
export function polygonPath(points: readonly Point[]): PathCommand[] {
  const path: PathCommand[] = [];
  points.forEach((p, i) => path.push({ op: i === 0 ? 'M' : 'L', x: p.x, y: p.y }));
  path.push({ op: 'Z' });
  return path;
}

/**
 * Numbers as renderers write them: at most 4 decimals (0.1 µm in millimetres, far below a
 * 2400 dpi dot), no exponent, no "-0".
 */
export function formatNumber(value: number): string {
  const rounded = Math.round(value * 10_000) / 10_000;
  if (Object.is(rounded, -0) || rounded === 0) return '0';
  return String(rounded);
}

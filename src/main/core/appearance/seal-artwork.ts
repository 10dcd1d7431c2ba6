import { YinjianError } from '../../../shared/errors/index';
import { circlePath, polygonPath, transformPath, type Affine, type PathCommand, type Point } from './path';
import type { SealFont } from './seal-font';
import { resolveSealSpec, type RgbColor, type SealKind, type SealSpec } from './seal-spec';

/**
 * The impression of an official seal (印章印模) as vector art, in millimetres, y up, origin at
 * the seal's centre. It follows the usual form of a Chinese official seal (公章): a red ring,
 * a five-pointed star in the centre, the unit's name along the upper arc read left to right
 * with every character upright relative to the circle (baseline tangent, top outwards), the
 * seal's name in a straight line under the star, and the seal code along the lower arc read
 * left to right with the tops of its characters towards the centre. U1 asks that the visible
 * impression look like the unit's official seal.
 */
export interface SealArtwork {
  readonly kind: SealKind;
  readonly diameterMm: number;
  readonly color: RgbColor;
  /** Glyphs are filled and also stroked this wide, the weight ink gives a carved seal. */
  readonly glyphStrokeMm: number;
  readonly parts: readonly ArtworkPart[];
}

export type TextRole = 'unitName' | 'sealName' | 'sealCode';

export type ArtworkPart =
  | {
      readonly kind: 'ring';
      readonly outerRadiusMm: number;
      readonly innerRadiusMm: number;
      /** Outer circle counter-clockwise, inner clockwise: an annulus under either fill rule. */
      readonly path: readonly PathCommand[];
    }
  | {
      readonly kind: 'star';
      readonly center: Point;
      readonly outerRadiusMm: number;
      readonly innerRadiusMm: number;
      readonly path: readonly PathCommand[];
    }
  | {
      readonly kind: 'glyph';
      readonly role: TextRole;
      readonly char: string;
      /** Centre of the character's em box after placement. */
      readonly center: Point;
      /** Counter-clockwise rotation from upright, in degrees. */
      readonly rotationDeg: number;
      /** Height of the em box, in millimetres. */
      readonly heightMm: number;
      /** Horizontal compression of the character (1 = as designed). */
      readonly scaleX: number;
      readonly path: readonly PathCommand[];
    };

/**
 * Proportions of the layout, as fractions of the diameter. They reproduce the common
 * 42 mm company seal: characters about 6.5 mm tall about 1 mm inside the ring, the name under
 * the star about 5.5 mm tall, a code about 2.7 mm tall; a 40 mm seal scales them down.
 */
const LAYOUT = {
  textGap: 0.025,
  unitNameHeight: 0.155,
  sealNameHeight: 0.13,
  sealNameGapBelowStar: 0.05,
  sealNameMaxWidth: 0.5,
  sealNameTracking: 0.15,
  sealCodeHeight: 0.065,
  sealCodeTracking: 0.12,
  /** The code stays in the part of the lower arc the unit's name leaves free. */
  sealCodeMaxSpanDeg: 90,
  glyphStroke: 0.0045,
  /** Share of a character's slot on the arc its body may fill; the rest is spacing. */
  arcFill: 0.88,
  /** Below this a character is too thin to read: the text is refused instead. */
  minScaleX: 0.3,
} as const;

/** The arc the unit's name spreads over: wider for more characters, 210° to 250°. */
export function unitNameSpanDeg(count: number): number {
  return Math.min(250, Math.max(210, 190 + 5 * count));
}

const DEG = Math.PI / 180;

/** Splits text into characters (code points, so a rare hanzi outside the BMP stays whole). */
function characters(text: string): string[] {
  return Array.from(text).filter((c) => c.trim() !== '');
}

export function composeSealArtwork(specInput: SealSpec, font: SealFont): SealArtwork {
  const spec = resolveSealSpec(specInput);
  const D = spec.diameterMm;
  const R = D / 2;
  const innerR = R - spec.ringMm;
  const textOuterR = innerR - LAYOUT.textGap * D;
  const parts: ArtworkPart[] = [];

  parts.push({
    kind: 'ring',
    outerRadiusMm: R,
    innerRadiusMm: innerR,
    path: [...circlePath(0, 0, R), ...circlePath(0, 0, innerR, true)],
  });

  const starR = spec.starMm / 2;
  const starInnerR = starR * (Math.cos(72 * DEG) / Math.cos(36 * DEG));
  const starPoints: Point[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? starR : starInnerR;
    const a = (90 + i * 36) * DEG;
    starPoints.push({ x: r * Math.cos(a), y: r * Math.sin(a) });
  }
  parts.push({ kind: 'star', center: { x: 0, y: 0 }, outerRadiusMm: starR, innerRadiusMm: starInnerR, path: polygonPath(starPoints) });

  parts.push(...placeUnitName(spec.unitName, font, D, textOuterR));
  const starBottom = -starR * Math.cos(36 * DEG);
  parts.push(...placeSealName(spec.sealName, font, D, starBottom));
  if (spec.sealCode !== undefined) parts.push(...placeSealCode(spec.sealCode, font, D, textOuterR));

  return { kind: spec.kind, diameterMm: D, color: spec.color, glyphStrokeMm: LAYOUT.glyphStroke * D, parts };
}

/**
 * The map from a glyph's font units to the seal: centre the em box on the origin, scale to
 * heightMm (compressed by scaleX horizontally), rotate, move to `center`.
 */
function glyphPlacement(
  font: SealFont,
  advanceWidth: number,
  heightMm: number,
  scaleX: number,
  rotationDeg: number,
  center: Point,
): Affine {
  const s = heightMm / font.unitsPerEm;
  const cos = Math.cos(rotationDeg * DEG);
  const sin = Math.sin(rotationDeg * DEG);
  const sx = s * scaleX;
  const ox = -advanceWidth / 2;
  const oy = -font.emCenterY;
  // rotate(φ) · scale(sx, s) · translate(ox, oy), then translate to center
  return {
    a: sx * cos,
    b: sx * sin,
    c: -s * sin,
    d: s * cos,
    e: center.x + sx * ox * cos - s * oy * sin,
    f: center.y + sx * ox * sin + s * oy * cos,
  };
}

function placedGlyph(
  font: SealFont,
  role: TextRole,
  char: string,
  heightMm: number,
  scaleX: number,
  rotationDeg: number,
  center: Point,
): ArtworkPart {
  const outline = font.glyph(char);
  const m = glyphPlacement(font, outline.advanceWidth, heightMm, scaleX, rotationDeg, center);
  return { kind: 'glyph', role, char, center, rotationDeg, heightMm, scaleX, path: transformPath(outline.path, m) };
}

function tooLong(text: string, count: number, diameterMm: number): YinjianError {
  return new YinjianError('APPEARANCE_TEXT_TOO_LONG', { text, count, diameterMm });
}

/**
 * The unit's name: evenly spread over the upper arc, left to right, each character in an
 * equal slot, upright relative to the circle. A long name keeps its height and gets narrower
 * characters, as seal engravers do, instead of crowding past the arc.
 */
function placeUnitName(text: string, font: SealFont, D: number, textOuterR: number): ArtworkPart[] {
  const chars = characters(text);
  const n = chars.length;
  const h = LAYOUT.unitNameHeight * D;
  const r = textOuterR - h / 2;
  const span = unitNameSpanDeg(n);
  const slot = span / n;
  // measured a quarter of the way in from the middle: the slots narrow towards the centre,
  // and compressed characters of a long name would otherwise touch at their inner ends
  const slotWidth = (r - h / 4) * slot * DEG * LAYOUT.arcFill;
  const widest = Math.max(...chars.map((c) => (font.glyph(c).advanceWidth / font.unitsPerEm) * h));
  const scaleX = Math.min(1, slotWidth / widest);
  if (scaleX < LAYOUT.minScaleX) throw tooLong(text, n, D);
  return chars.map((char, i) => {
    // θ: clockwise from the top; negative on the left, where the name starts
    const theta = -span / 2 + slot * (i + 0.5);
    const center = { x: r * Math.sin(theta * DEG), y: r * Math.cos(theta * DEG) };
    return placedGlyph(font, 'unitName', char, h, scaleX, -theta, center);
  });
}

/** The seal's name: one straight line, centred under the star, compressed when too wide. */
function placeSealName(text: string, font: SealFont, D: number, starBottom: number): ArtworkPart[] {
  const chars = characters(text);
  const h = LAYOUT.sealNameHeight * D;
  const tracking = LAYOUT.sealNameTracking * h;
  const widths = chars.map((c) => (font.glyph(c).advanceWidth / font.unitsPerEm) * h);
  const natural = widths.reduce((sum, w) => sum + w, 0) + tracking * (chars.length - 1);
  const scaleX = Math.min(1, (LAYOUT.sealNameMaxWidth * D) / natural);
  if (scaleX < LAYOUT.minScaleX) throw tooLong(text, chars.length, D);
  const y = starBottom - LAYOUT.sealNameGapBelowStar * D - h / 2;
  let x = -(natural * scaleX) / 2;
  return chars.map((char, i) => {
    const w = (widths[i] ?? 0) * scaleX;
    const center = { x: x + w / 2, y };
    x += w + tracking * scaleX;
    return placedGlyph(font, 'sealName', char, h, scaleX, 0, center);
  });
}

/**
 * The seal code: centred on the bottom of the circle, read left to right, so the tops of the
 * characters point to the centre and their feet to the ring.
 */
function placeSealCode(text: string, font: SealFont, D: number, textOuterR: number): ArtworkPart[] {
  const chars = characters(text);
  const h = LAYOUT.sealCodeHeight * D;
  const r = textOuterR - h / 2;
  const tracking = LAYOUT.sealCodeTracking * h;
  const widths = chars.map((c) => (font.glyph(c).advanceWidth / font.unitsPerEm) * h);
  const natural = widths.reduce((sum, w) => sum + w, 0) + tracking * (chars.length - 1);
  const maxArc = r * LAYOUT.sealCodeMaxSpanDeg * DEG;
  const scaleX = Math.min(1, maxArc / natural);
  if (scaleX < LAYOUT.minScaleX) throw tooLong(text, chars.length, D);
  const arc = natural * scaleX;
  let along = 0;
  return chars.map((char, i) => {
    const w = (widths[i] ?? 0) * scaleX;
    const mid = along + w / 2;
    along += w + tracking * scaleX;
    // δ: angle left of the bottom; the first character is the leftmost
    const delta = (arc / 2 - mid) / r;
    const theta = 180 + delta / DEG;
    const center = { x: r * Math.sin(theta * DEG), y: r * Math.cos(theta * DEG) };
    return placedGlyph(font, 'sealCode', char, h, scaleX, 180 - theta, center);
  });
}

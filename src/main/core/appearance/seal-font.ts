import fontkit from '@pdf-lib/fontkit';
import { YinjianError } from '../../../shared/errors/index';
import type { PathCommand } from './path';

/**
 * The font the impression's characters are cut from. Core never reads files: the caller
 * hands over the font's bytes (infra/appearance reads the one shipped under resources/fonts).
 * Outlines are taken from the font once and become plain vector paths, so a rendered
 * impression needs no font at all and looks the same in SVG, PNG and PDF.
 */
export interface SealFont {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  /** Vertical centre of the ideographic em box, in font units (y up). */
  readonly emCenterY: number;
  /** Outline and advance of one character; FONT_GLYPH_MISSING when the font lacks it. */
  glyph(char: string): GlyphOutline;
}

export interface GlyphOutline {
  readonly char: string;
  /** In font units, y up, origin at the glyph's origin on the baseline. */
  readonly path: readonly PathCommand[];
  readonly advanceWidth: number;
}

// The slice of fontkit this module relies on; its bundled typings omit `path.commands`.
interface FontkitCommand {
  readonly command: string;
  readonly args: readonly number[];
}
interface FontkitGlyph {
  readonly advanceWidth: number;
  readonly path: { readonly commands: readonly FontkitCommand[] };
}
interface FontkitFont {
  readonly postscriptName: string | null;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly 'OS/2'?: { readonly typoAscender?: number; readonly typoDescender?: number };
  hasGlyphForCodePoint(codePoint: number): boolean;
  glyphForCodePoint(codePoint: number): FontkitGlyph;
}

function describe(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function loadSealFont(bytes: Uint8Array): SealFont {
  let font: FontkitFont;
  try {
    font = fontkit.create(bytes) as unknown as FontkitFont;
  } catch (cause) {
    throw new YinjianError('FONT_UNREADABLE', { detail: String(cause) }, { cause });
  }
  // A .ttc parses as a collection, not a font, and has no glyph lookup.
  if (typeof font?.hasGlyphForCodePoint !== 'function' || !(font.unitsPerEm > 0)) {
    throw new YinjianError('FONT_UNREADABLE', { detail: 'not a single TrueType/OpenType font' });
  }
  const os2 = font['OS/2'];
  const ascender = os2?.typoAscender ?? font.ascent;
  const descender = os2?.typoDescender ?? font.descent;
  // CJK fonts set the typo ascender/descender to the ideographic em box (880/−120 in Noto CJK),
  // whose middle is where a hanzi's visual centre sits.
  const emCenterY = (ascender + descender) / 2;
  const cache = new Map<string, GlyphOutline>();

  return {
    postscriptName: font.postscriptName ?? 'unknown',
    unitsPerEm: font.unitsPerEm,
    emCenterY,
    glyph(char: string): GlyphOutline {
      const cached = cache.get(char);
      if (cached) return cached;
      const cp = char.codePointAt(0);
      if (cp === undefined || !font.hasGlyphForCodePoint(cp)) {
        throw new YinjianError('FONT_GLYPH_MISSING', { char, codePoint: describe(char) });
      }
      const g = font.glyphForCodePoint(cp);
      const outline: GlyphOutline = { char, path: toPathCommands(g.path.commands), advanceWidth: g.advanceWidth };
      cache.set(char, outline);
      return outline;
    },
  };
}

function toPathCommands(commands: readonly FontkitCommand[]): PathCommand[] {
  const out: PathCommand[] = [];
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  const arg = (c: FontkitCommand, i: number): number => c.args[i] ?? 0;
  for (const c of commands) {
    switch (c.command) {
      case 'moveTo':
        cx = sx = arg(c, 0);
        cy = sy = arg(c, 1);
        out.push({ op: 'M', x: cx, y: cy });
        break;
      case 'lineTo':
        cx = arg(c, 0);
        cy = arg(c, 1);
        out.push({ op: 'L', x: cx, y: cy });
        break;
      case 'quadraticCurveTo': {
        // degree elevation: a quadratic is exactly the cubic with controls 2/3 of the way
        const qx = arg(c, 0);
        const qy = arg(c, 1);
        const x = arg(c, 2);
        const y = arg(c, 3);
        out.push({
          op: 'C',
          x1: cx + (2 / 3) * (qx - cx),
          y1: cy + (2 / 3) * (qy - cy),
          x2: x + (2 / 3) * (qx - x),
          y2: y + (2 / 3) * (qy - y),
          x,
          y,
        });
        cx = x;
        cy = y;
        break;
      }
      case 'bezierCurveTo':
        out.push({ op: 'C', x1: arg(c, 0), y1: arg(c, 1), x2: arg(c, 2), y2: arg(c, 3), x: arg(c, 4), y: arg(c, 5) });
        cx = arg(c, 4);
        cy = arg(c, 5);
        break;
      case 'closePath':
        out.push({ op: 'Z' });
        cx = sx;
        cy = sy;
        break;
      default:
        throw new YinjianError('FONT_UNREADABLE', { detail: `unknown outline command ${c.command}` });
    }
  }
  return out;
}

import { formatNumber as n, type PathCommand } from './path';
import type { SealArtwork } from './seal-artwork';

/**
 * The impression as a standalone SVG document: viewBox in millimetres, width and height in
 * millimetres so it prints at physical size, a single colour, no external references (no
 * fonts, links, images or scripts), so the register can store it and any viewer shows it.
 */
export function sealToSvg(artwork: SealArtwork): string {
  const D = artwork.diameterMm;
  const R = D / 2;
  const { r, g, b } = artwork.color;
  const fill = `rgb(${r},${g},${b})`;
  // SVG's y axis points down; the artwork's points up with its origin at the centre
  const toSvg = (path: readonly PathCommand[]): string => pathData(path, R);
  const shapes: string[] = [];
  const glyphs: string[] = [];
  for (const part of artwork.parts) {
    if (part.kind === 'glyph') glyphs.push(toSvg(part.path));
    else shapes.push(`<path d="${toSvg(part.path)}"/>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(D)}mm" height="${n(D)}mm" viewBox="0 0 ${n(D)} ${n(D)}">`,
    `<g fill="${fill}" fill-rule="nonzero">`,
    ...shapes,
    `<path d="${glyphs.join(' ')}" stroke="${fill}" stroke-width="${n(artwork.glyphStrokeMm)}" stroke-linejoin="round"/>`,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

function pathData(path: readonly PathCommand[], R: number): string {
  const x = (v: number): string => n(v + R);
  const y = (v: number): string => n(R - v);
  return path
    .map((c) => {
      switch (c.op) {
        case 'M':
        case 'L':
          return `${c.op}${x(c.x)} ${y(c.y)}`;
        case 'C':
          return `C${x(c.x1)} ${y(c.y1)} ${x(c.x2)} ${y(c.y2)} ${x(c.x)} ${y(c.y)}`;
        case 'Z':
          return 'Z';
      }
    })
    .join('');
}

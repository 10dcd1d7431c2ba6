import { Resvg } from '@resvg/resvg-js';
import { YinjianError } from '../../../shared/errors/index';
import { sealToSvg, type SealArtwork } from '../../core/appearance/index';

export interface PngOptions {
  /** Dots per inch; 300 for the register, more for print. */
  readonly dpi?: number;
}

/** Pixel size of a square impression `diameterMm` across at `dpi`. */
export function pngSizePx(diameterMm: number, dpi: number): number {
  return Math.round((diameterMm / 25.4) * dpi);
}

/**
 * Rasterises an SVG `sizeMm` across to PNG at `dpi`, transparent outside the drawing (the
 * impression is laid over documents). resvg is native code, which is why this lives in infra.
 */
export function rasteriseSvg(svg: string, sizeMm: number, dpi: number): Uint8Array {
  if (!Number.isFinite(dpi) || dpi < 36 || dpi > 2400) {
    throw new YinjianError('APPEARANCE_SPEC_INVALID', { field: 'dpi', detail: String(dpi) });
  }
  try {
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: pngSizePx(sizeMm, dpi) },
      font: { loadSystemFonts: false },
      shapeRendering: 2,
    });
    return new Uint8Array(resvg.render().asPng());
  } catch (cause) {
    throw new YinjianError('APPEARANCE_RENDER_FAILED', { detail: String(cause) }, { cause });
  }
}

/** The generated impression as PNG, for the register and for previews. */
export function sealToPng(artwork: SealArtwork, options: PngOptions = {}): Uint8Array {
  return rasteriseSvg(sealToSvg(artwork), artwork.diameterMm, options.dpi ?? 300);
}

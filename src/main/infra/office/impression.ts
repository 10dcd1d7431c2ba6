import { composeSealArtwork, loadSealFont, sealToSvg, type SealFont } from '../../core/appearance/index';
import type { ImpressionRenderer } from '../../core/office/index';
import { readShippedFont, sealToPng } from '../appearance/index';

/**
 * The generated seal impression the register keeps (U1): vector art from the shipped font,
 * as SVG and as a 300 dpi PNG (resvg is native code, hence infra).
 */
export function shippedFontImpressions(): ImpressionRenderer {
  let font: SealFont | undefined;
  return {
    render(spec) {
      font ??= loadSealFont(readShippedFont());
      const artwork = composeSealArtwork(spec, font);
      return { svg: sealToSvg(artwork), png: sealToPng(artwork, { dpi: 300 }) };
    },
  };
}

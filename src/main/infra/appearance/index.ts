export { SHIPPED_FONT_FILE, shippedFontCandidates, shippedFontPath, readShippedFont } from './shipped-font';
export { pngSizePx, rasteriseSvg, sealToPng, type PngOptions } from './png';

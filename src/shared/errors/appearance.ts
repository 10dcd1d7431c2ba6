import type { ErrorSpec } from './index';

/**
 * Errors of the seal impression (印章印模): the shipped font, the seal's text and shape,
 * and images supplied in place of the generated impression.
 */
export const APPEARANCE_ERRORS = {
  FONT_UNREADABLE: {
    category: 'input',
    zh: '字体文件无法解析：{detail}',
    en: 'The font file cannot be parsed: {detail}',
  },
  FONT_NOT_SHIPPED: {
    category: 'internal',
    zh: '找不到随程序发布的字体文件 {file}，已查找：{tried}',
    en: 'The font file {file} shipped with the application was not found. Looked in: {tried}',
  },
  FONT_GLYPH_MISSING: {
    category: 'input',
    zh: '字体中没有字符“{char}”（{codePoint}），无法生成印模',
    en: 'The font has no glyph for "{char}" ({codePoint}); the impression cannot be drawn',
  },
  APPEARANCE_SPEC_INVALID: {
    category: 'input',
    zh: '印模参数无效：{field}（{detail}）',
    en: 'Invalid seal impression parameter: {field} ({detail})',
  },
  APPEARANCE_TEXT_TOO_LONG: {
    category: 'input',
    zh: '“{text}”过长，{count} 个字无法排入直径 {diameterMm} 毫米的印章',
    en: '"{text}" is too long: {count} characters do not fit a seal {diameterMm} mm across',
  },
  APPEARANCE_SLICE_INVALID: {
    category: 'usage',
    zh: '骑缝章分片无效：第 {sliceIndex} 片，共 {sliceCount} 片',
    en: 'Invalid seam-seal slice: slice {sliceIndex} of {sliceCount}',
  },
  APPEARANCE_IMAGE_INVALID: {
    category: 'input',
    zh: '印模图片无效：{reason}',
    en: 'The seal impression image is invalid: {reason}',
  },
  APPEARANCE_RENDER_FAILED: {
    category: 'internal',
    zh: '印模渲染失败：{detail}',
    en: 'Rendering the seal impression failed: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

import type { ErrorSpec } from './index';

/**
 * Errors of the PDF reader and the incremental writer (src/main/core/pdf). Hostile or broken
 * input always ends in one of these codes, never in a crash, a hang or an unbounded allocation.
 */
export const PDF_ERRORS = {
  PDF_NOT_PDF: {
    category: 'input',
    zh: '该文件不是 PDF 文档（找不到 %PDF 文件头）',
    en: 'The file is not a PDF document (no %PDF header)',
  },
  PDF_MALFORMED: {
    category: 'input',
    zh: 'PDF 文档结构损坏：{detail}',
    en: 'The PDF document is malformed: {detail}',
  },
  PDF_ENCRYPTED: {
    category: 'input',
    zh: 'PDF 文档已加密，无法处理',
    en: 'The PDF document is encrypted and cannot be processed',
  },
  PDF_LIMIT_EXCEEDED: {
    category: 'input',
    zh: 'PDF 文档超出安全上限（{limit}）：{detail}',
    en: 'The PDF document exceeds a safety limit ({limit}): {detail}',
  },
  PDF_UNSUPPORTED_FILTER: {
    category: 'input',
    zh: '不支持的 PDF 流编码：{filter}',
    en: 'Unsupported PDF stream filter: {filter}',
  },
  PDF_UPDATE_INVALID: {
    category: 'internal',
    zh: 'PDF 增量更新无法生成：{detail}',
    en: 'The PDF incremental update cannot be built: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

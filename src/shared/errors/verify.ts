import type { ErrorSpec } from './index';

/** Errors of the offline verifier's front doors (bad usage, unreadable trust files). What a PDF contains is never an error: it is a finding. */
export const VERIFY_ERRORS = {
  VERIFY_TIME_INVALID: {
    category: 'usage',
    zh: '无法识别的时间：{value}（请使用 ISO 8601，例如 2025-03-01T08:00:00Z）',
    en: 'Unrecognised time: {value} (use ISO 8601, e.g. 2025-03-01T08:00:00Z)',
  },
  VERIFY_TRUST_FILE_INVALID: {
    category: 'input',
    zh: '信任文件无法读取：{path}（{detail}）',
    en: 'The trust file cannot be read: {path} ({detail})',
  },
  VERIFY_NO_FILES: {
    category: 'usage',
    zh: '请指定要验证的 PDF 文件',
    en: 'Name at least one PDF file to verify',
  },
} as const satisfies Record<string, ErrorSpec>;

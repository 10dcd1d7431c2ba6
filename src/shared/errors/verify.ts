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
  VERIFY_REGISTER_NO_ROOT: {
    category: 'usage',
    zh: '无法核验登记簿快照 {path} 的签名：请用 --trust 指定集团根证书，或先用 register import 导入并信任集团根证书',
    en: 'The signature of register snapshot {path} cannot be checked: give the group root with --trust, or trust it first with register import',
  },
  VERIFY_REGISTER_REFUSED: {
    category: 'input',
    zh: '登记簿快照 {path} 不可用于验章：{detail}',
    en: 'Register snapshot {path} cannot be used for verification: {detail}',
  },
  VERIFY_REPORT_NOT_WRITTEN: {
    category: 'input',
    zh: '验证报告无法写入 {path}：{detail}',
    en: 'The verification report cannot be written to {path}: {detail}',
  },
  VERIFY_FILE_TOO_LARGE: {
    category: 'input',
    zh: '文件 {name} 过大（{size} 字节，上限 {limit} 字节），未验章',
    en: 'The file {name} is too large ({size} bytes, the limit is {limit} bytes); it was not verified',
  },
  VERIFY_TOO_MANY_FILES: {
    category: 'usage',
    zh: '一次最多选择 {limit} 个文件（选择了 {count} 个）',
    en: 'Choose at most {limit} files at a time ({count} chosen)',
  },
  VERIFY_NO_FILES: {
    category: 'usage',
    zh: '请指定要验证的 PDF 文件',
    en: 'Name at least one PDF file to verify',
  },
} as const satisfies Record<string, ErrorSpec>;

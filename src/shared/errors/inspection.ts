import type { ErrorSpec } from './index';

/**
 * Errors of the office's periodic inspection (S6): a workstation's signed export of its usage
 * register and audit log, and the office console's import and report. Findings about an
 * export's content are not errors: they are listed in the inspection result and the report.
 */
export const INSPECTION_ERRORS = {
  INSPECTION_SEAL_NOT_ON_KEY: {
    category: 'input',
    zh: 'USB Key {token} 上没有可用于签署导出文件的印章证书及密钥',
    en: 'USB key {token} holds no seal certificate with its key to sign the export',
  },
  INSPECTION_EXPORT_NOT_WRITTEN: {
    category: 'input',
    zh: '未能写入登记簿导出文件 {path}：{detail}',
    en: 'Could not write the register export {path}: {detail}',
  },
  INSPECTION_REPORT_NOT_WRITTEN: {
    category: 'input',
    zh: '未能写入检查报告 {path}：{detail}',
    en: 'Could not write the inspection report {path}: {detail}',
  },
  INSPECTION_NO_GROUP_ROOT: {
    category: 'refused',
    zh: '本机登记簿没有集团根证书，无法检查导出文件（请在总裁办计算机上运行）',
    en: 'This register holds no group root, so exports cannot be checked (run this on the office computer)',
  },
  INSPECTION_NOTHING_INSPECTED: {
    category: 'usage',
    zh: '本次尚未检查任何导出文件，没有可保存的检查报告',
    en: 'No export has been inspected in this session, so there is no report to save',
  },
} as const satisfies Record<string, ErrorSpec>;

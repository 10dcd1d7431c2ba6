import type { ErrorSpec } from './index';

/** Errors of the local register (better-sqlite3). */
export const REGISTER_ERRORS = {
  REGISTER_NOT_OPENABLE: {
    category: 'input',
    zh: '登记簿数据库无法打开：{path}',
    en: 'The register database cannot be opened: {path}',
  },
  REGISTER_FOREIGN: {
    category: 'input',
    zh: '{path} 不是印鉴登记簿数据库，已拒绝打开（文件未被修改）',
    en: '{path} is not a Yinjian register database; it was refused and left untouched',
  },
  REGISTER_TOO_NEW: {
    category: 'input',
    zh: '登记簿版本 {found} 高于本程序支持的 {supported}，请升级印鉴',
    en: 'The register is at version {found}, newer than the {supported} this program supports; upgrade Yinjian',
  },
} as const satisfies Record<string, ErrorSpec>;

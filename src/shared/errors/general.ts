import type { ErrorSpec } from './index';

export const GENERAL_ERRORS = {
  INTERNAL: {
    category: 'internal',
    zh: '内部错误：{detail}',
    en: 'Internal error: {detail}',
  },
  USAGE: {
    category: 'usage',
    zh: '用法错误：{detail}',
    en: 'Usage error: {detail}',
  },
  FILE_NOT_READABLE: {
    category: 'input',
    zh: '无法读取文件：{path}',
    en: 'Cannot read file: {path}',
  },
  FILE_CHANGED_WHILE_READ: {
    category: 'input',
    zh: '文件在读取过程中被改动（验证或盖章）：{path}。请等文件不再变化后重试',
    en: 'The file changed while it was being read (verified or sealed): {path}. Try again once it no longer changes',
  },
  FILE_NOT_WRITABLE: {
    category: 'input',
    zh: '无法写入文件：{path}',
    en: 'Cannot write file: {path}',
  },
  SETTINGS_INVALID: {
    category: 'input',
    zh: '设置文件无法解析：{path}',
    en: 'The settings file cannot be parsed: {path}',
  },
  WORKSTATION_ID_UNAVAILABLE: {
    category: 'device',
    zh: '无法读取本机标识（{detail}），不能确定专用计算机',
    en: 'Cannot read this computer\'s identity ({detail}), so the dedicated workstation cannot be determined',
  },
  PIN_INPUT_MISSING: {
    category: 'usage',
    zh: '未提供 PIN：请在终端中输入，或使用 --pin-stdin 从标准输入逐行提供',
    en: 'No PIN given: type it at the prompt, or pass --pin-stdin and give it on standard input, one per line',
  },
} as const satisfies Record<string, ErrorSpec>;

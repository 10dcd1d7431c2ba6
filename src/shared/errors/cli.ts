import type { ErrorSpec } from './index';

/** The command line's own usage errors (issue #15): each names the option or word and what would work. Exit code 2. */
export const CLI_ERRORS = {
  CLI_COMMAND_UNKNOWN: {
    category: 'usage',
    zh: '没有命令“{command}”；yinjian --help 列出全部命令',
    en: 'There is no command "{command}"; yinjian --help lists them all',
  },
  CLI_COMMAND_MISSPELLED: {
    category: 'usage',
    zh: '没有命令“{command}”，是否要用“{suggestion}”？',
    en: 'There is no command "{command}"; did you mean "{suggestion}"?',
  },
  CLI_OPTION_UNKNOWN: {
    category: 'usage',
    zh: 'yinjian {command} 没有选项 {option}；yinjian {command} --help 列出它的选项',
    en: 'yinjian {command} has no option {option}; yinjian {command} --help lists its options',
  },
  CLI_OPTION_MISSPELLED: {
    category: 'usage',
    zh: 'yinjian {command} 没有选项 {option}，是否要用 {suggestion}？',
    en: 'yinjian {command} has no option {option}; did you mean {suggestion}?',
  },
  CLI_OPTION_VALUE_MISSING: {
    category: 'usage',
    zh: '选项 {option} 需要一个值（{valueName}）',
    en: 'Option {option} needs a value ({valueName})',
  },
  CLI_OPTION_VALUE_LOOKS_LIKE_OPTION: {
    category: 'usage',
    zh: '选项 {option} 需要一个值，但其后的“{value}”像是另一个选项；若值确以 - 开头，请写成 {option}={value}',
    en: 'Option {option} needs a value, but the next argument "{value}" looks like an option; if the value really starts with -, write {option}={value}',
  },
  CLI_OPTION_TAKES_NO_VALUE: {
    category: 'usage',
    zh: '选项 {option} 不带值（收到“{value}”）',
    en: 'Option {option} takes no value (got "{value}")',
  },
  CLI_OPTION_REPEATED: {
    category: 'usage',
    zh: '选项 {option} 只能给一次',
    en: 'Option {option} can be given only once',
  },
  CLI_ARGUMENT_UNEXPECTED: {
    category: 'usage',
    zh: 'yinjian {command} 不接受参数“{value}”',
    en: 'yinjian {command} takes no argument "{value}"',
  },
  CLI_TIME_INVALID: {
    category: 'usage',
    zh: '{option} 的时间“{value}”无法识别：请写 YYYY-MM-DD 或 YYYY-MM-DD HH:MM（{zone} 时间），或带时区的 ISO 8601 时间',
    en: 'The time "{value}" of {option} is not understood: write YYYY-MM-DD or YYYY-MM-DD HH:MM ({zone} time), or an ISO 8601 time with an offset',
  },
  CLI_TIME_ZONE_INVALID: {
    category: 'usage',
    zh: '时区“{zone}”无效（来自 {source}）：请用 IANA 时区名，如 Asia/Shanghai',
    en: 'The time zone "{zone}" (from {source}) is not valid: use an IANA zone name such as Asia/Shanghai',
  },
} as const satisfies Record<string, ErrorSpec>;

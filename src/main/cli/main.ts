import type { OptionSpecs } from './args';
import type { Command, CommandEntry } from './command';
import { COMMANDS, findCommand } from './command-table';
import { EXIT_OK, EXIT_USAGE } from './output';

/*
 * `yinjian`, `yinjian --help` and `yinjian <family>` are answered here from the command table
 * alone; everything else (argument parsing, errors and their messages, the command's own
 * module) is in run-command.ts, loaded only for a command (issue #15). Keep it so: the test
 * test/integration/cli/loaded-code.test.ts fails when --help loads more than this file, the
 * command table and output.ts.
 */

export const GLOBAL_OPTIONS: OptionSpecs = {
  module: { type: 'string', valueName: 'PATH', description: 'PKCS#11 模块路径 / path of the PKCS#11 module (else $YINJIAN_PKCS11_MODULE, the saved setting, then the vendor catalog)' },
  json: { type: 'boolean', description: '以 JSON 输出 / print JSON' },
  'data-dir': { type: 'string', valueName: 'DIR', description: '登记簿所在目录 / folder of the register (else $YINJIAN_DATA_DIR, else the OS user-data folder)' },
  'pin-stdin': { type: 'boolean', description: '从标准输入逐行读取 PIN（每个 PIN 一行）/ read PINs from standard input, one line each' },
  help: { type: 'boolean', short: 'h', description: '显示帮助 / show help' },
};

function optionLines(specs: OptionSpecs): string[] {
  return Object.entries(specs)
    .filter(([, spec]) => !spec.deprecatedFor)
    .map(([name, spec]) => {
      const head = `  ${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
      return `${head.padEnd(26)} ${spec.description}`;
    });
}

const FOOTER = [
  '时间 Times: 日期选项接受 YYYY-MM-DD 或 "YYYY-MM-DD HH:MM"，按本地时区（默认北京时间 Asia/Shanghai，可用 $YINJIAN_TZ 或 settings.json 的 timeZone 修改）；输出的时间均为本地时间并注明时差。',
  '  Date options take YYYY-MM-DD or "YYYY-MM-DD HH:MM" in local time (Beijing time, Asia/Shanghai, unless $YINJIAN_TZ or settings.json "timeZone" says otherwise); printed times are local with their UTC offset; --json prints ISO 8601 UTC.',
  '退出码 Exit codes: 0 成功 success; 1 被拒绝或无效 refused or not valid; 2 用法错误或输入无法读取 bad usage or unreadable input; 3 USB Key 或设备故障 token or device failure.',
];

export function mainHelp(): string {
  return [
    '印鉴 Yinjian — 电子印章客户端 / electronic seal client',
    '',
    '用法 Usage: yinjian <command> [options]',
    '',
    '命令 Commands:',
    ...COMMANDS.map((c) => `  ${c.name.join(' ').padEnd(24)} ${c.summary.zh} / ${c.summary.en}`),
    '',
    '全局选项 Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...FOOTER,
    '`yinjian <command> --help` 显示命令的帮助和示例 / shows a command\'s help and examples.',
  ].join('\n');
}

export function commandHelp(entry: CommandEntry, command: Command): string {
  return [
    `yinjian ${entry.name.join(' ')}${command.usage ? ` ${command.usage}` : ''} [options]`,
    '',
    `${entry.summary.zh}`,
    `${entry.summary.en}`,
    ...(command.details ? ['', command.details] : []),
    '',
    '选项 Options:',
    ...optionLines(command.options),
    ...optionLines(GLOBAL_OPTIONS),
    ...(command.examples?.length ? ['', '示例 Examples:', ...command.examples.flatMap((e) => [`  # ${e.zh} / ${e.en}`, `  ${e.line}`])] : []),
  ].join('\n');
}

/**
 * The command's words: the leading arguments that are not options (global options and their
 * values may come first, as in `yinjian --data-dir D office list`).
 */
function leadingWords(argv: readonly string[]): { word: string; index: number }[] {
  const words: { word: string; index: number }[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (words.length > 0) break;
      const spec = GLOBAL_OPTIONS[arg.replace(/^--?/, '')];
      if (spec?.type === 'string' && !arg.includes('=')) i++;
      continue;
    }
    words.push({ word: arg, index: i });
  }
  return words;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs one command line: loads only the module of the command it names. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const words = leadingWords(argv);
  const entry = findCommand(words.map((w) => w.word));
  if (!entry) {
    const group = COMMANDS.filter((c) => c.name.length > 1 && c.name[0] === words[0]?.word);
    if (words.length === 1 && group.length > 0) {
      // `yinjian token`: the commands of that family, as git lists a command's subcommands.
      io.stdout([`用法 Usage: yinjian ${words[0]?.word} <command> [options]`, '', ...group.map((c) => `  ${c.name.join(' ').padEnd(24)} ${c.summary.zh} / ${c.summary.en}`)].join('\n'));
      return argv.includes('--help') || argv.includes('-h') ? EXIT_OK : EXIT_USAGE;
    }
    if (words.length === 0 || words[0]?.word === 'help') {
      io.stdout(mainHelp());
      return words.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? EXIT_USAGE : EXIT_OK;
    }
    const { reportUnknownCommand } = await import('./run-command');
    io.stderr(reportUnknownCommand(words.map((w) => w.word), json));
    return EXIT_USAGE;
  }
  const { runCommand } = await import('./run-command');
  return runCommand(entry, words, argv, io);
}

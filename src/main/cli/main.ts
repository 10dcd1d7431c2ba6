import { YinjianError } from '../../shared/errors/index';
import { parseArgs, type OptionSpecs } from './args';
import type { Command } from './command';
import { commandsFor } from './command-table';
import { CliContext } from './context';
import { EXIT_OK, EXIT_USAGE, exitCodeOf, renderError } from './output';


const GLOBAL_OPTIONS: OptionSpecs = {
  module: { type: 'string', valueName: 'PATH', description: 'PKCS#11 模块路径 / path of the PKCS#11 module (else $YINJIAN_PKCS11_MODULE, the saved setting, then the vendor catalog)' },
  json: { type: 'boolean', description: '以 JSON 输出 / print JSON' },
  'data-dir': { type: 'string', valueName: 'DIR', description: '登记簿所在目录 / folder of the register (else $YINJIAN_DATA_DIR, else the OS user-data folder)' },
  'pin-stdin': { type: 'boolean', description: '从标准输入逐行读取 PIN / read PINs from standard input, one per line' },
  help: { type: 'boolean', description: '显示帮助 / show help' },
};

function optionLines(specs: OptionSpecs): string[] {
  return Object.entries(specs).map(([name, spec]) => {
    const head = `  --${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return `${head.padEnd(26)} ${spec.description}`;
  });
}

function mainHelp(commands: readonly Command[]): string {
  return [
    '印鉴 Yinjian — 电子印章客户端 / electronic seal client',
    '',
    '用法 Usage: yinjian <command> [options]',
    '',
    '命令 Commands:',
    ...commands.map((c) => `  ${c.name.join(' ').padEnd(24)} ${c.summary.zh} / ${c.summary.en}`),
    '',
    '全局选项 Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    '退出码 Exit codes: 0 成功 success; 1 被拒绝或无效 refused or not valid; 2 用法错误或输入无法读取 bad usage or unreadable input; 3 USB Key 或设备故障 token or device failure.',
    '`yinjian <command> --help` 显示命令的帮助 / shows a command\'s help.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `yinjian ${command.name.join(' ')}${command.usage ? ` ${command.usage}` : ''} [options]`,
    '',
    `${command.summary.zh}`,
    `${command.summary.en}`,
    ...(command.details ? ['', command.details] : []),
    '',
    '选项 Options:',
    ...optionLines(command.options),
    ...optionLines(GLOBAL_OPTIONS),
  ].join('\n');
}

function findCommand(commands: readonly Command[], words: readonly string[]): Command | undefined {
  return commands.filter((c) => c.name.every((w, i) => words[i] === w)).sort((a, b) => b.name.length - a.name.length)[0];
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Runs one command line. `commands` defaults to the commands the first word can name, loaded on
 * demand (command-table.ts); the top-level help and unknown words load them all.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands?: readonly Command[]): Promise<number> {
  const table = commands ?? (await commandsFor(argv));
  const json = argv.includes('--json');
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = findCommand(table, words);
  if (!command) {
    if (argv.length === 0 || argv.includes('--help') || argv[0] === 'help') {
      io.stdout(mainHelp(table));
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    const error = new YinjianError('USAGE', { detail: `unknown command: ${words.join(' ') || argv.join(' ')}` });
    io.stderr(renderError(error.toPayload(), json));
    if (!json) io.stderr(`\n${mainHelp(table)}`);
    return EXIT_USAGE;
  }
  let context: CliContext | undefined;
  try {
    const rest = [...argv];
    for (const word of command.name) rest.splice(rest.indexOf(word), 1);
    const args = parseArgs(rest, { ...GLOBAL_OPTIONS, ...command.options });
    if (args.options.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    if (!command.usage && args.positionals.length > 0) {
      throw new YinjianError('USAGE', { detail: `unexpected argument: ${args.positionals.join(' ')}` });
    }
    context = new CliContext({
      module: args.options.module as string | undefined,
      json,
      dataDir: args.options['data-dir'] as string | undefined,
      pinStdin: args.options['pin-stdin'] === true,
    });
    const output = await command.run(context, args);
    io.stdout(json ? JSON.stringify({ ok: output.exitCode === undefined || output.exitCode === 0, ...output.json }, null, 2) : output.text);
    return output.exitCode ?? EXIT_OK;
  } catch (caught) {
    const error =
      caught instanceof YinjianError
        ? caught
        : new YinjianError('INTERNAL', { detail: caught instanceof Error ? caught.message : String(caught) }, { cause: caught });
    io.stderr(renderError(error.toPayload(), json));
    return exitCodeOf(error.category);
  } finally {
    context?.close();
  }
}

import { YinjianError } from '../../shared/errors/index';
import { nearest, parseArgs } from './args';
import type { CommandEntry } from './command';
import { COMMANDS } from './command-table';
import type { CliContext } from './context';
import { GLOBAL_OPTIONS, commandHelp, type CliIo } from './main';
import { EXIT_OK, exitCodeOf, renderError } from './output';

/*
 * A command line that names a command, or names none that exists: loaded by main.ts only then,
 * so `yinjian --help` compiles neither the argument parser nor the error catalogue (issue #15).
 */

function unknownCommand(words: readonly string[]): YinjianError {
  const first = words[0] ?? '';
  const group = COMMANDS.filter((c) => c.name.length > 1 && c.name[0] === first);
  // "token lst" → "token list"; "verfy" → "verify"; "tokn list" → "token".
  const [given, candidates] =
    group.length > 0 && words.length > 1
      ? [words.slice(0, 2).join(' '), group.map((c) => c.name.join(' '))]
      : [first, [...new Set(COMMANDS.map((c) => c.name[0] as string))]];
  const suggestion = nearest(given, candidates);
  return suggestion ? new YinjianError('CLI_COMMAND_MISSPELLED', { command: given, suggestion }) : new YinjianError('CLI_COMMAND_UNKNOWN', { command: given });
}

/** The error text for a command line whose words name no command (with the nearest one, when close). */
export function reportUnknownCommand(words: readonly string[], json: boolean): string {
  return renderError(unknownCommand(words).toPayload(), json);
}

/** Runs the command `entry` names: loads its module, parses its options, prints its output. */
export async function runCommand(entry: CommandEntry, words: readonly { word: string; index: number }[], argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  let context: CliContext | undefined;
  try {
    const command = await entry.load();
    const named = new Set(words.slice(0, entry.name.length).map((w) => w.index));
    const rest = argv.filter((_, i) => !named.has(i));
    const args = parseArgs(rest, { ...GLOBAL_OPTIONS, ...command.options }, entry.name.join(' '));
    if (args.options.help) {
      io.stdout(commandHelp(entry, command));
      return EXIT_OK;
    }
    for (const note of args.notes ?? []) io.stderr(note);
    if (!command.usage && args.positionals.length > 0) {
      throw new YinjianError('CLI_ARGUMENT_UNEXPECTED', { command: entry.name.join(' '), value: args.positionals.join(' ') });
    }
    // Loaded here, not at start-up; the composition root it builds on (USB-key and SQLite
    // modules) only for commands that are not `light`.
    const { CliContext } = await import('./context');
    context = new CliContext({
      module: args.options.module as string | undefined,
      json,
      dataDir: args.options['data-dir'] as string | undefined,
      pinStdin: args.options['pin-stdin'] === true,
    });
    if (!command.light) await context.loadApp();
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

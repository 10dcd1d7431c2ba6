import type { CliContext } from './context';
import type { OptionSpecs, ParsedArgs } from './args';
import type { CommandOutput } from './output';

export interface Command {
  /** Words that name the command, e.g. ['token', 'list']. */
  readonly name: readonly string[];
  readonly summary: { readonly zh: string; readonly en: string };
  /** Positional arguments, for the usage line. */
  readonly usage?: string;
  readonly options: OptionSpecs;
  /** Longer help: examples and what the command reads from standard input. */
  readonly details?: string;
  run(context: CliContext, args: ParsedArgs): Promise<CommandOutput>;
}

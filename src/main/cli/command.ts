import type { CliContext } from './context';
import type { OptionSpecs, ParsedArgs } from './args';
import type { CommandOutput } from './output';

/** A worked example in a command's help; test/integration/cli/help-examples.test.ts parses every one and runs those it can. */
export interface CommandExample {
  /** The whole command line, starting with `yinjian`. */
  readonly line: string;
  readonly zh: string;
  readonly en: string;
}

/**
 * What a command module exports: how it is called and what it does. Its words and one-line
 * summary live in command-table.ts, so `yinjian --help` lists every command without loading any.
 */
export interface Command {
  /** Positional arguments, for the usage line. */
  readonly usage?: string;
  readonly options: OptionSpecs;
  /** Longer help: what the command reads from standard input, rules it enforces. */
  readonly details?: string;
  readonly examples?: readonly CommandExample[];
  /**
   * True when the command needs neither the register nor a USB key up front: main.ts then
   * runs it without loading the composition root (SQLite, PKCS#11), and the command calls
   * context.loadApp() itself if it turns out to need them (issue #15).
   */
  readonly light?: boolean;
  run(context: CliContext, args: ParsedArgs): Promise<CommandOutput>;
}

/** A command's entry in the table: its words, its summary and how to load it. */
export interface CommandEntry {
  /** Words that name the command, e.g. ['token', 'list']. */
  readonly name: readonly string[];
  readonly summary: { readonly zh: string; readonly en: string };
  load(): Promise<Command>;
}

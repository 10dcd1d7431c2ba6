import { YinjianError } from '../../shared/errors/index';

/**
 * A small argument parser: `--name value`, `--name=value`, boolean `--flag`, repeatable
 * options, and positionals. Unknown options are usage errors, so a typo never silently
 * changes what a command does.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
  readonly valueName?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Short options people expect from other tools, as aliases of long ones. */
const SHORT_ALIASES: Readonly<Record<string, string>> = { '-o': '--out', '-h': '--help' };

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const given = argv[i] as string;
    const alias = SHORT_ALIASES[given];
    const arg = alias && specs[alias.slice(2)] ? alias : given;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new YinjianError('USAGE', { detail: `unknown option --${name}` });
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new YinjianError('USAGE', { detail: `--${name} takes no value` });
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new YinjianError('USAGE', { detail: `--${name} needs a value` });
    if (spec.multiple) {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(value);
      options[name] = list;
    } else {
      options[name] = value;
    }
  }
  return { options, positionals };
}

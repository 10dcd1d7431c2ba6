import util from 'node:util';
import { YinjianError } from '../../shared/errors/index';

// From the module object: parseArgs is one of node:util's lazy getters, which the build's
// builtins stand-in does not re-export by name (esbuild.config.mjs, builtinsWithoutFacade).
const parseNodeArgs: typeof util.parseArgs = (config) => util.parseArgs(config);

/**
 * Arguments are parsed by node:util's parseArgs (strict), after a first pass over its tokens
 * that turns every mistake into an error a person can act on (issue #15):
 *  - a string option followed by something that looks like an option is refused
 *    (`--data-dir --json` never makes a folder named "--json"; `--data-dir=--json` still can);
 *  - an unknown option is an error, with the nearest real option when one is close;
 *  - an old spelling kept for compatibility (e.g. `--trust-root`) still works and prints a note.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
  readonly valueName?: string;
  /** One-letter form, e.g. 'o' for --out. */
  readonly short?: string;
  /** An old spelling: its value is stored under this option's name instead, with a deprecation note. Hidden from help. */
  readonly deprecatedFor?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  readonly options: Readonly<Record<string, OptionValue>>;
  readonly positionals: readonly string[];
  /** Notes for standard error (deprecated spellings used). */
  readonly notes?: readonly string[];
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `given`, when close enough to be a slip (or `given` is a prefix of exactly one). */
export function nearest(given: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => c.startsWith(given));
  if (given.length >= 2 && prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(given, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

/**
 * Parses `argv` (the command's words already removed) against `specs`. `command` names the
 * command in messages ("yinjian stamp has no option --outt; did you mean --out?").
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs, command = ''): ParsedArgs {
  const visible = Object.keys(specs).filter((name) => !specs[name]?.deprecatedFor);
  const nodeOptions = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple === true || spec.type === 'string', ...(spec.short ? { short: spec.short } : {}) }]),
  );
  const { tokens } = parseNodeArgs({ args: [...argv], options: nodeOptions, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const name = token.name;
    const spec = specs[name];
    if (!spec) {
      const suggestion = token.rawName.startsWith('--') ? nearest(token.name, visible) : undefined;
      throw suggestion
        ? new YinjianError('CLI_OPTION_MISSPELLED', { command, option: token.rawName, suggestion: `--${suggestion}` })
        : new YinjianError('CLI_OPTION_UNKNOWN', { command, option: token.rawName });
    }
    const display = `--${name}`;
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new YinjianError('CLI_OPTION_TAKES_NO_VALUE', { option: display, value: token.value ?? '' });
      continue;
    }
    if (token.value === undefined) throw new YinjianError('CLI_OPTION_VALUE_MISSING', { option: display, valueName: spec.valueName ?? 'VALUE' });
    // A value given apart that starts with a dash is another option, not this one's value ("-" alone is standard input).
    if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-') {
      throw new YinjianError('CLI_OPTION_VALUE_LOOKS_LIKE_OPTION', { option: display, value: token.value });
    }
  }
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options: nodeOptions, strict: true, allowPositionals: true });
  } catch (cause) {
    // Everything parseArgs refuses was caught above with a better message; this is a safety net.
    throw new YinjianError('USAGE', { detail: cause instanceof Error ? cause.message : String(cause) }, { cause });
  }
  const options: Record<string, OptionValue> = {};
  const notes: string[] = [];
  for (const [given, value] of Object.entries(parsed.values)) {
    const spec = specs[given];
    if (!spec || value === undefined) continue;
    const name = spec.deprecatedFor ?? given;
    if (spec.deprecatedFor) {
      notes.push(`注意：--${given} 已改名为 --${name}，旧写法仍可用 / note: --${given} is now --${name}; the old spelling still works`);
    }
    if (spec.type === 'boolean') {
      options[name] = true;
      continue;
    }
    const values = [...((options[name] as string[] | undefined) ?? []), ...(value as string[])];
    const target = specs[name] ?? spec;
    if (!target.multiple && values.length > 1) throw new YinjianError('CLI_OPTION_REPEATED', { option: `--${name}` });
    options[name] = target.multiple ? values : values[0];
  }
  return { options, positionals: parsed.positionals, ...(notes.length ? { notes } : {}) };
}

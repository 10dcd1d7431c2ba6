import type { Command } from './command';

type Loader = () => Promise<readonly Command[]>;

const inspection: Loader = async () => (await import('./commands/inspection')).INSPECTION_COMMANDS;

/**
 * The command modules by their first word, loaded on demand. Some pull in pdf.js and the CJK
 * font library, which cost seconds of start-up that `yinjian token list` or `yinjian verify`
 * should not pay. The table's order is the order `yinjian --help` lists them in.
 */
const BY_FIRST_WORD: Readonly<Record<string, readonly Loader[]>> = {
  sample: [async () => [(await import('./commands/sample')).sample]],
  token: [
    async () => {
      const m = await import('./commands/token');
      return [m.tokenList, m.tokenInfo, m.tokenChangePin, m.tokenResetPin, m.tokenModules];
    },
  ],
  workstation: [async () => [(await import('./commands/workstation')).workstationId]],
  verify: [async () => [(await import('./commands/verify')).verify]],
  office: [async () => (await import('./commands/office')).OFFICE_COMMANDS, inspection, async () => [(await import('./commands/timestamp-policy')).officeTimestampPolicy]],
  register: [async () => (await import('./commands/register')).REGISTER_COMMANDS, inspection],
  audit: [async () => (await import('./commands/audit')).AUDIT_COMMANDS],
  stamp: [async () => [(await import('./commands/stamp')).stamp]],
};

async function load(loaders: readonly Loader[]): Promise<readonly Command[]> {
  const seen = new Set<string>();
  const commands: Command[] = [];
  for (const loader of loaders) {
    for (const command of await loader()) {
      const key = command.name.join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        commands.push(command);
      }
    }
  }
  return commands;
}

/** Every command, in help order. */
export function allCommands(): Promise<readonly Command[]> {
  return load(Object.values(BY_FIRST_WORD).flat());
}

/** The commands the arguments can name: those of their first word, or all when it names none. */
export function commandsFor(argv: readonly string[]): Promise<readonly Command[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const loaders = first === undefined ? undefined : BY_FIRST_WORD[first];
  return loaders ? load(loaders) : allCommands();
}

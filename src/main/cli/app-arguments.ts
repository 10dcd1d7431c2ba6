/**
 * Issue #15: the installed app has a command line. The app binary started as
 * `<app> cli <command> …` runs the command line and no window (RunAsNode stays off); an
 * AppImage started through a link named `yinjian` does the same without the `cli` word. This
 * decides, from the process's own arguments, whether that is the case and which arguments are
 * the command line's. Pure: no electron, so plain node can start the same entry.
 */
export interface ProcessFacts {
  readonly argv: readonly string[];
  /** process.versions.electron is set. */
  readonly electron: boolean;
  /** process.defaultApp: Electron started with an app path (`electron .`), not a packaged app. */
  readonly defaultApp: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export function cliArgumentsOf(facts: ProcessFacts): readonly string[] | undefined {
  // Packaged Electron: [app, ...args]; `electron .` and plain node: [runtime, script, ...args].
  const args = facts.argv.slice(facts.electron && !facts.defaultApp ? 1 : 2);
  if (args[0] === 'cli') return args.slice(1);
  // AppImage sets $APPIMAGE and $ARGV0 (the name it was started by): a link named yinjian is the CLI.
  const argv0 = facts.env.ARGV0?.split(/[\\/]/).pop();
  if (facts.env.APPIMAGE && argv0 === 'yinjian') return args;
  return undefined;
}

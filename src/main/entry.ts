/**
 * The app binary's entry (package.json "main", built to out/main/index.js). `<app> cli …`
 * (the `yinjian` launchers of the installers) runs the command line: the compiled CLI in
 * out/cli, with no window and without loading Electron's modules, so plain node can run it
 * too; anything else starts the desktop app (./index.ts). Issue #15.
 */
import { cliArgumentsOf } from './cli/app-arguments';

const cliArguments = cliArgumentsOf({
  argv: process.argv,
  electron: process.versions.electron !== undefined,
  defaultApp: (process as { defaultApp?: boolean }).defaultApp === true,
  env: process.env,
});

if (cliArguments) {
  // One CLI build everywhere (esbuild.config.mjs): the chunks npx runs, the tests run and the app ships.
  const cli = (await import(new URL('../cli/process.mjs', import.meta.url).href)) as { runCliProcess(argv: readonly string[]): Promise<number> };
  process.exit(await cli.runCliProcess(cliArguments));
} else {
  await import('./index');
}

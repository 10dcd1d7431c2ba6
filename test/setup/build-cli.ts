/**
 * Vitest global setup: the CLI tests run the compiled command line as a user does
 * (bin/yinjian.js → out/cli), so it is rebuilt once per test run when a source file changed
 * since the last build (esbuild, about a second), and never through tsx.
 */
// @ts-expect-error plain JavaScript build script without type declarations
import { buildCli, cliBuildIsStale } from '../../scripts/build-cli.mjs';

export default async function setup(): Promise<void> {
  if ((cliBuildIsStale as () => boolean)()) await (buildCli as () => Promise<string>)();
}

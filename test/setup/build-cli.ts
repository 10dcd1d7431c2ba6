/**
 * Vitest global setup: the CLI tests run the compiled command line as a user does
 * (package.json "bin": out/cli/yinjian.mjs), so it is rebuilt once per test run when a source
 * file changed since the last build (esbuild.config.mjs, about a second), and never through tsx.
 */
// @ts-expect-error plain JavaScript build config without type declarations
import { buildCli, cliBuildIsStale } from '../../esbuild.config.mjs';

export default async function setup(): Promise<void> {
  if ((cliBuildIsStale as () => boolean)()) await (buildCli as () => Promise<string>)();
}

#!/usr/bin/env node
// The `yinjian` command (npx yinjian, npm link): runs the compiled command line in out/cli,
// which `npm ci` builds (the prepare script) and `npm run build` rebuilds. Never TypeScript at
// start-up: `npm run yinjian:dev -- …` is the tsx path for development.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const entry = new URL('../out/cli/yinjian.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    '错误 CLI_NOT_BUILT：命令行尚未编译，请运行 npm run build:cli（npm ci 会自动编译，除非使用了 --ignore-scripts）。\n' +
      'Error CLI_NOT_BUILT: the command line is not compiled yet: run `npm run build:cli` (npm ci does it unless run with --ignore-scripts).\n',
  );
  process.exit(2);
}
const { runCliProcess } = await import(entry.href);
process.exitCode = await runCliProcess(process.argv.slice(2));

#!/usr/bin/env node
// The `yinjian` command. Built by esbuild.config.mjs into out/cli/yinjian.mjs (package.json
// "bin": what `npx yinjian` and `npm link` run, compiled, never TypeScript at start-up); the
// same file is the development entry through tsx (`npm run yinjian:dev -- …`). Issue #15.
import { runCliProcess } from './process';

process.exitCode = await runCliProcess(process.argv.slice(2));

#!/usr/bin/env node
// The `yinjian` command. Built by esbuild.config.mjs into out/cli/yinjian.mjs (package.json
// "bin": what `npx yinjian` and `npm link` run, compiled, never TypeScript at start-up); the
// same file is the development entry through tsx (`npm run yinjian:dev -- …`). Issue #15.
import { runCliProcess } from './process';

// Ends with process.exit, as the app binary's `cli` entry does (src/main/entry.ts): when
// runCliProcess returns, everything printed has been handed to the streams and whatever a
// command left running has been closed (cli/process.ts). Leaving the process to wind down by
// itself instead cost 15–30 ms of CPU per command on this project's machines (perf stat,
// `yinjian verify` of 1 page and of 30 MB), for nothing left to do.
process.exit(await runCliProcess(process.argv.slice(2)));

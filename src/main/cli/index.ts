#!/usr/bin/env -S node --v8-pool-size=1
// The `yinjian` command. Built by esbuild.config.mjs into out/cli/yinjian.mjs (package.json
// "bin": what `npx yinjian` and `npm link` run, compiled, never TypeScript at start-up); the
// same file is the development entry through tsx (`npm run yinjian:dev -- …`). Issue #15.
import { runCliProcess } from './process';

// --v8-pool-size=1 (the shebang; npm's Windows shims read `env -S` and its options too): one
// V8 background thread instead of four. A command is a short process on a two-core office PC;
// stamping already runs the initial-PIN check's scrypt on the thread pool and the input's hash
// on a worker thread beside the main thread, and four V8 threads compiling the gate's hot code
// and scavenging in parallel kept the main thread waiting for a core for about a third of the
// time it read a 300-page document (issue 13's budget; run-queue time in
// /proc/thread-self/schedstat). With one: that stamp 561 ms instead of 599 (median of 15), the
// gate's share of it +12.5 % instead of +21 %; 30 MB stamp and verify, and OCR, no slower
// (npm run bench -- gate, cli). The installed app's `cli` entry runs in Electron, whose V8
// platform sizes its own pool.

process.exit(await runCliProcess(process.argv.slice(2)));

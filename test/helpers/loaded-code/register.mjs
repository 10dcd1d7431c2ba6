// `node --import ./register.mjs out/cli/yinjian.mjs …` with YINJIAN_LOADED_LOG=FILE: appends to
// FILE every module the process loads, one per line: ES modules as the loader's `load` hook
// sees them ("esm <url>", hooks.mjs, on the hooks thread), and at exit every CommonJS file in
// require's cache ("cjs <path>": native bindings and chunks/fontkit.cjs are required, not
// imported). test/integration/cli/loaded-code.test.ts reads it (issue #15).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import process from 'node:process';

const log = process.env.YINJIAN_LOADED_LOG;
if (log) {
  register('./hooks.mjs', import.meta.url, { data: { log } });
  const required = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const files = Object.keys(required);
    if (files.length > 0) appendFileSync(log, files.map((file) => `cjs ${file}\n`).join(''));
  });
}

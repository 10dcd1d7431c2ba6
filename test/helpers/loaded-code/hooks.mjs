// Module hooks for register.mjs: logs each ES module as it is loaded.
import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data.log;
}

export async function load(url, context, nextLoad) {
  appendFileSync(log, `esm ${url}\n`);
  return nextLoad(url, context);
}

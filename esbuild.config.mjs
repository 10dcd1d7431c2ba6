// The command line's build (issue #15), the one entry next to electron-vite's main bundle:
// out/cli/yinjian.mjs is the `yinjian` command itself (package.json "bin", with its shebang;
// what `npx yinjian` runs), out/cli/process.mjs what the app binary's `cli` entry
// (src/main/entry.ts → out/main/index.js) imports, and the chunks they load on demand (one per
// command family, so `yinjian --help` compiles a few kilobytes, not pdf.js).
//
//   node esbuild.config.mjs            build (npm ci runs it as `prepare`; `npm run build` too)
//   node esbuild.config.mjs --if-stale build only when a source file changed since the last build
//
// Works offline: esbuild is a local dev dependency. The output folder is replaced in one rename,
// so a `yinjian` started during a rebuild never sees half of it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
export const CLI_OUT_DIR = join(ROOT, 'out', 'cli');
export const CLI_ENTRY_FILE = join(CLI_OUT_DIR, 'yinjian.mjs');
const INPUTS_FILE = '.inputs.json';
const SELF = fileURLToPath(import.meta.url);

/** True when out/cli is missing or older than one of the files it was built from (or than this script). */
export function cliBuildIsStale() {
  let record;
  try {
    record = JSON.parse(readFileSync(join(CLI_OUT_DIR, INPUTS_FILE), 'utf8'));
  } catch {
    return true;
  }
  if (!existsSync(CLI_ENTRY_FILE)) return true;
  for (const input of [SELF, ...record.inputs.map((p) => join(ROOT, p))]) {
    let mtime;
    try {
      mtime = statSync(input).mtimeMs;
    } catch {
      return true; // a source file was removed or renamed
    }
    if (mtime > record.builtAt) return true;
  }
  return false;
}

export async function buildCli() {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const staging = `${CLI_OUT_DIR}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { yinjian: 'src/main/cli/index.ts', process: 'src/main/cli/process.ts' },
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // As published, from node_modules (the packaged app ships them too): pdf.js, pdf-lib,
    // fontkit, resvg, SQLite, pkcs11js load only when a command's chunk imports them.
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
  writeFileSync(join(staging, INPUTS_FILE), JSON.stringify({ builtAt: startedAt, inputs }));
  chmodSync(join(staging, 'yinjian.mjs'), 0o755);
  mkdirSync(dirname(CLI_OUT_DIR), { recursive: true });
  const old = `${CLI_OUT_DIR}.old-${process.pid}`;
  if (existsSync(CLI_OUT_DIR)) renameSync(CLI_OUT_DIR, old);
  renameSync(staging, CLI_OUT_DIR);
  rmSync(old, { recursive: true, force: true });
  return CLI_ENTRY_FILE;
}

if (process.argv[1] === SELF) {
  if (process.argv.includes('--if-stale') && !cliBuildIsStale()) process.exit(0);
  await buildCli();
}

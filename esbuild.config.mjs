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
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
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

/**
 * fontkit's ES build inflates brotli's 120 KB static dictionary when it is imported (~0.1 s of
 * CPU, 0.3 s on a loaded machine), for WOFF2 fonts that neither the seal's font nor the gate's
 * fonts are. Here it is inflated on first use instead: `dictionary` becomes a getter. The
 * build fails if fontkit's code no longer has that shape (a new fontkit version: look again).
 */
const lazyBrotliDictionary = {
  name: 'lazy-brotli-dictionary',
  setup(build) {
    build.onLoad({ filter: /[\\/]@pdf-lib[\\/]fontkit[\\/]dist[\\/]fontkit\.es\.js$/ }, (args) => {
      const eager = 'exports.dictionary = dictionaryDataCompressed.init(BrotliDecompressBuffer);';
      const source = readFileSync(args.path, 'utf8');
      if (source.split(eager).length !== 2) return { errors: [{ text: `lazy-brotli-dictionary: "${eager}" not found once in ${args.path}` }] };
      const lazy =
        'var dictionary; Object.defineProperty(exports, "dictionary", { configurable: true, enumerable: true, ' +
        'get: function () { return dictionary || (dictionary = dictionaryDataCompressed.init(BrotliDecompressBuffer)); } });';
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * SQLite and pkcs11js are native modules that `verify --trust …` and `--help` never call, but
 * the composition root imports them for the commands that do (~60 ms of CPU on a loaded
 * machine to load both, and their .node libraries mapped into memory). Our code's default
 * import of either gets a stand-in that loads the real module on first use: a property read
 * (pkcs11js.PKCS11, Database.SqliteError), `new` or a call. (pkcs11js is still read when
 * infra/pkcs11's login.ts and ckr.ts are evaluated, for their module-level CKF_/CKR_ tables.)
 */
const LAZY_NATIVE = ['better-sqlite3', 'pkcs11js'];
const lazyNative = {
  name: 'lazy-native',
  setup(build) {
    build.onResolve({ filter: /^(better-sqlite3|pkcs11js)$/ }, (args) => (args.importer.includes(`${join('src', 'main')}`) && LAZY_NATIVE.includes(args.path) ? { path: args.path, namespace: 'lazy-native' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-native' }, (args) => ({
      resolveDir: ROOT,
      loader: 'js',
      contents: [
        "import { createRequire } from 'node:module';",
        'const requireNative = createRequire(import.meta.url);',
        'let loaded;',
        `const load = () => (loaded ??= requireNative(${JSON.stringify(args.path)}));`,
        // A function target, so `new Database(…)` and calls reach the real export too.
        'export default new Proxy(function lazyNativeModule() {}, {',
        '  get: (_, key) => load()[key],',
        '  has: (_, key) => key in load(),',
        '  construct: (_, args, newTarget) => Reflect.construct(load(), args),',
        '  apply: (_, self, args) => Reflect.apply(load(), self, args),',
        '});',
      ].join('\n'),
    }));
  },
};

/**
 * fontkit is imported by the seal font, the report PDFs and the gate's embedded-font check,
 * but only the last one runs while stamping, and only for a document whose fonts carry a cmap.
 * Evaluating fontkit (Unicode tables inflated at import) then costs every stamping ~0.1 s of
 * CPU for nothing, and so does merely compiling it: fontkit is 1.5 MB of the 2.4 MB chunk that
 * every stamping loaded. Our code's `import fontkit from '@pdf-lib/fontkit'` gets a stand-in
 * instead whose first property read loads fontkit from its own file, chunks/fontkit.cjs (one
 * CommonJS bundle built by buildFontkit below, required synchronously, compiled once).
 */
const lazyFontkit = {
  name: 'lazy-fontkit',
  setup(build) {
    build.onResolve({ filter: /^@pdf-lib\/fontkit$/ }, (args) => (args.importer.includes(`${join('src', 'main')}`) ? { path: 'fontkit', namespace: 'lazy-fontkit' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-fontkit' }, () => ({
      resolveDir: ROOT,
      loader: 'js',
      contents: [
        "import { createRequire } from 'node:module';",
        'let fontkit;',
        `const load = () => (fontkit ??= createRequire(import.meta.url)('./${FONTKIT_FILE}').default);`,
        'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
      ].join('\n'),
    }));
  },
};

const FONTKIT_FILE = 'fontkit.cjs';

/**
 * An ES module that imports `node:fs` or `node:crypto` gets Node's ES facade of it, and Node 20
 * builds that facade by reading every export, lazy ones included: fs's ReadStream getter loads
 * all of node:stream, crypto's webcrypto getter all of WebCrypto (~6 ms each of `yinjian --help`
 * and `verify` on this project's machines, for code neither runs). Our code's imports of these
 * two get a stand-in built from `process.getBuiltinModule` (Node ≥ 20.16, every Electron we
 * ship) that re-exports the plain values only; the lazy getters stay untouched. Importing one
 * of those (e.g. `promises`, `ReadStream`, `webcrypto`) fails the build: take it from the module
 * object (`import fs from 'node:fs'`) instead. Issue #15.
 */
const PLAIN_BUILTINS = /^node:(buffer|crypto|fs|os|path|util|zlib)$/;
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(build) {
    build.onResolve({ filter: PLAIN_BUILTINS }, (args) => (args.importer.includes(`${join('src', 'main')}`) ? { path: args.path, namespace: 'plain-builtin' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'plain-builtin' }, (args) => {
      const real = createRequire(import.meta.url)(args.path);
      const plain = Object.keys(real).filter((name) => {
        const descriptor = Object.getOwnPropertyDescriptor(real, name);
        return descriptor && !descriptor.get && !descriptor.set && /^[A-Za-z_$][\w$]*$/.test(name);
      });
      return {
        loader: 'js',
        contents: [`const builtin = process.getBuiltinModule(${JSON.stringify(args.path)});`, 'export default builtin;', `export const { ${plain.join(', ')} } = builtin;`].join('\n'),
      };
    });
  },
};

/** fontkit (with its dependencies) as one CommonJS file next to the chunks, for lazyFontkit's stand-in. */
async function buildFontkit(build, outdir) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['@pdf-lib/fontkit/dist/fontkit.es.js'],
    outfile: join(outdir, 'chunks', FONTKIT_FILE),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    plugins: [lazyBrotliDictionary],
    logLevel: 'warning',
    legalComments: 'none',
  });
}

/**
 * out/cli/.chunks.json: for each file of the build (relative to out/cli), the source files and
 * the npm packages bundled into it, and the packages it imports from node_modules as they are
 * (externals). test/integration/cli/loaded-code.test.ts maps the files a command loads to what
 * they hold, to guard which code each command loads (issue #15).
 */
export const CHUNKS_FILE = '.chunks.json';
function packageOf(path) {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}
function chunkManifest(metafile, outdir) {
  const manifest = {};
  const prefix = `${relative(ROOT, outdir).replaceAll('\\', '/')}/`;
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const inputs = Object.keys(output.inputs);
    manifest[file.replaceAll('\\', '/').slice(prefix.length)] = {
      sources: inputs.filter((p) => !p.includes('node_modules/') && !p.includes(':')).sort(),
      packages: [...new Set(inputs.map(packageOf).filter(Boolean))].sort(),
      externals: [...new Set(output.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path))].sort(),
    };
  }
  manifest[`chunks/${FONTKIT_FILE}`] = { sources: [], packages: ['@pdf-lib/fontkit'], externals: [] };
  return manifest;
}

/**
 * Builds the CLI into out/cli. `outDir` and `plugins` are for benchmarks that compare a build
 * of today's source with one part swapped for an earlier way of doing it, whole process against
 * whole process (test/bench/gate.ts: the U2 gate as it was before issue 13); the product has
 * no switch for that.
 */
export async function buildCli(options = {}) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const outDir = options.outDir ?? CLI_OUT_DIR;
  const staging = `${outDir}.staging-${process.pid}`;
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
    // Native modules, pdf.js (it starts its fake worker from its own files) and tesseract.js
    // (its worker thread) load from node_modules as published; they are in their commands'
    // chunks only. Pure JavaScript dependencies (pdf-lib, fontkit, zod) are bundled as ES
    // modules: imported from node_modules, Node 20 parses a CommonJS package three times
    // (module-syntax detection, the export lexer, the compile), ~0.3 s for fontkit and pdf-lib.
    external: ['pkcs11js', 'better-sqlite3', '@resvg/resvg-js', '@napi-rs/canvas', 'pdfjs-dist', 'tesseract.js', 'electron'],
    mainFields: ['module', 'main'],
    plugins: [...(options.plugins ?? []), builtinsWithoutFacade, lazyNative, lazyFontkit, lazyBrotliDictionary],
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  // The stand-in finds chunks/fontkit.cjs next to its own file: it must have landed in a chunk.
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (Object.keys(output.inputs).some((p) => p.startsWith('lazy-fontkit:')) && !file.includes('/chunks/')) {
      throw new Error(`lazy-fontkit: the stand-in was bundled into ${file}, not a chunk; it would not find chunks/${FONTKIT_FILE}`);
    }
  }
  await buildFontkit(build, staging);
  writeFileSync(join(staging, CHUNKS_FILE), JSON.stringify(chunkManifest(result.metafile, staging)));
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
  writeFileSync(join(staging, INPUTS_FILE), JSON.stringify({ builtAt: startedAt, inputs }));
  chmodSync(join(staging, 'yinjian.mjs'), 0o755);
  mkdirSync(dirname(outDir), { recursive: true });
  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  return join(outDir, 'yinjian.mjs');
}

if (process.argv[1] === SELF) {
  if (process.argv.includes('--if-stale') && !cliBuildIsStale()) process.exit(0);
  await buildCli();
}

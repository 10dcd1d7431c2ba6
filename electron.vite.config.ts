import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Where electron-vite will look for Electron's binary (its own rule: $ELECTRON_EXEC_PATH, else
 * node_modules/electron/path.txt under dist/), and whether it is there.
 */
function electronBinary(): { path: string; present: boolean } {
  const fromEnv = process.env.ELECTRON_EXEC_PATH;
  if (fromEnv) return { path: fromEnv, present: existsSync(fromEnv) };
  const module = join(import.meta.dirname, 'node_modules', 'electron');
  const pathFile = join(module, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  return name ? { path: join(module, 'dist', name), present: existsSync(join(module, 'dist', name)) } : { path: pathFile, present: false };
}

/**
 * `npm start` (electron-vite dev) without Electron's binary (npm ci with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1, or an offline install) says how to get it and stops, before
 * a dev server starts, instead of ending in electron-vite's "Electron uninstall" stack trace.
 * Issue #15.
 */
function requireElectronForDev(): void {
  const binary = electronBinary();
  if (binary.present) return;
  process.stderr.write(
    [
      `错误 ELECTRON_NOT_INSTALLED：未找到 Electron 可执行文件（${binary.path}），无法启动窗口。`,
      '  安装方法：联网后运行 node node_modules/electron/install.js（或不设 ELECTRON_SKIP_BINARY_DOWNLOAD 重新 npm ci）；',
      '  内网可先设置 ELECTRON_MIRROR 指向镜像。命令行无需 Electron：npx yinjian --help',
      `Error ELECTRON_NOT_INSTALLED: Electron's binary was not found (${binary.path}), so the window cannot start.`,
      '  To install it: with network access run `node node_modules/electron/install.js` (or run npm ci again without ELECTRON_SKIP_BINARY_DOWNLOAD);',
      '  behind a firewall set ELECTRON_MIRROR to a mirror first. The command line needs no Electron: npx yinjian --help',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

export default defineConfig(({ command }) => {
  if (command === 'serve') requireElectronForDev();
  return {
    main: {
      build: {
        outDir: 'out/main',
        rollupOptions: {
          // index.js is src/main/entry.ts: `<app> cli …` runs the command line (out/cli, built
          // by esbuild.config.mjs, the CLI's entry next to this one) with no window; anything
          // else loads app.js, the desktop app (src/main/index.ts). Issue #15.
          // host.js is the service host (src/main/host.ts), forked as a utilityProcess by app.js (issue #14).
          input: { index: resolve(import.meta.dirname, 'src/main/entry.ts'), app: resolve(import.meta.dirname, 'src/main/index.ts'), host: resolve(import.meta.dirname, 'src/main/host.ts') },
          // tesseract.js starts its worker thread from its own files; the canvas is a native module.
          external: ['pkcs11js', 'better-sqlite3', '@resvg/resvg-js', 'tesseract.js', '@napi-rs/canvas'],
        },
      },
    },
    preload: {
      build: {
        outDir: 'out/preload',
        // The sandboxed preload must be CommonJS.
        rollupOptions: {
          input: resolve(import.meta.dirname, 'src/preload/index.ts'),
          output: { format: 'cjs', entryFileNames: 'index.cjs' },
        },
      },
    },
    renderer: {
      root: resolve(import.meta.dirname, 'src/renderer'),
      build: { outDir: resolve(import.meta.dirname, 'out/renderer'), rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') } },
      plugins: [react()],
    },
  };
});

import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // index.js is src/main/entry.ts: `<app> cli …` runs the command line (out/cli) with no
        // window; anything else loads app.js, the desktop app (src/main/index.ts). Issue #15.
        input: { index: resolve(import.meta.dirname, 'src/main/entry.ts'), app: resolve(import.meta.dirname, 'src/main/index.ts') },
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
});

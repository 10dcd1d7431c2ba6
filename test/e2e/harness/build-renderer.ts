import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

const REPO = resolve(import.meta.dirname, '../../..');

/**
 * Builds the renderer for the browser tests: the real src/renderer code behind the test entry
 * (test/e2e/renderer), which installs the loopback transport instead of the preload's API.
 * The production build (electron.vite.config.ts) never sees test/.
 */
export async function buildTestRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'yinjian-e2e-renderer-'));
  await build({
    configFile: false,
    root: join(REPO, 'test/e2e/renderer'),
    plugins: [react()],
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, target: 'es2022', reportCompressedSize: false },
  });
  return outDir;
}

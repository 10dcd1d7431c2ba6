import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The compiled CLI (out/cli) is rebuilt once per run when stale: tests run `yinjian` as shipped.
    globalSetup: ['test/setup/build-cli.ts'],
    // Each test file gets its own process: a PKCS#11 module reads SOFTHSM2_CONF once per
    // process at C_Initialize, so token suites must not share a process.
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});

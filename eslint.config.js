// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule of architecture.md, as lint:
 *   shared ← core ← infra ← app ← ipc/cli ← index.ts; preload and renderer see only shared.
 * A wrong arrow fails CI instead of review.
 */
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'stream', 'util', 'zlib', 'worker_threads'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'native/build/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      ['**/main/**', '**/renderer/**', '**/preload/**', 'electron', ...nodeBuiltins, 'pkcs11js', 'better-sqlite3', 'react'],
      'src/shared is the contract: pure TypeScript and zod only (architecture.md).',
    ),
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: restrict(
      ['**/infra/**', '**/ipc/**', '**/cli/**', '**/windows/**', '**/renderer/**', '**/preload/**', 'electron', 'pkcs11js', 'better-sqlite3', 'node:fs', 'node:fs/*', 'fs', 'node:child_process', 'child_process', 'node:os', 'os'],
      'core/ is the pure domain: it reaches the outside only through the ports it defines (architecture.md).',
    ),
  },
  {
    files: ['src/main/infra/**/*.ts'],
    rules: restrict(
      ['**/ipc/**', '**/cli/**', '**/windows/**', '**/renderer/**', '**/preload/**', 'electron', '../../app/**', '../app/**'],
      'infra/ implements core ports; it must not depend on the front doors (architecture.md).',
    ),
  },
  {
    files: ['src/main/app/**/*.ts'],
    rules: restrict(['../ipc/**', '../cli/**', '../windows/**', '**/renderer/**', '**/preload/**', 'electron'], 'app/ is the application layer: it composes core and infra, and knows no front door (architecture.md).'),
  },
  {
    files: ['src/main/ipc/**/*.ts'],
    rules: restrict(
      ['../core/**', '../infra/**', '../cli/**', '../demo/**', '**/renderer/**', '**/preload/**', '../windows/**', 'pkcs11js', 'better-sqlite3', 'node:fs', 'node:fs/*', 'fs'],
      'ipc/ is a thin adapter: it imports app/ and shared/ only (architecture.md, issue #14).',
    ),
  },
  {
    files: ['src/main/cli/**/*.ts'],
    rules: restrict(['**/renderer/**', '**/preload/**', '**/windows/**', '../ipc/**', '../../ipc/**'], 'the CLI is a front door over app/ (its older commands still reach core and infra directly).'),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict(['**/main/**', '**/renderer/**', ...nodeBuiltins, 'pkcs11js', 'better-sqlite3'], 'preload sees only src/shared and electron (architecture.md).'),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict(['**/main/**', '**/preload/**', 'electron', ...nodeBuiltins, 'pkcs11js', 'better-sqlite3'], 'the renderer talks only to the typed API from src/shared (architecture.md).'),
  },
);

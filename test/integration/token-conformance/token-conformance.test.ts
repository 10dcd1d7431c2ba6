/**
 * The token conformance suite (issue 17): the same requirements run against four independent
 * PKCS#11 implementations that install from Debian packages and start inside the test with
 * throwaway state: SoftHSM2, NSS's softoken, tpm2-pkcs11 on the swtpm simulator (with
 * tpm2-abrmd on a private D-Bus) and openCryptoki's soft token (its own pkcsslotd in a private
 * mount namespace). Each runs in its own process (driver.ts): a module reads its environment once
 * at C_Initialize. Nothing is skipped: what a module cannot do must show up as `degraded` with the
 * typed code the app answers with, and only where the module's catalog profile says so; anything
 * else is a failure. The matrix is written to test-artifacts/token-conformance/ (README shows it).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionOpencryptoki } from '../../helpers/opencryptoki';
import { matrixMarkdown, REQUIREMENTS, type ConformanceRow } from './requirements';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));
const OUT = join(ROOT, 'test-artifacts', 'token-conformance');

/** What each implementation is expected to degrade (requirement → code), from its profile and the runs on these machines. */
const EXPECTED_DEGRADED: Record<string, Record<string, string>> = {
  softhsm2: { 'first-use': 'INITIAL_PIN_MUST_CHANGE', 'lock-unlock': 'PIN_INCORRECT', removal: 'DEVICE_REMOVED' },
  'nss-softoken': {
    issue: 'TOKEN_MARKER_UNSUPPORTED',
    'first-use': 'INITIAL_PIN_MUST_CHANGE',
    objects: 'TOKEN_MARKER_UNSUPPORTED',
    'wrong-pin': 'PIN_INCORRECT',
    'lock-unlock': 'TOKEN_UNLOCK_UNSUPPORTED',
    removal: 'DEVICE_REMOVED',
  },
  'tpm2-pkcs11': {
    issue: 'TOKEN_MARKER_UNSUPPORTED',
    'first-use': 'INITIAL_PIN_MUST_CHANGE',
    objects: 'TOKEN_MARKER_UNSUPPORTED',
    'wrong-pin': 'PIN_INCORRECT',
    'lock-unlock': 'PIN_LOCKED',
  },
  opencryptoki: { 'first-use': 'INITIAL_PIN_MUST_CHANGE', keygen: 'KEY_TYPE_UNSUPPORTED', sign: 'KEY_TYPE_UNSUPPORTED', removal: 'DEVICE_REMOVED' },
};

const rows: ConformanceRow[] = [];

function runDriver(argv: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function conformance(implementation: string): Promise<ConformanceRow> {
  mkdirSync(OUT, { recursive: true });
  const result = join(OUT, `${implementation}.json`);
  rmSync(result, { force: true });
  let argv = [process.execPath, '--import', 'tsx', DRIVER, implementation, result];
  let cleanup = (): void => undefined;
  if (implementation === 'opencryptoki') {
    const ock = provisionOpencryptoki({ label: 'conformance', soPin: '87654321', userPin: '20240701' });
    argv = ock.wrap(argv);
    cleanup = () => ock.cleanup();
  }
  try {
    const run = await runDriver(argv);
    expect(run.code, run.output.slice(-4000)).toBe(0);
  } finally {
    cleanup();
  }
  const row = JSON.parse(readFileSync(result, 'utf8')) as ConformanceRow;
  rows.push(row);
  return row;
}

afterAll(() => {
  if (rows.length === 0) return;
  const order = Object.keys(EXPECTED_DEGRADED);
  rows.sort((a, b) => order.indexOf(a.implementation) - order.indexOf(b.implementation));
  writeFileSync(join(OUT, 'matrix.md'), matrixMarkdown(rows));
  writeFileSync(join(OUT, 'matrix.json'), JSON.stringify(rows, null, 2));
});

describe('token conformance: every requirement on every implementation', () => {
  for (const implementation of Object.keys(EXPECTED_DEGRADED)) {
    it(`${implementation}: passes or degrades exactly as its profile says, never fails`, async () => {
      const row = await conformance(implementation);
      const failures = REQUIREMENTS.filter((r) => row.results[r.id].status === 'fail').map((r) => `${r.id}: ${row.results[r.id].note}`);
      expect(failures).toEqual([]);
      const degradedNow = Object.fromEntries(
        REQUIREMENTS.flatMap((r) => {
          const outcome = row.results[r.id];
          return outcome.status === 'degraded' ? [[r.id, outcome.code]] : [];
        }),
      );
      expect(degradedNow).toEqual(EXPECTED_DEGRADED[implementation]);
      expect(row.profile).toBe(implementation);
    });
  }
});

/**
 * `yinjian token doctor` through the real binary on each implementation the conformance suite
 * runs (SoftHSM2, NSS softoken, tpm2-pkcs11 on swtpm, openCryptoki): it finds the module's
 * profile, lists slots and keys, gives a verdict per requirement with what to do, and changes
 * nothing on the key (SoftHSM's token files are byte-identical afterwards). The text outputs are
 * written to test-artifacts/token-doctor/ for the README.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { YINJIAN_BIN } from '../../helpers/cli';
import { provisionNssSoftoken } from '../../helpers/nss-softoken';
import { provisionOpencryptoki } from '../../helpers/opencryptoki';
import { provisionSoftHsm } from '../../helpers/softhsm';
import { provisionTpm2Token } from '../../helpers/tpm2-token';

const OUT = fileURLToPath(new URL('../../../test-artifacts/token-doctor/', import.meta.url));

interface Check {
  id: string;
  verdict: 'ok' | 'degraded' | 'fail';
}
interface Report {
  module: { profile: string };
  verdict: 'ok' | 'degraded' | 'fail';
  tokens: { info: { label: string; flags: { tokenInitialized: boolean } } | null; hidden: boolean; checks: Check[] }[];
}

function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the doctor twice (text and --json), keeps the text, returns the report. */
async function doctor(name: string, args: string[], env: NodeJS.ProcessEnv, wrap: (argv: string[]) => string[] = (a) => a): Promise<Report> {
  const base = [process.execPath, YINJIAN_BIN, 'token', 'doctor', ...args];
  const text = await run(wrap(base), env);
  const json = await run(wrap([...base, '--json']), env);
  expect(json.code, json.stderr).toBeLessThan(2);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.txt`), text.stdout);
  const report = (JSON.parse(json.stdout) as { doctor: Report }).doctor;
  expect(text.stdout).toContain(`profile: ${report.module.profile}`);
  expect(text.stdout).toMatch(/结论 Verdict: /);
  // Fixed-length PKCS#11 fields are printed without their padding (openCryptoki pads with NULs).
  expect(text.stdout.includes('\0'), 'NUL in the doctor text').toBe(false);
  return report;
}

const keyChecks = (report: Report, label: string): Record<string, string> => {
  const token = report.tokens.find((t) => t.info?.label === label && !t.hidden);
  expect(token, `token ${label} listed`).toBeDefined();
  return Object.fromEntries(token!.checks.map((c) => [c.id, c.verdict]));
};

function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('yinjian token doctor', () => {
  it('SoftHSM2: known profile, every probe ok or a stated limit, the blank slot reported; the key is left byte-identical', async () => {
    const hsm = provisionSoftHsm();
    cleanups.push(() => hsm.cleanup());
    hsm.createToken({ label: 'doctor-key', soPin: '87654321', userPin: '20240701' });
    const before = treeHash(hsm.tokenDir);
    const report = await doctor('softhsm2', ['--module', hsm.modulePath], hsm.env);
    expect(treeHash(hsm.tokenDir)).toBe(before);
    expect(report.module.profile).toBe('softhsm2');
    expect(report.verdict).toBe('degraded');
    expect(keyChecks(report, 'doctor-key')).toMatchObject({ initialised: 'ok', writable: 'ok', keygen: 'ok', sign: 'ok', marker: 'ok', 'office-unlock': 'degraded' });
    expect(report.tokens.some((t) => t.info && !t.info.flags.tokenInitialized)).toBe(true);
  });

  it('NSS softoken (library parameters from --module-params): internal token hidden, marker and office unlock degraded', async () => {
    const nss = provisionNssSoftoken('20240701');
    cleanups.push(() => nss.cleanup());
    const report = await doctor('nss-softoken', ['--module', nss.modulePath, '--module-params', nss.libraryParameters], process.env);
    expect(report.module.profile).toBe('nss-softoken');
    expect(report.tokens.find((t) => t.info?.label === 'NSS Generic Crypto Services')?.hidden).toBe(true);
    expect(keyChecks(report, nss.label)).toMatchObject({ keygen: 'ok', sign: 'ok', marker: 'degraded', serial: 'degraded', 'office-unlock': 'degraded' });
    expect(report.verdict).toBe('degraded');
  });

  it('tpm2-pkcs11 on swtpm: the token from tpm2_ptool, its blank spare slot, device-wide lockout and no marker', async () => {
    const tpm = await provisionTpm2Token({ label: 'doctor-tpm', soPin: '87654321', userPin: '20240701' });
    cleanups.push(() => tpm.cleanup());
    const report = await doctor('tpm2-pkcs11', ['--module', tpm.modulePath], tpm.env);
    expect(report.module.profile).toBe('tpm2-pkcs11');
    expect(keyChecks(report, 'doctor-tpm')).toMatchObject({ keygen: 'ok', sign: 'ok', marker: 'degraded', 'office-unlock': 'degraded' });
    expect(report.verdict).toBe('degraded');
    tpm.cleanup();
  });

  it('openCryptoki soft token: RSA only, PINs of at most 8, per-token lock the SO can lift', async () => {
    const ock = provisionOpencryptoki({ label: 'doctor-ock', soPin: '87654321', userPin: '20240701' });
    cleanups.push(() => ock.cleanup());
    const report = await doctor('opencryptoki', ['--module', ock.modulePath], process.env, (argv) => ock.wrap(argv));
    expect(report.module.profile).toBe('opencryptoki');
    expect(keyChecks(report, 'doctor-ock')).toMatchObject({ keygen: 'degraded', sign: 'degraded', marker: 'ok', 'pin-length': 'degraded', 'office-unlock': 'ok' });
    expect(report.verdict).toBe('degraded');
  });
});

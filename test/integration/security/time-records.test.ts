/**
 * Issue #12, tried as a custodian who wants to cheat would, through the real `yinjian` binary
 * on SoftHSM2: every scenario first as the exploit (it used to work), kept as the test that it
 * no longer does.
 *
 *   - issuing onto a USB key that still holds an ACTIVE seal (SEAL_KEY_IN_USE, S2/S3);
 *   - a PIN set back to the initial one with another PKCS#11 tool (PIN_IS_INITIAL, M4);
 *   - the workstation clock set back (CLOCK_BEHIND_RECORDS) or forward past the imported
 *     snapshot's next update (REGISTER_STALE), without a TSA (libfaketime on the binary).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';
import { SOFTHSM_MODULE } from '../../helpers/softhsm';

let office: OfficeFixture;
let pdf: string;
let work: string;

beforeAll(async () => {
  office = await provisionOffice({ keyType: 'p256' });
  work = join(office.publicationDir, '..');
  pdf = join(work, 'notice.pdf');
  const sample = await office.cli(['sample', 'notice', '--out', pdf]);
  expect(sample.code, sample.stderr).toBe(0);
}, 180_000);

afterAll(() => office?.cleanup());

const stampArgs = (out: string): string[] => [
  'stamp', pdf, '--out', out, '--type', 'internal-document', '--approval', 'YY-2026-001', '--approver', '孙主任',
  '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--json',
];

function usageRows(dataDir: string): { status: string; error_code: string | null }[] {
  const db = new Database(join(dataDir, 'register.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT status, error_code FROM usage_register ORDER BY id').all() as { status: string; error_code: string | null }[];
  } finally {
    db.close();
  }
}

describe('issuing onto a USB key that still holds a live seal (S2, S3)', () => {
  it('is refused with SEAL_KEY_IN_USE before any PIN is asked; the seal still signs afterwards', async () => {
    const issue = await office.cli(
      [
        'office', 'issue', '--ca-token', office.ca.label, '--token', office.seal.serial, '--unit', office.seal.unit, '--unit-kind', 'department',
        '--seal-name', '合同专用章二', '--seal-code', '1101000000077', '--custodian', office.seal.custodianName, '--staff-id', office.seal.custodianStaffId,
        '--workstation', office.workstationId, '--approval', '集团批〔2025〕77号', '--approver', '李总裁', '--pin-stdin', '--json',
      ],
      // Before the fix these PINs re-initialised the key and destroyed the ACTIVE seal's key pair.
      { stdin: `${office.ca.pin}\n${office.seal.soPin}\n246813\n` },
    );
    expect(issue.code).toBe(1);
    expect(issue.stdout + issue.stderr).toContain('SEAL_KEY_IN_USE');
    const out = join(work, 'still-signs.pdf');
    const stamped = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});

describe('a PIN set back to the initial one (M4)', () => {
  const pkcs11Tool = (args: string[]): void => {
    execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', office.seal.label, ...args], { env: office.env, stdio: 'pipe' });
  };

  it('set back with pkcs11-tool, the key is refused at stamping (PIN_IS_INITIAL) with a failed usage row and no output', async () => {
    pkcs11Tool(['--login', '--pin', office.seal.pin, '--change-pin', '--new-pin', office.seal.initialPin]);
    try {
      const before = usageRows(office.workstationDir).length;
      const out = join(work, 'initial-pin.pdf');
      const refused = await office.cli(stampArgs(out), { stdin: `${office.seal.initialPin}\n`, dataDir: office.workstationDir });
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain('PIN_IS_INITIAL');
      expect(existsSync(out)).toBe(false);
      expect(usageRows(office.workstationDir).slice(before)).toEqual([{ status: 'failed', error_code: 'PIN_IS_INITIAL' }]);
    } finally {
      pkcs11Tool(['--login', '--pin', office.seal.initialPin, '--change-pin', '--new-pin', office.seal.pin]);
    }
  }, 60_000);
});


const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** The CLI on the workstation with its clock shifted by `offset` (libfaketime: "-2d", "+40d"). */
function cliAt(offset: string, args: readonly string[], stdin: string, dataDir = office.workstationDir): Promise<CliResult> {
  return runYinjian([...args, '--data-dir', dataDir], {
    env: { ...office.env, LD_PRELOAD: FAKETIME_LIB, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    stdin,
  });
}

function lastRow(dataDir: string): { status: string; error_code: string | null } | undefined {
  return usageRows(dataDir).at(-1);
}

describe('the clock guard without a TSA (S5, E1, M3)', () => {
  it('a clock set back two days is refused (CLOCK_BEHIND_RECORDS): a failed usage row, no output', async () => {
    const out = join(work, 'backdated.pdf');
    const refused = await cliAt('-2d', stampArgs(out), `${office.seal.pin}\n`);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain('CLOCK_BEHIND_RECORDS');
    expect(existsSync(out)).toBe(false);
    expect(lastRow(office.workstationDir)).toEqual({ status: 'failed', error_code: 'CLOCK_BEHIND_RECORDS' });
  }, 60_000);

  it('a clock set forward 40 days, past the snapshot\'s next update, is refused (REGISTER_STALE, naming the snapshot)', async () => {
    const out = join(work, 'forward.pdf');
    const refused = await cliAt('+40d', stampArgs(out), `${office.seal.pin}\n`);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain('REGISTER_STALE');
    expect(refused.stdout).toMatch(/No\. 1\b/);
    expect(existsSync(out)).toBe(false);
    expect(lastRow(office.workstationDir)).toEqual({ status: 'failed', error_code: 'REGISTER_STALE' });
  }, 60_000);

  it('the correct clock still stamps after both refusals', async () => {
    const out = join(work, 'on-time.pdf');
    const stamped = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  }, 60_000);
});

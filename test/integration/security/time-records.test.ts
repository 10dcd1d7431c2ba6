/**
 * Issue #12, tried as a custodian who wants to cheat would, through the real `yinjian` binary
 * on SoftHSM2: every scenario first as the exploit (it used to work), kept as the test that it
 * no longer does.
 *
 *   - issuing onto a USB key that still holds an ACTIVE seal (SEAL_KEY_IN_USE, S2/S3);
 *   - a PIN set back to the initial one with another PKCS#11 tool (PIN_IS_INITIAL, M4);
 *   - the workstation clock set back (CLOCK_BEHIND_RECORDS) or forward past the imported
 *     snapshot's next update (REGISTER_STALE), without a TSA (libfaketime on the binary);
 *   - with the group's trusted-time policy: every seal B-T from the group's TSA (a real
 *     `openssl ts -reply` responder on 127.0.0.1), a clock off by more than the tolerance
 *     (CLOCK_SKEW), a TSA that is down (TSA_UNREACHABLE) or foreign (TSA_ANSWER_UNTRUSTED);
 *   - a lost seal: what was sealed before the loss with a trusted time stays VALID, with only a
 *     claimed time it is REVOKED; a stale workstation that did not import the loss.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionOffice, readRootDer, type OfficeFixture } from '../../helpers/office';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { SOFTHSM_MODULE } from '../../helpers/softhsm';
import { startTestTsa, unusedLoopbackUrl, type TestTsa } from '../../helpers/tsa';

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

  // Issue #15: the initial-PIN check runs on the thread pool while the document is read and
  // gated. The PIN refusal wins over the document's, whichever finished first: the same row as
  // for a good document, the document's own code nowhere, no output.
  it('set back, with a document the gate refuses (a declared contract, a broken PDF): PIN_IS_INITIAL wins, one failed row, no output', async () => {
    pkcs11Tool(['--login', '--pin', office.seal.pin, '--change-pin', '--new-pin', office.seal.initialPin]);
    const broken = join(work, 'broken.pdf');
    writeFileSync(broken, '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nno xref here\n');
    let initial = true;
    try {
      for (const [label, args] of [
        ['declared contract', stampArgs(join(work, 'initial-pin-contract.pdf')).map((a) => (a === 'internal-document' ? 'contract' : a))],
        ['broken PDF', stampArgs(join(work, 'initial-pin-broken.pdf')).map((a) => (a === pdf ? broken : a))],
      ] as const) {
        const before = usageRows(office.workstationDir).length;
        const out = args[args.indexOf('--out') + 1] as string;
        const refused = await office.cli([...args], { stdin: `${office.seal.initialPin}\n`, dataDir: office.workstationDir });
        expect(refused.code, label).toBe(1);
        expect(refused.stdout + refused.stderr, label).toContain('PIN_IS_INITIAL');
        expect(refused.stdout + refused.stderr, label).not.toMatch(/DOCUMENT_TYPE_FORBIDDEN|PDF_[A-Z_]+/);
        expect(existsSync(out), label).toBe(false);
        expect(usageRows(office.workstationDir).slice(before), label).toEqual([{ status: 'failed', error_code: 'PIN_IS_INITIAL' }]);
      }
      // The same documents with the right PIN are refused for what they are.
      pkcs11Tool(['--login', '--pin', office.seal.initialPin, '--change-pin', '--new-pin', office.seal.pin]);
      initial = false;
      const contract = await office.cli(stampArgs(join(work, 'contract.pdf')).map((a) => (a === 'internal-document' ? 'contract' : a)), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
      expect(contract.code).toBe(1);
      expect(contract.stdout).toContain('DOCUMENT_TYPE_FORBIDDEN');
      expect(usageRows(office.workstationDir).at(-1)).toEqual({ status: 'failed', error_code: 'DOCUMENT_TYPE_FORBIDDEN' });
    } finally {
      if (initial) pkcs11Tool(['--login', '--pin', office.seal.initialPin, '--change-pin', '--new-pin', office.seal.pin]);
    }
  }, 90_000);
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

interface VerifyJson {
  verdict: string;
  files: { verdict: string; signatures: { verdict: string; trustedTimeSource: string; findings: { code: string }[] }[] }[];
}

describe('the group\'s trusted-time policy (S5, E1, M3 on the TSA\'s time)', () => {
  let tsa: TestTsa;
  let tsaRootPem: string;
  let nss: ReturnType<typeof nssDatabase>;
  let sealedBt: string;
  const published = (n: number): string => join(work, `publication-${n}`);

  beforeAll(async () => {
    tsa = await startTestTsa();
    tsaRootPem = join(work, 'tsa-root.pem');
    writeFileSync(tsaRootPem, `-----BEGIN CERTIFICATE-----\n${Buffer.from(tsa.rootDer).toString('base64')}\n-----END CERTIFICATE-----\n`);
    nss = nssDatabase([readRootDer(office), tsa.rootDer]);
  });
  afterAll(async () => {
    nss?.dispose();
    await tsa?.close();
  });

  async function publishAndImport(n: number): Promise<void> {
    const publish = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', published(n), '--pin-stdin'], { stdin: `${office.ca.pin}\n` });
    expect(publish.code, publish.stderr).toBe(0);
    const imported = await office.cli(['register', 'import', join(published(n), `register-snapshot-${String(n).padStart(6, '0')}.p7m`)], { dataDir: office.workstationDir });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
  }

  it('the office sets the policy, publishes it, and the workstation seals B-T only: pdfsig valid, the verifier rests on the TSA time', async () => {
    const set = await office.cli(['office', 'timestamp-policy', '--url', tsa.url, '--tsa-cert', tsaRootPem, '--required', '--tolerance', '120', '--json']);
    expect(set.code, set.stdout + set.stderr).toBe(0);
    expect(set.json<{ timestampPolicy: { required: boolean } }>().timestampPolicy.required).toBe(true);
    await publishAndImport(2);
    sealedBt = join(work, 'sealed-bt.pdf');
    const before = tsa.requests;
    const stamped = await office.cli(stampArgs(sealedBt), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    expect(tsa.requests).toBe(before + 1);
    // The workstation has the group CRL, so the seal is followed by its B-LT validation data (a DSS
    // update, issue 16): pdfsig checks the seal over its own revision, not the total document.
    expect(pdfsig(sealedBt, nss.nssdir)[0]).toMatchObject({ signatureValid: true, certificateTrusted: true });
    const verified = await office.cli(['verify', sealedBt, '--trust', office.rootPem, '--trust', tsaRootPem, '--json'], { dataDir: office.workstationDir });
    const report = verified.json<VerifyJson>();
    expect(report.files[0]!.signatures[0]!.trustedTimeSource).toBe('timestamp');
    // Issue #12: without --trust the workstation's imported snapshot is the trust: the group
    // root, and the office's TSA certificate (office timestamp-policy) as the timestamps' anchor.
    const bySnapshot = (await office.cli(['verify', sealedBt, '--json'], { dataDir: office.workstationDir })).json<VerifyJson>();
    const sig = bySnapshot.files[0]!.signatures[0]!;
    expect(sig.trustedTimeSource).toBe('timestamp');
    expect(sig.findings.map((f) => f.code)).not.toContain('TIMESTAMP_UNTRUSTED');
    expect(sig.findings.map((f) => f.code)).not.toContain('REVOCATION_NOT_CHECKED');
  }, 180_000);

  it('a clock 10 minutes fast (inside the snapshot window, past the 120 s tolerance) is refused: CLOCK_SKEW, a failed row, no output', async () => {
    const out = join(work, 'skewed.pdf');
    const refused = await cliAt('+10m', stampArgs(out), `${office.seal.pin}\n`);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain('CLOCK_SKEW');
    expect(existsSync(out)).toBe(false);
    expect(lastRow(office.workstationDir)).toEqual({ status: 'failed', error_code: 'CLOCK_SKEW' });
  }, 60_000);

  it('a TSA that is down, or one the office did not name, refuses the stamping with nothing written', async () => {
    const down = await unusedLoopbackUrl();
    expect((await office.cli(['office', 'timestamp-policy', '--url', down])).code).toBe(0);
    await publishAndImport(3);
    const out = join(work, 'tsa-down.pdf');
    const refused = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(refused.stdout + refused.stderr).toContain('TSA_UNREACHABLE');
    expect(existsSync(out)).toBe(false);
    expect(lastRow(office.workstationDir)).toEqual({ status: 'failed', error_code: 'TSA_UNREACHABLE' });

    // The real TSA again, but the office names another authority's certificate (the group root).
    expect((await office.cli(['office', 'timestamp-policy', '--url', tsa.url, '--tsa-cert', office.rootPem])).code).toBe(0);
    await publishAndImport(4);
    const foreign = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(foreign.stdout + foreign.stderr).toContain('TSA_ANSWER_UNTRUSTED');
    expect(existsSync(out)).toBe(false);

    expect((await office.cli(['office', 'timestamp-policy', '--tsa-cert', tsaRootPem])).code).toBe(0);
    await publishAndImport(5);
  }, 180_000);

  it('a lost seal: sealed before the loss with a trusted time stays VALID, with only a claimed time it is REVOKED; a stale workstation is REVOKED at the TSA time', async () => {
    const claimedOnly = join(work, 'on-time.pdf');
    expect(existsSync(claimedOnly)).toBe(true);
    // A copy of the workstation that will not import the loss (stale revocation data).
    const stale = `${office.workstationDir}-stale`;
    execFileSync('cp', ['-a', office.workstationDir, stale]);
    await new Promise((r) => setTimeout(r, 1500));
    const loss = await office.cli(
      ['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2026〕9号', '--approver', '李总裁', '--ca-token', office.ca.label, '--out', published(6), '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n` },
    );
    expect(loss.code, loss.stdout + loss.stderr).toBe(0);
    const snapshot6 = join(published(6), 'register-snapshot-000006.p7m');
    const verify = async (file: string): Promise<VerifyJson> =>
      (await office.cli(['verify', file, '--trust', office.rootPem, '--trust', tsaRootPem, '--register', snapshot6, '--json'], { dataDir: office.workstationDir })).json<VerifyJson>();
    const bt = await verify(sealedBt);
    // The seal's only later change is its own B-LT validation data (a DSS update, issue 16).
    expect(bt.verdict).toBe('VALID');
    expect(bt.files[0]!.signatures[0]!.findings.map((f) => f.code)).toContain('SEAL_REVOKED_LATER');
    const claimed = await verify(claimedOnly);
    expect(claimed.verdict).toBe('REVOKED');
    expect(claimed.files[0]!.signatures[0]!.findings.map((f) => f.code)).toContain('SEAL_REVOKED_TIME_UNPROVEN');

    // The stale workstation still seals (its snapshot is inside its window) but the document
    // carries the TSA's time, after the loss: REVOKED wherever the loss is known.
    const late = join(work, 'stale.pdf');
    const stamped = await office.cli(stampArgs(late), { stdin: `${office.seal.pin}\n`, dataDir: stale });
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    const lateReport = await verify(late);
    expect(lateReport.verdict).toBe('REVOKED');
    expect(lateReport.files[0]!.signatures[0]!.findings.map((f) => f.code)).toContain('SEAL_REVOKED');
    // Once past its snapshot's next update, the stale workstation stops (REGISTER_STALE).
    const after = await cliAt('+40d', stampArgs(join(work, 'stale-40d.pdf')), `${office.seal.pin}\n`, stale);
    expect(after.stdout + after.stderr).toContain('REGISTER_STALE');
  }, 180_000);
});

/**
 * The office's whole lifecycle on SoftHSM2 tokens through the real `yinjian` binary (M1, S2–S5,
 * M3, M4, M5, E1), judged by openssl where a standard format is involved.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextFirstOfJuly } from '../../../src/main/core/office/index';
import { parseCertificate } from '../../../src/main/core/pki/index';
import { openRegister } from '../../../src/main/infra/db/index';
import { toPem } from '../../../src/main/infra/office/index';
import type { CliResult } from '../../helpers/cli';
import { provisionOffice, readRootDer, type OfficeFixture } from '../../helpers/office';

const OPENSSL = '/usr/bin/openssl';

let office: OfficeFixture;

function errorCode(result: CliResult): string {
  return result.json<{ error: { code: string } }>().error.code;
}

function officeRegister(): ReturnType<typeof openRegister> {
  return openRegister(join(office.officeDir, 'register.sqlite'), { readonly: true });
}

function auditHead(dataDir: string): { seq: number; hash: string } | null {
  const register = openRegister(join(dataDir, 'register.sqlite'), { readonly: true });
  try {
    return register.audit.head();
  } finally {
    register.close();
  }
}

function openssl(args: string[]): string {
  return execFileSync(OPENSSL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function publish(): Promise<{ sequence: number; files: { crl: string; snapshot: string; root: string } }> {
  const result = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', office.publicationDir, '--pin-stdin', '--json'], { stdin: `${office.ca.pin}\n` });
  expect(result.code, result.stderr).toBe(0);
  return result.json();
}

beforeAll(async () => {
  office = await provisionOffice();
}, 180_000);

afterAll(() => office?.cleanup());

describe('office issue (M1, S2, M4, E1)', () => {
  it('issues a seal whose certificate chains to the group root (openssl verify) and says what the issue asks', () => {
    const register = officeRegister();
    const seal = register.seals.holdingCode(office.seal.sealCode)!;
    register.close();
    expect(seal.state).toBe('ACTIVE');
    expect(seal.workstationId).toBe(office.workstationId);
    expect(seal.appearance.svg).toContain('<svg');
    expect(Buffer.from(seal.appearance.png!).subarray(1, 4).toString('latin1')).toBe('PNG');
    const certPath = join(office.publicationDir, 'seal.pem');
    writeFileSync(certPath, toPem('CERTIFICATE', seal.certificate.der));
    expect(openssl(['verify', '-CAfile', office.rootPem, certPath]).trim()).toBe(`${certPath}: OK`);

    const cert = parseCertificate(seal.certificate.der);
    expect(cert.subject.organization).toBe(office.groupName);
    expect(cert.subject.organizationalUnit).toBe(office.seal.unit);
    expect(cert.subject.commonName).toBe(office.seal.sealName);
    expect(cert.subject.serialNumber).toBe(office.seal.sealCode);
    expect(cert.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(cert.sealInfo?.custodianStaffId).toBe(office.seal.custodianStaffId);
    expect(cert.sealInfo?.sealKind).toBe('department');
    expect(Buffer.from(cert.sealInfo!.workstationIdHash).toString('hex')).toBe(
      execFileSync(OPENSSL, ['dgst', '-sha256', '-r'], { input: office.workstationId, encoding: 'utf8' }).split(' ')[0],
    );
    const root = parseCertificate(readRootDer(office));
    expect(root.notAfter.getUTCFullYear() - root.notBefore.getUTCFullYear()).toBeGreaterThanOrEqual(20);
  });

  it('wrote the first-use marker: a freshly issued key is refused everything but a PIN change (M4)', async () => {
    office.softhsm.createToken({ label: '人事部印章', soPin: '55667788', userPin: '99887766' });
    const issued = await office.cli(
      [
        'office', 'issue', '--ca-token', office.ca.label, '--token', '人事部印章', '--unit', '华夏建设集团人力资源部', '--unit-kind', 'department',
        '--seal-name', '人事专用章', '--seal-code', '1101000000002', '--custodian', '刘洋', '--staff-id', 'E3001',
        '--workstation', office.workstationId, '--approval', '集团批〔2025〕13号', '--approver', '李总裁', '--key', 'p256', '--rollout', '--pin-stdin', '--json',
      ],
      { stdin: `${office.ca.pin}\n55667788\n246813\n` },
    );
    expect(issued.code, issued.stderr).toBe(0);
    const serial = issued.json<{ token: { serial: string } }>().token.serial;
    const info = await office.cli(['token', 'info', '--token', serial, '--json'], { dataDir: office.workstationDir });
    const token = info.json<{ token: { initialPin: boolean; initialPinSources: string[] } }>().token;
    expect(token.initialPin).toBe(true);
    expect(token.initialPinSources).toContain('first-use-marker');
    // E1: a new rollout starts at the next 1 July, 00:00 Beijing time.
    expect(issued.json<{ seal: { validFrom: string } }>().seal.validFrom).toBe(nextFirstOfJuly(new Date()).toISOString());
  });

  it('issue 16: the office sets where it publishes the CRL and the CA certificate; seals issued after carry CRL DP and AIA (openssl x509), earlier ones do not', async () => {
    const bad = await office.cli(['office', 'publication-points', '--crl', 'crl.example/group.crl', '--json']);
    expect(errorCode(bad)).toBe('PUBLICATION_POINT_INVALID');
    const set = await office.cli([
      'office', 'publication-points', '--crl', 'http://pki.hx-group.intra/crl/group-seal-ca.crl', '--crl', '\\\\fs01\\公共\\pki\\group-seal-ca.crl',
      '--ca-cert', 'http://pki.hx-group.intra/ca/group-root.cer', '--json',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json<{ crl: string[] }>().crl).toEqual(['http://pki.hx-group.intra/crl/group-seal-ca.crl', 'file://fs01/%E5%85%AC%E5%85%B1/pki/group-seal-ca.crl']);
    office.softhsm.createToken({ label: '档案Key', soPin: '13131313', userPin: '24242424' });
    const issued = await office.cli(
      [
        'office', 'issue', '--ca-token', office.ca.label, '--token', '档案Key', '--unit', '华夏建设集团档案室', '--unit-kind', 'department',
        '--seal-name', '档案专用章', '--seal-code', '1101000000009', '--custodian', '陈档案', '--staff-id', 'E4001',
        '--workstation', office.workstationId, '--approval', '集团批〔2025〕19号', '--approver', '李总裁', '--key', 'p256', '--pin-stdin', '--json',
      ],
      { stdin: `${office.ca.pin}\n13131313\n135791\n` },
    );
    expect(issued.code, `${issued.stderr}${issued.stdout}`).toBe(0);
    const register = officeRegister();
    const fresh = register.seals.holdingCode('1101000000009')!;
    const earlier = register.seals.holdingCode(office.seal.sealCode)!;
    register.close();
    const certPath = join(office.publicationDir, 'seal-with-dp.pem');
    writeFileSync(certPath, toPem('CERTIFICATE', fresh.certificate.der));
    const text = openssl(['x509', '-in', certPath, '-noout', '-text']);
    expect(text).toMatch(/X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/pki\.hx-group\.intra\/crl\/group-seal-ca\.crl\s+URI:file:\/\/fs01\/%E5%85%AC%E5%85%B1\/pki\/group-seal-ca\.crl/);
    expect(text).toMatch(/Authority Information Access:\s+CA Issuers - URI:http:\/\/pki\.hx-group\.intra\/ca\/group-root\.cer/);
    expect(openssl(['verify', '-CAfile', office.rootPem, certPath]).trim()).toBe(`${certPath}: OK`);
    expect(parseCertificate(fresh.certificate.der).crlDistributionPoints).toHaveLength(2);
    // Seals issued before the setting are not re-issued; they verify from the snapshot as before.
    expect(parseCertificate(earlier.certificate.der).crlDistributionPoints).toEqual([]);
    const shown = await office.cli(['office', 'publication-points', '--json']);
    expect(shown.json<{ caIssuers: string[] }>().caIssuers).toEqual(['http://pki.hx-group.intra/ca/group-root.cer']);
  });

  it('refuses without approval (S2), a second seal with the same code, and the CA key as seal key; nothing changes', async () => {
    office.softhsm.createToken({ label: '备用Key', soPin: '12121212', userPin: '34343434' });
    const before = auditHead(office.officeDir);
    const sealsBefore = (await office.cli(['office', 'list', '--json'])).json<{ seals: unknown[] }>().seals.length;
    const base = [
      'office', 'issue', '--ca-token', office.ca.label, '--unit', office.seal.unit, '--unit-kind', 'department', '--seal-name', '财务专用章',
      '--custodian', office.seal.custodianName, '--staff-id', office.seal.custodianStaffId, '--workstation', office.workstationId, '--pin-stdin', '--json',
    ];
    const pins = { stdin: `${office.ca.pin}\n12121212\n565656\n` };
    const noApproval = await office.cli([...base, '--token', '备用Key', '--seal-code', '1101000000003', '--approver', '李总裁'], pins);
    expect(noApproval.code).toBe(1);
    expect(errorCode(noApproval)).toBe('APPROVAL_REQUIRED');
    const sameCode = await office.cli([...base, '--token', '备用Key', '--seal-code', office.seal.sealCode, '--approval', 'A1', '--approver', '李总裁'], pins);
    expect(errorCode(sameCode)).toBe('SEAL_CODE_IN_USE');
    const caAsSeal = await office.cli([...base, '--token', office.ca.label, '--seal-code', '1101000000003', '--approval', 'A1', '--approver', '李总裁'], pins);
    expect(errorCode(caAsSeal)).toBe('OFFICE_SAME_TOKEN');
    expect(auditHead(office.officeDir)).toEqual(before);
    // The spare key was never erased: its factory PIN still opens it and it has no initial-PIN state.
    const spare = await office.cli(['token', 'info', '--token', '备用Key', '--json']);
    expect(spare.json<{ token: { initialPin: boolean } }>().token.initialPin).toBe(false);
    // The CA still works after the refused attempt on its token.
    const list = await office.cli(['office', 'list', '--json']);
    expect(list.json<{ seals: unknown[] }>().seals).toHaveLength(sealsBefore);
  });
});

describe('loss, re-issue, cancel (S3–S5) and the CRL', () => {
  it('a reported loss is in the next CRL with keyCompromise and the loss time (openssl crl -verify)', async () => {
    const lostAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000); // just now, whole seconds, after the issue
    const loss = await office.cli([
      'office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2025〕3号', '--approver', '李总裁', '--lost-at', lostAt.toISOString().replace('.000Z', 'Z'), '--json',
    ]);
    expect(loss.code, loss.stderr).toBe(0);
    expect(loss.json<{ seal: { state: string } }>().seal.state).toBe('LOST');
    const again = await office.cli(['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', 'X', '--approver', 'Y', '--json']);
    expect(errorCode(again)).toBe('SEAL_TRANSITION_ILLEGAL');

    const { files } = await publish();
    const text = openssl(['crl', '-inform', 'DER', '-in', files.crl, '-CAfile', office.rootPem, '-noout', '-verify', '-text']);
    const entry = text.slice(text.indexOf(`Serial Number: ${office.seal.certificateSerial.toUpperCase()}`));
    expect(entry).toContain('Key Compromise');
    // openssl prints GeneralizedTime as "Mon DD HH:MM:SS YYYY GMT", the day padded with a space.
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][lostAt.getUTCMonth()];
    const expected = `${month} ${String(lostAt.getUTCDate()).padStart(2, ' ')} ${lostAt.toISOString().slice(11, 19)} ${lostAt.getUTCFullYear()} GMT`;
    expect(entry.slice(entry.indexOf('Invalidity Date:')).split('\n')[1]?.trim()).toBe(expected);
  });

  it('confirm-loss then re-issue onto a new key: same seal identity, new certificate, old one stays revoked', async () => {
    expect((await office.cli(['office', 'confirm-loss', '--seal-code', office.seal.sealCode, '--application', '总裁办确〔2025〕1号', '--approver', '李总裁'])).code).toBe(0);
    // Re-issue onto the lost key itself is refused (S4, S5: a new USB key).
    const sameKey = await office.cli(
      ['office', 'reissue', '--ca-token', office.ca.label, '--token', office.seal.serial, '--seal-code', office.seal.sealCode, '--application', 'R1', '--approver', '李总裁', '--cause', 'loss', '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n${office.seal.soPin}\n246813\n` },
    );
    expect(errorCode(sameKey)).toBe('REISSUE_NEEDS_NEW_KEY');
    office.softhsm.createToken({ label: '财务部新Key', soPin: '24681357', userPin: '10203040' });
    const reissued = await office.cli(
      ['office', 'reissue', '--ca-token', office.ca.label, '--token', '财务部新Key', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2025〕4号', '--approver', '李总裁', '--cause', 'loss', '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n24681357\n246810\n` },
    );
    expect(reissued.code, reissued.stderr).toBe(0);
    const register = officeRegister();
    const seal = register.seals.holdingCode(office.seal.sealCode)!;
    const history = register.seals.certificates(seal.id);
    const events = register.lifecycleEvents.forSeal(seal.id).map((e) => e.event);
    register.close();
    expect(seal.state).toBe('ACTIVE');
    expect(seal.certificate.serial).not.toBe(office.seal.certificateSerial);
    expect(history.map((c) => [c.serial, c.revocationReason])).toEqual([
      [office.seal.certificateSerial, 'keyCompromise'],
      [seal.certificate.serial, null],
    ]);
    expect(events).toEqual(['ISSUE', 'REPORT_LOSS', 'CONFIRM_LOSS', 'REISSUE']);
  });

  it('cancel destroys the key objects on the returned key; a cancelled seal can never come back', async () => {
    const cancelled = await office.cli(
      ['office', 'cancel', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2025〕6号', '--approver', '李总裁', '--token', '财务部新Key', '--pin-stdin', '--json'],
      { stdin: '246810\n' },
    );
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.json<{ destroyedObjects: number; seal: { state: string } }>()).toMatchObject({ destroyedObjects: 3, seal: { state: 'CANCELLED' } });
    const before = auditHead(office.officeDir);
    for (const args of [
      ['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', 'X', '--approver', 'Y', '--json'],
      ['office', 'withdraw-loss', '--seal-code', office.seal.sealCode, '--application', 'X', '--approver', 'Y', '--json'],
      ['office', 'cancel', '--seal-code', office.seal.sealCode, '--application', 'X', '--approver', 'Y', '--json'],
    ]) {
      const refused = await office.cli(args);
      expect(refused.code).toBe(1);
      expect(errorCode(refused)).toBe('SEAL_TRANSITION_ILLEGAL');
    }
    const reissue = await office.cli(
      ['office', 'reissue', '--ca-token', office.ca.label, '--token', '备用Key', '--seal-code', office.seal.sealCode, '--application', 'X', '--approver', 'Y', '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n12121212\n565656\n` },
    );
    expect(errorCode(reissue)).toBe('SEAL_TRANSITION_ILLEGAL');
    expect(auditHead(office.officeDir)).toEqual(before);
  });
});

describe('delegation (M3)', () => {
  it('records an approved window and answers may-use inside and outside it; a wrong approver role is refused', async () => {
    const code = '1101000000002'; // the department seal issued above, valid from the next 1 July
    const year = nextFirstOfJuly(new Date()).getUTCFullYear(); // 1 July 00:00 Beijing is still 30 June in UTC, same year
    const base = ['office', 'delegate', '--seal-code', code, '--proxy', '陈晨', '--proxy-staff-id', 'E3002', '--approver', '周部长', '--approver-staff-id', 'M3000', '--reason', '休假代管', '--from', `${year}-08-01`, '--to', `${year}-08-15`, '--json'];
    const wrongRole = await office.cli([...base, '--approver-role', 'general-manager']);
    expect(errorCode(wrongRole)).toBe('APPROVER_ROLE_MISMATCH');
    const created = await office.cli([...base, '--approver-role', 'department-head']);
    expect(created.code, created.stderr).toBe(0);
    const ask = (staffId: string, at: string): Promise<CliResult> => office.cli(['office', 'may-use', '--seal-code', code, '--staff-id', staffId, '--at', at, '--json']);
    const inside = await ask('E3002', `${year}-08-05T10:00:00+08:00`);
    expect(inside.code).toBe(0);
    expect(inside.json<{ capacity: string }>().capacity).toBe('proxy');
    const after = await ask('E3002', `${year}-08-15T00:00:00+08:00`); // the window is half-open
    expect(after.code).toBe(1);
    expect(after.json<{ refusal: { code: string } }>().refusal.code).toBe('DELEGATION_OUTSIDE_WINDOW');
    const stranger = await ask('E9999', `${year}-08-05T10:00:00+08:00`);
    expect(stranger.json<{ refusal: { code: string } }>().refusal.code).toBe('SEAL_USE_NOT_PERMITTED');
    const custodian = await ask('E3001', `${year}-08-05T10:00:00+08:00`);
    expect(custodian.json<{ capacity: string }>().capacity).toBe('custodian');
  });

  it('lists the delegations and ends one early; the proxy is refused from then on, and the revocation is audited', async () => {
    const code = '1101000000002';
    const year = nextFirstOfJuly(new Date()).getUTCFullYear();
    const listed = await office.cli(['office', 'delegations', '--seal-code', code, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [delegation] = listed.json<{ delegations: { id: string; proxyStaffId: string; revokedAt: string | null }[] }>().delegations;
    expect(delegation).toMatchObject({ proxyStaffId: 'E3002', revokedAt: null });
    const unknown = await office.cli(['office', 'revoke-delegation', '--seal-code', code, '--delegation', 'no-such-id', '--json']);
    expect(errorCode(unknown)).toBe('DELEGATION_NOT_FOUND');
    const otherSeal = await office.cli(['office', 'revoke-delegation', '--seal-code', office.seal.sealCode, '--delegation', delegation!.id, '--json']);
    expect(errorCode(otherSeal)).toBe('DELEGATION_NOT_FOUND');
    const revoked = await office.cli(['office', 'revoke-delegation', '--seal-code', code, '--delegation', delegation!.id, '--operator', '王秘书', '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.json<{ delegation: { revokedAt: string | null } }>().delegation.revokedAt).not.toBeNull();
    // The window lies ahead (August): from the revocation on the proxy may not use the seal.
    const inside = await office.cli(['office', 'may-use', '--seal-code', code, '--staff-id', 'E3002', '--at', `${year}-08-05T10:00:00+08:00`, '--json']);
    expect(inside.code).toBe(1);
    expect(inside.json<{ refusal: { code: string } }>().refusal.code).toBe('DELEGATION_REVOKED');
    const again = await office.cli(['office', 'delegations', '--seal-code', code]);
    expect(again.stdout).toContain(delegation!.id);
    expect((await office.cli(['audit', 'check'])).code).toBe(0);
  });
});

describe('register import on a workstation', () => {
  it('accepts a newer snapshot and refuses an older, a tampered and a foreign-signed one, changing nothing', async () => {
    const { sequence, files } = await publish();
    expect(sequence).toBeGreaterThan(1);
    const imported = await office.cli(['register', 'import', files.snapshot, '--json'], { dataDir: office.workstationDir });
    expect(imported.code, imported.stderr).toBe(0);
    const shown = (await office.cli(['register', 'show', '--json'], { dataDir: office.workstationDir })).json<{
      snapshot: { sequence: number; seals: { sealCode: string; state: string; certificates: { revocationReason: string | null }[] }[]; delegations: unknown[]; denyList: string[] };
    }>().snapshot;
    expect(shown.sequence).toBe(sequence);
    const finance = shown.seals.find((s) => s.sealCode === office.seal.sealCode)!;
    expect(finance.state).toBe('CANCELLED');
    expect(finance.certificates.map((c) => c.revocationReason)).toEqual(['keyCompromise', 'cessationOfOperation']);
    expect(shown.delegations).toHaveLength(1);
    expect(shown.denyList).toEqual(expect.arrayContaining(['合同', '协议', '委托书', '授权委托书', '介绍信']));

    const before = auditHead(office.workstationDir);
    const older = await office.cli(['register', 'import', join(office.publicationDir, 'register-snapshot-000001.p7m'), '--json'], { dataDir: office.workstationDir });
    expect(older.code).toBe(1);
    expect(errorCode(older)).toBe('SNAPSHOT_ROLLBACK');

    const raw = Buffer.from(readFileSync(files.snapshot));
    const at = raw.indexOf(Buffer.from('"CANCELLED"'));
    expect(at).toBeGreaterThan(0);
    raw.write('"ACTIVE"   ', at, 'latin1'); // same length: only the signature can tell
    const tamperedPath = join(office.publicationDir, 'tampered.p7m');
    writeFileSync(tamperedPath, raw);
    const tampered = await office.cli(['register', 'import', tamperedPath, '--json'], { dataDir: office.workstationDir });
    expect(errorCode(tampered)).toBe('SNAPSHOT_SIGNATURE_INVALID');

    // A foreign office: its own CA token and register, same group name, publishes a higher sequence.
    office.softhsm.createToken({ label: '冒充办公室', soPin: '11112222', userPin: '33334444' });
    const foreignDir = join(office.publicationDir, '..', 'foreign');
    expect((await office.cli(['office', 'init-ca', '--token', '冒充办公室', '--name', office.groupName, '--pin-stdin'], { stdin: '33334444\n', dataDir: foreignDir })).code).toBe(0);
    for (let i = 0; i < sequence + 1; i++) {
      const r = await office.cli(['office', 'publish', '--ca-token', '冒充办公室', '--out', join(foreignDir, 'pub'), '--pin-stdin'], { stdin: '33334444\n', dataDir: foreignDir });
      expect(r.code, r.stderr).toBe(0);
    }
    const foreignSnapshot = readdirSync(join(foreignDir, 'pub')).filter((f) => f.endsWith('.p7m')).sort().at(-1)!;
    const foreign = await office.cli(['register', 'import', join(foreignDir, 'pub', foreignSnapshot), '--json'], { dataDir: office.workstationDir });
    expect(errorCode(foreign)).toBe('SNAPSHOT_SIGNER_UNTRUSTED');
    // Nor can the foreign root be swapped in over the pinned one.
    const repin = await office.cli(['register', 'import', join(foreignDir, 'pub', foreignSnapshot), '--trust', join(foreignDir, 'pub', 'group-root.pem'), '--json'], { dataDir: office.workstationDir });
    expect(errorCode(repin)).toBe('SNAPSHOT_ROOT_PIN_MISMATCH');

    expect(auditHead(office.workstationDir)).toEqual(before);
    const after = (await office.cli(['register', 'show', '--json'], { dataDir: office.workstationDir })).json<{ snapshot: { sequence: number } }>();
    expect(after.snapshot.sequence).toBe(sequence);
  }, 120_000);
});

describe('audit check (M5)', () => {
  function tamperedCopy(name: string, sql: (db: Database.Database) => void): string {
    const dir = join(office.publicationDir, '..', `audit-${name}`);
    mkdirSync(dir, { recursive: true });
    const source = new Database(join(office.officeDir, 'register.sqlite'), { readonly: true });
    source.exec(`VACUUM INTO '${join(dir, 'register.sqlite').replace(/'/g, "''")}'`);
    source.close();
    const db = new Database(join(dir, 'register.sqlite'));
    db.pragma('journal_mode = DELETE');
    // As an attacker with the file would: the append-only triggers are no obstacle to them.
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    sql(db);
    db.close();
    return dir;
  }

  it('passes on the office register and catches an edited, a deleted and a swapped row', async () => {
    const intact = await office.cli(['audit', 'check', '--json']);
    expect(intact.code, intact.stderr).toBe(0);
    const chain = intact.json<{ chain: { ok: boolean; rows: number } }>().chain;
    expect(chain.ok).toBe(true);
    expect(chain.rows).toBeGreaterThanOrEqual(7); // provisioning alone writes 7; the suites above add more

    const edited = tamperedCopy('edited', (db) => db.prepare("UPDATE audit_log SET subject = 'forged' WHERE seq = 3").run());
    const deleted = tamperedCopy('deleted', (db) => db.prepare('DELETE FROM audit_log WHERE seq = 4').run());
    const swapped = tamperedCopy('swapped', (db) => {
      const rows = db.prepare('SELECT * FROM audit_log WHERE seq IN (5, 6) ORDER BY seq').all() as Record<string, unknown>[];
      const update = db.prepare('UPDATE audit_log SET at = @at, actor_name = @actor_name, actor_staff_id = @actor_staff_id, action = @action, subject = @subject, details = @details, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq');
      db.transaction(() => {
        update.run({ ...rows[0], hash: 'f'.repeat(64), seq: 6 }); // hash is UNIQUE: park row 6's first
        update.run({ ...rows[1], seq: 5 });
        update.run({ ...rows[0], seq: 6 });
      })();
    });
    const expectations: [string, string, number][] = [
      [edited, 'edited', 3],
      [deleted, 'deleted', 4],
      [swapped, 'reordered', 5],
    ];
    for (const [dir, reason, seq] of expectations) {
      const result = await office.cli(['audit', 'check', '--json'], { dataDir: dir });
      expect(result.code).toBe(1);
      expect(result.json<{ chain: { ok: boolean; reason: string; seq: number } }>().chain).toMatchObject({ ok: false, reason, seq });
    }
    // The check is read-only: checking did not change the file.
    const probe = join(edited, 'probe.sqlite');
    copyFileSync(join(edited, 'register.sqlite'), probe);
    await office.cli(['audit', 'check'], { dataDir: edited });
    expect(readFileSync(join(edited, 'register.sqlite')).equals(readFileSync(probe))).toBe(true);
  });
});

import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

/**
 * The real deployment: the office computer files and publishes, the custodian's workstation
 * only imported the signed snapshot (M1). `register import` mirrors the filing into the
 * workstation's register, so the workstation stamps with its own data dir; the seal is found
 * by the certificate on the key (the workstation does not know the key's serial), the binding
 * by SHA-256 of the workstation id (M4, S1), and a loss published later stops it (S5).
 */
describe('stamping on a workstation that only imported the snapshot', () => {
  let office: OfficeFixture;
  let pdf: string;

  beforeAll(async () => {
    office = await provisionOffice();
    pdf = join(office.publicationDir, '..', 'notice.pdf');
    const sample = await office.cli(['sample', 'notice', '--out', pdf]);
    expect(sample.code, sample.stderr).toBe(0);
  }, 120_000);

  afterAll(() => office?.cleanup());

  const stampArgs = (out: string): string[] => [
    'stamp', pdf, '--out', out, '--type', 'internal-document', '--approval', 'YY-2026-001', '--approver', '孙主任',
    '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin', '--json',
  ];

  const usageRows = (dataDir: string): { status: string; error_code: string | null }[] => {
    const db = new Database(join(dataDir, 'register.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT status, error_code FROM usage_register ORDER BY id').all() as { status: string; error_code: string | null }[];
    } finally {
      db.close();
    }
  };

  it('seals with the workstation data dir, verifies VALID there, and records the usage in the workstation register', async () => {
    const out = join(office.publicationDir, '..', 'sealed.pdf');
    const stamped = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(stamped.code, stamped.stdout + stamped.stderr).toBe(0);
    const verified = await office.cli(['verify', out], { dataDir: office.workstationDir });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('VALID');
    expect(usageRows(office.workstationDir).filter((r) => r.status === 'ok')).toHaveLength(1);
  }, 60_000);

  it('another computer (binding hash differs) is refused with STAMP_WORKSTATION_MISMATCH (M4, S1)', async () => {
    const elsewhere = `${office.workstationDir}-elsewhere`;
    cpSync(office.workstationDir, elsewhere, { recursive: true });
    const db = new Database(join(elsewhere, 'register.sqlite'));
    // The replica stores the binding as sha256:<hex>; a different hash is a seal bound to another computer.
    const changed = db.prepare("UPDATE workstations SET machine_id = 'sha256:' || replace(hex(zeroblob(32)), '0', 'a') WHERE machine_id LIKE 'sha256:%'").run();
    db.close();
    expect(changed.changes).toBe(1);
    const out = join(elsewhere, 'elsewhere.pdf');
    const refused = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: elsewhere });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('STAMP_WORKSTATION_MISMATCH');
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('after the office reports the loss and the workstation imports the new snapshot, stamping is refused (S5)', async () => {
    const published = join(office.publicationDir, '..', 'after-loss');
    const loss = await office.cli(
      ['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2025〕3号', '--approver', '李总裁', '--ca-token', office.ca.label, '--out', published, '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n` },
    );
    expect(loss.code, loss.stderr).toBe(0);
    const imported = await office.cli(['register', 'import', join(published, 'register-snapshot-000002.p7m')], { dataDir: office.workstationDir });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const out = join(office.publicationDir, '..', 'after-loss.pdf');
    const refused = await office.cli(stampArgs(out), { stdin: `${office.seal.pin}\n`, dataDir: office.workstationDir });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/SEAL_NOT_ACTIVE|SEAL_REVOKED|SEAL_LOST/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

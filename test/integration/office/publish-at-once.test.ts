import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

/**
 * S5: "loss registration revokes the seal at once and verifiers everywhere reject signatures
 * made after it". `office report-loss --ca-token L --out DIR` publishes the CRL and snapshot
 * in the same command, so the revocation leaves the office without waiting for a publish.
 */
describe('report-loss and cancel publish at once with --ca-token and --out', () => {
  let office: OfficeFixture;

  beforeAll(async () => {
    office = await provisionOffice();
  });

  afterAll(() => office?.cleanup());

  it('refuses --ca-token without --out before anything changes', async () => {
    const result = await office.cli(['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', 'A-1', '--approver', '李总裁', '--ca-token', office.ca.label, '--json']);
    expect(result.code).toBe(2);
    const list = await office.cli(['office', 'list', '--json']);
    expect(list.stdout).toContain('ACTIVE');
  });

  it('a reported loss is in the CRL written by the same command, with keyCompromise', async () => {
    const out = `${office.publicationDir}-at-once`;
    const result = await office.cli(
      ['office', 'report-loss', '--seal-code', office.seal.sealCode, '--application', '财务部函〔2025〕3号', '--approver', '李总裁', '--ca-token', office.ca.label, '--out', out, '--pin-stdin', '--json'],
      { stdin: `${office.ca.pin}\n` },
    );
    expect(result.code).toBe(0);
    const { published } = result.json<{ published: { files: { crl: string }; revokedSerials: string[] } }>();
    expect(published.revokedSerials.map((s) => s.toLowerCase())).toContain(office.seal.certificateSerial.toLowerCase());
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', published.files.crl, '-CAfile', office.rootPem, '-noout', '-verify', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text.toUpperCase()).toContain(office.seal.certificateSerial.toUpperCase());
    expect(text).toContain('Key Compromise');
    expect(result.stdout + result.stderr).not.toContain(office.ca.pin);
  });
});

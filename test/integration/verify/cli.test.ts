/** `yinjian verify` through the real binary: exit codes 0 / 1 / 2 and the versioned JSON report. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runYinjian } from '../../helpers/cli';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-verify-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data') };
let good: string;
let tampered: string;
let root: string;
let crl: string;

beforeAll(async () => {
  const seal = await makeTestSeal();
  const signed = await signPdf(await makeBasePdf(1), seal);
  good = join(dir, 'good.pdf');
  writeFileSync(good, signed);
  const bad = new Uint8Array(signed);
  const at = Buffer.from(bad).indexOf('/MediaBox [ 0 0 595');
  bad[at + 18] = 0x36;
  tampered = join(dir, 'tampered.pdf');
  writeFileSync(tampered, bad);
  root = join(dir, 'root.pem');
  writeFileSync(root, `-----BEGIN CERTIFICATE-----\n${Buffer.from(seal.root).toString('base64')}\n-----END CERTIFICATE-----\n`);
  writeFileSync(join(dir, 'notes.txt'), 'not a pdf');
  crl = join(dir, 'group-seal-ca.crl');
  writeFileSync(crl, await makeTestCrl(seal));
});

describe('yinjian verify', () => {
  it('exits 0 with --trust and a current CRL for a valid seal, and prints the JSON schema', async () => {
    const result = await runYinjian(['verify', good, '--trust', root, '--crl', crl, '--json'], { env });
    expect(result.code).toBe(0);
    const json = result.json<{ schemaVersion: number; files: { path: string; verdict: string; signatures: { field: string; verdict: string }[] }[] }>();
    expect(json.schemaVersion).toBe(1);
    expect(json.files[0]).toMatchObject({ path: good, verdict: 'VALID' });
  });

  it('issue #12: with --trust alone revocation is not checked: VALID with the blocking REVOCATION_NOT_CHECKED, exit 1, saying what to import', async () => {
    const result = await runYinjian(['verify', good, '--trust', root, '--json'], { env });
    expect(result.code).toBe(1);
    const json = result.json<{ files: { verdict: string; signatures: { checks: { revocation: string }; findings: { code: string; severity: string; en: string }[] }[] }[] }>();
    expect(json.files[0]!.verdict).toBe('VALID');
    const sig = json.files[0]!.signatures[0]!;
    expect(sig.checks.revocation).toBe('warning');
    const warning = sig.findings.find((f) => f.code === 'REVOCATION_NOT_CHECKED');
    expect(warning?.severity).toBe('warning');
    expect(warning?.en).toContain('group-seal-ca.crl');
    const text = await runYinjian(['verify', good, '--trust', root], { env });
    expect(text.stdout).toContain('REVOCATION_NOT_CHECKED');
    // Never a plain VALID on the verdict lines themselves (file and signature).
    expect(text.stdout.split('\n').filter((l) => /: VALID /.test(l)).every((l) => l.includes('吊销状态未检查 / revocation not checked'))).toBe(true);
    expect(text.stdout.split('\n').filter((l) => /: VALID /.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('exits 1 when the signer is untrusted, a file is tampered or not a PDF', async () => {
    expect((await runYinjian(['verify', good], { env })).code).toBe(1);
    const result = await runYinjian(['verify', good, tampered, join(dir, 'notes.txt'), '--trust', root, '--crl', crl, '--json'], { env });
    expect(result.code).toBe(1);
    const verdicts = result.json<{ files: { verdict: string }[] }>().files.map((f) => f.verdict);
    expect(verdicts).toEqual(['VALID', 'INVALID', 'INVALID']);
  });

  it('exits 2 for bad usage or a path that cannot be read', async () => {
    expect((await runYinjian(['verify'], { env })).code).toBe(2);
    expect((await runYinjian(['verify', join(dir, 'missing.pdf')], { env })).code).toBe(2);
    expect((await runYinjian(['verify', good, '--at', 'yesterday-ish'], { env })).code).toBe(2);
  });

  it('prints a readable Chinese and English summary', async () => {
    const result = await runYinjian(['verify', tampered, '--trust', root], { env });
    expect(result.stdout).toContain('INVALID');
    expect(result.stdout).toContain('DIGEST_MISMATCH');
  });
});

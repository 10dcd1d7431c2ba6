/**
 * The office's signed register snapshot as the verifier's trust (M1, S3, S5): built here with
 * the office core's own encoder and CMS builder, signed by the test group CA's key, then used
 * in-process (trustFromSnapshot) and through the real binary (`verify --register`, and the
 * snapshot imported with `register import` when neither --trust nor --register is given).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, encodeRegisterSnapshot, type RegisterSnapshot, type SnapshotSeal } from '../../../src/main/core/office/index';
import { buildSignedSnapshot, parseCertificate } from '../../../src/main/core/pki/index';
import { trustFromSnapshot, verifyPdf, type FileReport } from '../../../src/main/core/verify/index';
import { runYinjian } from '../../helpers/cli';
import { makeBasePdf, makeTestSeal, signPdf, type TestSeal } from '../../helpers/signed-pdf';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-verify-register-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seal: TestSeal;
let signed: Uint8Array; // signed 2025-03-01T08:00:00Z (claimed time)
let signedPath: string;
let rootPem: string;

const codes = (report: FileReport): string[] => report.signatures.flatMap((s) => s.findings.map((f) => f.code));

function sealEntry(test: TestSeal, over: Partial<SnapshotSeal> = {}): SnapshotSeal {
  const cert = parseCertificate(test.certificate);
  const certificate = {
    certificateDer: Buffer.from(test.certificate).toString('base64'),
    serialHex: cert.serialHex,
    validFrom: cert.notBefore.toISOString(),
    validTo: cert.notAfter.toISOString(),
    revokedAt: over.revokedAt ?? null,
    revocationReason: over.revocationReason ?? null,
  };
  return {
    ...certificate,
    sealId: 'S-0001',
    sealCode: 'YJ-2024-0001',
    sealName: '办公室印章',
    unit: '办公室',
    unitKind: 'department',
    state: 'ACTIVE',
    custodianStaffId: 'E0001',
    custodianName: '张敏',
    boundWorkstationHash: null,
    lostAt: null,
    certificates: [certificate],
    ...over,
  };
}

function snapshotOf(seals: SnapshotSeal[], sequence = 1): RegisterSnapshot {
  return {
    schema: 'yinjian.register-snapshot',
    version: 1,
    sequence,
    issuedAt: '2025-06-01T00:00:00.000Z',
    group: '示例集团有限公司',
    caFingerprint: certificateFingerprint(seal.root),
    denyList: ['合同', '协议'],
    seals,
    delegations: [],
  };
}

async function signedSnapshot(snapshot: RegisterSnapshot, signer: TestSeal = seal): Promise<Uint8Array> {
  return buildSignedSnapshot({ signer: signer.ca, signerCertificate: signer.root, caCertificates: [], content: encodeRegisterSnapshot(snapshot) });
}

const lost = (at: string): Partial<SnapshotSeal> => ({ state: 'LOSS_CONFIRMED', lostAt: at, revokedAt: at, revocationReason: 'keyCompromise' });

beforeAll(async () => {
  seal = await makeTestSeal();
  signed = await signPdf(await makeBasePdf(1), seal);
  signedPath = join(dir, 'signed.pdf');
  writeFileSync(signedPath, signed);
  rootPem = join(dir, 'group-root.pem');
  writeFileSync(rootPem, `-----BEGIN CERTIFICATE-----\n${Buffer.from(seal.root).toString('base64')}\n-----END CERTIFICATE-----\n`);
});

describe('trust from the register snapshot (in-process)', () => {
  it('an active seal in the snapshot is VALID: the group root is the anchor, no other trust given', async () => {
    const report = await verifyPdf(signed, trustFromSnapshot(snapshotOf([sealEntry(seal)]), seal.root));
    expect(report.verdict).toBe('VALID');
    expect(codes(report)).not.toContain('SEAL_NOT_IN_REGISTER');
  });

  it('S5: lost before the signing time is REVOKED; lost after a claimed time with no timestamp too (issue #12)', async () => {
    const before = await verifyPdf(signed, trustFromSnapshot(snapshotOf([sealEntry(seal, lost('2025-02-01T00:00:00.000Z'))]), seal.root));
    expect(before.verdict).toBe('REVOKED');
    expect(codes(before)).toContain('SEAL_REVOKED');
    const after = await verifyPdf(signed, trustFromSnapshot(snapshotOf([sealEntry(seal, lost('2025-04-01T00:00:00.000Z'))]), seal.root));
    expect(after.verdict).toBe('REVOKED');
    expect(after.signatures[0]!.findings.find((f) => f.code === 'SEAL_REVOKED_TIME_UNPROVEN')?.severity).toBe('error');
  });

  it('a seal of the group the snapshot does not list is flagged (SEAL_NOT_IN_REGISTER warning), not failed', async () => {
    // Designed so: a seal issued after the snapshot was published is genuinely the group's
    // (it chains to the group root); the warning tells the reader to get a newer snapshot.
    const other = await makeTestSeal({ ca: { signer: seal.ca, root: seal.root }, sealCode: 'YJ-2024-0099' });
    const report = await verifyPdf(signed, trustFromSnapshot(snapshotOf([sealEntry(other, { sealCode: 'YJ-2024-0099' })]), seal.root));
    expect(report.verdict).toBe('VALID');
    expect(report.signatures[0]!.findings.find((f) => f.code === 'SEAL_NOT_IN_REGISTER')?.severity).toBe('warning');
  });

  it('M4: the bound workstation in the snapshot must match the one in the signature', async () => {
    const report = await verifyPdf(signed, trustFromSnapshot(snapshotOf([sealEntry(seal, { boundWorkstationHash: 'ab'.repeat(32) })]), seal.root));
    expect(report.verdict).toBe('POLICY_VIOLATION');
    expect(codes(report)).toContain('WORKSTATION_MISMATCH');
  });

  it('a signature from a different group root is UNTRUSTED under this snapshot', async () => {
    const foreign = await makeTestSeal();
    const report = await verifyPdf(await signPdf(await makeBasePdf(1), foreign), trustFromSnapshot(snapshotOf([sealEntry(seal)]), seal.root));
    expect(report.verdict).toBe('UNTRUSTED');
  });
});

describe('yinjian verify --register SNAPSHOT', () => {
  it('checks the snapshot against --trust and applies its revocations', async () => {
    const path = join(dir, 'lost-before.p7m');
    writeFileSync(path, await signedSnapshot(snapshotOf([sealEntry(seal, lost('2025-02-01T00:00:00.000Z'))])));
    const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'empty') };
    const result = await runYinjian(['verify', signedPath, '--register', path, '--trust', rootPem, '--json'], { env });
    expect(result.code).toBe(1);
    const json = result.json<{ files: { verdict: string }[]; trust: { snapshotSequence: number } }>();
    expect(json.files[0]!.verdict).toBe('REVOKED');
    expect(json.trust.snapshotSequence).toBe(1);
  });

  it('refuses a tampered snapshot, a foreign-signed one, and one it has no root for (exit 2)', async () => {
    const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'empty') };
    const good = await signedSnapshot(snapshotOf([sealEntry(seal)]));
    const tampered = new Uint8Array(good);
    const at = Buffer.from(tampered).indexOf('办公室印章');
    tampered[at + 2] = tampered[at + 2]! ^ 0x01;
    writeFileSync(join(dir, 'tampered.p7m'), tampered);
    const other = await makeTestSeal();
    writeFileSync(join(dir, 'foreign.p7m'), await signedSnapshot({ ...snapshotOf([sealEntry(seal)]), caFingerprint: certificateFingerprint(other.root) }, other));
    writeFileSync(join(dir, 'good.p7m'), good);

    const t = await runYinjian(['verify', signedPath, '--register', join(dir, 'tampered.p7m'), '--trust', rootPem], { env });
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('SNAPSHOT_SIGNATURE_INVALID');
    const f = await runYinjian(['verify', signedPath, '--register', join(dir, 'foreign.p7m'), '--trust', rootPem], { env });
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('SNAPSHOT_SIGNER_UNTRUSTED');
    const n = await runYinjian(['verify', signedPath, '--register', join(dir, 'good.p7m')], { env });
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('VERIFY_REGISTER_NO_ROOT');
  });

  it('without --trust and --register, uses the snapshot imported into the local register', async () => {
    const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'workstation') };
    const first = join(dir, 'seq1.p7m');
    writeFileSync(first, await signedSnapshot(snapshotOf([sealEntry(seal)], 1)));
    // No register yet: nothing trusted, and verifying does not create one.
    expect((await runYinjian(['verify', signedPath, '--json'], { env })).json<{ files: { verdict: string }[] }>().files[0]!.verdict).toBe('UNTRUSTED');
    expect(existsSync(join(dir, 'workstation', 'register.sqlite'))).toBe(false);
    expect((await runYinjian(['register', 'import', first, '--trust-root', rootPem], { env })).code).toBe(0);
    const valid = await runYinjian(['verify', signedPath, '--json'], { env });
    expect(valid.code).toBe(0);
    expect(valid.json<{ trust: { snapshotSequence: number } }>().trust.snapshotSequence).toBe(1);
    // The office registers the loss (before the signing time) and publishes snapshot 2.
    const second = join(dir, 'seq2.p7m');
    writeFileSync(second, await signedSnapshot(snapshotOf([sealEntry(seal, lost('2025-02-01T00:00:00.000Z'))], 2)));
    expect((await runYinjian(['register', 'import', second], { env })).code).toBe(0);
    const revoked = await runYinjian(['verify', signedPath, '--json'], { env });
    expect(revoked.code).toBe(1);
    expect(revoked.json<{ files: { verdict: string }[] }>().files[0]!.verdict).toBe('REVOKED');
    // The pinned root also checks a --register file given without --trust.
    const withPinned = await runYinjian(['verify', signedPath, '--register', first, '--json'], { env });
    expect(withPinned.json<{ files: { verdict: string }[] }>().files[0]!.verdict).toBe('VALID');
  });
});

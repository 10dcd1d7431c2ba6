import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, parseCertificate, parseCrl, validateCertificatePath, verifyCrl } from '../../../src/main/core/pki';
import { isYinjianError } from '../../../src/shared/errors';
import { createSoftwareSigner } from '../../helpers/software-signer';
import { buildGroupPki, pem, writeFile, type GroupPki } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pki-crl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let pki: GroupPki;
beforeAll(async () => {
  pki = await buildGroupPki('RSA_PKCS1_SHA256');
});

const lostAt = new Date('2025-03-01T08:00:00Z');
const registeredAt = new Date('2025-03-02T10:00:00Z');

describe('CRL', () => {
  it('S5: a loss registration produces a CRL openssl verifies, with reason and invalidity date', async () => {
    const seal = parseCertificate(pki.seal);
    const crl = await buildCrl({
      issuerCertificate: pki.root,
      issuerSigner: pki.caSigner,
      thisUpdate: registeredAt,
      nextUpdate: new Date('2025-04-02T10:00:00Z'),
      crlNumber: 7,
      entries: [
        { serialNumber: seal.serialNumber, revocationDate: registeredAt, reason: 'keyCompromise', invalidityDate: lostAt },
        { serialNumber: Uint8Array.of(0x01, 0x02), revocationDate: new Date('2025-01-01T00:00:00Z'), reason: 'superseded' },
        { serialNumber: Uint8Array.of(0x7f), revocationDate: new Date('2025-01-05T00:00:00Z'), reason: 'cessationOfOperation' },
      ],
    });
    const rootPath = writeFile(dir, 'root.pem', pem('CERTIFICATE', pki.root));
    const crlPath = writeFile(dir, 'x.crl', crl);
    const out = execFileSync('/usr/bin/openssl', ['crl', '-in', crlPath, '-inform', 'DER', '-CAfile', rootPath, '-noout'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const both = execFileSync('/usr/bin/openssl', ['crl', '-in', crlPath, '-inform', 'DER', '-CAfile', rootPath, '-noout', '-text'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(out.toString() + both).not.toContain('verify failure');
    // openssl prints "verify OK" on stderr; run through a shell to capture both streams.
    const verdict = execFileSync('/bin/sh', ['-c', `/usr/bin/openssl crl -in '${crlPath}' -inform DER -CAfile '${rootPath}' -noout 2>&1`]).toString();
    expect(verdict).toContain('verify OK');
    expect(both.toUpperCase()).toContain(seal.serialHex.toUpperCase());
    expect(both).toContain('Key Compromise');
    expect(both).toContain('Superseded');
    expect(both).toContain('Cessation Of Operation');
    expect(both).toContain('Invalidity Date');
    expect(both).toMatch(/CRL Number:\s+7/);

    const parsed = parseCrl(crl);
    expect(parsed.crlNumber).toBe(7n);
    expect(parsed.entries.map((e) => e.reason)).toEqual(['keyCompromise', 'superseded', 'cessationOfOperation']);
    expect(parsed.entries[0]!.invalidityDate?.toISOString()).toBe(lostAt.toISOString());
    expect(parsed.entries[1]!.invalidityDate).toBeUndefined();
    expect(verifyCrl(parsed, parseCertificate(pki.root)).valid).toBe(true);

    // S5: valid before the loss, rejected from the time of loss on.
    const before = validateCertificatePath({ leaf: pki.seal, trustAnchors: [pki.root], at: new Date('2025-02-15T00:00:00Z'), crls: [crl] });
    expect(before.trusted).toBe(true);
    expect(before.findings.map((f) => f.code)).toContain('REVOKED_AFTER_VALIDATION_TIME');
    const after = validateCertificatePath({ leaf: pki.seal, trustAnchors: [pki.root], at: new Date('2025-03-01T12:00:00Z'), crls: [crl] });
    expect(after.trusted).toBe(false);
    expect(after.findings.map((f) => f.code)).toContain('REVOKED');
    expect(after.revocation[0]).toMatchObject({ reason: 'keyCompromise', revokedAtValidationTime: true });
    expect(after.revocation[0]!.effectiveDate.toISOString()).toBe(lostAt.toISOString());
  });

  it('rejects a CRL signed by another key, and a tampered CRL', async () => {
    const other = createSoftwareSigner('RSA_PKCS1_SHA256');
    await expect(
      buildCrl({ issuerCertificate: pki.root, issuerSigner: other, thisUpdate: registeredAt, nextUpdate: new Date('2025-04-01Z'), crlNumber: 1, entries: [] }),
    ).rejects.toSatisfy((e) => isYinjianError(e) && e.code === 'CA_KEY_MISMATCH');

    const crl = await buildCrl({ issuerCertificate: pki.root, issuerSigner: pki.caSigner, thisUpdate: registeredAt, nextUpdate: new Date('2025-04-01Z'), crlNumber: 2, entries: [] });
    const tampered = crl.slice();
    // Flip a byte of the signature value (the last byte of the DER).
    tampered[tampered.length - 1]! ^= 0x01;
    const verdict = verifyCrl(parseCrl(tampered), parseCertificate(pki.root));
    expect(verdict.valid).toBe(false);
    expect(verdict.findings.map((f) => f.code)).toContain('CRL_SIGNATURE_INVALID');
    // A tampered CRL is not used: revocation is unknown, not "good".
    const path = validateCertificatePath({ leaf: pki.seal, trustAnchors: [pki.root], at: new Date('2025-05-01Z'), crls: [tampered], requireRevocationInfo: true });
    expect(path.trusted).toBe(false);
    expect(path.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['CRL_UNUSABLE', 'REVOCATION_UNKNOWN']));
  });

  it('throws CRL_MALFORMED for bytes that are not a CRL', () => {
    expect(() => parseCrl(Uint8Array.of(0x30, 0x03, 0x02, 0x01))).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    expect(() => parseCrl(pki.root)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
  });
});

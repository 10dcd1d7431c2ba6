import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../../src/main/core/ports/signer';
import { adoptCaCertificate, buildRootCertificate, buildSealCertificate, OID, parseCertificate } from '../../../src/main/core/pki';
import { createSoftwareSigner } from '../../helpers/software-signer';
import { pem } from './fixture';
import { digest } from '../../../src/main/core/pki/algorithms';
import { isYinjianError } from '../../../src/shared/errors';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pki-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rootValidity = { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2054-01-01T00:00:00Z') };
const sealValidity = { notBefore: new Date('2024-07-01T00:00:00Z'), notAfter: new Date('2034-07-01T00:00:00Z') };

describe.each<SignatureAlgorithm>(['RSA_PKCS1_SHA256', 'RSA_PSS_SHA256', 'ECDSA_P256_SHA256'])('certificates signed with %s', (algorithm) => {
  it('builds a root and a seal certificate that openssl verifies and that parse back', async () => {
    const caSigner = createSoftwareSigner(algorithm);
    const sealSigner = createSoftwareSigner(algorithm);
    const root = await buildRootCertificate({ signer: caSigner, groupName: '示例集团有限公司', commonName: '示例集团电子印章根证书', validity: rootValidity });
    const seal = await buildSealCertificate({
      issuerCertificate: root,
      issuerSigner: caSigner,
      subjectPublicKeySpki: sealSigner.publicKeySpki,
      groupName: '示例集团有限公司',
      unit: '财务部',
      sealName: '示例集团有限公司财务部印章',
      sealCode: 'YJ-2024-0007',
      sealKind: 'department',
      custodianStaffId: 'E10086',
      workstationId: 'ws-4f1c',
      validity: sealValidity,
    });
    const rootPath = join(dir, `root-${algorithm}.pem`);
    const sealPath = join(dir, `seal-${algorithm}.pem`);
    writeFileSync(rootPath, pem('CERTIFICATE', root));
    writeFileSync(sealPath, pem('CERTIFICATE', seal));
    const verifyOut = execFileSync('/usr/bin/openssl', ['verify', '-attime', String(Date.parse('2025-01-01') / 1000), '-CAfile', rootPath, sealPath]).toString();
    expect(verifyOut).toContain(': OK');
    const text = execFileSync('/usr/bin/openssl', ['x509', '-in', sealPath, '-noout', '-text']).toString();
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toContain(`Policy: ${OID.regulationPolicy}`);
    expect(text).toContain(OID.sealInfoExtension);
    expect(text).toMatch(/CA:FALSE/);
    const rootText = execFileSync('/usr/bin/openssl', ['x509', '-in', rootPath, '-noout', '-text']).toString();
    expect(rootText).toMatch(/CA:TRUE, pathlen:0/);
    expect(rootText).toMatch(/Certificate Sign, CRL Sign/);

    const info = parseCertificate(seal);
    expect(info.subject.organization).toBe('示例集团有限公司');
    expect(info.subject.organizationalUnit).toBe('财务部');
    expect(info.subject.commonName).toBe('示例集团有限公司财务部印章');
    expect(info.subject.serialNumber).toBe('YJ-2024-0007');
    expect(info.issuer.commonName).toBe('示例集团电子印章根证书');
    expect(info.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(info.basicConstraints).toEqual({ ca: false });
    expect(info.policies).toEqual([OID.regulationPolicy]);
    expect(info.notBefore.toISOString()).toBe(sealValidity.notBefore.toISOString());
    expect(info.sealInfo?.sealKind).toBe('department');
    expect(info.sealInfo?.custodianStaffId).toBe('E10086');
    expect(Buffer.from(info.sealInfo!.workstationIdHash)).toEqual(Buffer.from(digest('sha256', new TextEncoder().encode('ws-4f1c'))));
    expect(info.authorityKeyIdentifier).toEqual(parseCertificate(root).subjectKeyIdentifier);
    expect(info.serialNumber.length).toBe(16);
    const fingerprint = execFileSync('/usr/bin/openssl', ['x509', '-in', sealPath, '-noout', '-fingerprint', '-sha256']).toString();
    expect(fingerprint.split('=')[1]!.trim().replace(/:/g, '').toLowerCase()).toBe(info.sha256Fingerprint);
    expect(execFileSync('/usr/bin/openssl', ['x509', '-in', sealPath, '-noout', '-serial']).toString().trim().toLowerCase()).toBe(`serial=${info.serialHex}`);

    expect(adoptCaCertificate(root, caSigner.publicKeySpki).subject.commonName).toBe('示例集团电子印章根证书');
  });
});

describe('certificate requests that must be refused', () => {
  it('refuses a non-CA issuer, a foreign CA key, bad validity, a non-printable seal code, and a signer that lies', async () => {
    const caSigner = createSoftwareSigner('ECDSA_P256_SHA256');
    const sealSigner = createSoftwareSigner('ECDSA_P256_SHA256');
    const root = await buildRootCertificate({ signer: caSigner, groupName: '示例集团', commonName: '根', validity: rootValidity });
    const base = {
      issuerCertificate: root,
      issuerSigner: caSigner,
      subjectPublicKeySpki: sealSigner.publicKeySpki,
      groupName: '示例集团',
      unit: '办公室',
      sealName: '办公室印章',
      sealCode: 'YJ-1',
      sealKind: 'department' as const,
      custodianStaffId: 'E1',
      workstationId: 'ws',
      validity: sealValidity,
    };
    const seal = await buildSealCertificate(base);
    const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
      p.then(
        () => undefined,
        (e: unknown) => (isYinjianError(e) ? e.code : String(e)),
      );
    // A seal certificate cannot issue (M1: only the office's CA makes seals).
    expect(await codeOf(buildSealCertificate({ ...base, issuerCertificate: seal, issuerSigner: sealSigner }))).toBe('CA_CERTIFICATE_NOT_CA');
    expect(await codeOf(buildSealCertificate({ ...base, issuerSigner: sealSigner }))).toBe('CA_KEY_MISMATCH');
    expect(await codeOf(buildSealCertificate({ ...base, validity: { notBefore: sealValidity.notAfter, notAfter: sealValidity.notBefore } }))).toBe('CERTIFICATE_REQUEST_INVALID');
    // E1: a seal cannot outlive its CA.
    expect(await codeOf(buildSealCertificate({ ...base, validity: { notBefore: sealValidity.notBefore, notAfter: new Date('2060-01-01Z') } }))).toBe('CERTIFICATE_REQUEST_INVALID');
    expect(await codeOf(buildSealCertificate({ ...base, sealCode: '印章一号' }))).toBe('CERTIFICATE_REQUEST_INVALID');
    expect(await codeOf(buildSealCertificate({ ...base, unit: '  ' }))).toBe('CERTIFICATE_REQUEST_INVALID');
    expect(await codeOf(buildSealCertificate({ ...base, subjectPublicKeySpki: new Uint8Array(10) }))).toBe('CERTIFICATE_REQUEST_INVALID');
    // A token that returns a signature by some other key (or raw r‖s) is caught before anything is issued.
    const liar = { ...caSigner, sign: (data: Uint8Array) => sealSigner.sign(data) };
    expect(await codeOf(buildSealCertificate({ ...base, issuerSigner: liar }))).toBe('SIGNER_FAILED');
    const broken = { ...caSigner, sign: () => Promise.reject(new Error('CKR_DEVICE_ERROR')) };
    expect(await codeOf(buildRootCertificate({ signer: broken, groupName: 'g', commonName: 'c', validity: rootValidity }))).toBe('SIGNER_FAILED');

    expect(() => adoptCaCertificate(root, sealSigner.publicKeySpki)).toThrow(expect.objectContaining({ code: 'CA_KEY_MISMATCH' }));
    expect(() => adoptCaCertificate(seal, sealSigner.publicKeySpki)).toThrow(expect.objectContaining({ code: 'CA_CERTIFICATE_NOT_CA' }));
  });
});

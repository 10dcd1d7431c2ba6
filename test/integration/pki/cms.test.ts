import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../../src/main/core/ports/signer';
import {
  buildPadesSignature,
  buildSignedSnapshot,
  digest,
  OID,
  parseCertificate,
  validateCertificatePath,
  verifyCmsSignature,
  type CmsVerification,
} from '../../../src/main/core/pki';
import { readDer, retag } from '../../../src/main/core/pki/der';
import { isYinjianError } from '../../../src/shared/errors';
import { createSoftwareSigner } from '../../helpers/software-signer';
import { buildGroupPki, openssl, pem, writeFile, type GroupPki } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pki-cms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const regulation = new TextEncoder().encode('集团电子印章使用和管理规定（全文）');
const pdfBytes = new TextEncoder().encode('%PDF-1.7 pretend byte ranges of a sealed document\n');

async function padesFor(pki: GroupPki, content = pdfBytes): Promise<Uint8Array> {
  return buildPadesSignature({
    signer: pki.sealSigner,
    signerCertificate: pki.seal,
    caCertificates: [pki.root],
    contentDigest: digest('sha256', content),
    policy: { document: regulation },
    documentType: 'internal-letter',
    approvalReference: '用印审批-2025-0042',
    workstationId: 'ws-office-1',
  });
}

function codes(result: CmsVerification): string[] {
  return result.signers.flatMap((s) => s.findings.map((f) => f.code));
}

/** The signature value's offset in the DER (the SignerInfo's last OCTET STRING). */
function signatureLocation(cms: Uint8Array): { signedAttributes: Uint8Array; offset: number; length: number } {
  const root = readDer(cms);
  const signedData = root.children[1]!.children[0]!;
  const signerInfo = signedData.children[signedData.children.length - 1]!.children[0]!;
  const signedAttrs = signerInfo.children.find((n) => n.tagClass === 2 && n.tag === 0)!;
  const signature = signerInfo.children[signerInfo.children.length - 1]!;
  const offset = signature.content.byteOffset - cms.byteOffset;
  return { signedAttributes: retag(signedAttrs.raw, 0x31), offset, length: signature.content.length };
}

describe.each<SignatureAlgorithm>(['RSA_PKCS1_SHA256', 'RSA_PSS_SHA256', 'ECDSA_P256_SHA256'])('CMS with %s', (algorithm) => {
  it('a detached PAdES signature passes openssl cms -verify and our verifier, with its attributes', async () => {
    const pki = await buildGroupPki(algorithm);
    const cms = await padesFor(pki);
    const rootPath = writeFile(dir, `root-${algorithm}.pem`, pem('CERTIFICATE', pki.root));
    const sigPath = writeFile(dir, `sig-${algorithm}.der`, cms);
    const dataPath = writeFile(dir, `data-${algorithm}.bin`, pdfBytes);
    const out = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', dataPath, '-CAfile', rootPath, '-purpose', 'any', '-out', join(dir, 'out.bin')], dir);
    expect(out).toBe('');
    expect(readFileSync(join(dir, 'out.bin'))).toEqual(Buffer.from(pdfBytes));

    const result = await verifyCmsSignature(cms, { content: pdfBytes });
    expect(result.valid).toBe(true);
    const signer = result.signers[0]!;
    expect(signer.certificate?.subject.serialNumber).toBe('YJ-2024-0001');
    expect(signer.padesMissing).toEqual([]);
    expect(signer.attributes.approvalReference).toBe('用印审批-2025-0042');
    expect(signer.attributes.workstationId).toBe('ws-office-1');
    expect(signer.attributes.documentType).toBe('internal-letter');
    expect(signer.attributes.commitmentType).toBe(OID.commitmentInternalLetter);
    expect(signer.attributes.signingTime).toBeUndefined();
    expect(signer.attributes.signaturePolicy).toEqual({ oid: OID.regulationPolicy, hashAlgorithm: 'sha256', hash: digest('sha256', regulation) });
    expect(result.certificates).toHaveLength(2);

    // The same check through a digest function (the PDF verifier's one-pass path).
    const viaDigest = await verifyCmsSignature(cms, { content: (hash) => digest(hash, pdfBytes) });
    expect(viaDigest.valid).toBe(true);

    // PDF /Contents pads the CMS with zeros: tolerated; anything else after it is not.
    const padded = new Uint8Array(cms.length + 500);
    padded.set(cms);
    expect((await verifyCmsSignature(padded, { content: pdfBytes })).valid).toBe(true);
    const garbage = padded.slice();
    garbage[cms.length + 10] = 0x41;
    await expect(verifyCmsSignature(garbage, { content: pdfBytes })).rejects.toSatisfy((e) => isYinjianError(e) && e.code === 'CMS_MALFORMED');

    // The chain to the group root holds at a time inside the seal's validity (E1: not before it).
    const leaf = signer.certificate!;
    expect(validateCertificatePath({ leaf, intermediates: result.certificates, trustAnchors: [pki.root], at: new Date('2025-01-01Z'), requiredPolicy: OID.regulationPolicy }).trusted).toBe(true);
    const early = validateCertificatePath({ leaf, trustAnchors: [pki.root], at: new Date('2024-06-30T23:59:59Z') });
    expect(early.findings.map((f) => f.code)).toContain('CERTIFICATE_NOT_YET_VALID');
  });

  it('an attached register snapshot passes openssl and our verifier', async () => {
    const pki = await buildGroupPki(algorithm);
    const snapshot = new TextEncoder().encode(JSON.stringify({ seals: [{ code: 'YJ-2024-0001', custodian: 'E0001' }] }));
    const cms = await buildSignedSnapshot({ signer: pki.caSigner, signerCertificate: pki.root, caCertificates: [], content: snapshot, signingTime: new Date('2025-05-05T05:05:05Z') });
    const rootPath = writeFile(dir, `sroot-${algorithm}.pem`, pem('CERTIFICATE', pki.root));
    const sigPath = writeFile(dir, `snap-${algorithm}.der`, cms);
    openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-CAfile', rootPath, '-purpose', 'any', '-out', join(dir, 'snap.out')], dir);
    expect(readFileSync(join(dir, 'snap.out'))).toEqual(Buffer.from(snapshot));

    const result = await verifyCmsSignature(cms);
    expect(result.valid).toBe(true);
    expect(result.contentType).toBe(OID.registerSnapshotContentType);
    expect(Buffer.from(result.encapsulatedContent!)).toEqual(Buffer.from(snapshot));
    expect(result.signers[0]!.attributes.signingTime?.toISOString()).toBe('2025-05-05T05:05:05.000Z');
  });
});

describe('CMS verifier rejections', () => {
  it('rejects changed content', async () => {
    const pki = await buildGroupPki('ECDSA_P256_SHA256');
    const cms = await padesFor(pki);
    const changed = pdfBytes.slice();
    changed[5]! ^= 0x20;
    const result = await verifyCmsSignature(cms, { content: changed });
    expect(result.valid).toBe(false);
    expect(codes(result)).toContain('MESSAGE_DIGEST_MISMATCH');
    expect(codes(result)).not.toContain('SIGNATURE_INVALID');
  });

  it('rejects a changed signed attribute (the approval reference)', async () => {
    const pki = await buildGroupPki('RSA_PSS_SHA256');
    const cms = await padesFor(pki);
    const needle = Buffer.from('2025-0042');
    const at = Buffer.from(cms).indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const tampered = cms.slice();
    tampered.set(Buffer.from('2025-0043'), at);
    const result = await verifyCmsSignature(tampered, { content: pdfBytes });
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['SIGNATURE_INVALID']);
    expect(result.signers[0]!.attributes.approvalReference).toBe('用印审批-2025-0043');
  });

  it('rejects a signing-certificate-v2 that does not hash to the signer certificate, even when the signature is good', async () => {
    const pki = await buildGroupPki('RSA_PKCS1_SHA256');
    const cms = await padesFor(pki);
    const certHash = Buffer.from(digest('sha256', pki.seal));
    const at = Buffer.from(cms).indexOf(certHash);
    expect(at).toBeGreaterThan(0);
    const forged = cms.slice();
    forged[at]! ^= 0xff;
    // Re-sign the altered attributes with the seal key itself: only the ESS binding is wrong now.
    const loc = signatureLocation(forged);
    const signature = await pki.sealSigner.sign(loc.signedAttributes);
    expect(signature.length).toBe(loc.length);
    forged.set(signature, loc.offset);
    const result = await verifyCmsSignature(forged, { content: pdfBytes });
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['SIGNING_CERTIFICATE_MISMATCH']);
  });

  it('rejects a signature made by a different key', async () => {
    const pki = await buildGroupPki('RSA_PKCS1_SHA256');
    const cms = await padesFor(pki);
    const intruder = createSoftwareSigner('RSA_PKCS1_SHA256');
    const loc = signatureLocation(cms);
    const forged = cms.slice();
    forged.set(await intruder.sign(loc.signedAttributes), loc.offset);
    const result = await verifyCmsSignature(forged, { content: pdfBytes });
    expect(codes(result)).toEqual(['SIGNATURE_INVALID']);
  });

  it('refuses to build with a certificate that is not the signer key', async () => {
    const pki = await buildGroupPki('ECDSA_P256_SHA256');
    const other = createSoftwareSigner('ECDSA_P256_SHA256');
    await expect(
      buildPadesSignature({
        signer: other,
        signerCertificate: pki.seal,
        caCertificates: [pki.root],
        contentDigest: digest('sha256', pdfBytes),
        policy: { document: regulation },
        documentType: 'internal-formal-document',
        approvalReference: 'A-1',
        workstationId: 'ws',
      }),
    ).rejects.toSatisfy((e) => isYinjianError(e) && e.code === 'SIGNER_KEY_MISMATCH');
  });

  it('reports an expired certificate and an untrusted root in path validation', async () => {
    const pki = await buildGroupPki('ECDSA_P256_SHA256');
    const stranger = await buildGroupPki('ECDSA_P256_SHA256');
    const leaf = parseCertificate(pki.seal);
    const expired = validateCertificatePath({ leaf, trustAnchors: [pki.root], at: new Date('2034-07-02Z') });
    expect(expired.trusted).toBe(false);
    expect(expired.findings.map((f) => f.code)).toContain('CERTIFICATE_EXPIRED');
    const untrusted = validateCertificatePath({ leaf, intermediates: [pki.root], trustAnchors: [stranger.root], at: new Date('2025-01-01Z') });
    expect(untrusted.trusted).toBe(false);
    expect(untrusted.findings.map((f) => f.code)).toContain('NO_PATH_TO_TRUST_ANCHOR');
    // A certificate altered after issue (custodian E0001 → E0002 in the seal-info extension).
    const at = Buffer.from(pki.seal).indexOf(Buffer.from('E0001'));
    const altered = pki.seal.slice();
    altered[at + 4] = 0x32;
    expect(parseCertificate(altered).sealInfo?.custodianStaffId).toBe('E0002');
    const alteredPath = validateCertificatePath({ leaf: altered, trustAnchors: [pki.root], at: new Date('2025-01-01Z') });
    expect(alteredPath.trusted).toBe(false);
    expect(alteredPath.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['CERTIFICATE_SIGNATURE_INVALID', 'NO_PATH_TO_TRUST_ANCHOR']));
    const missingPolicy = validateCertificatePath({ leaf: pki.root, trustAnchors: [pki.root], at: new Date('2025-01-01Z'), requiredPolicy: OID.regulationPolicy });
    expect(missingPolicy.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['LEAF_KEY_USAGE_MISSING', 'POLICY_MISSING']));
  });

  it('throws CMS_MALFORMED for input that is not a SignedData', async () => {
    const pki = await buildGroupPki('ECDSA_P256_SHA256');
    for (const bad of [new Uint8Array(0), Uint8Array.of(0x30, 0x80), pki.root, new Uint8Array(64).fill(0x30)]) {
      await expect(verifyCmsSignature(bad)).rejects.toSatisfy((e) => isYinjianError(e) && e.code === 'CMS_MALFORMED');
    }
  });
});

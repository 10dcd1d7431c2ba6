/**
 * CMS made by another implementation (openssl cms -sign) with every key and digest the
 * verifier claims to support, so the verifier is judged on signatures it did not produce.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { digest, OID, validateCertificatePath, verifyCmsSignature } from '../../../src/main/core/pki';
import { der, readDer } from '../../../src/main/core/pki/der';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-pki-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

const content = Buffer.from('内部函件 — content signed by openssl\n');
writeFileSync(join(dir, 'content.bin'), content);

interface Case {
  readonly name: string;
  readonly keygen: string[];
  readonly md: string;
  readonly signOptions?: string[];
  readonly scheme: string;
  readonly hash: string | undefined;
  readonly weak?: boolean;
}

const cases: Case[] = [
  { name: 'rsa-sha1', keygen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], md: 'sha1', scheme: 'rsa-pkcs1', hash: 'sha1', weak: true },
  { name: 'rsa-sha512', keygen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], md: 'sha512', scheme: 'rsa-pkcs1', hash: 'sha512' },
  {
    name: 'rsa-pss-sha384',
    keygen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    md: 'sha384',
    signOptions: ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:48'],
    scheme: 'rsa-pss',
    hash: 'sha384',
  },
  { name: 'p256-sha256', keygen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], md: 'sha256', scheme: 'ecdsa', hash: 'sha256' },
  { name: 'p384-sha384', keygen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], md: 'sha384', scheme: 'ecdsa', hash: 'sha384' },
];

describe.each(cases)('openssl-signed CMS: $name', (c) => {
  it('verifies, reports the algorithm, and detects a changed byte', async () => {
    const key = `${c.name}.key`;
    const cert = `${c.name}.pem`;
    openssl('genpkey', ...c.keygen, '-out', key);
    openssl('req', '-new', '-x509', '-key', key, '-out', cert, '-subj', `/O=Interop/CN=${c.name}`, '-days', '30', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation');
    openssl('cms', '-sign', '-binary', '-nodetach', '-in', 'content.bin', '-signer', cert, '-inkey', key, '-md', c.md, ...(c.signOptions ?? []), '-outform', 'DER', '-out', `${c.name}.att.der`);
    openssl('cms', '-sign', '-binary', '-in', 'content.bin', '-signer', cert, '-inkey', key, '-md', c.md, ...(c.signOptions ?? []), '-outform', 'DER', '-out', `${c.name}.det.der`);

    const attached = await verifyCmsSignature(readFileSync(join(dir, `${c.name}.att.der`)));
    const detached = await verifyCmsSignature(readFileSync(join(dir, `${c.name}.det.der`)), { content });
    for (const result of [attached, detached]) {
      const signer = result.signers[0]!;
      expect(signer.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(result.valid).toBe(true);
      expect(signer.signatureAlgorithm).toMatchObject({ scheme: c.scheme, hash: c.hash });
      expect(signer.findings.some((f) => f.code === 'WEAK_DIGEST_ALGORITHM')).toBe(c.weak === true);
    }
    const self = attached.signers[0]!.certificate!;
    expect(validateCertificatePath({ leaf: self, trustAnchors: [self], at: new Date() }).trusted).toBe(true);

    const changed = Buffer.from(content);
    changed[0]! ^= 0x01;
    const broken = await verifyCmsSignature(readFileSync(join(dir, `${c.name}.det.der`)), { content: changed });
    expect(broken.valid).toBe(false);
    expect(broken.signers[0]!.findings.map((f) => f.code)).toContain('MESSAGE_DIGEST_MISMATCH');
  });
});

describe('openssl-signed CMS without signed attributes (-noattr)', () => {
  it('verifies over the content itself, from bytes and from a digest', async () => {
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'noattr.key');
    openssl('req', '-new', '-x509', '-key', 'noattr.key', '-out', 'noattr.pem', '-subj', '/CN=noattr', '-days', '30');
    openssl('cms', '-sign', '-binary', '-noattr', '-in', 'content.bin', '-signer', 'noattr.pem', '-inkey', 'noattr.key', '-md', 'sha256', '-outform', 'DER', '-out', 'noattr.der');
    const der = readFileSync(join(dir, 'noattr.der'));
    const result = await verifyCmsSignature(der, { content });
    expect(result.signers[0]!.hasSignedAttributes).toBe(false);
    expect(result.valid).toBe(true);
    expect((await verifyCmsSignature(der, { content: (h) => new Uint8Array(createHash(h).update(content).digest()) })).valid).toBe(true);
    const other = Buffer.from(content);
    other[3]! ^= 0x10;
    const broken = await verifyCmsSignature(der, { content: other });
    expect(broken.signers[0]!.findings.map((f) => f.code)).toEqual(['PADES_ATTRIBUTE_MISSING', 'SIGNATURE_INVALID']);
  });
});

describe('Ed25519 CMS (RFC 8419)', () => {
  // openssl 3.0 cannot CMS-sign with Ed25519 ("no default digest"), so only the certificate and
  // key come from openssl; the SignedData is assembled here with node:crypto's Ed25519.
  it('verifies an Ed25519 signer and rejects a changed attribute', async () => {
    openssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed.key');
    openssl('req', '-new', '-x509', '-key', 'ed.key', '-out', 'ed.pem', '-subj', '/CN=ed25519', '-days', '30');
    const certDer = new Uint8Array(Buffer.from(readFileSync(join(dir, 'ed.pem'), 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    const tbs = readDer(certDer).children[0]!;
    const hasVersion = tbs.children[0]!.tagClass === 2;
    const issuer = tbs.children[hasVersion ? 3 : 2]!.raw;
    const serial = tbs.children[hasVersion ? 1 : 0]!.raw;
    const attrs = (md: Uint8Array): Uint8Array[] => [
      der.sequence(der.oid(OID.contentType), der.set(der.oid(OID.data))),
      der.sequence(der.oid(OID.messageDigest), der.set(der.octetString(md))),
    ];
    const build = (md: Uint8Array): Uint8Array => {
      const signedAttrs = der.setOf(attrs(md));
      const signature = sign(null, signedAttrs, createPrivateKey(readFileSync(join(dir, 'ed.key'))));
      const signedAttrsImplicit = new Uint8Array(signedAttrs);
      signedAttrsImplicit[0] = 0xa0;
      const signerInfo = der.sequence(der.integer(1), der.sequence(issuer, serial), der.sequence(der.oid(OID.sha512)), signedAttrsImplicit, der.sequence(der.oid(OID.ed25519)), der.octetString(signature));
      const certs = new Uint8Array(der.set(certDer));
      certs[0] = 0xa0;
      const sd = der.sequence(der.integer(1), der.set(der.sequence(der.oid(OID.sha512))), der.sequence(der.oid(OID.data)), certs, der.set(signerInfo));
      return der.sequence(der.oid(OID.signedData), der.explicit(0, sd));
    };
    const good = build(digest('sha512', content));
    const result = await verifyCmsSignature(good, { content });
    expect(result.signers[0]!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.signers[0]!.signatureAlgorithm).toMatchObject({ scheme: 'ed25519' });
    expect(result.valid).toBe(true);
    // (openssl 3.0 cannot verify Ed25519 CMS either: same "invalid digest" in its EdDSA provider.)
    // Change the messageDigest value after signing.
    const tampered = new Uint8Array(good);
    const at = Buffer.from(tampered).indexOf(Buffer.from(digest('sha512', content)));
    tampered[at + 63]! ^= 0x01;
    const broken = await verifyCmsSignature(tampered, { content });
    expect(broken.signers[0]!.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['MESSAGE_DIGEST_MISMATCH', 'SIGNATURE_INVALID']));
  });
});

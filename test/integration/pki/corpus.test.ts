/**
 * Third-party CMS from the interop corpus (pyHanko's test PDFs, /work/shared/corpus). The PDF
 * reader is not used here: the ByteRange array says where /Contents lies (between the two
 * covered ranges), which is enough to pull out the CMS and the signed bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCertificatePath, verifyCmsSignature, verifyDocumentTimestamp, type CmsVerification } from '../../../src/main/core/pki';

const CORPUS = '/work/shared/corpus';
const present = existsSync(join(CORPUS, 'pyhanko')) && existsSync(join(CORPUS, 'trust/pyhanko-testing-root.pem'));
if (!present) console.warn(`PKI corpus tests skipped: ${CORPUS} is absent`);

interface PdfSignature {
  readonly subFilter: string | undefined;
  readonly cms: Uint8Array;
  readonly signedBytes: Uint8Array;
}

function signaturesOf(pdf: Buffer): PdfSignature[] {
  const text = pdf.toString('latin1');
  const found: PdfSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    const hexStart = a + b;
    if (pdf[hexStart] !== 0x3c || pdf[c - 1] !== 0x3e) continue;
    const cms = Buffer.from(text.slice(hexStart + 1, c - 1).replace(/\s+/g, ''), 'hex');
    // The /SubFilter of the same dictionary: the nearest one before or after the ByteRange.
    const around = text.slice(Math.max(0, m.index - 2000), m.index + 2000);
    const sub = /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(around)?.[1];
    found.push({ subFilter: sub, cms, signedBytes: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]) });
  }
  return found;
}

function pemToDer(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

const at2021 = new Date('2021-06-01T00:00:00Z');

describe.skipIf(!present)('third-party CMS (pyHanko corpus)', () => {
  const root = present ? pemToDer(readFileSync(join(CORPUS, 'trust/pyhanko-testing-root.pem'), 'utf8')) : new Uint8Array();
  const files = present ? readdirSync(join(CORPUS, 'pyhanko')).filter((f) => f.endsWith('.pdf')) : [];

  async function verifyFile(name: string): Promise<{ sig: PdfSignature; result: CmsVerification }[]> {
    const pdf = readFileSync(join(CORPUS, 'pyhanko', name));
    const out: { sig: PdfSignature; result: CmsVerification }[] = [];
    for (const sig of signaturesOf(pdf)) {
      if (sig.subFilter === 'ETSI.RFC3161') continue;
      out.push({ sig, result: await verifyCmsSignature(sig.cms, { content: sig.signedBytes }) });
    }
    return out;
  }

  it('verifies the signature in sig-with-ski-sid.pdf and chains it to the pyHanko test root in 2021', async () => {
    const [first] = await verifyFile('sig-with-ski-sid.pdf');
    expect(first).toBeDefined();
    const signer = first!.result.signers[0]!;
    expect(signer.signerIdentifier.subjectKeyIdentifier).toBeDefined();
    expect(signer.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(first!.result.valid).toBe(true);
    const path = validateCertificatePath({ leaf: signer.certificate!, intermediates: first!.result.certificates, trustAnchors: [root], at: at2021 });
    expect(path.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(path.trusted).toBe(true);
    expect(path.path.length).toBeGreaterThanOrEqual(2);
    // The same signature is untrusted without the anchor, and outside its validity.
    expect(validateCertificatePath({ leaf: signer.certificate!, intermediates: first!.result.certificates, trustAnchors: [], at: at2021 }).trusted).toBe(false);
    expect(validateCertificatePath({ leaf: signer.certificate!, intermediates: first!.result.certificates, trustAnchors: [root], at: new Date('2023-01-01Z') }).findings.map((f) => f.code)).toContain(
      'CERTIFICATE_EXPIRED',
    );
    // One changed byte in the signed range breaks it.
    const changed = Buffer.from(first!.sig.signedBytes);
    changed[100]! ^= 0x01;
    const broken = await verifyCmsSignature(first!.sig.cms, { content: changed });
    expect(broken.valid).toBe(false);
  });

  it('verifies a legacy signature without signed attributes (signature over the content itself)', async () => {
    const [first] = await verifyFile('sig-no-signed-attrs.pdf');
    const signer = first!.result.signers[0]!;
    expect(signer.hasSignedAttributes).toBe(false);
    expect(signer.valid).toBe(true);
    expect(signer.padesMissing).toEqual(['content-type', 'message-digest', 'signing-certificate-v2']);
    // Through a digest function too (RSA PKCS#1 checked from the digest alone).
    const viaDigest = await verifyCmsSignature(first!.sig.cms, { content: (hash) => new Uint8Array(createHash(hash).update(first!.sig.signedBytes).digest()) });
    expect(viaDigest.valid).toBe(true);
  });

  it('checks the old-style (v1) signing-certificate attribute', async () => {
    const [first] = await verifyFile('pades-with-old-style-signing-cert-attr.pdf');
    const signer = first!.result.signers[0]!;
    expect(signer.attributes.hasSigningCertificate).toBe(true);
    expect(signer.valid).toBe(true);
  });

  it('verifies the signature timestamp and the document timestamp of a PAdES-LTA file', async () => {
    const pdf = readFileSync(join(CORPUS, 'pyhanko', 'pades-lta-dss-indirect-arrs-test.pdf'));
    const sigs = signaturesOf(pdf);
    const docTs = sigs.find((s) => s.subFilter === 'ETSI.RFC3161');
    const cades = sigs.find((s) => s.subFilter === 'ETSI.CAdES.detached');
    expect(docTs && cades).toBeTruthy();
    const result = await verifyCmsSignature(cades!.cms, { content: cades!.signedBytes });
    expect(result.valid).toBe(true);
    const ts = result.signers[0]!.signatureTimestamp;
    expect(ts?.valid).toBe(true);
    expect(ts?.genTime?.getUTCFullYear()).toBeGreaterThanOrEqual(2020);
    const tsPath = validateCertificatePath({ leaf: ts!.tsaCertificate!, intermediates: [...ts!.token!.certificates, ...result.certificates], trustAnchors: [root], at: ts!.genTime!, leafKeyUsage: ['digitalSignature', 'nonRepudiation'] });
    expect(tsPath.findings.filter((f) => f.severity === 'error')).toEqual([]);

    const doc = await verifyDocumentTimestamp(docTs!.cms, docTs!.signedBytes);
    expect(doc.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(doc.valid).toBe(true);
    const changed = Buffer.from(docTs!.signedBytes);
    changed[10]! ^= 0x01;
    const broken = await verifyDocumentTimestamp(docTs!.cms, changed);
    expect(broken.findings.map((f) => f.code)).toContain('TIMESTAMP_IMPRINT_MISMATCH');
  });

  it('reads every signature in the pyHanko corpus without throwing, and reports per file', async () => {
    const report: string[] = [];
    for (const name of files) {
      for (const { result } of await verifyFile(name)) {
        const s = result.signers[0];
        report.push(`${name}: ${result.valid ? 'intact' : 'NOT intact'} ${s?.findings.map((f) => f.code).join(',') ?? ''}`);
      }
    }
    console.log(report.join('\n'));
    expect(report.length).toBeGreaterThanOrEqual(files.length);
  });
});

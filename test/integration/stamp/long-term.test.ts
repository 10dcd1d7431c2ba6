/**
 * Issue 16, PAdES B-LT and B-LTA at stamping, judged by pdfsig, qpdf, openssl and our verifier:
 *  - B-LT: the seal (with a signature timestamp from a real RFC 3161 TSA on 127.0.0.1) is
 *    followed by a DSS update with the chain and the group CRL and a VRI entry; openssl
 *    verifies the embedded CRL against the root; our verifier, given only the roots (no CRL,
 *    no snapshot), reports revocation checked from the embedded data and level B-LT;
 *  - B-LTA: a document timestamp follows the DSS; pdfsig lists the seal and the timestamp,
 *    our verifier reports B-LTA, and stays VALID when run (faketime) after the seal
 *    certificate has expired.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfDocument, PdfRef, PdfStream } from '../../../src/main/core/pdf/index';
import { buildCrl } from '../../../src/main/core/pki/index';
import { StampingPipeline } from '../../../src/main/core/stamp/index';
import { vriKey } from '../../../src/main/core/stamp/ltv';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { TsaClient } from '../../../src/main/infra/timestamp/tsa-client';
import { YINJIAN_BIN, runYinjian, type CliResult } from '../../helpers/cli';
import { nssDatabase, pdfsig, pemOf, qpdfCheck, signaturesOf } from '../../helpers/pdfsig';
import { startTestTsa, type TestTsa } from '../../helpers/tsa';
import { NOTICE, NOW, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let tsa: TestTsa;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let crl: Uint8Array;
let input: Uint8Array;

function pipeline(options: { lta: boolean }): StampingPipeline {
  const client = new TsaClient(tsa.url);
  return new StampingPipeline({
    register: stampRegisterPort(fx.register),
    text: new PdfJsTextReader(),
    output: new AtomicFileOutput(),
    clock: () => NOW,
    workstationCode: fx.workstationCode,
    timestamper: client,
    longTerm: { crls: () => [crl], ...(options.lta ? { archiveTimestamper: client } : {}) },
  });
}

beforeAll(async () => {
  fx = await stampFixture();
  tsa = await startTestTsa();
  nss = nssDatabase([fx.root, tsa.rootDer]);
  seal = await fx.issueSeal('YJ-L-0001');
  crl = await buildCrl({ issuerCertificate: fx.root, issuerSigner: fx.rootSigner, thisUpdate: new Date('2026-08-01T00:00:00Z'), nextUpdate: new Date('2026-08-31T00:00:00Z'), crlNumber: 7, entries: [] });
  input = await makePdf([NOTICE]);
});
afterAll(async () => {
  await tsa?.close();
  nss?.dispose();
  fx?.dispose();
});

function dssOf(bytes: Uint8Array): { certs: Uint8Array[]; crls: Uint8Array[]; vri: string[] } {
  const doc = PdfDocument.open(bytes);
  const view = doc.latest;
  const dss = view.resolveDict(doc.catalog().get('DSS'));
  const data = (key: string): Uint8Array[] =>
    (view.resolveArray(dss?.get(key))?.items ?? []).map((item) => {
      const stream = item instanceof PdfRef ? view.resolve(item) : item;
      return doc.decodedStreamData(stream as PdfStream, view);
    });
  return { certs: data('Certs'), crls: data('CRLs'), vri: [...(view.resolveDict(dss?.get('VRI'))?.keys() ?? [])] };
}

describe('B-LT at stamping', () => {
  it('the DSS carries the chain, the CRL and a VRI entry for the seal; openssl verifies the embedded CRL; our verifier with roots only says revocation from embedded data, B-LT', async () => {
    const outcome = await pipeline({ lta: false }).stamp(fx.request(seal.seal, input, 'blt.pdf'), seal.key);
    const bytes = new Uint8Array(readFileSync(outcome.outputPath));
    const doc = PdfDocument.open(bytes);
    // The seal's revision, then the DSS revision.
    expect(doc.revisions).toHaveLength(3);
    const dss = dssOf(bytes);
    expect(dss.certs.map((c) => Buffer.from(c).toString('base64'))).toEqual([seal.key.certificate, ...seal.key.caCertificates].map((c) => Buffer.from(c).toString('base64')));
    expect(dss.crls).toHaveLength(1);
    const contents = Buffer.alloc(outcome.signatureBytes);
    // The VRI key is the SHA-1 of the /Contents bytes, as stored.
    const sig = doc.formFields()[0]!;
    const v = doc.latest.resolveDict(sig.dict.get('V'));
    const stored = v?.getString('Contents')?.bytes ?? contents;
    expect(dss.vri).toEqual([vriKey(stored)]);
    expect(outcome.sha256After).toBe(execFileSync('/usr/bin/sha256sum', [outcome.outputPath], { encoding: 'utf8' }).split(' ')[0]);

    const dir = mkdtempSync(join(fx.dir, 'openssl-'));
    writeFileSync(join(dir, 'dss.crl'), dss.crls[0]!);
    writeFileSync(join(dir, 'root.pem'), pemOf('CERTIFICATE', fx.root));
    const crlCheck = spawnSync('/usr/bin/openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'dss.crl'), '-CAfile', join(dir, 'root.pem'), '-noout'], { encoding: 'utf8' });
    expect(`${crlCheck.stdout}${crlCheck.stderr}`).toMatch(/verify OK/);

    expect(qpdfCheck(outcome.outputPath).ok).toBe(true);
    const reports = pdfsig(outcome.outputPath, nss.nssdir);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ signatureValid: true, certificateTrusted: true });

    const report = await verifyPdf(bytes, { trustAnchors: [fx.root, tsa.rootDer] });
    const signature = report.signatures[0]!;
    // Only validation data follows the seal: VALID, with the DSS update listed.
    expect(signature.verdict, JSON.stringify(signature.findings)).toBe('VALID');
    expect(signature.padesLevel).toBe('B-LT');
    expect(signature.revocationSource).toBe('embedded');
    expect(signature.findings.map((f) => f.code)).toContain('REVOCATION_FROM_EMBEDDED_DATA');
    expect(signature.changes.every((c) => c.kind === 'dss-updated' || c.level === 'none' || c.level === 'signatures')).toBe(true);

    // Without the DSS (the signed revision alone) the same verifier has no revocation data: B-T.
    const signedOnly = bytes.subarray(0, doc.revisions[1]!.endOffset);
    const bare = await verifyPdf(signedOnly, { trustAnchors: [fx.root, tsa.rootDer] });
    expect(bare.signatures[0]?.padesLevel).toBe('B-T');
    expect(bare.signatures[0]?.revocationSource).toBe('none');
  });
});

describe('B-LTA at stamping', () => {
  it('a document timestamp follows the DSS; pdfsig lists seal and timestamp; our verifier says B-LTA, and VALID after the seal certificate expired (faketime)', async () => {
    const outcome = await pipeline({ lta: true }).stamp(fx.request(seal.seal, input, 'blta.pdf'), seal.key);
    const bytes = new Uint8Array(readFileSync(outcome.outputPath));
    const doc = PdfDocument.open(bytes);
    expect(doc.revisions).toHaveLength(4);
    expect(qpdfCheck(outcome.outputPath).ok).toBe(true);
    const reports = pdfsig(outcome.outputPath, nss.nssdir);
    expect(reports, reports.map((r) => r.raw).join('\n')).toHaveLength(2);
    expect(reports[0]).toMatchObject({ signatureValid: true, certificateTrusted: true });
    // poppler 22.12 lists the document timestamp (whole file) but cannot verify ETSI.RFC3161 ("Signature Type: unknown").
    expect(reports[1]?.raw).toMatch(/Total document signed/);
    // openssl ts verifies the token over the byte ranges against the TSA root.
    const [, docTs] = signaturesOf(bytes);
    const [a, b, c, d] = docTs!.byteRange;
    const tsDir = mkdtempSync(join(fx.dir, 'ts-'));
    writeFileSync(join(tsDir, 'data'), Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
    writeFileSync(join(tsDir, 'token.der'), docTs!.cms);
    writeFileSync(join(tsDir, 'tsa-root.pem'), pemOf('CERTIFICATE', tsa.rootDer));
    const tsVerify = spawnSync('/usr/bin/openssl', ['ts', '-verify', '-data', 'data', '-in', 'token.der', '-token_in', '-CAfile', 'tsa-root.pem'], { cwd: tsDir, encoding: 'utf8' });
    expect(`${tsVerify.stdout}${tsVerify.stderr}`).toMatch(/Verification: OK/);

    const report = await verifyPdf(bytes, { trustAnchors: [fx.root, tsa.rootDer] });
    expect(report.signatures.map((s) => s.kind)).toEqual(['signature', 'document-timestamp']);
    expect(report.signatures[1]?.verdict, JSON.stringify(report.signatures[1]?.findings)).toBe('VALID');
    expect(report.signatures[0]?.padesLevel).toBe('B-LTA');
    expect(report.verdict).toBe('VALID_WITH_CHANGES');

    // The seal certificate expires 2031-07-01; verify in 2033 with the compiled CLI under faketime.
    const dir = mkdtempSync(join(fx.dir, 'faketime-'));
    writeFileSync(join(dir, 'root.pem'), pemOf('CERTIFICATE', fx.root));
    writeFileSync(join(dir, 'tsa-root.pem'), pemOf('CERTIFICATE', tsa.rootDer));
    const run = spawnSync(
      '/usr/bin/faketime',
      ['2033-03-01 00:00:00', process.execPath, YINJIAN_BIN, 'verify', outcome.outputPath, '--trust', join(dir, 'root.pem'), '--trust', join(dir, 'tsa-root.pem'), '--json', '--data-dir', join(dir, 'data')],
      { encoding: 'utf8' },
    );
    const json = JSON.parse(run.stdout) as { generatedAt: string; verdict: string; files: { signatures: { padesLevel?: string; verdict: string; revocationSource?: string }[] }[] };
    expect(json.generatedAt.startsWith('2033-')).toBe(true);
    expect(json.verdict).toBe('VALID_WITH_CHANGES');
    expect(json.files[0]?.signatures[0]).toMatchObject({ padesLevel: 'B-LTA', revocationSource: 'embedded' });
  });
});

describe('ltv extend (archive renewal)', () => {
  it('turns a B-B seal into B-LTA, and a second run adds fresh data and another document timestamp; every timestamp stays valid', async () => {
    const plain = await fx.pipeline.stamp(fx.request(seal.seal, input, 'bb.pdf'), seal.key);
    const dir = mkdtempSync(join(fx.dir, 'extend-'));
    writeFileSync(join(dir, 'group.crl'), crl);
    // Asynchronous: the TSA answers from this process's event loop.
    const cli = (args: string[]): Promise<CliResult> => runYinjian(['ltv', 'extend', ...args, '--tsa', tsa.url, '--crl', join(dir, 'group.crl'), '--data-dir', join(dir, 'data'), '--json']);
    const first = await cli([plain.outputPath, '--out', join(dir, 'once.pdf')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ signatures: 1, crls: 1, documentTimestamp: true });
    const once = new Uint8Array(readFileSync(join(dir, 'once.pdf')));
    let report = await verifyPdf(once, { trustAnchors: [fx.root, tsa.rootDer] });
    expect(report.signatures.map((s) => s.padesLevel ?? s.kind)).toEqual(['B-LTA', 'document-timestamp']);
    expect(report.signatures[0]?.revocationSource).toBe('embedded');

    const second = await cli([join(dir, 'once.pdf'), '--out', join(dir, 'twice.pdf')]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ signatures: 2 });
    const twice = new Uint8Array(readFileSync(join(dir, 'twice.pdf')));
    expect(qpdfCheck(join(dir, 'twice.pdf')).ok).toBe(true);
    report = await verifyPdf(twice, { trustAnchors: [fx.root, tsa.rootDer] });
    expect(report.signatures.map((s) => s.kind)).toEqual(['signature', 'document-timestamp', 'document-timestamp']);
    for (const s of report.signatures.slice(1)) expect(s.verdict, JSON.stringify(s.findings)).toMatch(/^VALID/);
    expect(report.signatures[0]?.padesLevel).toBe('B-LTA');
    // The DSS now has a VRI entry for the seal and one for the first document timestamp (its TSA chain).
    expect(dssOf(twice).vri).toHaveLength(2);
    expect(dssOf(twice).certs.length).toBeGreaterThan(dssOf(once).certs.length);
    // An existing output is refused (STAMP_OUTPUT_EXISTS) and left as it was.
    const again = await cli([plain.outputPath, '--out', join(dir, 'once.pdf')]);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('STAMP_OUTPUT_EXISTS');
    expect(Buffer.compare(readFileSync(join(dir, 'once.pdf')), once)).toBe(0);
  });
});


/**
 * Issue 16, the archive chain: a seal stays valid after its certificate expired only through a
 * proof of existence that still holds, and B-LTA only when the chain of document timestamps
 * holds (archive-chain.ts, pades-level.ts). Two real RFC 3161 TSAs on 127.0.0.1: a "short" one
 * whose certificate expires before the seal certificate (2031-07-01), and a "long" one valid
 * for ten years. Verified with the compiled CLI under faketime in 2033, after both the seal
 * certificate and the short TSA's certificate expired:
 *  - B-T and B-LT seals (signature timestamp by the short TSA): UNTRUSTED, SEAL_EXPIRED_NO_PROOF;
 *  - B-LTA with the document timestamp by the long TSA: VALID from the archive timestamp;
 *  - B-LTA whose only document timestamp is by the short TSA: the chain is broken today
 *    (B-LT, UNTRUSTED); renewed by `ltv extend` with the long TSA it holds again (B-LTA, VALID);
 *  - a document timestamp whose imprint fails, or whose TSA is not trusted, is no archive
 *    timestamp: the seal is B-LT.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrl } from '../../../src/main/core/pki/index';
import { StampingPipeline } from '../../../src/main/core/stamp/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { TsaClient } from '../../../src/main/infra/timestamp/tsa-client';
import { YINJIAN_BIN, runYinjian } from '../../helpers/cli';
import { pemOf } from '../../helpers/pdfsig';
import { startTestTsa, type TestTsa } from '../../helpers/tsa';
import { NOTICE, NOW, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let short: TestTsa;
let long: TestTsa;
let stranger: TestTsa;
let seal: IssuedSeal;
let crl: Uint8Array;
let input: Uint8Array;
let dir: string;

beforeAll(async () => {
  fx = await stampFixture();
  // Expires in under four years: before the seal certificate (2031-07-01) and long before 2033.
  [short, long, stranger] = await Promise.all([startTestTsa({ tsaDays: 1400 }), startTestTsa(), startTestTsa()]);
  seal = await fx.issueSeal('YJ-A-0001');
  crl = await buildCrl({ issuerCertificate: fx.root, issuerSigner: fx.rootSigner, thisUpdate: new Date('2026-08-01T00:00:00Z'), nextUpdate: new Date('2026-08-31T00:00:00Z'), crlNumber: 9, entries: [] });
  input = await makePdf([NOTICE]);
  dir = mkdtempSync(join(fx.dir, 'archive-'));
  writeFileSync(join(dir, 'root.pem'), pemOf('CERTIFICATE', fx.root));
  writeFileSync(join(dir, 'short.pem'), pemOf('CERTIFICATE', short.rootDer));
  writeFileSync(join(dir, 'long.pem'), pemOf('CERTIFICATE', long.rootDer));
  writeFileSync(join(dir, 'group.crl'), crl);
});
afterAll(async () => {
  await Promise.all([short?.close(), long?.close(), stranger?.close()]);
  fx?.dispose();
});

/** A stamping pipeline: signature timestamps from `signatureTsa`; B-LT with `longTerm`; B-LTA with `archiveTsa`. */
function stamp(name: string, signatureTsa: TestTsa, options: { longTerm?: boolean; archiveTsa?: TestTsa } = {}): Promise<string> {
  const pipeline = new StampingPipeline({
    register: stampRegisterPort(fx.register),
    text: new PdfJsTextReader(),
    output: new AtomicFileOutput(),
    clock: () => NOW,
    workstationCode: fx.workstationCode,
    timestamper: new TsaClient(signatureTsa.url),
    ...(options.longTerm || options.archiveTsa ? { longTerm: { crls: () => [crl], ...(options.archiveTsa ? { archiveTimestamper: new TsaClient(options.archiveTsa.url) } : {}) } } : {}),
  });
  return pipeline.stamp(fx.request(seal.seal, input, name), seal.key).then((o) => o.outputPath);
}

interface VerifiedSeal {
  verdict: string;
  padesLevel?: string;
  findings: { code: string; en: string }[];
}

/** `yinjian verify --json` in 2033 (faketime): the seal certificate and the short TSA's have expired. */
function verifyIn2033(file: string): { verdict: string; seal: VerifiedSeal; all: VerifiedSeal[] } {
  const run = spawnSync(
    '/usr/bin/faketime',
    ['2033-03-01 00:00:00', process.execPath, YINJIAN_BIN, 'verify', file, '--trust', join(dir, 'root.pem'), '--trust', join(dir, 'short.pem'), '--trust', join(dir, 'long.pem'), '--json', '--data-dir', join(dir, 'data')],
    { encoding: 'utf8' },
  );
  const json = JSON.parse(run.stdout) as { generatedAt: string; verdict: string; files: { signatures: VerifiedSeal[] }[] };
  expect(json.generatedAt.startsWith('2033-')).toBe(true);
  const all = json.files[0]!.signatures;
  return { verdict: json.verdict, seal: all[0]!, all };
}

const codes = (s: VerifiedSeal): string[] => s.findings.map((f) => f.code);

describe('after the seal certificate expired (faketime 2033)', () => {
  it('a B-T seal whose TSA certificate has expired too is not valid: no proof that still holds', async () => {
    const file = await stamp('bt.pdf', short);
    const today = await verifyPdf(new Uint8Array(readFileSync(file)), { trustAnchors: [fx.root, short.rootDer] });
    expect(today.signatures[0]).toMatchObject({ verdict: 'VALID', padesLevel: 'B-T' });
    const later = verifyIn2033(file);
    expect(later.seal.padesLevel).toBe('B-T');
    expect(later.seal.verdict).toBe('UNTRUSTED');
    expect(codes(later.seal)).toContain('SEAL_EXPIRED_NO_PROOF');
    expect(later.verdict).toBe('UNTRUSTED');
  });

  it('a B-LT seal likewise: the embedded CRL proves no time', async () => {
    const file = await stamp('blt.pdf', short, { longTerm: true });
    const later = verifyIn2033(file);
    expect(later.seal.padesLevel).toBe('B-LT');
    expect(later.seal.verdict).toBe('UNTRUSTED');
    expect(codes(later.seal)).toContain('SEAL_EXPIRED_NO_PROOF');
  });

  it('a B-LTA seal whose archive timestamp still holds stays VALID, from the archive timestamp', async () => {
    const file = await stamp('blta.pdf', short, { archiveTsa: long });
    const later = verifyIn2033(file);
    expect(later.seal.padesLevel).toBe('B-LTA');
    expect(later.seal.verdict).toBe('VALID_WITH_CHANGES');
    const proof = later.seal.findings.find((f) => f.code === 'LONG_TERM_PROOF');
    // The short TSA's certificate has expired, but the archive timestamp covers the signature timestamp: judged at its time.
    expect(proof?.en).toContain('the signature timestamp (kept by the archive timestamp) proves the seal existed');
    expect(codes(later.all[1]!)).toContain('ARCHIVE_TIMESTAMP_CHAINED');
    expect(later.verdict).toBe('VALID_WITH_CHANGES');
  });

  it('a B-LTA seal whose only archive timestamp\'s TSA expired is broken today; `ltv extend` with a current TSA renews the chain', async () => {
    const file = await stamp('blta-short.pdf', short, { archiveTsa: short });
    const broken = verifyIn2033(file);
    expect(broken.seal.padesLevel).toBe('B-LT');
    expect(broken.seal.verdict).toBe('UNTRUSTED');
    expect(broken.all[1]!.findings.find((f) => f.code === 'ARCHIVE_CHAIN_BROKEN')?.en).toMatch(/not valid at 2033-03-01.*verification time/);

    const renewed = join(dir, 'renewed.pdf');
    const extend = await runYinjian(['ltv', 'extend', file, '--out', renewed, '--tsa', long.url, '--crl', join(dir, 'group.crl'), '--data-dir', join(dir, 'extend-data'), '--json']);
    expect(extend.code, extend.stderr).toBe(0);
    const later = verifyIn2033(renewed);
    expect(later.all.map((s) => s.padesLevel ?? 'document-timestamp')).toEqual(['B-LTA', 'document-timestamp', 'document-timestamp']);
    expect(later.seal.verdict).toBe('VALID_WITH_CHANGES');
    // The first archive timestamp is judged at the second one's time, when its TSA was valid.
    expect(later.all[1]!.findings.find((f) => f.code === 'ARCHIVE_TIMESTAMP_CHAINED')?.en).toContain('the next archive timestamp');
    expect(later.all[2]!.findings.find((f) => f.code === 'ARCHIVE_TIMESTAMP_CHAINED')?.en).toContain('the verification time');
  });
});

describe('a broken archive chain is not B-LTA', () => {
  it('a document timestamp whose imprint fails (a byte of its revision changed)', async () => {
    const file = await stamp('blta-imprint.pdf', long, { archiveTsa: long });
    const bytes = Buffer.from(readFileSync(file));
    const at = bytes.lastIndexOf('/Adobe.PPKLite');
    expect(at).toBeGreaterThan(0);
    bytes[at + '/Adobe.PPKLit'.length] = 'f'.charCodeAt(0);
    const good = await verifyPdf(new Uint8Array(readFileSync(file)), { trustAnchors: [fx.root, long.rootDer] });
    expect(good.signatures[0]?.padesLevel).toBe('B-LTA');
    const report = await verifyPdf(new Uint8Array(bytes), { trustAnchors: [fx.root, long.rootDer] });
    expect(report.signatures[1]?.verdict).toBe('INVALID');
    expect(report.signatures[1]?.findings.map((f) => f.code)).toContain('ARCHIVE_CHAIN_BROKEN');
    expect(report.signatures[0]?.padesLevel).toBe('B-LT');
  });

  it('a document timestamp from a TSA that is not trusted', async () => {
    const file = await stamp('blta-stranger.pdf', long, { archiveTsa: stranger });
    const report = await verifyPdf(new Uint8Array(readFileSync(file)), { trustAnchors: [fx.root, long.rootDer] });
    expect(report.signatures[1]?.verdict).toBe('UNTRUSTED');
    expect(report.signatures[0]?.padesLevel).toBe('B-LT');
    const trusted = await verifyPdf(new Uint8Array(readFileSync(file)), { trustAnchors: [fx.root, long.rootDer, stranger.rootDer] });
    expect(trusted.signatures[0]?.padesLevel).toBe('B-LTA');
  });
});

/**
 * PAdES B-T through the real pipeline against a real RFC 3161 TSA on loopback (openssl ts
 * -reply behind a node http server): pdfsig still says valid, our verifier finds the signature
 * timestamp and rests on its time; a TSA that is down refuses the stamping with no output.
 * And certified inputs: DocMDP P=1 is refused before anything is signed, P=2 can be sealed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StampingPipeline } from '../../../src/main/core/stamp/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { TsaClient } from '../../../src/main/infra/timestamp/tsa-client';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { makeBasePdf, makeTestSeal, signPdf } from '../../helpers/signed-pdf';
import { startTestTsa, unusedLoopbackUrl, type TestTsa } from '../../helpers/tsa';
import { NOTICE, NOW, codeOf, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let tsa: TestTsa;
let notice: Uint8Array;

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-T-0001');
  tsa = await startTestTsa();
  notice = await makePdf([NOTICE]);
});
afterAll(async () => {
  await tsa?.close();
  nss?.dispose();
  fx?.dispose();
});

function pipelineWith(url: string): StampingPipeline {
  return new StampingPipeline({
    register: stampRegisterPort(fx.register),
    text: new PdfJsTextReader(),
    output: new AtomicFileOutput(),
    clock: () => NOW,
    workstationCode: fx.workstationCode,
    timestamper: new TsaClient(url, { timeoutMs: 5000 }),
  });
}

describe('signature timestamp (PAdES B-T)', () => {
  it('a configured TSA stamps the signature: pdfsig valid, the verifier trusts the timestamp time', async () => {
    const before = tsa.requests;
    const outcome = await pipelineWith(tsa.url).stamp(fx.request(seal.seal, notice, 'bt.pdf'), seal.key);
    expect(tsa.requests).toBe(before + 1);
    expect(pdfsig(outcome.outputPath, nss.nssdir)[0]).toMatchObject({ signatureValid: true, certificateTrusted: true, totalDocumentSigned: true });

    const bytes = new Uint8Array(readFileSync(outcome.outputPath));
    const report = await verifyPdf(bytes, { trustAnchors: [fx.root, tsa.rootDer] });
    const signature = report.signatures[0];
    expect(signature?.timestampTime).toBeDefined();
    expect(signature?.trustedTimeSource).toBe('timestamp');
    // The TSA's clock (the real now), not the pipeline's claimed /M time.
    expect(Math.abs(new Date(signature?.timestampTime as string).getTime() - Date.now())).toBeLessThan(10 * 60_000);
    expect(signature?.findings.map((f) => f.code)).toContain('TIMESTAMP_VALID');
    expect(signature?.findings.map((f) => f.code)).not.toContain('TIMESTAMP_INVALID');

    // Without the TSA root the timestamp is intact but only informational.
    const untrusted = await verifyPdf(bytes, { trustAnchors: [fx.root] });
    expect(untrusted.signatures[0]?.trustedTimeSource).toBe('claimed');
    expect(untrusted.signatures[0]?.findings.map((f) => f.code)).toContain('TIMESTAMP_UNTRUSTED');
  });

  it('without a TSA the seal has no timestamp (the default, offline)', async () => {
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, notice, 'bb.pdf'), seal.key);
    const report = await verifyPdf(new Uint8Array(readFileSync(outcome.outputPath)), { trustAnchors: [fx.root, tsa.rootDer] });
    expect(report.signatures[0]?.timestampTime).toBeUndefined();
    expect(report.signatures[0]?.trustedTimeSource).toBe('claimed');
  });

  it('a TSA that is down refuses the stamping: TSA_UNREACHABLE, a failed usage row, no output', async () => {
    const output = join(fx.dir, 'down.pdf');
    const rows = fx.register.usage.find().length;
    expect(await codeOf(pipelineWith(await unusedLoopbackUrl()).stamp(fx.request(seal.seal, notice, 'down.pdf'), seal.key))).toBe('TSA_UNREACHABLE');
    expect(existsSync(output)).toBe(false);
    const recorded = fx.register.usage.find();
    expect(recorded.length).toBe(rows + 1);
    expect(recorded.at(-1)).toMatchObject({ status: 'failed', errorCode: 'TSA_UNREACHABLE' });
  });

  it('a garbage reply and a replayed token are TSA_RESPONSE_INVALID', async () => {
    let replay: Buffer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/garbage') {
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
          res.end(Buffer.from('not DER at all'));
          return;
        }
        // /replay: the first query goes to the real TSA; later ones get that same old reply.
        const send = (body: Buffer): void => {
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
          res.end(body);
        };
        if (replay) return send(replay);
        const forward = request(tsa.url, { method: 'POST', headers: { 'Content-Type': 'application/timestamp-query' } }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => send((replay = Buffer.concat(parts))));
        });
        forward.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await codeOf(new TsaClient(`${base}/garbage`).timestamp(new Uint8Array([1, 2, 3])))).toBe('TSA_RESPONSE_INVALID');
      const signatureValue = new Uint8Array([1, 2, 3]);
      expect(await codeOf(new TsaClient(`${base}/replay`).timestamp(signatureValue))).toBe('no error');
      // Same signature value, so the imprint matches: only the nonce tells the replay apart.
      expect(await codeOf(new TsaClient(`${base}/replay`).timestamp(signatureValue))).toBe('TSA_RESPONSE_INVALID');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('certified inputs (DocMDP)', () => {
  it('P=1 (no changes allowed) is refused before signing, with no output', async () => {
    const author = await makeTestSeal();
    const certified = await signPdf(await makeBasePdf(1, 'Internal notice'), author, { docMdp: 1 });
    const output = join(fx.dir, 'p1.pdf');
    expect(await codeOf(fx.pipeline.stamp(fx.request(seal.seal, certified, 'p1.pdf'), seal.key))).toBe('STAMP_DOCUMENT_CERTIFIED_NO_CHANGES');
    expect(existsSync(output)).toBe(false);
  });

  it('P=2 (form filling and signing allowed) can be sealed, and the certification stays valid', async () => {
    const author = await makeTestSeal();
    const certified = await signPdf(await makeBasePdf(1, 'Internal notice'), author, { docMdp: 2 });
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, certified, 'p2.pdf'), seal.key);
    const reports = pdfsig(outcome.outputPath, nss.nssdir);
    expect(reports).toHaveLength(2);
    expect(reports.every((r) => r.signatureValid)).toBe(true);
  });
});

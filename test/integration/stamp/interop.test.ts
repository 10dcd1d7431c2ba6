/**
 * Sealed PDFs judged by independent validators: for 1, 2 and 3 successive seals (different
 * seals and the same seal), on a classic-xref and an xref-stream PDF, every signature must be
 * "Signature is Valid" and "Certificate is Trusted" for pdfsig (NSS db trusting the test root),
 * the last must cover the whole document, mutool must say the last is unchanged, qpdf --check
 * must find no error and openssl cms -verify must pass on each signature's byte ranges.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfDocument, PdfRef } from '../../../src/main/core/pdf/index';
import { mutoolSignVerify, nssDatabase, opensslVerify, pdfsig, pemOf, qpdfCheck, signaturesOf } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let sealA: IssuedSeal;
let sealB: IssuedSeal;
let sealC: IssuedSeal;
const inputs: Record<'classic' | 'xref-stream', Uint8Array> = { classic: new Uint8Array(), 'xref-stream': new Uint8Array() };

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  sealA = await fx.issueSeal('YJ-A-0001');
  sealB = await fx.issueSeal('YJ-B-0002', { algorithm: 'RSA_PKCS1_SHA256', unitName: '集团财务部' });
  sealC = await fx.issueSeal('YJ-C-0003', { unitName: '集团人事部' });
  inputs.classic = await makePdf([NOTICE, [{ text: '附：用款计划表', size: 14 }]], { objectStreams: false });
  inputs['xref-stream'] = await makePdf([NOTICE, [{ text: '附：用款计划表', size: 14 }]], { objectStreams: true });
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

function judge(path: string, count: number): void {
  const bytes = new Uint8Array(readFileSync(path));
  const reports = pdfsig(path, nss.nssdir);
  expect(reports, 'pdfsig signature count').toHaveLength(count);
  for (const report of reports) {
    expect(report.signatureStatus, report.raw).toBe('Signature is Valid.');
    expect(report.certificateStatus, report.raw).toBe('Certificate is Trusted.');
    expect(report.subFilter).toBe('ETSI.CAdES.detached');
  }
  expect((reports[count - 1] as (typeof reports)[number]).totalDocumentSigned).toBe(true);
  for (const report of reports.slice(0, -1)) expect(report.totalDocumentSigned).toBe(false);
  const mutool = mutoolSignVerify(path);
  expect(mutool.length).toBeGreaterThanOrEqual(count);
  const lastField = mutool[mutool.length - 1] as (typeof mutool)[number];
  expect(lastField.unchanged, lastField.raw).toBe(true);
  const qpdf = qpdfCheck(path);
  expect(qpdf.ok, qpdf.output).toBe(true);
  const signatures = signaturesOf(bytes);
  expect(signatures).toHaveLength(count);
  for (const signature of signatures) {
    const verdict = opensslVerify(bytes, signature, pemOf('CERTIFICATE', fx.root));
    expect(verdict.ok, verdict.output).toBe(true);
  }
}

describe.each(['classic', 'xref-stream'] as const)('%s input', (kind) => {
  it('1, 2 and 3 successive seals by different seals are each valid, trusted and intact', async () => {
    let input = inputs[kind];
    const seals = [sealA, sealB, sealC];
    for (let n = 1; n <= 3; n++) {
      const issued = seals[n - 1] as IssuedSeal;
      const outcome = await fx.pipeline.stamp(fx.request(issued.seal, input, `${kind}-different-${n}.pdf`, { placement: { kind: 'page', page: 1, at: { x: 60 * n, y: 60, unit: 'mm' } } }), issued.key);
      expect(outcome.fieldName).toBe(`印章${n}`);
      judge(outcome.outputPath, n);
      const output = new Uint8Array(readFileSync(outcome.outputPath));
      // Incremental: the input is a byte-for-byte prefix of the output.
      expect(Buffer.compare(output.subarray(0, input.length), input)).toBe(0);
      const doc = PdfDocument.open(output);
      expect(doc.latestRevision.kind === 'table' ? 'classic' : 'xref-stream').toBe(kind);
      expect(doc.catalog().get('AcroForm') instanceof PdfRef || doc.catalog().get('AcroForm') !== undefined).toBe(true);
      expect(doc.latest.resolveDict(doc.catalog().get('AcroForm'))?.getInteger('SigFlags')).toBe(3);
      input = output;
    }
  });

  it('1, 2 and 3 successive seals by the same seal get unique field names and stay valid', async () => {
    let input = inputs[kind];
    for (let n = 1; n <= 3; n++) {
      const outcome = await fx.pipeline.stamp(fx.request(sealA.seal, input, `${kind}-same-${n}.pdf`, { placement: { kind: 'page', page: 2, at: { x: 50 * n, y: 200, unit: 'pt' } } }), sealA.key);
      expect(outcome.fieldName).toBe(`印章${n}`);
      judge(outcome.outputPath, n);
      input = new Uint8Array(readFileSync(outcome.outputPath));
    }
    const doc = PdfDocument.open(input);
    expect(doc.formFields().map((f) => f.fullName)).toEqual(['印章1', '印章2', '印章3']);
    expect(doc.revisions).toHaveLength(4);
  });
});

/**
 * Issue 16: a seal on a hybrid-reference input is written as a classic section (a hybrid
 * file must stay readable by readers without xref streams; pyHanko's strict mode refuses an
 * xref stream appended to one), qpdf and pdfsig accept it, and our verifier warns when a
 * hybrid file's two tables disagree. Every seal declares the ESIC extension in the catalog.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfDocument } from '../../../src/main/core/pdf/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { toHybrid } from '../../helpers/hybrid-pdf';
import { mutoolSignVerify, nssDatabase, pdfsig, qpdfCheck } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let classic: Uint8Array;

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-H-0001');
  classic = await makePdf([NOTICE], { objectStreams: false });
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

describe('hybrid-reference inputs', () => {
  it('the fixture is a well-formed hybrid file that qpdf accepts and our reader reads as hybrid', () => {
    const hybrid = toHybrid(classic);
    const path = join(fx.dir, 'hybrid-input.pdf');
    writeFileSync(path, hybrid);
    expect(qpdfCheck(path).ok, qpdfCheck(path).output).toBe(true);
    const doc = PdfDocument.open(hybrid);
    expect(doc.latestRevision.kind).toBe('hybrid');
  });

  it('the seal is a classic section chained to the hybrid one, two seals in a row too; qpdf, pdfsig, mutool and our verifier accept it', async () => {
    const hybrid = toHybrid(classic);
    const first = await fx.pipeline.stamp(fx.request(seal.seal, hybrid, 'hybrid-1.pdf'), seal.key);
    const second = await fx.pipeline.stamp(fx.request(seal.seal, new Uint8Array(readFileSync(first.outputPath)), 'hybrid-2.pdf'), seal.key);
    const bytes = new Uint8Array(readFileSync(second.outputPath));
    const doc = PdfDocument.open(bytes);
    expect(doc.revisions.map((r) => r.kind)).toEqual(['hybrid', 'table', 'table']);
    // Each update's section is a classic `xref` table with a /Prev, and no xref stream was appended.
    for (const revision of doc.revisions.slice(1)) {
      expect(Buffer.from(bytes.subarray(revision.xrefOffset, revision.xrefOffset + 4)).toString('latin1')).toBe('xref');
      expect(revision.trailer.get('Prev')).toBe(doc.revisions[revision.index - 1]?.xrefOffset);
      expect(revision.trailer.has('XRefStm')).toBe(false);
    }
    const appended = Buffer.from(bytes.subarray(hybrid.length)).toString('latin1');
    expect(appended).not.toMatch(/\/Type\s*\/XRef\b/);
    // The object only the stream knows is still reachable after the updates.
    expect(doc.latest.resolveDict(doc.trailer.get('Info'))?.getString('Title')?.text).toBe('Hybrid');

    const qpdf = qpdfCheck(second.outputPath);
    expect(qpdf.ok, qpdf.output).toBe(true);
    const reports = pdfsig(second.outputPath, nss.nssdir);
    expect(reports).toHaveLength(2);
    for (const r of reports) expect(r).toMatchObject({ signatureValid: true, certificateTrusted: true });
    expect(mutoolSignVerify(second.outputPath).at(-1)?.unchanged).toBe(true);
    const report = await verifyPdf(bytes, { trustAnchors: [fx.root] });
    expect(report.signatures.map((s) => s.verdict)).toEqual(['VALID_WITH_CHANGES', 'VALID']);
    expect(report.findings.map((f) => f.code)).not.toContain('HYBRID_XREF_MISMATCH');
  });

  it('a hybrid file whose classic table and stream disagree is sealed but the verifier warns', async () => {
    const shadow = toHybrid(classic, { disagree: true });
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, shadow, 'hybrid-shadow.pdf'), seal.key);
    const report = await verifyPdf(new Uint8Array(readFileSync(outcome.outputPath)), { trustAnchors: [fx.root] });
    const warning = report.findings.find((f) => f.code === 'HYBRID_XREF_MISMATCH');
    expect(warning?.severity).toBe('warning');
    expect(warning?.en).toMatch(/revision 1: \d+: offset \d+ \/ stream \d+#0/);
  });
});

describe('/Extensions /ESIC', () => {
  it('the catalog of a sealed file declares ESIC base 1.7 level 2, written once', async () => {
    const outcome = await fx.pipeline.stamp(fx.request(seal.seal, classic, 'esic.pdf'), seal.key);
    const again = await fx.pipeline.stamp(fx.request(seal.seal, new Uint8Array(readFileSync(outcome.outputPath)), 'esic-2.pdf'), seal.key);
    const doc = PdfDocument.open(new Uint8Array(readFileSync(again.outputPath)));
    const extensions = doc.latest.resolveDict(doc.catalog().get('Extensions'));
    const esic = doc.latest.resolveDict(extensions?.get('ESIC'));
    expect(esic?.getName('BaseVersion')).toBe('1.7');
    expect(esic?.getInteger('ExtensionLevel')).toBe(2);
    // The second seal found it there and did not rewrite it: only its AcroForm / catalog change.
    const before = PdfDocument.open(new Uint8Array(readFileSync(outcome.outputPath)));
    expect(before.latest.resolveDict(before.catalog().get('Extensions'))?.has('ESIC')).toBe(true);
    const report = await verifyPdf(new Uint8Array(readFileSync(again.outputPath)), { trustAnchors: [fx.root] });
    expect(report.signatures.map((s) => s.verdict)).toEqual(['VALID_WITH_CHANGES', 'VALID']);
  });
});

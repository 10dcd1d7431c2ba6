/**
 * Our own signed files (signed here with software keys through the real writer and PKI),
 * tampered byte by byte and extended by incremental updates, judged by the verifier.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PdfArray, PdfDict, PdfRef, PdfStream, PdfString, name } from '../../../src/main/core/pdf/index';
import { verifyPdf, type FileReport, type TrustContext } from '../../../src/main/core/verify/index';
import { appendUpdate, makeBasePdf, makeTestSeal, signPdf, type TestSeal } from '../../helpers/signed-pdf';

let seal: TestSeal;
let signed: Uint8Array;
let trust: TrustContext;

beforeAll(async () => {
  seal = await makeTestSeal();
  signed = await signPdf(await makeBasePdf(2), seal, { field: 'Seal1' });
  trust = { trustAnchors: [seal.root] };
});

const codes = (report: FileReport): string[] => report.signatures.flatMap((s) => s.findings.map((f) => f.code));

function addAnnotation(bytes: Uint8Array): Uint8Array {
  return appendUpdate(bytes, (doc, update) => {
    const pageRef = doc.pageRefs()[0] as PdfRef;
    const page = doc.latest.resolveDict(pageRef) as PdfDict;
    const note = update.add(PdfDict.of({ Type: name('Annot'), Subtype: name('Text'), Rect: new PdfArray([10, 10, 30, 30]), Contents: PdfString.fromText('收到') }));
    const annots = doc.latest.resolveArray(page.get('Annots'));
    update.put(pageRef, page.with('Annots', new PdfArray([...(annots?.items ?? []), note])));
  });
}

describe('our own signed files', () => {
  it('a fresh seal verifies VALID with the group root, and UNTRUSTED without it', async () => {
    const report = await verifyPdf(signed, trust);
    expect(report.verdict).toBe('VALID');
    const sig = report.signatures[0]!;
    expect(sig.checks).toMatchObject({ coverage: 'passed', integrity: 'passed', trust: 'passed', changes: 'passed', policy: 'passed' });
    expect(sig.seal?.code).toBe('YJ-2024-0001');
    expect(sig.policy).toMatchObject({ ours: true, documentType: 'internal-formal-document', approvalReference: 'SP-2025-0001' });
    expect((await verifyPdf(signed, { trustAnchors: [] })).verdict).toBe('UNTRUSTED');
  });

  it('a byte changed inside the signed ranges is INVALID (digest mismatch)', async () => {
    const at = Buffer.from(signed).indexOf('/MediaBox [ 0 0 595');
    expect(at).toBeGreaterThan(0);
    const tampered = new Uint8Array(signed);
    tampered[at + 18] = 0x36; // 595 → 596: the page grows by a point
    const report = await verifyPdf(tampered, trust);
    expect(report.verdict).toBe('INVALID');
    expect(codes(report)).toContain('DIGEST_MISMATCH');
  });

  it('a byte changed in the signature value inside /Contents (outside the ranges) is INVALID', async () => {
    const sig = (await verifyPdf(signed, trust)).signatures[0]!;
    const gapStart = sig.byteRange![1]!;
    const hex = Buffer.from(signed.subarray(gapStart + 1, sig.byteRange![2]! - 1)).toString('latin1');
    // The CMS ends with the signature value, then zero padding: change a digit just before it.
    const end = hex.replace(/0+$/, '').length;
    const tampered = new Uint8Array(signed);
    const pos = gapStart + 1 + end - 8;
    tampered[pos] = tampered[pos] === 0x41 ? 0x42 : 0x41;
    const report = await verifyPdf(tampered, trust);
    expect(report.verdict).toBe('INVALID');
  });

  it('a /ByteRange widened to swallow bytes is a coverage failure', async () => {
    const text = Buffer.from(signed).toString('latin1');
    const at = text.lastIndexOf('/ByteRange');
    const match = /\[0 (\d+) (\d+) (\d+)\]/.exec(text.slice(at))!;
    const [b, c, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const widened = `[0 ${b - 10} ${c} ${d}]`.padEnd(match[0].length, ' ');
    const tampered = new Uint8Array(signed);
    tampered.set(Buffer.from(widened, 'latin1'), at + text.slice(at).indexOf(match[0]));
    const report = await verifyPdf(tampered, trust);
    expect(report.verdict).toBe('INVALID');
    expect(codes(report)).toContain('BYTE_RANGE_GAP_NOT_CONTENTS');
  });

  it('an added page after signing is MODIFIED and names the page', async () => {
    const withPage = appendUpdate(signed, (doc, update) => {
      const pagesRef = doc.catalog().get('Pages') as PdfRef;
      const pages = doc.latest.resolveDict(pagesRef) as PdfDict;
      const newPage = update.add(PdfDict.of({ Type: name('Page'), Parent: pagesRef, MediaBox: new PdfArray([0, 0, 595, 842]) }));
      update.put(pagesRef, pages.with('Kids', new PdfArray([...(pages.getArray('Kids')?.items ?? []), newPage])).with('Count', 3));
    });
    const report = await verifyPdf(withPage, trust);
    expect(report.verdict).toBe('MODIFIED');
    const change = report.signatures[0]!.changes.find((c) => c.kind === 'pages-added');
    expect(change?.page).toBe(3);
  });

  it('changed page content after signing is MODIFIED (incremental saving attack)', async () => {
    const changed = appendUpdate(signed, (doc, update) => {
      const page = doc.latest.resolveDict(doc.pageRefs()[0]) as PdfDict;
      const contents = page.get('Contents');
      // pdf-lib writes /Contents as an array of streams: replace the first one.
      const contentRef = (contents instanceof PdfArray ? contents.get(0) : contents) as PdfRef;
      update.put(contentRef, PdfStream.withData(new PdfDict(), new TextEncoder().encode('BT /F1 14 Tf 72 760 Td (Contract) Tj ET')));
    });
    const report = await verifyPdf(changed, trust);
    expect(report.verdict).toBe('MODIFIED');
    expect(report.signatures[0]!.changes).toContainEqual(expect.objectContaining({ kind: 'page-content-changed', page: 1, level: 'other' }));
  });

  it('an annotation added after an approval seal is MODIFIED, listed with its page (issue #11: only signatures, timestamps, validation data)', async () => {
    const report = await verifyPdf(addAnnotation(signed), trust);
    expect(report.verdict).toBe('MODIFIED');
    expect(report.signatures[0]!.changes).toContainEqual(expect.objectContaining({ kind: 'annotation-added', page: 1, level: 'annotations' }));
  });

  it('under a DocMDP P=3 certification, which permits annotations, the same annotation is VALID_WITH_CHANGES', async () => {
    const certified = await signPdf(await makeBasePdf(1), seal, { docMdp: 3 });
    const report = await verifyPdf(addAnnotation(certified), trust);
    expect(report.verdict).toBe('VALID_WITH_CHANGES');
  });

  it('under a DocMDP P=1 certification, the same annotation is MODIFIED', async () => {
    const certified = await signPdf(await makeBasePdf(1), seal, { docMdp: 1 });
    expect((await verifyPdf(certified, trust)).signatures[0]!.kind).toBe('certification');
    const report = await verifyPdf(addAnnotation(certified), trust);
    expect(report.verdict).toBe('MODIFIED');
  });

  it('a second seal keeps the first intact: both verify, the first with listed changes', async () => {
    const twice = await signPdf(signed, seal, { field: 'Seal2' });
    const report = await verifyPdf(twice, trust);
    expect(report.verdict).toBe('VALID_WITH_CHANGES');
    expect(report.signatures.map((s) => [s.field, s.verdict])).toEqual([
      ['Seal1', 'VALID_WITH_CHANGES'],
      ['Seal2', 'VALID'],
    ]);
    expect(report.signatures[0]!.changes.every((c) => c.level === 'signatures')).toBe(true);
  });

  it('S5: a seal lost before the signing time is REVOKED; lost after a merely claimed time too (issue #12); superseded after, it is flagged only', async () => {
    const sha256 = createHash('sha256').update(seal.certificate).digest('hex');
    const lostBefore = await verifyPdf(signed, { ...trust, registerSeals: [{ certificateSha256: sha256, state: 'lost', revokedAt: new Date('2025-02-01T00:00:00Z'), reason: 'keyCompromise' }] });
    expect(lostBefore.verdict).toBe('REVOKED');
    // Only the signer's claimed time says "before the loss": a clock set back says the same.
    const lostAfter = await verifyPdf(signed, { ...trust, registerSeals: [{ certificateSha256: sha256, state: 'lost', revokedAt: new Date('2025-04-01T00:00:00Z'), reason: 'keyCompromise' }] });
    expect(lostAfter.verdict).toBe('REVOKED');
    expect(codes(lostAfter)).toContain('SEAL_REVOKED_TIME_UNPROVEN');
    const supersededAfter = await verifyPdf(signed, { ...trust, registerSeals: [{ certificateSha256: sha256, state: 'superseded', revokedAt: new Date('2025-04-01T00:00:00Z'), reason: 'superseded' }] });
    expect(supersededAfter.verdict).toBe('VALID');
    expect(codes(supersededAfter)).toContain('SEAL_REVOKED_LATER');
  });

  it('M4: a seal used on another workstation is a POLICY_VIOLATION', async () => {
    const elsewhere = await signPdf(await makeBasePdf(1), seal, { workstationId: 'ws-somewhere-else' });
    const report = await verifyPdf(elsewhere, trust);
    expect(report.verdict).toBe('POLICY_VIOLATION');
    expect(codes(report)).toContain('WORKSTATION_MISMATCH');
  });

  it('U2: a document type on the deny list is a POLICY_VIOLATION', async () => {
    const report = await verifyPdf(signed, { ...trust, denyList: ['internal-formal-document'] });
    expect(report.verdict).toBe('POLICY_VIOLATION');
    expect(codes(report)).toContain('DOCUMENT_TYPE_FORBIDDEN');
  });

  it('a file that is not a PDF, or damaged, is INVALID with a finding, never a throw', async () => {
    const notPdf = await verifyPdf(new TextEncoder().encode('hello'), trust);
    expect(notPdf.verdict).toBe('INVALID');
    expect(notPdf.findings.map((f) => f.code)).toEqual(['FILE_NOT_PDF']);
    const truncated = await verifyPdf(signed.subarray(0, signed.length / 2), trust);
    expect(truncated.verdict).not.toBe('VALID');
  });

  it('hostile structure (deep nesting, huge /Length, self-referencing /Kids) terminates non-valid', async () => {
    const deep = `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ${'['.repeat(100000)} >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Length 99999999999 >>\nstream\nx\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`;
    const report = await verifyPdf(new TextEncoder().encode(deep), trust);
    expect(['INVALID', 'UNSIGNED']).toContain(report.verdict);
  });
});

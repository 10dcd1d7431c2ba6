/**
 * Seam seal (骑缝章) order (issues #16 and #11). The seam seal's slices are drawn into every
 * page inside its own signed revision. On a document that already carries a seal, that drawing
 * is a change the earlier approval seal does not allow, so the earlier seal would verify as
 * MODIFIED (the exploit this test keeps: the product itself producing a file that condemns the
 * first seal). The pipeline refuses it (SEAM_SEAL_AFTER_SIGNATURE) before anything is signed;
 * the order that works, seam seal first and the other seals after it, keeps every seal valid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

let fx: StampFixture;
let nss: ReturnType<typeof nssDatabase>;
let seal: IssuedSeal;
let input: Uint8Array;

beforeAll(async () => {
  fx = await stampFixture();
  nss = nssDatabase([fx.root]);
  seal = await fx.issueSeal('YJ-S-0002');
  input = await makePdf([NOTICE, [{ text: '第2页 通知正文', size: 14 }], [{ text: '第3页 通知正文', size: 14 }]]);
});
afterAll(() => {
  nss?.dispose();
  fx?.dispose();
});

async function refusalOf(promise: Promise<unknown>): Promise<YinjianError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof YinjianError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the stamping went through');
}

describe('seam seal after another seal', () => {
  it('is refused before signing (SEAM_SEAL_AFTER_SIGNATURE), writes nothing, and the sealed input stays VALID', async () => {
    const first = await fx.pipeline.stamp(fx.request(seal.seal, input, 'signed-once.pdf'), seal.key);
    const signed = new Uint8Array(readFileSync(first.outputPath));
    const refusal = await refusalOf(fx.pipeline.stamp(fx.request(seal.seal, signed, 'seam-after.pdf', { placement: { kind: 'seam' } }), seal.key));
    expect(refusal.code).toBe('SEAM_SEAL_AFTER_SIGNATURE');
    expect(refusal.message).toMatch(/骑缝章/);
    expect(existsSync(join(fx.dir, 'seam-after.pdf'))).toBe(false);
    const report = await verifyPdf(signed, { trustAnchors: [fx.root] });
    expect(report.signatures.map((s) => s.verdict)).toEqual(['VALID']);
  });

  it('the order that works: seam seal first, then a page seal; pdfsig sees two valid seals and ours none modified', async () => {
    const seam = await fx.pipeline.stamp(fx.request(seal.seal, input, 'seam-first.pdf', { placement: { kind: 'seam' } }), seal.key);
    const seamed = new Uint8Array(readFileSync(seam.outputPath));
    const second = await fx.pipeline.stamp(fx.request(seal.seal, seamed, 'seam-then-page.pdf'), seal.key);
    const reports = pdfsig(second.outputPath, nss.nssdir);
    expect(reports).toHaveLength(2);
    for (const r of reports) expect(r).toMatchObject({ signatureValid: true, certificateTrusted: true });
    const report = await verifyPdf(new Uint8Array(readFileSync(second.outputPath)), { trustAnchors: [fx.root] });
    expect(report.signatures).toHaveLength(2);
    for (const s of report.signatures) expect(s.verdict).toMatch(/^VALID/);
    expect(report.signatures[0]?.changes.filter((c) => c.kind === 'annotation-added')).toEqual([]);
  });
});

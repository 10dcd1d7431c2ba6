/**
 * Issue #15: the CLI hashes its input on a worker thread while the main thread gates. The
 * worker's answers are the SHA-256 of exactly the shared bytes; a digest that fails (the worker
 * cannot start, dies, or was closed) is answered on the main thread instead, and the stamping
 * comes out the same: right hashes in the register, a valid seal, no stray file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFallback, type InputDigest } from '../../../src/main/core/stamp/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { WorkerInputDigest } from '../../../src/main/infra/stamp/input-digest';
import { NOTICE, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('WorkerInputDigest', () => {
  it('hashes the shared bytes in the order the chunks are announced, whatever their sizes', async () => {
    const size = 5 * 1024 * 1024 + 12_345;
    const shared = new SharedArrayBuffer(size);
    const bytes = new Uint8Array(shared);
    bytes.set(randomBytes(size));
    const digest = new WorkerInputDigest(shared, size);
    try {
      for (const [from, to] of [[0, 1], [1, 4 * 1024 * 1024], [4 * 1024 * 1024, size - 7], [size - 7, size]] as const) digest.chunk(from, to);
      const tail = [randomBytes(100), randomBytes(3)];
      expect(await digest.before()).toBe(sha256(bytes).toString('hex'));
      expect((await digest.followedBy(tail)).equals(sha256(bytes, ...tail))).toBe(true);
      // Each question starts again from the input's state.
      expect((await digest.followedBy([])).equals(sha256(bytes))).toBe(true);
    } finally {
      digest.close();
    }
  });

  it('once closed it answers nothing, and withFallback answers from the bytes instead', async () => {
    const bytes = randomBytes(1000);
    const shared = new SharedArrayBuffer(bytes.length);
    new Uint8Array(shared).set(bytes);
    const digest = new WorkerInputDigest(shared, bytes.length);
    digest.chunk(0, bytes.length);
    digest.close();
    await expect(digest.before()).rejects.toThrow();
    const fallback = withFallback(digest, new Uint8Array(shared));
    expect(await fallback.before()).toBe(sha256(bytes).toString('hex'));
    expect((await fallback.followedBy([Buffer.from('x')])).equals(sha256(bytes, Buffer.from('x')))).toBe(true);
  });
});

describe('the pipeline with a digest that fails', () => {
  let fx: StampFixture;
  let seal: IssuedSeal;
  let notice: Uint8Array;
  beforeAll(async () => {
    fx = await stampFixture();
    seal = await fx.issueSeal('YJ-D-0001');
    notice = await makePdf([NOTICE]);
  });
  afterAll(() => fx?.dispose());

  it('seals with the SHA-256s of the bytes it sealed, hashed on the main thread; the seal verifies', async () => {
    let asked = 0;
    const failing: InputDigest = {
      before: () => (asked++, Promise.reject(new Error('worker died'))),
      followedBy: () => (asked++, Promise.reject(new Error('worker died'))),
    };
    const request = fx.request(seal.seal, notice, 'fallback.pdf', { inputDigest: failing });
    const outcome = await fx.pipeline.stamp(request, seal.key);
    expect(asked).toBe(3);
    const sealed = readFileSync(outcome.outputPath);
    expect(outcome.sha256Before).toBe(sha256(notice).toString('hex'));
    expect(outcome.sha256After).toBe(sha256(sealed).toString('hex'));
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'ok', sha256Before: outcome.sha256Before, sha256After: outcome.sha256After });
    expect((await verifyPdf(sealed, { trustAnchors: [fx.root] }, {}, outcome.outputPath)).verdict).toBe('VALID');
    expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a document refused by the gate with the digest failing: the failed row names the input\'s SHA-256, no file', async () => {
    const failing: InputDigest = { before: () => Promise.reject(new Error('worker died')), followedBy: () => Promise.reject(new Error('worker died')) };
    const request = fx.request(seal.seal, notice, 'refused.pdf', { inputDigest: failing, declaredType: 'contract' });
    await expect(fx.pipeline.stamp(request, seal.key)).rejects.toMatchObject({ code: 'DOCUMENT_TYPE_FORBIDDEN' });
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'failed', errorCode: 'DOCUMENT_TYPE_FORBIDDEN', sha256Before: sha256(notice).toString('hex') });
    expect(existsSync(request.outputPath)).toBe(false);
  });
});

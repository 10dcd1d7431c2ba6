/**
 * Issue #15: the CLI reads a large input on demand and hashes it on a worker thread (through the
 * same descriptor) while the main thread gates. The worker's answers are the SHA-256 of the
 * file; a digest that fails (the worker cannot start, dies, or was closed) is answered on the
 * main thread instead, and the stamping comes out the same: right hashes in the register, a
 * valid seal, no stray file. A file written to while it is stamped is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StampingPipeline, withFallback, type InputDigest } from '../../../src/main/core/stamp/index';
import { FileBytes, openPdfFile } from '../../../src/main/app/verify-files';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { WorkerInputDigest } from '../../../src/main/infra/stamp/input-digest';
import { syntheticPdf } from '../../bench/stamp';
import { NOTICE, NOW, makePdf, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('WorkerInputDigest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'yinjian-digest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes the file through its descriptor in pieces (several, and a tail): the same SHA-256 as the bytes', async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 12_345);
    const path = join(dir, 'input.bin');
    writeFileSync(path, bytes);
    const fd = openSync(path, 'r');
    const digest = new WorkerInputDigest(fd, bytes.length);
    try {
      const tail = [randomBytes(100), randomBytes(3)];
      expect(await digest.before()).toBe(sha256(bytes).toString('hex'));
      expect((await digest.followedBy(tail)).equals(sha256(bytes, ...tail))).toBe(true);
      // Each question starts again from the input's state.
      expect((await digest.followedBy([])).equals(sha256(bytes))).toBe(true);
    } finally {
      digest.close();
      closeSync(fd);
    }
  });

  it('a file shorter than said, or a closed worker, answers nothing; withFallback answers from the bytes instead', async () => {
    const bytes = randomBytes(1000);
    const path = join(dir, 'short.bin');
    writeFileSync(path, bytes);
    const fd = openSync(path, 'r');
    try {
      const short = new WorkerInputDigest(fd, bytes.length + 10);
      await expect(short.before()).rejects.toThrow(/shorter/);
      short.close();
      const closed = new WorkerInputDigest(fd, bytes.length);
      closed.close();
      await expect(closed.before()).rejects.toThrow();
      const fallback = withFallback(closed, bytes);
      expect(await fallback.before()).toBe(sha256(bytes).toString('hex'));
      expect((await fallback.followedBy([Buffer.from('x')])).equals(sha256(bytes, Buffer.from('x')))).toBe(true);
    } finally {
      closeSync(fd);
    }
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

  // The CLI reads a large input on demand: parser, hash and copy read the file separately. A
  // file written to meanwhile must not be sealed from a mix of old and new bytes.
  it('an input file written to while it is stamped: FILE_CHANGED_WHILE_READ, a failed row, no file', async () => {
    const big = Buffer.from(syntheticPdf(20));
    const path = join(fx.dir, 'changing.pdf');
    writeFileSync(path, big);
    const opened = openPdfFile(path);
    expect(opened.bytes).toBeInstanceOf(FileBytes);
    const file = opened.bytes as FileBytes;
    const digest = new WorkerInputDigest(file.descriptor, file.length);
    // The file changes once the pending row is in: after it was parsed and hashed, while it is copied.
    const port = stampRegisterPort(fx.register);
    const register = { ...port, recordPendingStamping: (...args: Parameters<typeof port.recordPendingStamping>) => {
      const row = port.recordPendingStamping(...args);
      appendFileSync(path, '%changed\n');
      return row;
    } };
    const pipeline = new StampingPipeline({ register, text: new PdfJsTextReader(), output: new AtomicFileOutput(), clock: () => NOW, workstationCode: fx.workstationCode });
    const request = fx.request(seal.seal, file, 'changing-sealed.pdf', { inputDigest: digest, inputUnchanged: () => opened.unchanged() });
    try {
      await expect(pipeline.stamp(request, seal.key)).rejects.toMatchObject({ code: 'FILE_CHANGED_WHILE_READ' });
    } finally {
      digest.close();
      expect(() => opened.close()).toThrow();
    }
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'failed', errorCode: 'FILE_CHANGED_WHILE_READ', outputPath: null, sha256Before: sha256(big).toString('hex') });
    expect(fx.register.usage.pending()).toEqual([]);
    expect(existsSync(request.outputPath)).toBe(false);
    expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the same file left alone is sealed from disk: the SHA-256s are the file\'s and the sealed file\'s, and it verifies', async () => {
    const big = Buffer.from(syntheticPdf(21));
    const path = join(fx.dir, 'steady.pdf');
    writeFileSync(path, big);
    const opened = openPdfFile(path);
    const file = opened.bytes as FileBytes;
    const digest = new WorkerInputDigest(file.descriptor, file.length);
    const request = fx.request(seal.seal, file, 'steady-sealed.pdf', { inputDigest: digest, inputUnchanged: () => opened.unchanged() });
    let outcome;
    try {
      outcome = await fx.pipeline.stamp(request, seal.key);
    } finally {
      digest.close();
      opened.close();
    }
    const sealed = readFileSync(outcome.outputPath);
    expect(sealed.subarray(0, big.length).equals(big)).toBe(true);
    expect(outcome.sha256Before).toBe(sha256(big).toString('hex'));
    expect(outcome.sha256After).toBe(sha256(sealed).toString('hex'));
    expect((await verifyPdf(sealed, { trustAnchors: [fx.root] }, {}, outcome.outputPath)).verdict).toBe('VALID');
  });
});

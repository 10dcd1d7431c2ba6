/**
 * Issue #15: the CLI reads a large input on demand and hashes it on a worker thread (through the
 * same descriptor) while the main thread gates. The worker's answers are the SHA-256 of the
 * file; a digest that fails (the worker cannot start, dies, or was closed) is answered on the
 * main thread instead, and the stamping comes out the same: right hashes in the register, a
 * valid seal, no stray file. The CLI's large input is gated, hashed and copied from one private
 * copy (a file changed behind stat()'s back cannot be sealed unread); a write its times show is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StampingPipeline, withFallback, type InputDigest, type StampRequest } from '../../../src/main/core/stamp/index';
import { FileBytes } from '../../../src/main/app/verify-files';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { WorkerInputDigest } from '../../../src/main/infra/stamp/input-digest';
import { openStampInput } from '../../../src/main/app/stamp-input';
import { YinjianError } from '../../../src/shared/errors/index';
import { mapForWrites } from '../../helpers/mapped-writer';
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

  /** The request the batch makes of the CLI's first input as openStampInput hands it over. */
  async function opened(path: string, outputName: string): Promise<{ request: StampRequest; close(): Promise<void> }> {
    const input = openStampInput(path);
    const read = await input.read;
    expect(read.bytes, 'read on demand').toBeInstanceOf(FileBytes);
    expect(read.digest, 'hashed by the worker').toBeInstanceOf(WorkerInputDigest);
    const request = fx.request(seal.seal, read.bytes, outputName, { ...(read.digest ? { inputDigest: read.digest } : {}), ...(read.unchanged ? { inputUnchanged: read.unchanged } : {}) });
    return { request, close: () => input.close() };
  }

  // The CLI reads a large input from a private copy (app/stamp-input.ts); a file written to
  // meanwhile, in a way its times show, is refused all the same: what is sealed is no longer the file.
  it('an input file written to while it is stamped: FILE_CHANGED_WHILE_READ, a failed row, no file', async () => {
    const big = Buffer.from(syntheticPdf(20));
    const path = join(fx.dir, 'changing.pdf');
    writeFileSync(path, big);
    // The file changes once the pending row is in: after it was parsed and hashed, while it is copied.
    const port = stampRegisterPort(fx.register);
    const register = { ...port, recordPendingStamping: (...args: Parameters<typeof port.recordPendingStamping>) => {
      const row = port.recordPendingStamping(...args);
      appendFileSync(path, '%changed\n');
      return row;
    } };
    const pipeline = new StampingPipeline({ register, text: new PdfJsTextReader(), output: new AtomicFileOutput(), clock: () => NOW, workstationCode: fx.workstationCode });
    const input = await opened(path, 'changing-sealed.pdf');
    try {
      await expect(pipeline.stamp(input.request, seal.key)).rejects.toMatchObject({ code: 'FILE_CHANGED_WHILE_READ' });
    } finally {
      await input.close();
    }
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'failed', errorCode: 'FILE_CHANGED_WHILE_READ', outputPath: null, sha256Before: sha256(big).toString('hex') });
    expect(fx.register.usage.pending()).toEqual([]);
    expect(existsSync(input.request.outputPath)).toBe(false);
    expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  // The exploit: a writer with access to the file changes it through a shared mapping whose
  // pages are already dirty, which leaves size, mtime, ctime and inode as they were, so a check
  // built on fstat sees nothing. The file holds a contract when it is opened and
  // hashed, a notice while it is gated, and the contract again when it is copied: sealed from
  // separate reads, the contract came out with a valid seal the gate never read it for.
  it('a file changed behind stat() (a shared mapping): what is sealed and signed is what the gate read', async () => {
    const notice = Buffer.from(syntheticPdf(20));
    const title = Buffer.from('Internal notice page 1', 'latin1');
    const contractTitle = Buffer.from('Contract for Services ', 'latin1');
    expect(contractTitle.length).toBe(title.length);
    const at = notice.indexOf(title);
    const contract = Buffer.from(notice);
    contractTitle.copy(contract, at);
    const path = join(fx.dir, 'mapped.pdf');
    writeFileSync(path, contract);
    const writer = await mapForWrites(path);
    let result: unknown;
    try {
      const input = await opened(path, 'mapped-sealed.pdf');
      try {
        // Hashed as the contract; gated as the notice.
        await input.request.inputDigest?.before();
        await writer.write(at, title);
        // The contract again once the gate is done: the pipeline waits for the login's check then.
        const loginChecked = { then: (ok?: () => unknown, no?: (e: unknown) => unknown) => writer.write(at, contractTitle).then(ok, no) } as Promise<void>;
        result = await fx.pipeline.stamp(input.request, { ...seal.key, loginChecked }).catch((error: unknown) => error);
      } finally {
        await input.close();
      }
    } finally {
      await writer.close();
    }
    if (!(result instanceof YinjianError)) {
      const sealed = readFileSync((result as { outputPath: string }).outputPath);
      expect(sealed.includes(contractTitle), 'sealed: a contract the gate read as a notice').toBe(false);
    }
    // The gate read the contract it would seal: refused as one.
    expect(result).toMatchObject({ code: 'DOCUMENT_CONTENT_FORBIDDEN' });
    expect(existsSync(join(fx.dir, 'mapped-sealed.pdf'))).toBe(false);
    expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the private copy has no name once made, and a close while it is being made leaves nothing in the temp folder', async () => {
    const path = join(fx.dir, 'private.pdf');
    writeFileSync(path, Buffer.from(syntheticPdf(20)));
    const temp = mkdtempSync(join(tmpdir(), 'yinjian-tmpdir-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      const made = openStampInput(path);
      await made.read;
      expect(readdirSync(temp), 'no name once made').toEqual([]);
      await made.close();
      const closedAtOnce = openStampInput(path);
      await closedAtOnce.close();
      expect(readdirSync(temp), 'nothing left by a close during the copy').toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('the same file left alone is sealed from disk: the SHA-256s are the file\'s and the sealed file\'s, and it verifies', async () => {
    const big = Buffer.from(syntheticPdf(21));
    const path = join(fx.dir, 'steady.pdf');
    writeFileSync(path, big);
    const input = await opened(path, 'steady-sealed.pdf');
    let outcome;
    try {
      outcome = await fx.pipeline.stamp(input.request, seal.key);
    } finally {
      await input.close();
    }
    const sealed = readFileSync(outcome.outputPath);
    expect(sealed.subarray(0, big.length).equals(big)).toBe(true);
    expect(outcome.sha256Before).toBe(sha256(big).toString('hex'));
    expect(outcome.sha256After).toBe(sha256(sealed).toString('hex'));
    expect((await verifyPdf(sealed, { trustAnchors: [fx.root] }, {}, outcome.outputPath)).verdict).toBe('VALID');
  });
});

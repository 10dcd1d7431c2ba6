/**
 * Issue #15: `yinjian verify` reads a PDF over 1 MB on demand (FileBytes in
 * src/main/app/verify-files.ts: cached 4 KiB blocks for the parser, one reused buffer streaming
 * the signed ranges into the hash) instead of copying it into memory. Whatever the reading,
 * the verdict must be the same: FileBytes hands out exactly the file's bytes, and every file
 * of the interop corpus (../shared/corpus) gets the same report read either way. (The attack
 * suite, test/attacks, checks the same on every attacked file.)
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBytes, openPdfFile } from '../../../src/main/app/verify-files';
import { ByteReader, InMemoryPdfBytes } from '../../../src/main/core/pdf/index';
import { verifyPdf } from '../../../src/main/core/verify/index';
import { makeBasePdf, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = resolve(repoRoot, '../shared/corpus');
const present = existsSync(join(corpus, 'MANIFEST.json'));

const dir = mkdtempSync(join(tmpdir(), 'yinjian-on-demand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens `path` as FileBytes, runs `use`, closes the descriptor. */
async function withFileBytes<T>(path: string, use: (bytes: FileBytes) => Promise<T> | T): Promise<T> {
  const fd = openSync(path, 'r');
  try {
    return await use(new FileBytes(fd, readFileSync(path).length));
  } finally {
    closeSync(fd);
  }
}

describe('FileBytes: the file\'s bytes, read on demand', () => {
  // 1 MiB + a ragged tail: more blocks than the cache keeps, a short last block.
  const data = randomBytes(1024 * 1024 + 4096 * 3 + 123);
  const path = join(dir, 'random.bin');
  writeFileSync(path, data);
  const memory = new InMemoryPdfBytes(data);

  it('every read equals the same read in memory: inside a block, across blocks, past the end, empty, negative', async () => {
    await withFileBytes(path, (file) => {
      expect(file.length).toBe(data.length);
      const cases: [number, number][] = [
        [0, 1], [0, 4096], [4095, 2], [4096, 4096], [8190, 4100], [100, 70_000], [data.length - 10, 50],
        [data.length, 5], [data.length + 100, 5], [12, 0], [-5, 10], [data.length - 4096 - 50, 4096 + 50],
      ];
      // Random reads in a pattern that cycles the block cache (far more than 1024 blocks).
      for (let i = 0; i < 3000; i++) cases.push([(i * 7919 * 4096 + i * 13) % data.length, 1 + ((i * 31) % 6000)]);
      for (const [offset, length] of cases) {
        expect(Buffer.from(file.read(offset, length)).equals(Buffer.from(memory.read(offset, length))), `read(${offset}, ${length})`).toBe(true);
      }
    });
  });

  it('scan hands over the range in order, in pieces that add up to it, stopping at the end', async () => {
    await withFileBytes(path, (file) => {
      for (const [offset, length] of [[0, data.length], [5, 300_000], [data.length - 1000, 5000], [data.length, 10]] as const) {
        const pieces: Buffer[] = [];
        file.scan(offset, length, (piece) => pieces.push(Buffer.from(piece))); // copied: the piece is reused
        expect(Buffer.concat(pieces).equals(Buffer.from(memory.read(offset, length))), `scan(${offset}, ${length})`).toBe(true);
      }
    });
  });

  it('the parser\'s ByteReader sees the same bytes through 4 KiB windows', async () => {
    await withFileBytes(path, (file) => {
      const reader = new ByteReader(file);
      for (const pos of [0, 4095, 4096, 70_000, data.length - 1, data.length, -1]) expect(reader.at(pos)).toBe(pos >= 0 && pos < data.length ? data[pos] : -1);
      expect(Buffer.from(reader.slice(4000, 200)).equals(data.subarray(4000, 4200))).toBe(true);
      expect(reader.indexOf(data.subarray(900_000, 900_016), 0)).toBe(data.indexOf(data.subarray(900_000, 900_016)));
    });
  });

  it('openPdfFile reads a small file into memory and a file over 1 MB on demand', () => {
    const small = join(dir, 'small.bin');
    writeFileSync(small, data.subarray(0, 1000));
    const a = openPdfFile(small);
    const b = openPdfFile(path);
    try {
      expect(a.bytes).toBeInstanceOf(Uint8Array);
      expect(b.bytes).toBeInstanceOf(FileBytes);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a file written to while it is read on demand: its verdict is refused (FILE_CHANGED_WHILE_READ), an untouched one closes quietly', () => {
    const watched = join(dir, 'watched.bin');
    writeFileSync(watched, data);
    const untouched = openPdfFile(watched);
    expect((untouched.bytes as FileBytes).read(0, 10).length).toBe(10);
    expect(() => untouched.close()).not.toThrow();
    const opened = openPdfFile(watched);
    expect(opened.bytes).toBeInstanceOf(FileBytes);
    expect((opened.bytes as FileBytes).read(500_000, 16).length).toBe(16);
    // Someone rewrites part of the file between the parser's reads and the hash's.
    const fd = openSync(watched, 'r+');
    writeSync(fd, Buffer.alloc(16, 0x41), 0, 16, 600_000);
    closeSync(fd);
    expect(Buffer.from((opened.bytes as FileBytes).read(600_000, 16)).toString()).toBe('A'.repeat(16));
    expect(() => opened.close()).toThrowError(expect.objectContaining({ code: 'FILE_CHANGED_WHILE_READ' }));
  });
});

describe('the same verdict read in memory or on demand', () => {
  it('a sealed document, and the same document with one byte of its signed content changed', async () => {
    const seal = await makeTestSeal();
    const sealed = await signPdf(await makeBasePdf(2), seal);
    const tampered = new Uint8Array(sealed);
    const at = Buffer.from(tampered).indexOf('/MediaBox [ 0 0 595');
    expect(at).toBeGreaterThan(0);
    tampered[at + 18] = 0x36; // 595 → 596: the page grows by a point
    for (const [name, bytes, verdict] of [['sealed.pdf', sealed, 'VALID'], ['tampered.pdf', tampered, 'INVALID']] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const inMemory = await verifyPdf(bytes, { trustAnchors: [seal.root] }, {}, name);
      const onDemand = await withFileBytes(path, (file) => verifyPdf(file, { trustAnchors: [seal.root] }, {}, name));
      expect(inMemory.verdict, name).toBe(verdict);
      expect(onDemand).toEqual(inMemory);
    }
  });

  it('the page a seal is on: found without parsing the pages after it, the same number as a full walk (first, middle, last of five)', async () => {
    const seal = await makeTestSeal();
    const base = await makeBasePdf(5);
    for (const onPage of [1, 3, 5]) {
      const sealed = await signPdf(base, seal, { page: onPage });
      const name = `on-page-${onPage}.pdf`;
      const path = join(dir, name);
      writeFileSync(path, sealed);
      const inMemory = await verifyPdf(sealed, { trustAnchors: [seal.root] }, {}, name);
      expect(inMemory.verdict, name).toBe('VALID');
      expect(inMemory.signatures[0]?.page, name).toBe(onPage);
      expect(await withFileBytes(path, (file) => verifyPdf(file, { trustAnchors: [seal.root] }, {}, name))).toEqual(inMemory);
    }
  });

  describe.skipIf(!present)('every file of the interop corpus', () => {
    const manifest = present ? (JSON.parse(readFileSync(join(corpus, 'MANIFEST.json'), 'utf8')) as { entries: { path: string }[] }) : { entries: [] };
    it.each(manifest.entries.map((e) => [e.path] as const))('%s', async (path) => {
      const file = join(corpus, path);
      const at = new Date('2024-06-01T00:00:00Z');
      const inMemory = await verifyPdf(readFileSync(file), { trustAnchors: [] }, { at }, path);
      const onDemand = await withFileBytes(file, (bytes) => verifyPdf(bytes, { trustAnchors: [] }, { at }, path));
      expect(onDemand).toEqual(inMemory);
    });
  });
});

/**
 * Digests of the signed byte ranges of every signature in a file, computed in one pass over
 * the file's bytes per hash algorithm (the target: all signatures of a file verified
 * in one pass). The first signature that asks for a SHA-256 digest causes the digests of all
 * signatures to be computed together; the others are then served from the cache.
 */
import { createHash, type Hash } from 'node:crypto';
import type { HashName } from '../pki/index';
import type { PdfBytes } from '../pdf/index';

const CHUNK = 4 * 1024 * 1024;

export class ByteRangeDigests {
  private readonly cache = new Map<HashName, Map<number, Uint8Array>>();

  /** `ranges[i]` are signature i's [offset, length] pairs, already checked to lie inside the file. */
  constructor(
    private readonly source: PdfBytes,
    private readonly ranges: ReadonlyMap<number, readonly (readonly [number, number])[]>,
  ) {}

  digest(signature: number, hash: HashName): Uint8Array {
    let digests = this.cache.get(hash);
    if (!digests) {
      digests = this.computeAll(hash);
      this.cache.set(hash, digests);
    }
    const value = digests.get(signature);
    if (!value) throw new Error(`no byte ranges for signature ${signature}`);
    return value;
  }

  private computeAll(hash: HashName): Map<number, Uint8Array> {
    const hashes = new Map<number, Hash>();
    let end = 0;
    for (const [signature, ranges] of this.ranges) {
      hashes.set(signature, createHash(hash));
      for (const [offset, length] of ranges) end = Math.max(end, offset + length);
    }
    end = Math.min(end, this.source.length);
    for (let chunkStart = 0; chunkStart < end; chunkStart += CHUNK) {
      const chunk = this.source.read(chunkStart, Math.min(CHUNK, end - chunkStart));
      const chunkEnd = chunkStart + chunk.length;
      for (const [signature, ranges] of this.ranges) {
        const hasher = hashes.get(signature) as Hash;
        for (const [offset, length] of ranges) {
          const from = Math.max(offset, chunkStart);
          const to = Math.min(offset + length, chunkEnd);
          if (from < to) hasher.update(chunk.subarray(from - chunkStart, to - chunkStart));
        }
      }
    }
    const result = new Map<number, Uint8Array>();
    for (const [signature, hasher] of hashes) result.set(signature, new Uint8Array(hasher.digest()));
    return result;
  }
}

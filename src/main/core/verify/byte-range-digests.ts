/**
 * Digests of the signed byte ranges of every signature in a file, computed in one pass over
 * the file's bytes per hash algorithm (the target: all signatures of a file verified
 * in one pass). The first signature that asks for a SHA-256 digest causes the digests of all
 * signatures to be computed together; the others are then served from the cache.
 *
 * Each byte is also hashed once, not once per signature: signatures made in successive
 * incremental updates share the whole original document as the start of their ranges (a
 * 300-page file with three seals has ~30 MB in common and a few kB apart). The signatures
 * start as one group fed by one hash state; where their ranges part (one signature's
 * /Contents gap, or the end of its revision), the group splits and the hash state is forked
 * with `Hash.copy()`, so the bytes before the split are never hashed twice.
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
    // Every offset where some signature's coverage starts or stops: between two neighbours,
    // each signature either covers the whole segment or none of it.
    const cuts = new Set<number>();
    for (const ranges of this.ranges.values()) {
      for (const [offset, length] of ranges) {
        cuts.add(Math.min(offset, this.source.length));
        cuts.add(Math.min(offset + length, this.source.length));
      }
    }
    const bounds = [...cuts].sort((a, b) => a - b);
    const covers = (signature: number, from: number, to: number): boolean =>
      (this.ranges.get(signature) ?? []).some(([offset, length]) => offset <= from && to <= offset + length);
    // Groups of signatures that have seen exactly the same bytes so far, with their shared state.
    let groups: { hasher: Hash; members: number[] }[] = [{ hasher: createHash(hash), members: [...this.ranges.keys()] }];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const from = bounds[i] as number;
      const to = bounds[i + 1] as number;
      if (from >= to) continue;
      const next: { hasher: Hash; members: number[] }[] = [];
      const fed: Hash[] = [];
      for (const group of groups) {
        const inside = group.members.filter((m) => covers(m, from, to));
        if (inside.length === 0) {
          next.push(group);
        } else if (inside.length === group.members.length) {
          next.push(group);
          fed.push(group.hasher);
        } else {
          // The group parts here: the ones that cover the segment continue on a copy.
          const forked = { hasher: group.hasher.copy(), members: inside };
          next.push({ hasher: group.hasher, members: group.members.filter((m) => !inside.includes(m)) }, forked);
          fed.push(forked.hasher);
        }
      }
      groups = next;
      if (fed.length === 0) continue;
      const feed = (piece: Uint8Array): void => {
        for (const hasher of fed) hasher.update(piece);
      };
      // A file source streams through one reused buffer; an in-memory one hands out views.
      if (this.source.scan) this.source.scan(from, to - from, feed);
      else for (let at = from; at < to; at += CHUNK) feed(this.source.read(at, Math.min(CHUNK, to - at)));
    }
    const result = new Map<number, Uint8Array>();
    for (const group of groups) {
      const digest = new Uint8Array(group.hasher.digest());
      for (const member of group.members) result.set(member, digest);
    }
    return result;
  }
}

/**
 * The SHA-256 a stamping needs over its input: "SHA-256 before" for the register, and the input
 * followed by parts of the seal's update (the signed byte ranges, the sealed file). The input
 * is hashed once; each question starts again from the state after it.
 *
 * Where the hashing runs is the caller's choice (issue #15): the CLI hands over a digest a
 * worker thread computes while the thread pool reads the file (infra/stamp/input-digest.ts),
 * so the main thread gates the document meanwhile. Whatever runs it, the answer must be the
 * SHA-256 of exactly the bytes the pipeline seals; a digest that fails is replaced by this
 * local one over those bytes (withFallback), never by a guess.
 */
import { createHash, type Hash } from 'node:crypto';

export interface InputDigest {
  /** SHA-256 of the input, lowercase hex. */
  before(): Promise<string>;
  /** SHA-256 of the input followed by `parts`. */
  followedBy(parts: readonly Uint8Array[]): Promise<Buffer>;
}

/** The digest on this thread, over bytes in memory (hashed on first use). */
export class LocalInputDigest implements InputDigest {
  private state: Hash | undefined;
  constructor(private readonly input: Uint8Array) {}

  private hashed(): Hash {
    this.state ??= createHash('sha256').update(this.input);
    return this.state;
  }

  before(): Promise<string> {
    return Promise.resolve(this.hashed().copy().digest('hex'));
  }

  followedBy(parts: readonly Uint8Array[]): Promise<Buffer> {
    const hash = this.hashed().copy();
    for (const part of parts) hash.update(part);
    return Promise.resolve(hash.digest());
  }
}

/** `digest`, with every question it fails to answer answered by a LocalInputDigest over `input`. */
export function withFallback(digest: InputDigest | undefined, input: Uint8Array): InputDigest {
  const local = new LocalInputDigest(input);
  if (!digest) return local;
  return {
    before: () => digest.before().catch(() => local.before()),
    followedBy: (parts) => digest.followedBy(parts).catch(() => local.followedBy(parts)),
  };
}

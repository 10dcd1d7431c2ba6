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
import type { PdfBytes } from '../pdf/index';

export interface InputDigest {
  /** SHA-256 of the input, lowercase hex. */
  before(): Promise<string>;
  /** SHA-256 of the input followed by `parts`. */
  followedBy(parts: readonly Uint8Array[]): Promise<Buffer>;
}

/** Pieces a source on disk is hashed in when it has no scan of its own. */
const PIECE = 256 * 1024;

/** The digest on this thread, over bytes in memory or a source read on demand (hashed on first use). */
export class LocalInputDigest implements InputDigest {
  private state: Hash | undefined;
  constructor(private readonly input: Uint8Array | PdfBytes) {}

  private hashed(): Hash {
    if (this.state) return this.state;
    const hash = createHash('sha256');
    const input = this.input;
    if (input instanceof Uint8Array) hash.update(input);
    else if (input.scan) input.scan(0, input.length, (piece) => hash.update(piece));
    else for (let at = 0; at < input.length; at += PIECE) hash.update(input.read(at, PIECE));
    this.state = hash;
    return hash;
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
export function withFallback(digest: InputDigest | undefined, input: Uint8Array | PdfBytes): InputDigest {
  const local = new LocalInputDigest(input);
  if (!digest) return local;
  return {
    before: () => digest.before().catch(() => local.before()),
    followedBy: (parts) => digest.followedBy(parts).catch(() => local.followedBy(parts)),
  };
}

/**
 * The SHA-256 of a stamping's input on a worker thread (issue #15). The input is read into
 * shared memory by the thread pool; as each chunk lands, the main thread tells the worker,
 * which hashes the chunks in order while the main thread opens the key and gates the document.
 * The worker hashes the very bytes the pipeline seals (the same shared memory, never written
 * after its chunk is announced), so no second read of the file can differ from the first.
 *
 * The worker is plain JavaScript evaluated from a string (node:crypto and node:worker_threads
 * only): nothing to bundle or locate on disk. It never keeps the process alive (unref), and
 * ends when the digest is closed. Should it fail (it cannot start, it dies), every question is
 * answered by hashing on the main thread (core/stamp/input-digest.ts, withFallback).
 */
import { Worker } from 'node:worker_threads';
import type { InputDigest } from '../../core/stamp/input-digest';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const bytes = new Uint8Array(workerData.shared, 0, workerData.size);
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.kind === 'chunk') hash.update(bytes.subarray(m.from, m.to));
  else if (m.kind === 'before') parentPort.postMessage({ id: m.id, hex: hash.copy().digest('hex') });
  else if (m.kind === 'followedBy') {
    const h = hash.copy();
    for (const part of m.parts) h.update(part);
    const digest = h.digest();
    parentPort.postMessage({ id: m.id, digest }, [digest.buffer]);
  }
});
`;

type Answer = { id: number; hex?: string; digest?: Uint8Array };

/** A digest of `shared[0, size)` hashed by a worker as chunks are announced with `chunk()`. */
export class WorkerInputDigest implements InputDigest {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void }>();
  private failure: Error | undefined;

  constructor(shared: SharedArrayBuffer, size: number) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared, size } });
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => {
      const waiting = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      waiting?.resolve(answer);
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the hashing worker ended')));
  }

  /** Bytes [from, to) are in: hashed after every chunk announced before them. */
  chunk(from: number, to: number): void {
    if (!this.failure) this.worker.postMessage({ kind: 'chunk', from, to });
  }

  private ask(message: Record<string, unknown>): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  async before(): Promise<string> {
    const answer = await this.ask({ kind: 'before' });
    if (typeof answer.hex !== 'string') throw new Error('no digest from the hashing worker');
    return answer.hex;
  }

  async followedBy(parts: readonly Uint8Array[]): Promise<Buffer> {
    const answer = await this.ask({ kind: 'followedBy', parts });
    if (!(answer.digest instanceof Uint8Array)) throw new Error('no digest from the hashing worker');
    return Buffer.from(answer.digest.buffer, answer.digest.byteOffset, answer.digest.byteLength);
  }

  /** Ends the worker (the digest answers nothing more, and falls back if asked). */
  close(): void {
    this.failure ??= new Error('the hashing worker was closed');
    void this.worker.terminate();
  }
}

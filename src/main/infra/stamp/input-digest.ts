/**
 * The SHA-256 of a stamping's input on a worker thread (issue #15): the worker reads the file
 * through the descriptor the pipeline's parser reads on demand (FileBytes, app/verify-files.ts),
 * in pieces through one reused buffer, and hashes it, while the main thread logs in and gates
 * the document. Parser, hash and the copy into the sealed file read the file separately, so the
 * file must be one nobody else writes: the CLI's private copy of its input (app/stamp-input.ts).
 *
 * The worker is plain JavaScript evaluated from a string (node:crypto, node:fs and
 * node:worker_threads only): nothing to bundle or locate on disk. It never keeps the process
 * alive (unref), and ends when the digest is closed. Should it fail (it cannot start, a read
 * fails, it dies), every question is answered on the main thread instead
 * (core/stamp/input-digest.ts, withFallback).
 */
import { Worker } from 'node:worker_threads';
import type { InputDigest } from '../../core/stamp/input-digest';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
const piece = Buffer.allocUnsafe(Math.max(1, Math.min(workerData.piece, workerData.size)));
let failure;
try {
  for (let at = 0; at < workerData.size; ) {
    const n = readSync(workerData.fd, piece, 0, Math.min(piece.length, workerData.size - at), at);
    if (n === 0) throw new Error('the file became shorter while it was hashed');
    hash.update(piece.subarray(0, n));
    at += n;
  }
} catch (error) {
  failure = String(error && error.message || error);
}
parentPort.on('message', (m) => {
  if (failure !== undefined) parentPort.postMessage({ id: m.id, failure });
  else if (m.kind === 'before') parentPort.postMessage({ id: m.id, hex: hash.copy().digest('hex') });
  else if (m.kind === 'followedBy') {
    const h = hash.copy();
    for (const part of m.parts) h.update(part);
    const digest = h.digest();
    parentPort.postMessage({ id: m.id, digest }, [digest.buffer]);
  }
});
`;

/** Pieces the worker reads the file in (one buffer, reused). */
const PIECE = 4 * 1024 * 1024;

type Answer = { id: number; hex?: string; digest?: Uint8Array; failure?: string };

/** The SHA-256 of the first `size` bytes of the file open as `fd`, hashed by a worker from now on. */
export class WorkerInputDigest implements InputDigest {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void }>();
  private failure: Error | undefined;

  constructor(fd: number, size: number) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, size, piece: PIECE } });
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => {
      const waiting = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (answer.failure !== undefined) waiting?.reject(new Error(answer.failure));
      else waiting?.resolve(answer);
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the hashing worker ended')));
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

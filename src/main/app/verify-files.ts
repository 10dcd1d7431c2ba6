/**
 * Use case: verify files (验章) as the command line asks for it: PDFs named by path, the trust
 * they are judged against chosen from trust files, a register snapshot or what this computer
 * imported (M1 filing, S3, S5), an optional time to judge at and one PDF report for the whole
 * batch. `yinjian verify` is a thin adapter over it (arguments in, text or JSON out); the
 * window's verification (verification.ts) shares the trust this computer holds (trustOf).
 */
import { closeSync, existsSync, fstatSync, openSync, read, readFileSync, readSync, write, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
// From its module, not the office barrel: verify need not load the office's back-office service.
import { pinnedGroupRoot, readTrustedSnapshot } from '../core/office/workstation-trust';
import type { PdfBytes } from '../core/pdf/index';
import { mergeTrust, openSnapshotForVerification, prepareTrust, trustFromSnapshot, verifyPdf, type FileReport, type TrustContext } from '../core/verify/index';
import type { SealRegister } from '../infra/db/index';

/** PEM blocks of `label` in a file, or the file as DER when it has none. */
export function readDerOrPem(path: string, label: 'CERTIFICATE' | 'X509 CRL'): Uint8Array[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
  const text = bytes.toString('latin1');
  const blocks = [...text.matchAll(new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`, 'g'))];
  if (blocks.length > 0) return blocks.map((m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')));
  if (text.includes('-----BEGIN')) throw new YinjianError('VERIFY_TRUST_FILE_INVALID', { path, detail: `no ${label} block` });
  return [new Uint8Array(bytes)];
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
}

/**
 * Up to this size a PDF is read into memory in one read. Above it the file is read on demand
 * (FileBytes): the parser's small reads come from a few cached 64 KiB blocks and the signed
 * ranges stream through one reused buffer into the hash. Measured on the 30 MB bench file:
 * reading the whole file into a fresh buffer costs ~150 ms of CPU in page faults alone, and
 * the first pass over that buffer (the hash) as much again; streaming reads and hashes it all
 * in ~30 ms (issue #15).
 */
const READ_WHOLE_LIMIT = 1024 * 1024;

/**
 * Block size of FileBytes' cache, and the parser's read-ahead over it: one memory page. The
 * parser reads a few hundred bytes around each object, and on the 30 MB bench file (300 page
 * objects between 100 KB content streams) 64 KiB windows read 20 MB into fresh memory, ~0.3 s
 * of CPU in page faults on this project's machines; 4 KiB blocks read 1/16 of that.
 */
const BLOCK = 4096;
/** Blocks kept (least recently used dropped first): 4 MiB at most. */
const MAX_BLOCKS = 1024;
/** Blocks carved from one allocation (FileBytes.readBlock). */
const BLOCKS_PER_SLAB = 64;
/** The reused buffer the signed ranges stream through (fits the CPU's cache; larger is slower here). */
const SCAN_PIECE = 256 * 1024;
/** The reused buffer FileBytes.copyTo moves the file through. */
const COPY_PIECE = 4 * 1024 * 1024;

/**
 * A PDF file read on demand through its descriptor. Reads of up to one block are served from
 * cached, never modified blocks (views, as InMemoryPdfBytes gives); larger reads get a fresh
 * buffer; scan() streams a range through one reused buffer.
 */
export class FileBytes implements PdfBytes {
  private readonly blocks = new Map<number, Buffer>();
  private piece: Buffer | undefined;
  private slab: Buffer | undefined;
  private slabUsed = 0;
  readonly readAhead = BLOCK;

  constructor(
    private readonly fd: number,
    readonly length: number,
  ) {}

  /** The open descriptor (a worker thread of this process reads it too: the stamp's hash, issue #15). */
  get descriptor(): number {
    return this.fd;
  }

  /**
   * Copies the whole file into `target` from `position`, on the thread pool through one reused
   * buffer (the sealed file's first part, issue #15): no fresh memory the size of the file, and
   * the main thread only passes the pieces on. A file that ends early rejects.
   */
  copyTo(target: number, position: number): Promise<void> {
    const piece = Buffer.allocUnsafe(Math.min(COPY_PIECE, Math.max(1, this.length)));
    return new Promise((resolveCopy, rejectCopy) => {
      const step = (at: number): void => {
        if (at >= this.length) {
          resolveCopy();
          return;
        }
        read(this.fd, piece, 0, Math.min(piece.length, this.length - at), at, (readError, got) => {
          if (readError) return rejectCopy(readError);
          if (got === 0) return rejectCopy(new Error('the file became shorter while it was copied'));
          const put = (from: number): void => {
            write(target, piece, from, got - from, position + at + from, (writeError, written) => {
              if (writeError) rejectCopy(writeError);
              else if (from + written < got) put(from + written);
              else step(at + got);
            });
          };
          put(0);
        });
      };
      step(0);
    });
  }

  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.length));
    const end = Math.max(start, Math.min(offset + Math.max(0, length), this.length));
    if (start === end) return new Uint8Array(0);
    if (end - start > BLOCK) return this.readFresh(start, end - start);
    const first = Math.floor(start / BLOCK);
    const last = Math.floor((end - 1) / BLOCK);
    const head = this.block(first);
    if (first === last) return head.subarray(start - first * BLOCK, end - first * BLOCK);
    // Across a block boundary: copy the two parts (the second block may be short at EOF).
    const tail = this.block(last);
    const fromHead = head.subarray(start - first * BLOCK);
    const fromTail = tail.subarray(0, end - last * BLOCK);
    const out = Buffer.allocUnsafe(fromHead.length + fromTail.length);
    out.set(fromHead, 0);
    out.set(fromTail, fromHead.length);
    return out;
  }

  scan(offset: number, length: number, visit: (piece: Uint8Array) => void): void {
    const end = Math.min(offset + length, this.length);
    this.piece ??= Buffer.allocUnsafe(SCAN_PIECE);
    for (let at = Math.max(0, offset); at < end; ) {
      const n = this.readInto(this.piece, at, Math.min(SCAN_PIECE, end - at));
      if (n === 0) return; // the file shrank under us: the digest will not match
      visit(this.piece.subarray(0, n));
      at += n;
    }
  }

  private block(index: number): Buffer {
    const cached = this.blocks.get(index);
    if (cached) {
      // Most recently used last.
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const start = index * BLOCK;
    const block = this.readBlock(start, Math.min(BLOCK, this.length - start));
    this.blocks.set(index, block);
    if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    return block;
  }

  /**
   * A block read into the next 4 KiB of a slab (one allocation per 64 blocks, not one each: a
   * 4 KiB Buffer is just too large for Node's pool, so every block was its own ArrayBuffer,
   * ~55 ms of CPU for the stamp's trap scan of the 30 MB bench file, issue #15). A slab's
   * pieces are never reused: a block handed out stays as it was read while anyone holds it.
   */
  private readBlock(offset: number, length: number): Buffer {
    if (this.slab === undefined || this.slabUsed + BLOCK > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(BLOCK * BLOCKS_PER_SLAB);
      this.slabUsed = 0;
    }
    const target = this.slab.subarray(this.slabUsed, this.slabUsed + length);
    this.slabUsed += BLOCK;
    const got = this.readInto(target, offset, length);
    return got === length ? target : target.subarray(0, got);
  }

  private readFresh(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    const got = this.readInto(out, offset, length);
    return got === length ? out : out.subarray(0, got);
  }

  /** Fills target[0, length) from the file at offset; returns how many bytes there were. */
  readInto(target: Uint8Array, offset: number, length: number): number {
    if (offset < 0 || offset >= this.length) return 0;
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, target, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
}

/** What identifies a file's content without reading it: changed by any write or replacement. */
function stamp(stat: BigIntStats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/**
 * A PDF opened for verification: an in-memory buffer for small files, a positioned reader for
 * large ones. A large file is parsed and hashed from separate reads, so one written while it is
 * verified could be judged on a mix of old and new bytes: `close` then refuses the verdict
 * (FILE_CHANGED_WHILE_READ) instead of letting it stand.
 */
export interface OpenPdfOptions {
  /** Only check that the path is a readable regular file (and within maxBytes). */
  readonly checkOnly?: boolean;
  /** Refuse a larger file (VERIFY_FILE_TOO_LARGE), judged by the size of what was opened. */
  readonly maxBytes?: number;
  /** How errors name the file (the window's picks: its name, not its folder); default the path. */
  readonly shownAs?: string;
}

export function openPdfFile(path: string, options: OpenPdfOptions = {}): { bytes: Uint8Array | PdfBytes; close(): void; unchanged(): void } {
  const shown = options.shownAs ?? path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path: shown }, { cause });
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) throw new Error('not a regular file');
    const size = Number(stat.size);
    if (options.maxBytes !== undefined && size > options.maxBytes) throw new YinjianError('VERIFY_FILE_TOO_LARGE', { name: shown, size, limit: options.maxBytes });
    if (options.checkOnly) {
      closeSync(fd);
      return { bytes: new Uint8Array(0), close: () => undefined, unchanged: () => undefined };
    }
    if (size <= READ_WHOLE_LIMIT) {
      // A Buffer is a Uint8Array: no copy.
      const bytes = readFileSync(fd);
      closeSync(fd);
      return { bytes, close: () => undefined, unchanged: () => undefined };
    }
    const opened = stamp(stat);
    return {
      bytes: new FileBytes(fd, size),
      // The same check as close, the file left open (the stamp asks it before it puts the sealed file in place).
      unchanged: () => {
        if (stamp(fstatSync(fd, { bigint: true })) !== opened) throw new YinjianError('FILE_CHANGED_WHILE_READ', { path: shown });
      },
      close: () => {
        let now: string;
        try {
          now = stamp(fstatSync(fd, { bigint: true }));
        } finally {
          closeSync(fd);
        }
        if (now !== opened) throw new YinjianError('FILE_CHANGED_WHILE_READ', { path: shown });
      },
    };
  } catch (cause) {
    closeSync(fd);
    throw cause instanceof YinjianError ? cause : new YinjianError('FILE_NOT_READABLE', { path: shown }, { cause });
  }
}

/** Where the verdicts' trust came from, printed so a reader knows what they rest on. */
export interface TrustSource {
  readonly zh: string;
  readonly en: string;
  readonly snapshotSequence?: number;
}

export interface TrustChoice {
  /** Trusted root certificates (PEM or DER files). */
  readonly trust?: readonly string[];
  /** CRL files. */
  readonly crl?: readonly string[];
  /** The office's signed register snapshot (or, read as extra certificates, a PEM file). */
  readonly register?: string;
}

export interface FileVerificationDeps {
  /** The data folder: its register is read when it exists; verifying never creates one. */
  readonly dataDir: string;
  /** The local register; may be loaded on demand (the CLI loads SQLite only when it is needed). */
  register(): SealRegister | Promise<SealRegister>;
}

/** The local register, only when this data folder has one. */
async function localRegister(deps: FileVerificationDeps): Promise<SealRegister | undefined> {
  return existsSync(join(deps.dataDir, 'register.sqlite')) ? await deps.register() : undefined;
}

/**
 * The trust the verdicts rest on (M1 filing, S3, S5):
 *  - trust/crl files as given;
 *  - register SNAPSHOT: the office's signed snapshot, its signature checked against the given
 *    roots, else the group root pinned by `register import`; it adds the group root, every seal
 *    certificate with its state and revocation time, the bound workstations and the U2 deny
 *    list. (A PEM file of certificates is still read as extra chain certificates.)
 *  - neither: the snapshot last imported into the local register, re-verified against its
 *    pinned root, or that root alone.
 */
/**
 * Issue #12: a snapshot counts as current revocation data until its next update (version 1
 * snapshots have none). Judged at --at when given, else now.
 */
function snapshotCurrent(snapshot: { readonly nextUpdate?: string }, at: Date | undefined): boolean {
  if (snapshot.nextUpdate === undefined) return true;
  return (at ?? new Date()).getTime() <= Date.parse(snapshot.nextUpdate);
}

export async function chooseTrust(deps: FileVerificationDeps, choice: TrustChoice): Promise<{ trust: TrustContext; source: TrustSource }> {
  const given: TrustContext = {
    trustAnchors: (choice.trust ?? []).flatMap((p) => readDerOrPem(p, 'CERTIFICATE')),
    crls: (choice.crl ?? []).flatMap((p) => readDerOrPem(p, 'X509 CRL')),
  };
  const registerPath = choice.register;
  if (registerPath !== undefined) {
    const raw = readBytes(registerPath);
    if (Buffer.from(raw.subarray(0, 4096)).toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
      return { trust: { ...given, extraCertificates: readDerOrPem(registerPath, 'CERTIFICATE') }, source: { zh: '--trust 根证书，--register 附加证书', en: '--trust roots, --register extra certificates' } };
    }
    let roots = given.trustAnchors;
    if (roots.length === 0) {
      const register = await localRegister(deps);
      const pinned = register ? pinnedGroupRoot(register) : undefined;
      roots = pinned ? [pinned.der] : [];
    }
    const { snapshot, rootDer } = await openSnapshotForVerification(raw, roots, registerPath);
    return {
      trust: mergeTrust(given, { ...trustFromSnapshot(snapshot, rootDer), registerCurrent: snapshotCurrent(snapshot, (choice as { at?: Date }).at) }),
      source: { zh: `登记簿快照 ${registerPath}（第 ${snapshot.sequence} 号）`, en: `register snapshot ${registerPath} (sequence ${snapshot.sequence})`, snapshotSequence: snapshot.sequence },
    };
  }
  if (given.trustAnchors.length > 0) return { trust: given, source: { zh: '--trust 根证书', en: '--trust roots' } };
  const register = await localRegister(deps);
  const pinned = register ? pinnedGroupRoot(register) : undefined;
  if (register && pinned) {
    const snapshot = await readTrustedSnapshot(register);
    if (snapshot) {
      return {
        trust: mergeTrust(given, { ...trustFromSnapshot(snapshot, pinned.der), registerCurrent: snapshotCurrent(snapshot, (choice as { at?: Date }).at) }),
        source: { zh: `本机登记簿快照（第 ${snapshot.sequence} 号）`, en: `local register snapshot (sequence ${snapshot.sequence})`, snapshotSequence: snapshot.sequence },
      };
    }
    return { trust: { ...given, trustAnchors: [pinned.der] }, source: { zh: '本机信任的集团根证书（无快照）', en: 'group root pinned here (no snapshot)' } };
  }
  return { trust: given, source: { zh: '无受信任的根证书', en: 'no trust anchors' } };
}

export interface VerifyFilesRequest extends TrustChoice {
  readonly files: readonly string[];
  /** Judge certificates at this time (default: now). */
  readonly at?: Date;
  /** Write one PDF report covering every file here. */
  readonly reportPath?: string;
  /** Called before each file and at the end (the window's and the worker's progress events). */
  onProgress?(done: number, total: number, current?: string): void;
}

export interface VerifyFilesResult {
  readonly reports: FileReport[];
  readonly source: TrustSource;
  readonly generatedAt: Date;
  /** The PDF report, when asked for. */
  readonly reportPdf?: string;
}

export async function verifyFiles(deps: FileVerificationDeps, request: VerifyFilesRequest): Promise<VerifyFilesResult> {
  if (request.files.length === 0) throw new YinjianError('VERIFY_NO_FILES');
  const { trust, source } = await chooseTrust(deps, request);
  const prepared = prepareTrust(trust);
  // Check every path first: an unreadable path is bad input before any verdict. Then one file
  // at a time, so a batch holds one file in memory, not all of them.
  for (const path of request.files) openPdfFile(path, { checkOnly: true });
  const reports: FileReport[] = [];
  for (const path of request.files) {
    request.onProgress?.(reports.length, request.files.length, path);
    const input = openPdfFile(path);
    try {
      reports.push(await verifyPdf(input.bytes, prepared, request.at ? { at: request.at } : {}, path));
    } finally {
      input.close();
    }
  }
  request.onProgress?.(reports.length, request.files.length);
  const generatedAt = new Date();
  // One report for the whole run, one section per file: a batch is judged together and handed
  // on as one document. Loaded only when asked for: the report pulls in pdf-lib and the font code.
  const written = request.reportPath !== undefined ? await (await import('../infra/report/verification-report')).writeVerificationReport(request.reportPath, reports, generatedAt) : undefined;
  return { reports, source, generatedAt, ...(written ? { reportPdf: written.path } : {}) };
}

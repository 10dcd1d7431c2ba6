/**
 * Use case: verify files (验章) as the command line asks for it: PDFs named by path, the trust
 * they are judged against chosen from trust files, a register snapshot or what this computer
 * imported (M1 filing, S3, S5), an optional time to judge at and one PDF report for the whole
 * batch. `yinjian verify` is a thin adapter over it (arguments in, text or JSON out); the
 * window's verification (verification.ts) shares the trust this computer holds (trustOf).
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import { pinnedGroupRoot, readTrustedSnapshot } from '../core/office/index';
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
 * Up to this size a PDF is read into memory in one read (measured on the 30 MB bench file: as
 * fast as it gets, and the process's peak RSS is dominated by the code, not the file). Above
 * it the file is read on demand: the verifier reads the signed ranges once, in order, to hash
 * them, and the parser only the cross-reference and the objects it needs.
 */
const READ_WHOLE_LIMIT = 256 * 1024 * 1024;

/** A PDF opened for verification: an in-memory buffer for small files, a positioned reader for large ones. */
export function openPdfFile(path: string, options: { checkOnly?: boolean } = {}): { bytes: Uint8Array | PdfBytes; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    const size = stat.size;
    if (options.checkOnly) {
      closeSync(fd);
      return { bytes: new Uint8Array(0), close: () => undefined };
    }
    if (size <= READ_WHOLE_LIMIT) {
      // A Buffer is a Uint8Array: no copy.
      const bytes = readFileSync(fd);
      closeSync(fd);
      return { bytes, close: () => undefined };
    }
    const source: PdfBytes = {
      length: size,
      read(offset: number, length: number): Uint8Array {
        const want = Math.max(0, Math.min(length, size - offset));
        const out = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const n = readSync(fd, out, got, want - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        return got === want ? out : out.subarray(0, got);
      },
    };
    return { bytes: source, close: () => closeSync(fd) };
  } catch (cause) {
    closeSync(fd);
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
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
  register(): SealRegister;
}

/** The local register, only when this data folder has one. */
function localRegister(deps: FileVerificationDeps): SealRegister | undefined {
  return existsSync(join(deps.dataDir, 'register.sqlite')) ? deps.register() : undefined;
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
      const register = localRegister(deps);
      const pinned = register ? pinnedGroupRoot(register) : undefined;
      roots = pinned ? [pinned.der] : [];
    }
    const { snapshot, rootDer } = await openSnapshotForVerification(raw, roots, registerPath);
    return {
      trust: mergeTrust(given, trustFromSnapshot(snapshot, rootDer)),
      source: { zh: `登记簿快照 ${registerPath}（第 ${snapshot.sequence} 号）`, en: `register snapshot ${registerPath} (sequence ${snapshot.sequence})`, snapshotSequence: snapshot.sequence },
    };
  }
  if (given.trustAnchors.length > 0) return { trust: given, source: { zh: '--trust 根证书', en: '--trust roots' } };
  const register = localRegister(deps);
  const pinned = register ? pinnedGroupRoot(register) : undefined;
  if (register && pinned) {
    const snapshot = await readTrustedSnapshot(register);
    if (snapshot) {
      return {
        trust: mergeTrust(given, trustFromSnapshot(snapshot, pinned.der)),
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

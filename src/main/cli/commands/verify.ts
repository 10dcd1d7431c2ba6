import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { pinnedGroupRoot, readTrustedSnapshot } from '../../core/office/index';
import { isAcceptable, mergeTrust, openSnapshotForVerification, prepareTrust, reportJson, reportText, trustFromSnapshot, verifyPdf, type FileReport, type TrustContext } from '../../core/verify/index';
import type { PdfBytes } from '../../core/pdf/index';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { dateOptionHelp } from '../local-time';
import { EXIT_OK, EXIT_REFUSED } from '../output';

/** PEM blocks of `label` in a file, or the file as DER when it has none. */
function readDerOrPem(path: string, label: 'CERTIFICATE' | 'X509 CRL'): Uint8Array[] {
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
function openPdf(path: string, options: { checkOnly?: boolean } = {}): { bytes: Uint8Array | PdfBytes; close(): void } {
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

interface LoadedTrust {
  readonly trust: TrustContext;
  /** Where the trust came from, printed so a reader knows what the verdicts rest on. */
  readonly source: { readonly zh: string; readonly en: string; readonly snapshotSequence?: number };
}

/** The local register, only when this data folder has one: verifying never creates a register. */
function localRegister(context: CliContext): ReturnType<CliContext['register']> | undefined {
  return existsSync(join(context.dataDir, 'register.sqlite')) ? context.register() : undefined;
}

/**
 * The trust the verdicts rest on (M1 filing, S3, S5):
 *  - --trust/--crl files as given;
 *  - --register SNAPSHOT: the office's signed snapshot, its signature checked against the
 *    --trust roots, else the group root pinned by `register import`; it adds the group root,
 *    every seal certificate with its state and revocation time, the bound workstations and the
 *    U2 deny list. (A PEM file of certificates is still read as extra chain certificates.)
 *  - neither --trust nor --register: the snapshot last imported into the local register, re-
 *    verified against its pinned root, or that root alone.
 */
async function loadTrust(context: CliContext, options: Record<string, string | boolean | string[] | undefined>): Promise<LoadedTrust> {
  const given: TrustContext = {
    trustAnchors: list(options.trust).flatMap((p) => readDerOrPem(p, 'CERTIFICATE')),
    crls: list(options.crl).flatMap((p) => readDerOrPem(p, 'X509 CRL')),
  };
  const registerPath = typeof options.register === 'string' ? options.register : undefined;
  if (registerPath !== undefined) {
    const raw = readBytes(registerPath);
    if (Buffer.from(raw.subarray(0, 4096)).toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
      return { trust: { ...given, extraCertificates: readDerOrPem(registerPath, 'CERTIFICATE') }, source: { zh: '--trust 根证书，--register 附加证书', en: '--trust roots, --register extra certificates' } };
    }
    let roots = given.trustAnchors;
    if (roots.length === 0) {
      const register = localRegister(context);
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
  const register = localRegister(context);
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

function list(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export const verify: Command = {
  usage: 'FILE…',
  options: {
    trust: { type: 'string', multiple: true, valueName: 'ROOT.pem', description: '受信任的根证书（PEM 或 DER，可重复）/ a trusted root certificate (PEM or DER, repeatable)' },
    crl: { type: 'string', multiple: true, valueName: 'FILE', description: '证书吊销列表（可重复）/ a CRL (repeatable)' },
    register: { type: 'string', valueName: 'SNAPSHOT', description: '总裁办签发的登记簿快照（.p7m，用 --trust 或本机已信任的集团根证书核验）；不给 --trust/--register 时用本机最近导入的快照 / the office\'s signed register snapshot (.p7m, checked against --trust or the pinned group root); without --trust and --register the snapshot last imported here is used' },
    at: { type: 'string', valueName: 'DATE', description: dateOptionHelp('按此时间判断证书有效性', 'judge certificates at this time') },
    report: { type: 'string', valueName: 'OUT.pdf', description: '生成中文 PDF 验证报告（一份报告涵盖全部文件）/ write a PDF verification report (one report covering every file)' },
  },
  details: '退出码 Exit: 0 全部有效 all files VALID or VALID_WITH_CHANGES; 1 有文件无效 some file is not valid (including damaged or non-PDF files); 2 用法错误或文件无法读取 bad usage or unreadable path.',
  examples: [
    { line: 'yinjian verify 通知-盖章.pdf --trust group-root.pem', zh: '用集团根证书验证一份文件', en: 'verify one file against the group root' },
    { line: 'yinjian verify 通知-盖章.pdf --register register-snapshot-000001.p7m --trust group-root.pem --at "2027-08-01 09:30" --report 验证报告.pdf', zh: '按登记簿快照和指定时间（北京时间）验证，并生成 PDF 报告', en: 'verify against a register snapshot at a given time (Beijing time) and write a PDF report' },
    { line: 'yinjian verify 通知-盖章.pdf --json', zh: '以本机最近导入的登记簿快照验证，输出 JSON', en: 'verify against the snapshot imported here last, as JSON' },
  ],
  async run(context, args) {
    const files = args.positionals;
    if (files.length === 0) throw new YinjianError('VERIFY_NO_FILES');
    let at: Date | undefined;
    if (typeof args.options.at === 'string') {
      at = context.time().parse('--at', args.options.at);
    }
    const reportPath = typeof args.options.report === 'string' ? args.options.report : undefined;
    const { trust, source } = await loadTrust(context, args.options);
    const prepared = prepareTrust(trust);
    // Check every path first: an unreadable path is bad input (exit 2) before any verdict.
    // Then one file at a time, so a batch holds one file in memory, not all of them.
    for (const path of files) openPdf(path, { checkOnly: true });
    const reports: FileReport[] = [];
    for (const path of files) {
      const input = openPdf(path);
      try {
        reports.push(await verifyPdf(input.bytes, prepared, at ? { at } : {}, path));
      } finally {
        input.close();
      }
    }
    const generatedAt = new Date();
    const json = reportJson(reports, generatedAt);
    // One report for the whole run, one section per file: a batch is judged together and
    // handed on as one document.
    // Loaded only when asked for: the report pulls in pdf-lib and the font code.
    const written = reportPath !== undefined ? await (await import('../../infra/report/verification-report')).writeVerificationReport(reportPath, reports, generatedAt) : undefined;
    const time = context.time();
    const lines = [reportText(reports, (iso) => time.format(iso)), `信任来源 Trust: ${source.zh} / ${source.en}`];
    if (written) lines.push(`验证报告 Report: ${written.path}`);
    return {
      json: { ...json, trust: source, ...(written ? { reportPdf: written.path } : {}) },
      text: lines.join('\n'),
      exitCode: reports.every((r) => isAcceptable(r.verdict)) ? EXIT_OK : EXIT_REFUSED,
    };
  },
};

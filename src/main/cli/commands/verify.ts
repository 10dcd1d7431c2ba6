import { readFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';
import { isAcceptable, prepareTrust, reportJson, reportText, verifyPdf, type FileReport, type TrustContext } from '../../core/verify/index';
import type { Command } from '../command';
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

function list(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export const verify: Command = {
  name: ['verify'],
  summary: {
    zh: '离线验证 PDF 上的全部签章（完整性、信任、注销、签名后修改、用印规定）',
    en: 'Verify every seal of PDF files offline (integrity, trust, revocation, changes after signing, sealing rules)',
  },
  usage: 'FILE…',
  options: {
    trust: { type: 'string', multiple: true, valueName: 'ROOT.pem', description: '受信任的根证书（PEM 或 DER，可重复）/ a trusted root certificate (PEM or DER, repeatable)' },
    crl: { type: 'string', multiple: true, valueName: 'FILE', description: '证书吊销列表（可重复）/ a CRL (repeatable)' },
    register: { type: 'string', valueName: 'SNAPSHOT', description: '登记簿快照中的证书（PEM）/ certificates from a register snapshot (PEM; the signed snapshot format is added with office import)' },
    at: { type: 'string', valueName: 'TIME', description: '按此时间判断证书有效性（ISO 8601）/ judge certificates at this time (ISO 8601)' },
    report: { type: 'string', valueName: 'OUT.pdf', description: '生成 PDF 验证报告（尚未实现）/ write a PDF verification report (not yet implemented)' },
  },
  details: '退出码 Exit: 0 全部有效 all files VALID or VALID_WITH_CHANGES; 1 有文件无效 some file is not valid (including damaged or non-PDF files); 2 用法错误或文件无法读取 bad usage or unreadable path.',
  async run(_context, args) {
    const files = args.positionals;
    if (files.length === 0) throw new YinjianError('VERIFY_NO_FILES');
    let at: Date | undefined;
    if (typeof args.options.at === 'string') {
      at = new Date(args.options.at);
      if (Number.isNaN(at.getTime())) throw new YinjianError('VERIFY_TIME_INVALID', { value: args.options.at });
    }
    if (typeof args.options.report === 'string') throw new YinjianError('USAGE', { detail: '--report is not implemented yet' });
    const trust: TrustContext = {
      trustAnchors: list(args.options.trust).flatMap((p) => readDerOrPem(p, 'CERTIFICATE')),
      crls: list(args.options.crl).flatMap((p) => readDerOrPem(p, 'X509 CRL')),
      extraCertificates: typeof args.options.register === 'string' ? readDerOrPem(args.options.register, 'CERTIFICATE') : [],
    };
    const prepared = prepareTrust(trust);
    // Read every path first: an unreadable path is bad input (exit 2) before any verdict.
    const inputs = files.map((path) => {
      try {
        return { path, bytes: new Uint8Array(readFileSync(path)) };
      } catch (cause) {
        throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
      }
    });
    const reports: FileReport[] = [];
    for (const input of inputs) reports.push(await verifyPdf(input.bytes, prepared, at ? { at } : {}, input.path));
    const json = reportJson(reports, new Date());
    return {
      json: { ...json },
      text: reportText(reports),
      exitCode: reports.every((r) => isAcceptable(r.verdict)) ? EXIT_OK : EXIT_REFUSED,
    };
  },
};

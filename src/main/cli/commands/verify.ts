import { YinjianError } from '../../../shared/errors/index';
import { isAcceptable, reportJson, reportText, revocationUnchecked } from '../../core/verify/index';
import { verifyFiles } from '../../app/verify-files';
import type { Command } from '../command';
import { dateOptionHelp } from '../local-time';
import { EXIT_OK, EXIT_REFUSED } from '../output';

export { readDerOrPem } from '../../app/verify-files';

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
  // Reads files and trust files; the local register (SQLite) only when no --trust is given.
  light: true,
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
    // The use case (src/main/app/verify-files.ts); this command only reads arguments and prints.
    const { reports, source, generatedAt, reportPdf } = await verifyFiles(
      { dataDir: context.dataDir, register: async () => (await context.loadApp()).register() },
      {
        files,
        trust: list(args.options.trust),
        crl: list(args.options.crl),
        ...(typeof args.options.register === 'string' ? { register: args.options.register } : {}),
        ...(at ? { at } : {}),
        ...(reportPath !== undefined ? { reportPath } : {}),
      },
    );
    const json = reportJson(reports, generatedAt);
    const written = reportPdf !== undefined ? { path: reportPdf } : undefined;
    const time = context.time();
    const lines = [reportText(reports, (iso) => time.format(iso)), `信任来源 Trust: ${source.zh} / ${source.en}`];
    if (written) lines.push(`验证报告 Report: ${written.path}`);
    return {
      json: { ...json, trust: source, ...(written ? { reportPdf: written.path } : {}) },
      text: lines.join('\n'),
      // Issue #12: VALID with revocation not checked (REVOCATION_NOT_CHECKED) is not a plain VALID.
      exitCode: reports.every((r) => isAcceptable(r.verdict) && !revocationUnchecked(r)) ? EXIT_OK : EXIT_REFUSED,
    };
  },
};

import { YinjianError } from '../../../shared/errors/index';
import type { Actor } from '../../core/register/index';
import { currentWorkstation } from '../../infra/machine/workstation-id';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InspectionResult } from '../../core/inspection/index';
import { readExportFile } from '../../infra/inspection/index';
import { exportForInspection } from '../../app/workstation-export';
import { officeTasksOf } from './office';
import type { ParsedArgs } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { EXIT_REFUSED, table } from '../output';

/**
 * Rule S6 on the command line: `register export` on a workstation, `office inspect` on the
 * office computer.
 */

function text(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export const registerExport: Command = {
  options: {
    out: { type: 'string', short: 'o', valueName: 'FILE', description: '导出文件（签名时为 .p7m，未签名时为 .json）/ the export file (.p7m signed, .json unsigned)' },
    token: { type: 'string', valueName: 'S', description: '用本机印章 USB Key 签署导出文件（序列号或标签；推荐）/ sign the export with this computer\'s seal key (serial or label; recommended)' },
  },
  details:
    '使用 --token 时，导出文件由印章密钥签署（CMS），总裁办可确认是哪台计算机的哪枚印章导出的，且导出后未被修改；需输入 PIN（--pin-stdin 时读一行），仍为初始 PIN 的 Key 不能签署（规定 M4）。\n' +
    '不用 --token 时导出未签名文件：总裁办仍能检查哈希链及其是否接续上次导入的链头，但无法确认导出者，能改文件的人也能重算上次链头之后的全部哈希。\n' +
    'With --token the export is signed (CMS) by the seal key, so the office can tell which seal on which computer exported it and that\n' +
    'nothing changed since; the PIN is asked (one line with --pin-stdin), and a key still on its initial PIN cannot sign (M4).\n' +
    'Without --token the export is unsigned: the office still checks the hash chain and that it extends the head it imported last time,\n' +
    'but cannot tell who made it, and whoever can edit the file can recompute every hash after that head. Prefer signed.',
  examples: [
    { line: 'yinjian register export --out 检查导出.p7m --token 行政部印章', zh: '导出并用本机印章签署，供总裁办检查（规定 S6）', en: 'export, signed with this computer\'s seal, for the office\'s inspection (S6)' },
  ],
  async run(context, args) {
    const out = text(args, 'out');
    if (out === undefined) throw new YinjianError('USAGE', { detail: '--out is required' });
    const token = text(args, 'token');
    // The same use case as the window's register screen (src/main/app/workstation-export.ts).
    const result = await exportForInspection({
      register: context.register(),
      usbKeys: () => context.usbKeys(),
      workstationId: currentWorkstation().code,
      out,
      actor: context.actor(),
      ...(token !== undefined ? { token, pin: (key: { label: string }) => context.pinSource().next({ zh: `USB Key「${key.label}」的 PIN`, en: `PIN of USB key "${key.label}"` }) } : {}),
    });
    const workstationId = result.workstationId;
    const head = result.head === null ? '-' : `${result.head.seq}:${result.head.hash}`;
    return {
      json: { export: { path: result.path, signed: result.signed, head: result.head, usageRows: result.usageRows, auditRows: result.auditRows, workstationId, key: result.key } },
      text: [
        `已导出 / Exported: ${result.path}${result.signed ? '（已签名 signed）' : '（未签名 unsigned）'}`,
        `本机 Workstation: ${workstationId}; 用印登记 usage rows: ${result.usageRows}; 审计记录 audit rows: ${result.auditRows}`,
        `审计链头 Chain head: ${head}`,
        result.key === null
          ? 'USB Key 用印记录 Key usage record: 未读取（未用 --token）not read (no --token)'
          : result.key?.anchor
            ? `USB Key 用印记录 Key usage record: 第 ${result.key.anchor.counter} 次用印 stamping no. ${result.key.anchor.counter}，审计记录 audit row ${result.key.anchor.auditSeq}:${result.key.anchor.auditHash}`
            : 'USB Key 用印记录 Key usage record: 无 none (no stamping anchored on this key)',
      ].join('\n'),
    };
  },
};

function officeActor(context: CliContext, args: ParsedArgs): Actor {
  return { name: text(args, 'operator')?.trim() ?? context.actor().name, staffId: text(args, 'operator-id')?.trim() ?? '', office: true };
}

export const officeInspect: Command = {
  usage: 'FILE [FILE2 …]',
  options: {
    report: { type: 'string', valueName: 'OUT.pdf', description: '检查报告（PDF，中文）/ the inspection report (PDF)' },
    operator: { type: 'string', valueName: 'NAME', description: '经办人姓名（记入审计日志）/ operator\'s name for the audit log' },
    'operator-id': { type: 'string', valueName: 'ID', description: '经办人工号 / operator\'s staff id' },
    documents: { type: 'string', valueName: 'DIR', description: '收到的盖章文件所在文件夹（*.pdf）：逐份核对其用印记录是否在导出中 / a folder of received sealed files (*.pdf): each one\'s usage record must be in the exports' },
  },
  details:
    '逐个检查：签名是否由集团根证书下、绑定到该计算机的印章作出；审计日志哈希链是否完整（修改、删除、调换顺序）；是否接续上次从该计算机导入的链头（截断或改写的历史）；每条盖章记录是否有用印登记。\n' +
    '通过的导出文件更新该计算机的已导入链头；任何文件未通过时退出码为 1。\n' +
    'Each export is checked: signed by the seal bound to that computer under the group root; the audit hash chain intact (edited,\n' +
    'deleted, reordered rows); extending the head imported last time from that computer (truncated or rewritten history); every\n' +
    'stamping with its usage row. A passing export moves that computer\'s imported head. Exit code 1 when any export fails.',
  examples: [
    { line: 'yinjian office inspect 检查导出.p7m --report 检查报告.pdf', zh: '检查一台计算机的导出并生成报告', en: 'inspect one computer\'s export and write the report' },
  ],
  async run(context, args) {
    if (args.positionals.length === 0) throw new YinjianError('USAGE', { detail: 'office inspect needs at least one FILE' });
    const reportPath = text(args, 'report');
    const inputs = args.positionals.map(readExportFile);
    const folder = text(args, 'documents');
    const documents = folder === undefined ? undefined : documentsIn(folder);
    // The same use case as the window's inspection screen (src/main/app/office.ts).
    const run = await officeTasksOf(context).inspect(inputs, {
      at: new Date(),
      actor: officeActor(context, args),
      ...(reportPath !== undefined ? { reportPath } : {}),
      ...(documents !== undefined ? { documents } : {}),
    });
    return {
      ...(run.ok ? {} : { exitCode: EXIT_REFUSED }),
      json: { inspection: { ok: run.ok, results: run.results.map(withoutStampings), documents: run.documents, report: run.report ?? null } },
      text: [
        table(
          ['文件 File', '计算机 Workstation', '盖章 Stampings', 'Key 计数 Key counter', '结论 Verdict'],
          run.results.map((r) => [r.source, r.workstationId ?? '-', String(r.figures?.stampings ?? '-'), r.keyRecord ? String(r.keyRecord.counter) : '-', r.ok ? '通过 passed' : '未通过 FAILED']),
        ),
        ...run.results.flatMap((r) =>
          r.previous?.repin
            ? [`${r.source}: 链头曾被重新确认 head re-pinned ${r.previous.repin.at}（${r.previous.repin.reference}，批准人 approver ${r.previous.repin.approver}）原因 reason: ${r.previous.repin.reason}`]
            : [],
        ),
        ...run.results.flatMap((r) => r.findings.map((f) => `${r.source}: [${f.code}] ${f.zh} / ${f.en}`)),
        ...run.documents.map((d) => `${d.source}${d.field ? ` (${d.field})` : ''}: [${d.code}] ${d.zh} / ${d.en}`),
        ...(run.report ? [`检查报告 Report: ${run.report.path}`] : []),
      ].join('\n'),
    };
  },
};

/** The export's stampings are for the document check; the JSON names only their count. */
function withoutStampings(r: InspectionResult): Omit<InspectionResult, 'stampings'> & { stampingAttempts: number } {
  const { stampings, ...rest } = r;
  return { ...rest, stampingAttempts: stampings.length };
}

/** The received sealed files: every *.pdf directly in `folder`, in name order. */
function documentsIn(folder: string): { source: string; bytes: Uint8Array }[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path: folder }, { cause });
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.pdf'))
    .sort()
    .map((n) => join(folder, n))
    .filter((p) => statSync(p).isFile())
    .map(readExportFile);
}

export const officeRepin: Command = {
  usage: 'FILE',
  options: {
    reference: { type: 'string', valueName: 'REF', description: '申请编号（必填）/ the application reference (required)' },
    approver: { type: 'string', valueName: 'NAME', description: '批准人（必填）/ who approved it (required)' },
    reason: { type: 'string', valueName: 'TEXT', description: '原因，打印在之后的检查报告中（必填）/ the reason, printed in later inspection reports (required)' },
    operator: { type: 'string', valueName: 'NAME', description: '经办人姓名（记入审计日志）/ operator\'s name for the audit log' },
    'operator-id': { type: 'string', valueName: 'ID', description: '经办人工号 / operator\'s staff id' },
  },
  details:
    '误导入（例如导入了空数据目录的导出）后，该计算机的正确导出会被拒绝（HISTORY_REWRITTEN）。总裁办凭申请编号和批准人，把该计算机的已导入链头重新确认为 FILE 的链头：\n' +
    'FILE 必须是用 --token 签署的导出，且除链头外的全部检查（签名、哈希链、用印登记、USB Key 用印记录）都通过。操作记入审计日志（INSPECTION_HEAD_REPINNED），原因打印在之后的检查报告中。\n' +
    'After a wrong import (e.g. an export from an empty data folder), the workstation\'s real export is refused (HISTORY_REWRITTEN). On an\n' +
    'application reference and its approver, the office re-pins that workstation\'s imported head to FILE\'s head: FILE must be a signed\n' +
    'export (--token) that passes every other check (signature, hash chain, usage rows, the USB key\'s usage record). Audited\n' +
    '(INSPECTION_HEAD_REPINNED); the reason is printed in later inspection reports.',
  examples: [
    {
      line: 'yinjian office repin 行政部导出.p7m --reference 总裁办〔2026〕12号 --approver 李主任 --reason "误导入了空数据目录的导出"',
      zh: '误导入后重新确认链头',
      en: 're-pin the head after a wrong import',
    },
  ],
  async run(context, args) {
    if (args.positionals.length !== 1) throw new YinjianError('USAGE', { detail: 'office repin needs exactly one FILE' });
    const required = (name: string): string => {
      const value = text(args, name);
      if (value === undefined) throw new YinjianError('REPIN_INVALID', { detail: `--${name} is required` });
      return value;
    };
    const options = { reference: required('reference'), approver: required('approver'), reason: required('reason') };
    const input = readExportFile(args.positionals[0]!);
    const { result, replaced, head } = await officeTasksOf(context).repin(input, { ...options, at: new Date(), actor: officeActor(context, args) });
    return {
      json: { repin: { workstationId: result.workstationId, replaced: replaced ?? null, head } },
      text: [
        `已重新确认链头 Head re-pinned: ${result.workstationId}`,
        `原链头 Replaced: ${replaced ? `${replaced.seq}:${replaced.hash}` : '-'}`,
        `新链头 New head: ${head.seq}:${head.hash}`,
        `申请编号 Reference: ${options.reference}；批准人 Approver: ${options.approver}`,
        `原因 Reason: ${options.reason}`,
      ].join('\n'),
    };
  },
};

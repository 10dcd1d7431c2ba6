/**
 * `yinjian stamp`: seals PDFs with the seal on a USB key. One PIN entry for any number of
 * files; each file is gated, signed and recorded on its own (U3), and a refusal of one file
 * does not stop the others. The exit code is the worst outcome: 0 all sealed, 1 a refusal,
 * 2 bad usage or unreadable input, 3 a USB-key failure.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { YinjianError, type ErrorCategory } from '../../../shared/errors/index';
import type { PlacementRequest, PositionOnPage } from '../../core/stamp/index';
import { currentWorkstation } from '../../infra/machine/workstation-id';
import { stampDocuments } from '../../app/stamp-batch';
import { openStampInput } from '../../app/stamp-input';
import type { ParsedArgs } from '../args';
import type { Command } from '../command';
import { EXIT_DEVICE, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, exitCodeOf, table } from '../output';

function usage(detail: string): YinjianError {
  return new YinjianError('USAGE', { detail });
}

function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

function requiredOption(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value.trim() === '') throw usage(`--${name} is required`);
  return value;
}

/** "30,40" (mm), "30mm,40mm" or "85pt,113pt". */
export function parsePosition(text: string): PositionOnPage {
  const m = /^\s*(-?[0-9.]+)\s*(mm|pt)?\s*,\s*(-?[0-9.]+)\s*(mm|pt)?\s*$/.exec(text);
  const x = Number(m?.[1]);
  const y = Number(m?.[3]);
  const unit = (m?.[2] ?? m?.[4] ?? 'mm') as 'mm' | 'pt';
  if (!m || !Number.isFinite(x) || !Number.isFinite(y) || (m[2] !== undefined && m[4] !== undefined && m[2] !== m[4])) {
    throw new YinjianError('STAMP_POSITION_INVALID', { detail: `--at ${text}: expected X,Y in mm (or with a pt suffix)` });
  }
  return { x, y, unit };
}

function parsePage(text: string | undefined): number | 'last' | undefined {
  if (text === undefined || text === 'last') return text;
  const page = Number(text);
  if (!Number.isInteger(page) || page < 1) throw usage(`--page ${text}: a page number from 1, or last`);
  return page;
}

export function placementOf(args: ParsedArgs): PlacementRequest {
  const page = parsePage(stringOption(args, 'page'));
  const at = stringOption(args, 'at');
  const keyword = stringOption(args, 'keyword');
  const seam = args.options.seam === true;
  if ([keyword !== undefined, seam].filter(Boolean).length > 1) throw usage('--keyword and --seam exclude each other');
  if (seam) {
    if (page !== undefined) throw usage('--seam covers every page; --page does not apply');
    return { kind: 'seam', ...(at ? { at: parsePosition(at) } : {}) };
  }
  if (keyword !== undefined) {
    if (at !== undefined) throw usage('--keyword places the seal itself; --at does not apply');
    return { kind: 'keyword', keyword, ...(page !== undefined ? { page } : {}) };
  }
  return { kind: 'page', ...(page !== undefined ? { page } : {}), ...(at ? { at: parsePosition(at) } : {}) };
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

function readInput(input: string): Uint8Array {
  try {
    return readFileSync(input);
  } catch (error) {
    throw new YinjianError('FILE_NOT_READABLE', { path: input }, { cause: error });
  }
}

const WORST: readonly number[] = [EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_DEVICE];

function worse(a: number, b: number): number {
  return WORST.indexOf(b) > WORST.indexOf(a) ? b : a;
}

export const stamp: Command = {
  usage: 'IN.pdf [IN2.pdf …]',
  options: {
    out: { type: 'string', short: 'o', valueName: 'OUT.pdf', description: '输出文件（单个输入时）/ output file (one input)' },
    'out-dir': { type: 'string', valueName: 'DIR', description: '输出目录（多个输入时，文件名不变）/ output folder (several inputs; same file names)' },
    type: { type: 'string', valueName: 'T', description: '文件类型：internal-document 内部正式文件 | internal-letter 内部函件 (U1, U2)' },
    approval: { type: 'string', valueName: 'REF', description: '用印审批编号 / approval reference of the use request (U3)' },
    approver: { type: 'string', valueName: 'NAME', description: '批准人 / who approved the use request (U3)' },
    purpose: { type: 'string', valueName: 'TEXT', description: '用印事由 / purpose of the stamping' },
    operator: { type: 'string', valueName: 'STAFF_ID', description: '盖章人工号（保管人或代理人，M3）/ staff id of the custodian or proxy stamping' },
    'operator-name': { type: 'string', valueName: 'NAME', description: '盖章人姓名 / name of the operator (default: the OS account)' },
    page: { type: 'string', valueName: 'N|last', description: '盖章页（默认最后一页）/ page to seal (default last)' },
    at: { type: 'string', valueName: 'X,Y', description: '印章中心位置，距页面左下角，毫米（或加 pt）/ seal centre from the lower-left corner, mm (or pt)' },
    keyword: { type: 'string', valueName: 'TEXT', description: '以关键字定位（如 盖章处、单位名称）/ centre the seal over this text' },
    seam: { type: 'boolean', description: '骑缝章 / seam seal across the right edges of all pages' },
    token: { type: 'string', valueName: 'S', description: 'USB Key 序列号或标签 / the key\'s serial number or label' },
    reason: { type: 'string', valueName: 'TEXT', description: '签名原因 / signature reason' },
    location: { type: 'string', valueName: 'TEXT', description: '签名地点 / signature location' },
    contact: { type: 'string', valueName: 'TEXT', description: '联系方式 / contact information' },
    tsa: { type: 'string', valueName: 'URL', description: '时间戳服务器（RFC 3161），默认取登记簿设置 timestampUrl，未设置则不加时间戳 / RFC 3161 timestamp server; default: the register setting timestampUrl, else none (offline)' },
    lta: { type: 'boolean', description: 'PAdES B-LTA：在内嵌验证数据（DSS）之后再加文档时间戳（需时间戳服务器和已导入的 CRL）/ add a document timestamp after the embedded validation data (needs a timestamp server and the imported CRL)' },
    'confirm-scanned': {
      type: 'boolean',
      description: '保管人确认已阅读扫描件全文（仅当集团办公室允许扫描件时有效，记入审计日志）/ the custodian confirms having read a scanned document (only where the office allows scanned documents; audited, U2)',
    },
    force: { type: 'boolean', description: '覆盖已存在的输出文件 / replace an existing output file' },
    'overwrite-input': { type: 'boolean', description: '允许输出覆盖输入文件 / allow the output to replace the input' },
  },
  details:
    'PIN 从无回显提示读取；使用 --pin-stdin 时从标准输入读取一行。多个文件只输入一次 PIN。\n' +
    'The PIN is read at a no-echo prompt, or one line from standard input with --pin-stdin; one PIN for all files.',
  examples: [
    { line: 'yinjian stamp 通知.pdf --out 通知-盖章.pdf --type internal-document --approval YY-2026-001 --approver 孙主任 --operator S100 --token 行政部印章', zh: '用行政部印章的 USB Key 为一份通知盖章', en: 'seal one notice with the administration department\'s seal key' },
    { line: 'yinjian stamp 通知.pdf --out 通知-盖章.pdf --type internal-document --approval YY-2026-001 --approver 孙主任 --operator S100 --token 行政部印章 --keyword 盖章处 --pin-stdin', zh: '在“盖章处”字样上盖章，PIN 从标准输入读一行', en: 'seal over the words 盖章处, the PIN read as one line of standard input' },
    { line: 'yinjian stamp 甲.pdf 乙.pdf --out-dir 已盖章 --type internal-letter --approval YY-2026-002 --approver 孙主任 --operator S100 --token 行政部印章 --page last --at 150,60', zh: '一次 PIN 为两份函件盖章，印章中心距左下角 150 mm、60 mm', en: 'seal two letters with one PIN, the seal centred 150 mm, 60 mm from the lower-left corner' },
  ],
  async run(context, args) {
    const inputs = args.positionals;
    if (inputs.length === 0) throw usage('no input PDF');
    const out = stringOption(args, 'out');
    const outDir = stringOption(args, 'out-dir');
    if (inputs.length > 1 && out !== undefined) throw usage('several inputs need --out-dir, not --out');
    if (out === undefined && outDir === undefined) throw usage('--out (or --out-dir) is required');
    if (out !== undefined && outDir !== undefined) throw usage('--out and --out-dir exclude each other');
    const declaredType = requiredOption(args, 'type');
    const approval = { reference: requiredOption(args, 'approval'), approver: requiredOption(args, 'approver') };
    const operatorStaffId = stringOption(args, 'operator') ?? context.actor().staffId;
    if (operatorStaffId.trim() === '') throw usage('--operator (the staff id of the custodian or proxy, M3) is required');
    const token = requiredOption(args, 'token');
    const placement = placementOf(args);

    const targets = inputs.map((input) => {
      const output = out ?? join(outDir as string, basename(input));
      if (sameFile(input, output) && args.options['overwrite-input'] !== true) throw new YinjianError('STAMP_OUTPUT_IS_INPUT');
      if (!sameFile(input, output) && existsSync(output) && args.options.force !== true) throw new YinjianError('STAMP_OUTPUT_EXISTS', { path: output });
      return { input, output };
    });

    // The first input read from here on, while the register and the key are opened (issue #15).
    const readAhead = openStampInput(targets[0]!.input);
    const ahead = readAhead.read;
    ahead.catch(() => undefined);
    const register = context.register();
    const operatorName = stringOption(args, 'operator-name') ?? register.custodians.get(operatorStaffId)?.name ?? context.actor().name;
    const purpose = stringOption(args, 'purpose');
    // The one stamping use case (src/main/app/stamp-batch.ts), as the window runs it. PAdES B-T
    // only when a server is configured (--tsa, else the register's setting; a malformed URL
    // fails before the PIN prompt); U3, M5 (issue #7): every file ends with a usage row.
    let stamped: Awaited<ReturnType<typeof stampDocuments>>;
    try {
      stamped = await stampDocuments(
        { register: () => register, usbKeys: () => context.usbKeys(), workstationCode: () => currentWorkstation().code },
        {
          token,
          declaredType,
          approval,
          ...(purpose ? { purpose } : {}),
          placement,
          operator: { staffId: operatorStaffId, name: operatorName },
          ...(stringOption(args, 'tsa') ? { timestampUrl: stringOption(args, 'tsa') } : {}),
          ...(args.options.lta === true ? { archiveTimestamp: true } : {}),
          ...(args.options['confirm-scanned'] === true ? { scannedConfirmed: true } : {}),
          ...(stringOption(args, 'reason') ? { reason: stringOption(args, 'reason') } : {}),
          ...(stringOption(args, 'location') ? { location: stringOption(args, 'location') } : {}),
          ...(stringOption(args, 'contact') ? { contactInfo: stringOption(args, 'contact') } : {}),
          // A Buffer is a Uint8Array: new Uint8Array(buffer) would copy the whole file once more.
          documents: targets.map(({ input, output }, i) => ({ name: basename(input), outputPath: output, read: () => readInput(input), ...(i === 0 ? { prefetch: () => ahead } : {}) })),
          pin: (key) => context.pinSource().next({ zh: `USB Key「${key.label}」的 PIN`, en: `PIN of USB key "${key.label}"` }),
        },
      );
    } finally {
      await readAhead.close();
    }
    const { seal, recovered, results } = stamped;
    const recovery = { recovered };
    let exitCode = EXIT_OK;
    for (const r of results) if (!r.ok) exitCode = worse(exitCode, exitCodeOf(r.error.category as ErrorCategory));
    return {
      exitCode,
      json: {
        seal: { id: seal.id, code: seal.code, name: seal.name },
        ...(recovery.recovered.length > 0 ? { recovered: recovery.recovered } : {}),
        files: results.map((r, i) =>
          r.ok
            ? { input: targets[i]!.input, output: r.outcome.outputPath, ok: true, field: r.outcome.fieldName, title: r.outcome.documentTitle, type: r.outcome.documentType, pages: r.outcome.pages, sha256Before: r.outcome.sha256Before, sha256After: r.outcome.sha256After, usageId: r.outcome.usage.id, ocrPages: r.outcome.ocrPages, ...(r.outcome.unreadablePages.length > 0 ? { scannedConfirmedPages: r.outcome.unreadablePages } : {}) }
            : { input: targets[i]!.input, ok: false, begun: r.begun, error: r.error.toPayload() },
        ),
      },
      text: table(
        ['文件 File', '结果 Result'],
        results.map((r, i) => [targets[i]!.input, r.ok ? `已盖章 sealed → ${r.outcome.outputPath} (${r.outcome.fieldName})` : `${r.begun ? '' : '未开始 not begun · '}${r.error.code}: ${r.error.zh} / ${r.error.en}`]),
      ),
    };
  },
};

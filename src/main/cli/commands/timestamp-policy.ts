/**
 * `yinjian office timestamp-policy` (issue #12): the group's RFC 3161 time-stamp authority and
 * the rule "a seal must carry a trusted timestamp" (S5, E1, M3 on a time the custodian cannot
 * set). Saved in the office register, published with the next snapshot, imported by each
 * workstation with it.
 */
import { readFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';
import { OfficeService } from '../../core/office/office-service';
import { DEFAULT_TOLERANCE_SECONDS, type TimestampPolicy } from '../../core/office/timestamp-policy';
import { shippedFontImpressions } from '../../infra/office/index';
import type { ParsedArgs } from '../args';
import type { Command } from '../command';

function text(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Every certificate in a PEM file, or the one DER certificate, as base64 DER. */
function certificatesIn(path: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
  const pem = bytes.toString('latin1');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return [bytes.toString('base64')];
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64').toString('base64'));
}

export const officeTimestampPolicy: Command = {
  options: {
    url: { type: 'string', valueName: 'URL', description: '时间戳服务器地址（http/https）/ the TSA\'s URL (http or https)' },
    'tsa-cert': { type: 'string', valueName: 'FILE', description: '时间戳机构证书或其根证书（PEM 或 DER）/ the TSA\'s certificate or its root (PEM or DER)' },
    required: { type: 'boolean', description: '每枚印章必须带可信时间戳 / every seal must carry a trusted timestamp' },
    optional: { type: 'boolean', description: '时间戳可选（有服务器时加盖）/ timestamps optional (added when a server is set)' },
    tolerance: { type: 'string', valueName: 'SECONDS', description: `本机时钟与时间戳时间允许相差的秒数（默认 ${DEFAULT_TOLERANCE_SECONDS}）/ allowed clock difference in seconds (default ${DEFAULT_TOLERANCE_SECONDS})` },
    remove: { type: 'boolean', description: '取消时间戳规定 / remove the policy' },
    operator: { type: 'string', valueName: 'NAME', description: '经办人姓名 / operator\'s name' },
    'operator-id': { type: 'string', valueName: 'ID', description: '经办人工号 / operator\'s staff id' },
  },
  details:
    '修改随下一次 office publish 发布（登记簿快照第 2 版），各盖章专用机导入后生效。\n' +
    'A change is published with the next `office publish` (register snapshot version 2) and applies on each workstation once it imports it.',
  examples: [
    { line: 'yinjian office timestamp-policy --url http://tsa.example.internal/tsa --tsa-cert tsa-root.pem --required', zh: '设置集团时间戳服务并要求每枚印章带可信时间戳', en: 'set the group TSA and require a trusted timestamp on every seal' },
    { line: 'yinjian office timestamp-policy', zh: '查看当前规定', en: 'show the current policy' },
  ],
  async run(context, args) {
    const register = context.register();
    const office = new OfficeService({ keys: context.usbKeyPort(), register, impressions: shippedFontImpressions() });
    const actor = { name: text(args, 'operator') ?? context.actor().name, staffId: text(args, 'operator-id') ?? '', office: true };
    const current = office.timestampPolicy();
    const changing = ['url', 'tsa-cert', 'tolerance'].some((n) => text(args, n) !== undefined) || args.options.required === true || args.options.optional === true;
    if (args.options.required === true && args.options.optional === true) throw new YinjianError('USAGE', { detail: '--required and --optional exclude each other' });
    let policy = current;
    if (args.options.remove === true) {
      if (changing) throw new YinjianError('USAGE', { detail: '--remove excludes the other options' });
      policy = office.setTimestampPolicy(undefined, actor);
    } else if (changing) {
      const tolerance = text(args, 'tolerance');
      const next: TimestampPolicy = {
        required: args.options.required === true ? true : args.options.optional === true ? false : (current?.required ?? false),
        url: text(args, 'url') ?? current?.url ?? null,
        tsaCertificates: text(args, 'tsa-cert') !== undefined ? certificatesIn(text(args, 'tsa-cert') as string) : (current?.tsaCertificates ?? []),
        toleranceSeconds: tolerance !== undefined ? Number(tolerance) : (current?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS),
      };
      policy = office.setTimestampPolicy(next, actor);
    }
    return {
      json: { timestampPolicy: policy ?? null },
      text: policy
        ? [
            `时间戳服务器 TSA: ${policy.url ?? '-'}`,
            `必须带可信时间戳 Required: ${policy.required ? '是 yes' : '否 no'}`,
            `时间戳机构证书 TSA certificates: ${policy.tsaCertificates.length}`,
            `允许时钟偏差 Tolerance: ${policy.toleranceSeconds} s`,
          ].join('\n')
        : '未设置时间戳规定 / No timestamp policy set',
    };
  },
};

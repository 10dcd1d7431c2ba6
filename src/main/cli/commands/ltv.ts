/**
 * `yinjian ltv extend FILE`: archive renewal of sealed files (issue 16, PAdES B-LTA).
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { extendValidationData } from '../../app/long-term';
import type { Command } from '../command';
import { readDerOrPem } from '../../app/verify-files';

export const ltvExtend: Command = {
  usage: 'FILE',
  options: {
    out: { type: 'string', valueName: 'OUT.pdf', description: '输出文件 / output file' },
    tsa: { type: 'string', valueName: 'URL', description: '时间戳服务器（默认取登记簿设置 timestampUrl；无则只加 DSS）/ RFC 3161 server (default: the register setting timestampUrl; none: DSS only)' },
    crl: { type: 'string', multiple: true, valueName: 'FILE', description: '额外的吊销列表（本机已导入的集团 CRL 总会加入）/ more CRLs (the group CRL imported here is always added)' },
    force: { type: 'boolean', description: '覆盖已存在的输出文件 / replace an existing output file' },
  },
  details: 'Example: yinjian ltv extend 通知-盖章.pdf --out 通知-盖章-续期.pdf --tsa http://tsa.intra/tsr',
  async run(context, args) {
    if (args.positionals.length !== 1) throw new YinjianError('USAGE', { detail: 'ltv extend needs exactly one FILE' });
    const input = args.positionals[0]!;
    const out = typeof args.options.out === 'string' ? args.options.out : undefined;
    if (out === undefined) throw new YinjianError('USAGE', { detail: '--out is required' });
    const same = existsSync(out) && realpathSync(out) === realpathSync(input);
    if (same) throw new YinjianError('STAMP_OUTPUT_IS_INPUT');
    if (existsSync(out) && args.options.force !== true) throw new YinjianError('STAMP_OUTPUT_EXISTS', { path: out });
    const crlFiles = Array.isArray(args.options.crl) ? args.options.crl : typeof args.options.crl === 'string' ? [args.options.crl] : [];
    const register = existsSync(resolve(context.dataDir, 'register.sqlite')) ? context.register() : undefined;
    const result = await extendValidationData(register, {
      input,
      output: out,
      ...(typeof args.options.tsa === 'string' ? { timestampUrl: args.options.tsa } : {}),
      crls: crlFiles.flatMap((p) => readDerOrPem(p, 'X509 CRL')),
      time: new Date(),
    });
    return {
      json: { ...result },
      text: `已续期 Extended: ${result.output}（签章 signatures: ${result.signatures}；吊销列表 CRLs: ${result.crls}；文档时间戳 document timestamp: ${result.documentTimestamp ? '是 yes' : '否 no'}）`,
    };
  },
};

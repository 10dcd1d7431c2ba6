import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { openRegister } from '../../infra/db/index';
import type { Command } from '../command';
import { EXIT_REFUSED } from '../output';

function parseHead(value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!match) throw new YinjianError('USAGE', { detail: '--expect-head must be SEQ:HASH (the seq and hash audit check printed earlier)' });
  return { seq: Number(match[1]), hash: match[2]! };
}

/**
 * `yinjian audit check` (M5): walks the hash chain of the audit log in the register, read-only,
 * and names the first broken row: edited, deleted or reordered. Exit 1 when broken.
 */
export const auditCheck: Command = {
  options: {
    'expect-head': { type: 'string', valueName: 'SEQ:HASH', description: '此前记录的链头，用于发现被截断的尾部 / a head recorded earlier, to catch rows cut from the end' },
  },
  details: '只读打开登记簿，不作任何修改。/ Opens the register read-only and changes nothing. Exit code 1 when the chain is broken.',
  examples: [
    { line: 'yinjian audit check', zh: '检查本机审计日志的哈希链', en: 'check this computer\'s audit hash chain' },
    { line: 'yinjian audit check --expect-head 42:0000000000000000000000000000000000000000000000000000000000000000', zh: '并确认尾部未被截断', en: 'and that no rows were cut from its end' },
  ],
  async run(context, args) {
    const path = join(context.dataDir, 'register.sqlite');
    if (!existsSync(path)) throw new YinjianError('REGISTER_NOT_OPENABLE', { path });
    const expected = typeof args.options['expect-head'] === 'string' ? parseHead(args.options['expect-head']) : undefined;
    const register = openRegister(path, { readonly: true });
    try {
      const report = register.audit.verify(expected);
      // Stampings in flight or cut off by a crash (SECURITY.md): reported, settled by the next stamping.
      const pending = register.usage.pending().length;
      const pendingLine = pending
        ? `\n${pending} 条盖章记录未完成（进程中断？下次盖章时自动恢复）/ ${pending} stamping record(s) pending (interrupted? recovered at the next stamping)`
        : '';
      if (report.ok) {
        const head = report.head === null ? '-' : `${report.head.seq}:${report.head.hash}`;
        return {
          json: { chain: report, pendingStampings: pending },
          text: `审计日志完整 / Audit log intact: ${report.rows} 条 rows; 链头 head ${head}${pendingLine}`,
        };
      }
      const reasonZh = { edited: '被修改', deleted: '被删除', reordered: '顺序被调换' }[report.reason];
      return {
        json: { chain: report, pendingStampings: pending },
        text: `审计日志已被篡改 / Audit log broken at seq ${report.seq}: ${reasonZh} / ${report.reason} (${report.detail})${pendingLine}`,
        exitCode: EXIT_REFUSED,
      };
    } finally {
      register.close();
    }
  },
};

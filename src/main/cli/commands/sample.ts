import { writeFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';
import { sampleDocument, type SampleKind } from '../../core/samples/sample-documents';
import { readShippedFont } from '../../infra/appearance/index';
import type { Command } from '../command';

export const sample: Command = {
  usage: 'notice|contract',
  options: { out: { type: 'string', short: 'o', valueName: 'FILE.pdf', description: '输出文件 / output file' } },
  examples: [
    { line: 'yinjian sample notice --out 通知.pdf', zh: '生成一份可盖章的内部通知', en: 'write an internal notice that may be sealed' },
    { line: 'yinjian sample contract -o 合同.pdf', zh: '生成一份盖章时应被拒绝的合同（规定 U2）', en: 'write a contract the gate must refuse (U2)' },
  ],
  async run(_context, args) {
    const kind = args.positionals[0];
    if (kind !== 'notice' && kind !== 'contract') throw new YinjianError('USAGE', { detail: 'sample notice|contract --out FILE.pdf' });
    const out = args.options.out;
    if (typeof out !== 'string') throw new YinjianError('USAGE', { detail: '--out is required' });
    const bytes = await sampleDocument(kind as SampleKind, readShippedFont());
    try {
      writeFileSync(out, bytes, { flag: 'wx' });
    } catch (cause) {
      throw new YinjianError('FILE_NOT_WRITABLE', { path: out }, { cause });
    }
    return { json: { path: out, kind, bytes: bytes.length }, text: `已生成示例 / Sample written: ${out}` };
  },
};

import { writeFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';
import { sampleDocument, type SampleKind } from '../../core/samples/sample-documents';
import { readShippedFont } from '../../infra/appearance/index';
import type { Command } from '../command';

export const sample: Command = {
  name: ['sample'],
  summary: {
    zh: '生成示例 PDF：可盖章的内部通知，或应被拒绝的合同（规定 U1、U2）',
    en: 'Write a sample PDF: an internal notice that may be sealed, or a contract the gate must refuse (rules U1, U2)',
  },
  usage: 'notice|contract',
  options: { out: { type: 'string', valueName: 'FILE.pdf', description: '输出文件 / output file' } },
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

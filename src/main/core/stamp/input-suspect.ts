/**
 * The stamping gate's STAMP_INPUT_SUSPECT check (issue #11): a document prepared to change
 * what it shows after sealing is refused before anything is signed. The traps (dangling
 * references, references to free objects, duplicate cross-reference entries, a signature
 * removed in a later revision) are found by core/pdf/traps.ts; the verifier judges the same
 * facts after a seal (core/verify/changes.ts). The refusal names what was found: kinds and
 * object numbers, in the message and in the error's params (JSON).
 */
import { YinjianError } from '../../../shared/errors/index';
import { describeTraps, findInputTraps, type PdfDocument } from '../pdf/index';

const KIND_ZH: Record<string, string> = {
  'dangling-reference': '引用了未定义的对象',
  'free-referenced': '引用了已释放的对象',
  'duplicate-xref-entry': '交叉引用表对同一对象有多个条目',
  'signature-removed': '早先修订版中的签名已被移除',
};

export function assertNoInputTraps(document: PdfDocument): void {
  const traps = findInputTraps(document);
  if (traps.length === 0) return;
  const zh = traps.map((t) => `${KIND_ZH[t.kind] ?? t.kind}（对象 ${t.objects.join('、')}${t.count > t.objects.length ? ` 等 ${t.count} 个` : ''}，修订版 ${t.revision}）`).join('；');
  throw new YinjianError('STAMP_INPUT_SUSPECT', {
    found: describeTraps(traps),
    foundZh: zh,
    kinds: [...new Set(traps.map((t) => t.kind))].join(','),
    objects: [...new Set(traps.flatMap((t) => t.objects))].sort((a, b) => a - b).join(','),
  });
}

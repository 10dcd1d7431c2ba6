/**
 * The stamping gate's STAMP_INPUT_SUSPECT check (issue #11; U2: what is sealed is what a
 * person sees, and stays so): a document prepared to change what it shows after sealing is
 * refused before anything is signed. The traps (dangling references, references to free
 * objects, duplicate cross-reference entries, a signature removed in a later revision, info,
 * metadata or DSS data a page also draws, a cross-reference section no /Prev reaches) are
 * found by core/pdf/traps.ts; the verifier judges the same
 * facts after a seal (core/verify/changes.ts). The refusal names what was found: kinds and
 * object numbers and byte offsets, in the message and in the error's params (JSON).
 */
import { YinjianError } from '../../../shared/errors/index';
import { describeTraps, findInputTraps, type InputTrap, type PdfDocument } from '../pdf/index';

const KIND_ZH: Record<string, string> = {
  'dangling-reference': '引用了未定义的对象',
  'free-referenced': '引用了已释放的对象',
  'duplicate-xref-entry': '交叉引用表对同一对象有多个条目',
  'signature-removed': '早先修订版中的签名已被移除',
  'info-drawn': '文档信息（Info）对象同时被页面使用',
  'metadata-drawn': 'XMP 元数据对象同时被页面使用',
  'dss-drawn': '验证数据（DSS）中的对象同时被页面使用',
  'hidden-xref-section': '文件中有未接入交叉引用链（/Prev）的交叉引用段',
};

export function assertNoInputTraps(document: PdfDocument): void {
  refuseTraps(findInputTraps(document));
}

function refuseTraps(traps: readonly InputTrap[]): void {
  if (traps.length === 0) return;
  const zh = traps
    .map((t) => {
      const what = [t.objects.length > 0 ? `对象 ${t.objects.join('、')}` : '', t.offsets && t.offsets.length > 0 ? `字节偏移 ${t.offsets.join('、')}` : ''].filter((x) => x !== '').join('，');
      const more = t.count > Math.max(t.objects.length, t.offsets?.length ?? 0) ? ` 等 ${t.count} 处` : '';
      return `${KIND_ZH[t.kind] ?? t.kind}（${what}${more}，修订版 ${t.revision}）`;
    })
    .join('；');
  const offsets = traps.flatMap((t) => t.offsets ?? []);
  throw new YinjianError('STAMP_INPUT_SUSPECT', {
    found: describeTraps(traps),
    foundZh: zh,
    kinds: [...new Set(traps.map((t) => t.kind))].join(','),
    objects: [...new Set(traps.flatMap((t) => t.objects))].sort((a, b) => a - b).join(','),
    ...(offsets.length > 0 ? { offsets: offsets.join(',') } : {}),
  });
}

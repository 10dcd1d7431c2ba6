/**
 * The PDF verification report (验证报告, issue #5): a new A4 document, in Chinese with English
 * beside it, with the shipped CJK font embedded as a subset so it reads the same on any
 * machine. One report covers every file of a run: a summary, then per file its verdict and
 * one section per signature (impression, signer, seal code, unit, times, chain, changes,
 * policy, every finding).
 *
 * The impression is re-drawn from the seal certificate (OU unit, CN seal name, serialNumber
 * seal code, seal-info kind) with the same artwork code that stamps it, as vector operators in
 * a form XObject: the report shows the impression the certificate stands for, not whatever
 * picture the signed file's widget carries (that picture is not covered by the seal's meaning,
 * and an attacker controls it in a forged file). Foreign signatures get their signer's name.
 *
 * Pure: bytes in, bytes out; the caller reads the font and writes the file.
 */
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { composeSealArtwork, embedShippedFontSubset, loadSealFont, pdfBoxSize, sealToPdfOperators, type SealFont } from '../appearance/index';
import type { VerifyFinding } from './findings';
import { VERDICT_TEXT } from './report';
import type { CheckStatus, FileReport, SignatureReport, Verdict } from './types';
import { isAcceptable, worstVerdict } from './verdict';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const IMPRESSION_PT = 96;
const BLACK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);
const GREEN = rgb(0, 0.45, 0.2);
const RED = rgb(0.75, 0.05, 0.1);
const AMBER = rgb(0.65, 0.4, 0);

const TIME_SOURCE_TEXT: Readonly<Record<SignatureReport['trustedTimeSource'], string>> = {
  timestamp: '可信时间戳 trusted timestamp',
  claimed: '签名者声明的时间 time claimed by the signer',
  'validation-time': '指定的验证时间 validation time given (--at)',
  none: '无 none',
};

const CHECK_TEXT: Readonly<Record<CheckStatus, string>> = {
  passed: '通过 passed',
  failed: '未通过 failed',
  warning: '警告 warning',
  'not-checked': '未检查 not checked',
  'not-applicable': '不适用 n/a',
};

const CHECK_NAMES: readonly [keyof SignatureReport['checks'], string][] = [
  ['coverage', '签名范围 coverage'],
  ['integrity', '完整性 integrity'],
  ['trust', '信任 trust'],
  ['revocation', '注销/挂失 revocation'],
  ['timestamp', '时间戳 timestamp'],
  ['changes', '签名后修改 changes'],
  ['policy', '用印规定 policy'],
];

const CJK = '\\u2E80-\\u9FFF\\uF900-\\uFAFF\\uFF00-\\uFFEF\\u3000-\\u303F';
/** One CJK character, a run of other non-space characters, or a run of spaces. */
const WRAP_TOKENS = new RegExp(`[${CJK}]|[^\\s${CJK}]+|\\s+`, 'gu');

const SEVERITY_TEXT = { error: '错误 error', warning: '警告 warning', info: '信息 info' } as const;

const KIND_TEXT: Readonly<Record<SignatureReport['kind'], string>> = {
  signature: '签章 approval signature',
  certification: '认证签章 certification signature',
  'document-timestamp': '文档时间戳 document timestamp',
};

export function verdictLabel(verdict: Verdict | string): string {
  const text = VERDICT_TEXT[verdict];
  return text ? `${text.zh} / ${text.en} (${verdict})` : verdict;
}

function verdictColor(verdict: Verdict): RGB {
  if (isAcceptable(verdict)) return GREEN;
  return verdict === 'UNSIGNED' || verdict === 'UNTRUSTED' ? AMBER : RED;
}

/** Lays text out top to bottom, wrapping long lines and starting new pages as needed. */
class Layout {
  private page!: PDFPage;
  private y = 0;
  readonly pages: PDFPage[] = [];
  private readonly widths = new Map<string, number>();
  private readonly known = new Map<string, boolean>();

  constructor(
    private readonly doc: PDFDocument,
    readonly font: PDFFont,
    private readonly glyphs: SealFont,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.pages.push(this.page);
    this.y = A4.height - MARGIN;
  }

  get current(): { page: PDFPage; y: number } {
    return { page: this.page, y: this.y };
  }

  /** Makes room for `height` points, on a new page if this one is too full. */
  need(height: number): void {
    if (this.y - height < MARGIN + 20) this.newPage();
  }

  skip(height: number): void {
    this.y -= height;
  }

  moveTo(y: number): void {
    this.y = Math.min(this.y, y);
  }

  /** Characters the shipped font has no glyph for would print as empty boxes: show '?' instead. */
  private printable(text: string): string {
    let out = '';
    for (const ch of text.replace(/[\r\n\t]/g, ' ')) {
      let known = this.known.get(ch);
      if (known === undefined) {
        try {
          this.glyphs.glyph(ch);
          known = true;
        } catch {
          known = false;
        }
        this.known.set(ch, known);
      }
      out += ch === ' ' || known ? ch : '?';
    }
    return out;
  }

  private width(ch: string, size: number): number {
    let w = this.widths.get(ch);
    if (w === undefined) {
      w = this.font.widthOfTextAtSize(ch, 1);
      this.widths.set(ch, w);
    }
    return w * size;
  }

  /**
   * Breaks between CJK characters anywhere, and between Latin words only at spaces, so
   * subjects, codes and English text stay readable; a word wider than the line is cut.
   */
  private wrap(text: string, size: number, maxWidth: number): string[] {
    const lines: string[] = [];
    let line = '';
    let width = 0;
    const measure = (s: string): number => {
      let w = 0;
      for (const ch of s) w += this.width(ch, size);
      return w;
    };
    for (const token of text.match(WRAP_TOKENS) ?? []) {
      const w = measure(token);
      if (width + w <= maxWidth) {
        line += token;
        width += w;
        continue;
      }
      if (/^\s+$/.test(token)) {
        lines.push(line);
        line = '';
        width = 0;
        continue;
      }
      if (line !== '' && w <= maxWidth) {
        lines.push(line.trimEnd());
        line = token;
        width = w;
        continue;
      }
      for (const ch of token) {
        const cw = this.width(ch, size);
        if (width + cw > maxWidth && line !== '') {
          lines.push(line);
          line = '';
          width = 0;
        }
        line += ch;
        width += cw;
      }
    }
    if (line !== '' || lines.length === 0) lines.push(line);
    return lines;
  }

  text(text: string, options: { size?: number; color?: RGB; indent?: number; right?: number } = {}): void {
    const size = options.size ?? 9.5;
    const indent = options.indent ?? 0;
    const maxWidth = A4.width - 2 * MARGIN - indent - (options.right ?? 0);
    for (const line of this.wrap(this.printable(text), size, maxWidth)) {
      this.need(size * 1.45);
      this.y -= size * 1.45;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y + size * 0.3, size, font: this.font, color: options.color ?? BLACK });
    }
  }

  /** "label: value", the value wrapped under itself. */
  field(label: string, value: string, options: { indent?: number; color?: RGB; right?: number } = {}): void {
    this.text(`${label}：${value}`, options);
  }

  rule(): void {
    this.need(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4.width - MARGIN, y: this.y }, thickness: 0.5, color: GREY });
    this.y -= 4;
  }
}

interface Impressions {
  readonly doc: PDFDocument;
  readonly sealFont: SealFont;
  readonly cache: Map<string, { ref: ReturnType<PDFDocument['context']['register']>; width: number; height: number } | null>;
}

/** A form XObject with the seal's vector impression, or null when the certificate's data cannot make one. */
function impressionFor(impressions: Impressions, seal: NonNullable<SignatureReport['seal']>): { ref: ReturnType<PDFDocument['context']['register']>; width: number; height: number } | null {
  const key = JSON.stringify([seal.kind, seal.unit, seal.name, seal.code]);
  const cached = impressions.cache.get(key);
  if (cached !== undefined) return cached;
  let result: { ref: ReturnType<PDFDocument['context']['register']>; width: number; height: number } | null = null;
  if (seal.unit && seal.name) {
    try {
      const artwork = composeSealArtwork(
        { kind: seal.kind ?? 'company', unitName: seal.unit, sealName: seal.name, ...(seal.code && /^[0-9A-Za-z-]{1,24}$/.test(seal.code) ? { sealCode: seal.code } : {}) },
        impressions.sealFont,
      );
      const { width, height } = pdfBoxSize(artwork);
      const stream = impressions.doc.context.flateStream(sealToPdfOperators(artwork), { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, width, height] });
      result = { ref: impressions.doc.context.register(stream), width, height };
    } catch {
      // A name the seal rules would refuse (too long, a glyph the font lacks): the report then
      // says so in words rather than drawing a seal that differs from the real one.
      result = null;
    }
  }
  impressions.cache.set(key, result);
  return result;
}

function findingLine(f: VerifyFinding): string {
  return `[${SEVERITY_TEXT[f.severity]}] ${f.code}：${f.zh} / ${f.en}`;
}

function formatTime(iso: string | undefined): string {
  return iso ?? '—';
}

function signatureSection(layout: Layout, impressions: Impressions, sig: SignatureReport, number: number): void {
  layout.need(IMPRESSION_PT + 40);
  layout.text(`签章 ${number} Signature ${number}：${sig.field}`, { size: 12 });
  const top = layout.current;
  const right = IMPRESSION_PT + 16;
  // The impression box sits at the top right of the section; the first lines wrap beside it.
  const boxX = A4.width - MARGIN - IMPRESSION_PT;
  const boxY = top.y - IMPRESSION_PT - 4;
  const impression = sig.seal ? impressionFor(impressions, sig.seal) : null;
  if (impression) {
    const scale = IMPRESSION_PT / Math.max(impression.width, impression.height);
    const name = top.page.node.newXObject('Seal', impression.ref);
    top.page.pushOperators(pushGraphicsState(), concatTransformationMatrix(scale, 0, 0, scale, boxX, boxY), drawObject(name), popGraphicsState());
  } else {
    top.page.drawRectangle({ x: boxX, y: boxY, width: IMPRESSION_PT, height: IMPRESSION_PT, borderColor: GREY, borderWidth: 0.5 });
  }
  const caption = impression ? '印模（据证书重绘）' : sig.seal ? '印模无法重绘' : '非本集团印章';
  top.page.drawText(caption, { x: boxX, y: boxY - 11, size: 7, font: layout.font, color: GREY });
  if (!impression) {
    const who = sig.seal?.name ?? signerName(sig) ?? '—';
    top.page.drawText(who.slice(0, 12), { x: boxX + 4, y: boxY + IMPRESSION_PT / 2, size: 8, font: layout.font, color: BLACK });
  }

  layout.field('结论 Verdict', verdictLabel(sig.verdict), { color: verdictColor(sig.verdict), right });
  layout.field('类型 Kind', `${KIND_TEXT[sig.kind]}${sig.subFilter ? `, ${sig.subFilter}` : ''}${sig.docMdpPermission !== undefined ? `, DocMDP P=${sig.docMdpPermission}` : ''}`, { right });
  layout.field('签名者 Signer', sig.signer?.subject ?? '—', { right });
  if (sig.policy.ours) {
    layout.field('印章编码 Seal code', sig.seal?.code ?? '—', { right });
    layout.field('单位 Unit', sig.seal?.unit ?? '—', { right });
    layout.field('印章名称 Seal name', sig.seal?.name ?? '—', { right });
  } else {
    layout.field('印章 Seal', '非本集团印章，仅显示签名者 / not a seal of the group: signer only', { right });
  }
  layout.field('签名时间（签名者声明）Claimed time', formatTime(sig.claimedTime), { right });
  if (sig.timestampTime) layout.field('时间戳时间 Timestamp time', sig.timestampTime, { right });
  layout.field('判定依据时间 Trusted time', `${formatTime(sig.trustedTime)}（${TIME_SOURCE_TEXT[sig.trustedTimeSource]}）`, { right });
  if (sig.padesLevel) layout.field('PAdES 级别 Level', `${sig.padesLevel}${sig.revocationSource === 'embedded' ? '（吊销状态依据内嵌数据 revocation from embedded DSS）' : ''}`, { right });
  layout.moveTo(boxY - 16);

  layout.text('证书链 Certificate chain:', { size: 10 });
  if (sig.chain.length === 0) layout.text('（未建立到受信任根证书的链 / no chain to a trusted root）', { indent: 12, color: GREY });
  sig.chain.forEach((cert, i) => layout.text(`${i + 1}. ${cert.subject}（序列号 serial ${cert.serialHex}）`, { indent: 12 }));

  layout.text('签名后修改 Changes after signing:', { size: 10 });
  if (sig.changes.length === 0) layout.text('无 none', { indent: 12 });
  for (const c of sig.changes) {
    layout.text(`修订 r${c.revision}：${c.level} ${c.kind}${c.page !== undefined ? `，第 ${c.page} 页 page ${c.page}` : ''}${c.object ? `，${c.object}` : ''}${c.detail ? `（${c.detail}）` : ''}`, { indent: 12 });
  }

  layout.text('用印规定 Policy:', { size: 10 });
  if (!sig.policy.ours) layout.text('非本集团印章：不检查用印规定 / not a seal of the group: rules not checked', { indent: 12 });
  else {
    layout.field('文件类型 Document type (U2)', sig.policy.documentType ?? '—', { indent: 12 });
    layout.field('用印审批编号 Approval reference (U3)', sig.policy.approvalReference ?? '—', { indent: 12 });
    layout.field('专用计算机 Workstation (M4)', sig.policy.workstationId ?? '—', { indent: 12 });
  }
  const policyFindings = sig.findings.filter((f) => f.step === 'policy');
  for (const f of policyFindings) layout.text(findingLine(f), { indent: 12, color: f.severity === 'error' ? RED : f.severity === 'warning' ? AMBER : BLACK });

  layout.text('检查 Checks:', { size: 10 });
  layout.text(CHECK_NAMES.map(([key, label]) => `${label} ${CHECK_TEXT[sig.checks[key]]}`).join('；'), { indent: 12 });

  layout.text('全部发现 All findings:', { size: 10 });
  if (sig.findings.length === 0) layout.text('无 none', { indent: 12 });
  for (const f of sig.findings) layout.text(findingLine(f), { indent: 12, color: f.severity === 'error' ? RED : f.severity === 'warning' ? AMBER : BLACK });
  layout.skip(6);
}

function signerName(sig: SignatureReport): string | undefined {
  const subject = sig.signer?.subject;
  if (!subject) return undefined;
  return /CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

/**
 * The report for one verification run. `files` in the order given; `generatedAt` is printed
 * and set as the document's creation date, so the same inputs give the same text.
 */
export async function renderVerificationReportPdf(files: readonly FileReport[], fontBytes: Uint8Array, generatedAt: Date): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('印章验证报告 Seal verification report');
  doc.setProducer('Yinjian 印鉴');
  doc.setCreator('yinjian verify --report');
  doc.setCreationDate(generatedAt);
  doc.setModificationDate(generatedAt);
  const font = await embedShippedFontSubset(doc, fontBytes);
  const sealFont = loadSealFont(fontBytes);
  const layout = new Layout(doc, font, sealFont);
  const impressions: Impressions = { doc, sealFont, cache: new Map() };

  const overall = worstVerdict(files.map((f) => f.verdict)) ?? 'UNSIGNED';
  layout.text('印章验证报告 Seal verification report', { size: 18 });
  layout.field('生成时间 Generated', generatedAt.toISOString(), { color: GREY });
  layout.field('总体结论 Overall verdict', verdictLabel(overall), { color: verdictColor(overall) });
  layout.field('文件数 Files', String(files.length));
  for (const file of files) layout.text(`• ${file.path || '(unnamed)'}：${verdictLabel(file.verdict)}，${file.signatures.length} 个签章 signatures`, { indent: 12, color: verdictColor(file.verdict) });

  files.forEach((file, fileIndex) => {
    layout.rule();
    layout.need(80);
    layout.text(`文件 ${fileIndex + 1} File ${fileIndex + 1}：${file.path || '(unnamed)'}`, { size: 14 });
    layout.field('文件结论 File verdict', verdictLabel(file.verdict), { color: verdictColor(file.verdict) });
    layout.field('大小 Size', `${file.size} 字节 bytes，${file.revisions} 个修订版 revisions`);
    if (file.emptySignatureFields.length > 0) layout.field('空签名域 Empty signature fields', file.emptySignatureFields.join(', '));
    for (const f of file.findings) layout.text(findingLine(f), { indent: 12, color: f.severity === 'error' ? RED : f.severity === 'warning' ? AMBER : BLACK });
    if (file.signatures.length === 0) layout.text('文件中没有签章 / the file has no signature', { color: GREY });
    layout.skip(4);
    file.signatures.forEach((sig, i) => signatureSection(layout, impressions, sig, i + 1));
  });

  const total = layout.pages.length;
  layout.pages.forEach((page, i) => {
    page.drawText(`第 ${i + 1} / ${total} 页  page ${i + 1} of ${total}`, { x: MARGIN, y: MARGIN / 2, size: 8, font, color: GREY });
  });
  // No object streams: every validator and older viewer reads a classic cross-reference.
  return doc.save({ useObjectStreams: false });
}

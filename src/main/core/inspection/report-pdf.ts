/**
 * The inspection report (检查报告, S6): a new A4 document in Chinese with English beside it,
 * with the shipped CJK font embedded as a subset so it prints the same on any machine. Per
 * workstation export: the seal(s), the period covered, stampings by document type, refusals
 * and failed PIN attempts, and the integrity verdict with every finding.
 *
 * Pure: bytes in, bytes out; the caller reads the font and writes the file.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { embedShippedFontSubset } from '../appearance/index';
import type { DocumentCheck } from './anchor-checks';
import type { InspectionResult } from './inspect';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const BLACK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);
const GREEN = rgb(0, 0.45, 0.2);
const RED = rgb(0.75, 0.05, 0.1);
const AMBER = rgb(0.65, 0.4, 0);

/** Document types of U1 by their register code, for the report's table. */
const DOCUMENT_TYPE_TEXT: Readonly<Record<string, string>> = {
  'internal-document': '内部正式文件 internal document',
  'internal-letter': '内部函件 internal letter',
};

class Layout {
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN;
  }

  skip(height: number): void {
    this.y -= height;
  }

  /** Wraps by measured width; CJK text has no spaces, so any character may end a line. */
  text(text: string, options: { size?: number; color?: RGB; indent?: number } = {}): void {
    const size = options.size ?? 10;
    const indent = options.indent ?? 0;
    const width = A4.width - 2 * MARGIN - indent;
    const lines: string[] = [];
    let line = '';
    for (const ch of Array.from(text)) {
      if (line !== '' && this.font.widthOfTextAtSize(line + ch, size) > width) {
        lines.push(line);
        line = ch.trim() === '' ? '' : ch;
      } else {
        line += ch;
      }
    }
    lines.push(line);
    for (const l of lines) {
      if (this.y - size * 1.5 < MARGIN) this.newPage();
      this.y -= size * 1.5;
      this.page.drawText(l, { x: MARGIN + indent, y: this.y + size * 0.3, size, font: this.font, color: options.color ?? BLACK });
    }
  }
}

function localTime(iso: string | null): string {
  if (iso === null) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  // Beijing time, as every date the regulation speaks of (E1).
  return `${new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')}（北京时间）`;
}

export async function renderInspectionReportPdf(
  results: readonly InspectionResult[],
  fontBytes: Uint8Array,
  generatedAt: Date,
  group: string,
  documents: readonly DocumentCheck[] = [],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('用印检查报告 Inspection report');
  doc.setCreator('Yinjian 印鉴');
  doc.setProducer('Yinjian 印鉴');
  doc.setCreationDate(generatedAt);
  doc.setModificationDate(generatedAt);
  const font = await embedShippedFontSubset(doc, fontBytes);
  const out = new Layout(doc, font);
  const failed = results.filter((r) => !r.ok).length;
  out.text('用印检查报告', { size: 18 });
  out.text('Inspection report of seal usage and security (rule S6)', { size: 11, color: GREY });
  out.skip(6);
  out.text(`集团 Group: ${group}`);
  out.text(`生成时间 Generated: ${localTime(generatedAt.toISOString())}`);
  out.text(`导出文件 Exports: ${results.length}；未通过 failed: ${failed}`, { color: failed > 0 ? RED : GREEN });
  for (const r of results) {
    out.skip(12);
    out.text(`计算机 Workstation: ${r.workstationId ?? '（无法读取 unreadable）'}`, { size: 13 });
    out.text(`文件 File: ${r.source}`, { color: GREY, size: 9 });
    out.text(
      r.ok ? '结论：完整，未被篡改 / Verdict: complete and untampered' : '结论：未通过检查 / Verdict: FAILED',
      { size: 12, color: r.ok ? (r.findings.length > 0 ? AMBER : GREEN) : RED },
    );
    const signer = r.signed ? (r.signer ? `${r.signer.sealCode ?? '未登记 unregistered'}（${r.signer.subject}，证书 serial ${r.signer.serial}）` : '无法识别 unknown') : '未签名 unsigned';
    out.text(`签署印章 Signed by: ${signer}`);
    const f = r.figures;
    if (f !== null) {
      out.text(`印章 Seal(s): ${f.sealCodes.join('、') || '-'}`);
      out.text(`检查期间 Period covered: ${localTime(f.periodFrom)} 至 to ${localTime(f.periodTo)}（自第 ${f.afterSeq + 1} 条审计记录 from audit row ${f.afterSeq + 1}，共 ${f.newAuditRows} 条 rows）`);
      out.text(`上次导入 Last import: ${r.previous ? `第 ${r.previous.seq} 条 row ${r.previous.seq}，${localTime(r.previous.exportedAt)}` : '首次导入 first import'}`);
      if (r.previous?.repin) {
        // Issue #12: a head the office re-pinned by hand is always shown with its reason.
        const p = r.previous.repin;
        out.text(`链头曾被重新确认 Head re-pinned: ${localTime(p.at)}，申请编号 reference ${p.reference}，批准人 approver ${p.approver}，经办 operator ${p.operator}`, { color: AMBER });
        out.text(`原因 Reason: ${p.reason}`, { indent: 16, color: AMBER });
        out.text(`被替换的链头 Replaced head: ${p.replaced ?? '-'}`, { indent: 16, size: 8, color: GREY });
      }
      out.text(`审计链头 Chain head: ${r.head ? `${r.head.seq}:${r.head.hash}` : '-'}`, { size: 8, color: GREY });
      out.text(
        r.keyRecord
          ? `USB Key 用印记录 Key usage record: ${r.keyRecord.tokenSerial} 第 ${r.keyRecord.counter} 次 no. ${r.keyRecord.counter}，审计记录 row ${r.keyRecord.auditSeq}`
          : 'USB Key 用印记录 Key usage record: 未随导出提供 not in the export',
        { size: 9, color: r.keyRecord ? BLACK : AMBER },
      );
      out.text(`盖章次数 Stampings: ${f.stampings}`);
      const types = Object.entries(f.stampingsByType).sort(([a], [b]) => a.localeCompare(b));
      for (const [type, n] of types) out.text(`${DOCUMENT_TYPE_TEXT[type] ?? type}: ${n}`, { indent: 16 });
      out.text(`盖章失败 Failed stampings: ${f.failedStampings}`);
      out.text(`拒绝 Refusals: ${f.refusals}`, { color: f.refusals > 0 ? AMBER : BLACK });
      out.text(`PIN 码错误 Failed PIN attempts: ${f.failedPinAttempts}`, { color: f.failedPinAttempts > 0 ? AMBER : BLACK });
    }
    if (r.findings.length === 0) {
      out.text('发现问题 Findings: 无 none', { color: GREEN });
    } else {
      out.text('发现问题 Findings:');
      for (const finding of r.findings) {
        const color = finding.severity === 'error' ? RED : AMBER;
        out.text(`[${finding.code}] ${finding.zh}`, { indent: 16, color });
        out.text(finding.en, { indent: 16, color: GREY, size: 9 });
      }
    }
  }
  if (documents.length > 0) {
    out.skip(12);
    const bad = documents.filter((d) => d.severity === 'error').length;
    out.text(`收到的盖章文件 Received sealed documents: ${documents.length}；与导出不符 not in the exports: ${bad}`, { size: 13, color: bad > 0 ? RED : GREEN });
    for (const d of documents) {
      const color = d.severity === 'error' ? RED : d.severity === 'warning' ? AMBER : BLACK;
      out.text(`${d.source}${d.field ? ` (${d.field})` : ''}: [${d.code}] ${d.zh}`, { indent: 16, color, size: 9 });
      out.text(d.en, { indent: 16, color: GREY, size: 8 });
    }
  }
  return doc.save({ useObjectStreams: false });
}

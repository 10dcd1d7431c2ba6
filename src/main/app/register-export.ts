/**
 * 用印登记簿 as a PDF (U3, S6): the usage register with the register screen's filters, as an A4
 * landscape table in Chinese (English beside the headings), with the shipped CJK font embedded
 * as a subset so it prints the same on any machine. One row per stamping: time (Beijing), seal,
 * operator, document title, type, approval reference, pages, status, SHA-256 after (shortened).
 * Written atomically (temp file, fsync, rename) into the export folder.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { embedShippedFontSubset } from '../core/appearance/index';
import type { UsageEntry } from '../core/register/index';
import { readShippedFont } from '../infra/appearance/index';
import type { SealRegister, UsageFilter } from '../infra/db/index';
import { writeFileAtomically } from '../infra/office/index';
import { OFFICE_SETTING } from '../core/office/index';

const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 36;
const SIZE = 8;
const LINE = SIZE * 1.35;
const BLACK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);
const RED = rgb(0.75, 0.05, 0.1);

/** The columns, in points; the widths add up to the printable width of A4 landscape. */
const COLUMNS = [
  { zh: '时间', en: 'Time', width: 78 },
  { zh: '印章', en: 'Seal', width: 100 },
  { zh: '经办人', en: 'Operator', width: 70 },
  { zh: '文件标题', en: 'Document title', width: 170 },
  { zh: '类型', en: 'Type', width: 62 },
  { zh: '批准文号', en: 'Approval ref.', width: 100 },
  { zh: '页数', en: 'Pages', width: 30 },
  { zh: '状态', en: 'Status', width: 70 },
  { zh: 'SHA-256（盖章后）', en: 'SHA-256 after', width: 89 },
] as const;

const DOCUMENT_TYPE_TEXT: Readonly<Record<string, string>> = {
  'internal-formal-document': '内部正式文件',
  'internal-document': '内部正式文件',
  'internal-letter': '内部函件',
};

/** Beijing time, as every date the regulation speaks of (E1). */
function beijing(date: Date, withSeconds = false): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, withSeconds ? 19 : 16).replace('T', ' ');
}

function shortHash(hex: string | null): string {
  return hex === null ? '-' : `${hex.slice(0, 8)}…${hex.slice(-8)}`;
}

/** Wraps by measured width; CJK text has no spaces, so any character may end a line. */
function wrap(font: PDFFont, text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of Array.from(text.replace(/\s+/g, ' '))) {
    if (line !== '' && font.widthOfTextAtSize(line + ch, size) > width) {
      lines.push(line);
      line = ch === ' ' ? '' : ch;
    } else {
      line += ch;
    }
  }
  lines.push(line);
  return lines;
}

export interface UsageRegisterRow {
  readonly cells: readonly string[];
  readonly failed: boolean;
}

/** The table's rows, in the register's order, as the PDF shows them. */
export function usageRegisterRows(register: Pick<SealRegister, 'seals' | 'useRequests'>, entries: readonly UsageEntry[]): UsageRegisterRow[] {
  return entries.map((e) => {
    const seal = register.seals.get(e.sealId);
    const request = e.useRequestId === null ? undefined : register.useRequests.get(e.useRequestId);
    return {
      failed: e.status !== 'ok',
      cells: [
        beijing(e.at),
        seal ? `${seal.name}（${seal.code}）` : e.sealId,
        `${e.operatorName}${e.operatorStaffId ? `（${e.operatorStaffId}）` : ''}`,
        e.documentTitle,
        DOCUMENT_TYPE_TEXT[e.documentType] ?? e.documentType,
        request?.approvalReference ?? '-',
        String(e.pages),
        (e.status === 'ok' ? '成功' : `失败 ${e.errorCode ?? ''}`.trim()) +
          // U2 (issue #13): sealed on the custodian's confirmation that this scan was read.
          (e.scannedConfirmedPages && e.scannedConfirmedPages.length > 0 ? ` 扫描件经确认 p.${e.scannedConfirmedPages.join(',')}` : ''),
        shortHash(e.sha256After),
      ],
    };
  });
}

function filterText(register: Pick<SealRegister, 'seals'>, filter: UsageFilter): string {
  const parts: string[] = [];
  if (filter.sealId !== undefined) {
    const seal = register.seals.get(filter.sealId);
    parts.push(`印章 seal: ${seal ? `${seal.name}（${seal.code}）` : filter.sealId}`);
  }
  if (filter.staffId !== undefined) parts.push(`经办人工号 staff id: ${filter.staffId}`);
  if (filter.documentType !== undefined) parts.push(`类型 type: ${DOCUMENT_TYPE_TEXT[filter.documentType] ?? filter.documentType}`);
  if (filter.from !== undefined) parts.push(`自 from: ${beijing(filter.from)}`);
  if (filter.to !== undefined) parts.push(`至（不含）to (excl.): ${beijing(filter.to)}`);
  return parts.length === 0 ? '全部 all' : parts.join('；');
}

/** Pure: the register's rows in, PDF bytes out. */
export async function renderUsageRegisterPdf(options: {
  rows: readonly UsageRegisterRow[];
  filter: string;
  group: string;
  generatedAt: Date;
  fontBytes: Uint8Array;
}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('用印登记簿 Usage register');
  doc.setCreator('Yinjian 印鉴');
  doc.setProducer('Yinjian 印鉴');
  doc.setCreationDate(options.generatedAt);
  doc.setModificationDate(options.generatedAt);
  const font = await embedShippedFontSubset(doc, options.fontBytes);
  let page: PDFPage = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const draw = (text: string, x: number, size: number, color = BLACK): void => {
    page.drawText(text, { x, y, size, font, color });
  };

  const header = (): void => {
    let x = MARGIN;
    y -= LINE;
    for (const column of COLUMNS) {
      draw(column.zh, x, SIZE);
      x += column.width;
    }
    y -= LINE;
    x = MARGIN;
    for (const column of COLUMNS) {
      draw(column.en, x, SIZE - 1.5, GREY);
      x += column.width;
    }
    y -= 4;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: PAGE.width - MARGIN, y }, thickness: 0.6, color: GREY });
  };

  y -= 18;
  draw('用印登记簿', MARGIN, 16);
  draw('Usage register (rule U3)', MARGIN + 90, 10, GREY);
  y -= 16;
  if (options.group) draw(`集团 Group: ${options.group}`, MARGIN, 9);
  y -= 12;
  draw(`筛选 Filter: ${options.filter}`, MARGIN, 9);
  y -= 12;
  draw(`生成时间 Generated: ${beijing(options.generatedAt, true)}（北京时间 Beijing time）；共 ${options.rows.length} 条 rows`, MARGIN, 9);
  y -= 6;
  header();
  if (options.rows.length === 0) {
    y -= LINE * 1.5;
    draw('无记录 No entries', MARGIN, SIZE, GREY);
  }
  for (const row of options.rows) {
    const cells = row.cells.map((text, i) => wrap(font, text, COLUMNS[i]!.width - 4, SIZE));
    const height = Math.max(...cells.map((c) => c.length)) * LINE + 3;
    if (y - height < MARGIN) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - MARGIN;
      header();
    }
    const top = y;
    let x = MARGIN;
    cells.forEach((lines, i) => {
      y = top;
      for (const line of lines) {
        y -= LINE;
        draw(line, x, SIZE, i === 7 && row.failed ? RED : BLACK);
      }
      x += COLUMNS[i]!.width;
    });
    y = top - height;
    page.drawLine({ start: { x: MARGIN, y: y + 1 }, end: { x: PAGE.width - MARGIN, y: y + 1 }, thickness: 0.2, color: GREY });
  }
  const pages = doc.getPages();
  pages.forEach((p, i) => {
    p.drawText(`第 ${i + 1} / ${pages.length} 页`, { x: PAGE.width - MARGIN - 60, y: MARGIN / 2, size: 8, font, color: GREY });
  });
  return doc.save({ useObjectStreams: false });
}

/** Renders the filtered register and writes it to `target` atomically. */
export async function writeUsageRegisterPdf(register: SealRegister, filter: UsageFilter, target: string, at: Date): Promise<{ path: string; rows: number }> {
  const rows = usageRegisterRows(register, register.usage.find(filter));
  const pdf = await renderUsageRegisterPdf({
    rows,
    filter: filterText(register, filter),
    group: register.settings.get(OFFICE_SETTING.groupName) ?? '',
    generatedAt: at,
    fontBytes: readShippedFont(),
  });
  writeFileAtomically(target, pdf);
  return { path: target, rows: rows.length };
}

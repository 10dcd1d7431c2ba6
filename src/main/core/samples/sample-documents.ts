import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { embedShippedFontSubset } from '../appearance/index';

/**
 * Sample documents for a first try of the stamping gate (U1, U2): an internal notice that may
 * be sealed — it mentions a contract in passing, as real notices do — and a contract, which
 * the gate must refuse from its text alone. A new user can stamp and verify without having a
 * Chinese PDF at hand.
 */
export type SampleKind = 'notice' | 'contract';

const MM = 72 / 25.4;

interface SampleText {
  readonly title: string;
  readonly lines: readonly string[];
  readonly footer: readonly string[];
}

const TEXTS: Readonly<Record<SampleKind, SampleText>> = {
  notice: {
    title: '关于做好年度用印登记检查工作的通知',
    lines: [
      '集团各部门、各所属公司：',
      '　　为落实《集团电子印章使用和管理规定》，总裁办公室将于本月对各单位',
      '电子印章的使用和保管情况进行检查。请各单位于本月二十日前导出用印登记簿',
      '和审计日志，报送总裁办公室。',
      '　　各单位在检查中如发现合同审批与用印登记不一致的情况，应一并说明。',
      '　　特此通知。',
    ],
    footer: ['集团办公室', '盖章处', '二〇二六年十一月二十七日'],
  },
  contract: {
    title: '采购合同',
    lines: ['合同编号：CG-2026-018', '甲方：华夏建设集团有限公司', '乙方：某某设备有限公司', '　　经双方协商一致，订立本合同。'],
    footer: ['甲方（盖章）：', '乙方（盖章）：'],
  },
};

function drawLines(page: PDFPage, font: PDFFont, lines: readonly string[], x: number, startY: number, size: number, gap: number): number {
  let y = startY;
  for (const line of lines) {
    page.drawText(line, { x, y, size, font, color: rgb(0, 0, 0) });
    y -= gap;
  }
  return y;
}

/** One A4 page with the sample's text, the CJK font embedded as a subset. */
export async function sampleDocument(kind: SampleKind, fontBytes: Uint8Array): Promise<Uint8Array> {
  const text = TEXTS[kind];
  const doc = await PDFDocument.create();
  doc.setTitle(text.title);
  doc.setProducer('Yinjian sample');
  const font = await embedShippedFontSubset(doc, fontBytes);
  const page = doc.addPage([210 * MM, 297 * MM]);
  const titleSize = 18;
  const titleWidth = font.widthOfTextAtSize(text.title, titleSize);
  page.drawText(text.title, { x: (page.getWidth() - titleWidth) / 2, y: 250 * MM, size: titleSize, font });
  const end = drawLines(page, font, text.lines, 25 * MM, 225 * MM, 12, 22);
  drawLines(page, font, text.footer, 125 * MM, end - 40, 12, 22);
  return doc.save({ useObjectStreams: false });
}

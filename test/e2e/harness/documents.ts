import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';

const FONT = resolve(import.meta.dirname, '../../../resources/fonts/NotoSerifCJKsc-Regular-subset.ttf');

/** A one-page A4 PDF with a large title and body lines, in the shipped CJK font (real text pdf.js extracts). */
export async function documentPdf(title: string, body: readonly string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(readFileSync(FONT), { subset: true });
  const page = pdf.addPage([595.28, 841.89]);
  const titleSize = 22;
  page.drawText(title, { x: (595.28 - font.widthOfTextAtSize(title, titleSize)) / 2, y: 740, size: titleSize, font, color: rgb(0.1, 0.1, 0.1) });
  body.forEach((line, i) => page.drawText(line, { x: 72, y: 680 - i * 24, size: 12, font }));
  pdf.setTitle(title);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

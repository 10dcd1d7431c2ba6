import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import { YinjianError } from '../../../shared/errors/index';
import { loadSealFont } from './seal-font';

const subsetsPerDocument = new WeakMap<PDFDocument, number>();

/**
 * Six upper-case letters for the subset's font name (PDF 32000-1 §9.6.4: "ABCDEF+Name"; viewers
 * and pdffonts recognise a subset by this tag, and different subsets in one file need
 * different tags). Derived from the font and the subset's number in the document, so the
 * same document comes out byte-identical every time.
 */
function subsetTag(postscriptName: string, ordinal: number): string {
  const digest = createHash('sha256').update(`${postscriptName}\u0000${ordinal}`).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[i] ?? 0) % 26));
  return tag;
}

/**
 * Embeds the shipped CJK font into `doc` as a subset: only the glyphs of the text drawn with it
 * go into the file (a few kB instead of megabytes), for Chinese text in generated PDFs such as
 * the verification report. The font must be a single .ttf/.otf (pdf-lib cannot read a .ttc).
 */
export async function embedShippedFontSubset(doc: PDFDocument, fontBytes: Uint8Array): Promise<PDFFont> {
  // parses the font first, so a bad file is FONT_UNREADABLE rather than a fontkit crash
  const { postscriptName } = loadSealFont(fontBytes);
  const ordinal = (subsetsPerDocument.get(doc) ?? 0) + 1;
  subsetsPerDocument.set(doc, ordinal);
  doc.registerFontkit(fontkit);
  try {
    return await doc.embedFont(fontBytes, {
      subset: true,
      customName: `${subsetTag(postscriptName, ordinal)}+${postscriptName}`,
    });
  } catch (cause) {
    throw new YinjianError('FONT_UNREADABLE', { detail: String(cause) }, { cause });
  }
}

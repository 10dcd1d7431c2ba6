/**
 * The trap scan behind STAMP_INPUT_SUSPECT on inputs prepared for attack classes 7 and 9
 * (core/pdf/traps.ts), without a token: what it names on the generator's prepared inputs and
 * a hand-made hidden classic table, and that the signed PDFs of other projects a custodian may
 * be handed (../shared/corpus) carry none of these traps; and the class 15 check on a rotated
 * page (widget /Rect in user space, text runs on the displayed page). The end-to-end refusal
 * through `yinjian stamp` is prepared-inputs.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PdfDocument, PdfRef, findInputTraps, type InputTrap, type PdfDict } from '../../src/main/core/pdf/index';
import { XREF_SCAN_MAX_CANDIDATES } from '../../src/main/core/pdf/xref';
import { contentPageText } from '../../src/main/core/policy/content-text';
import { assertNoSignatureFieldOverText } from '../../src/main/core/stamp/input-suspect';
import { openPdfFile } from '../../src/main/app/verify-files';
import { YinjianError } from '../../src/shared/errors/index';
import { appendUpdate } from '../helpers/signed-pdf';
import { NOTICE, makePdf } from '../integration/stamp/fixture';
import { COVER, emptySignatureFieldInput, hiddenSectionInput, roleSharingInputs } from './generator';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
const present = existsSync(join(CORPUS, 'MANIFEST.json'));
/** The kinds this defence adds; the corpus may carry older kinds in its attack files. */
const NEW_KINDS: readonly InputTrap['kind'][] = ['info-drawn', 'metadata-drawn', 'dss-drawn', 'hidden-xref-section'];

interface CorpusEntry {
  readonly path: string;
  readonly expected_verdict: string;
}

const trapsOf = (bytes: Uint8Array): InputTrap[] => findInputTraps(PdfDocument.open(bytes));

describe('trap scan: inputs prepared for classes 7 and 9', () => {
  it('names the object with two roles (info, metadata, DSS) and the hidden section with its object and byte offset', async () => {
    for (const objectStreams of [false, true]) {
      const base = await makePdf([NOTICE], { objectStreams });
      expect(trapsOf(base)).toEqual([]);
      for (const input of roleSharingInputs(base, objectStreams ? 'stream' : 'table')) {
        const kind = `${input.id.split('-')[0]}-drawn`;
        expect(trapsOf(input.bytes).find((t) => t.kind === kind)?.objects, input.id).toEqual([input.drawn]);
      }
      const hidden = hiddenSectionInput(base, objectStreams ? 'stream' : 'table', base.length + 4096);
      const found = trapsOf(hidden.bytes).find((t) => t.kind === 'hidden-xref-section');
      expect(found?.objects).toEqual([hidden.fNum]);
      expect(found?.offsets).toEqual([hidden.fAt]);
    }
  });

  it('finds a hidden classic table (xref … trailer, reached by no /Prev) and names its byte offset', async () => {
    const base = await makePdf([NOTICE], { objectStreams: false });
    const doc = PdfDocument.open(base);
    const root = doc.trailer.get('Root') as PdfRef;
    const table = `xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size ${doc.size} /Root ${root.num} ${root.gen} R /Prev 999999 >>\n`;
    // Appended, then a new startxref that points at the old last section: nothing reaches it.
    const at = base.length;
    const hidden = new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from(`\n${table}`, 'latin1'), Buffer.from(`startxref\n${doc.latestRevision.xrefOffset}\n%%EOF\n`, 'latin1')]));
    const found = trapsOf(hidden).find((t) => t.kind === 'hidden-xref-section');
    expect(found?.offsets).toEqual([at + 1]);
    expect(found?.objects).toEqual([]);
  });

  it('finds it in a file read from disk (the stamping path), across the scan\'s 4 MiB windows', async () => {
    const base = await makePdf([NOTICE], { objectStreams: false });
    const doc = PdfDocument.open(base);
    const root = doc.trailer.get('Root') as PdfRef;
    const table = Buffer.from(`xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size ${doc.size} /Root ${root.num} ${root.gen} R /Prev 999999 >>\n`, 'latin1');
    const tail = Buffer.from(`startxref\n${doc.latestRevision.xrefOffset}\n%%EOF\n`, 'latin1');
    const dir = mkdtempSync(join(tmpdir(), 'yinjian-hidden-'));
    try {
      // The table's `xref` across the boundary of the second and third window, then wholly in the third.
      for (const at of [2 * 4 * 1024 * 1024 - 2, 2 * 4 * 1024 * 1024 + 100]) {
        const padding = Buffer.alloc(at - base.length - 1, 0x20);
        padding[0] = 0x25; // a comment line after the last %%EOF
        const path = join(dir, `hidden-${at}.pdf`);
        writeFileSync(path, Buffer.concat([Buffer.from(base), padding, Buffer.from('\n'), table, tail]));
        const file = openPdfFile(path);
        try {
          expect(file.bytes instanceof Uint8Array, 'read through the file, not a copy in memory').toBe(false);
          const found = findInputTraps(PdfDocument.open(file.bytes)).find((t) => t.kind === 'hidden-xref-section');
          expect(found?.offsets, `xref at ${at}`).toEqual([at]);
        } finally {
          file.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is bounded: more than XREF_SCAN_MAX_CANDIDATES would-be sections off the chain refuse the file (PDF_LIMIT_EXCEEDED)', async () => {
    const base = await makePdf([NOTICE], { objectStreams: false });
    const doc = PdfDocument.open(base);
    const junk = Buffer.from('xref 0 1\n'.repeat(XREF_SCAN_MAX_CANDIDATES + 1), 'latin1');
    const bytes = new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from('\n'), junk, Buffer.from(`startxref\n${doc.latestRevision.xrefOffset}\n%%EOF\n`, 'latin1')]));
    expect(() => trapsOf(bytes)).toThrow(expect.objectContaining({ code: 'PDF_LIMIT_EXCEEDED' }));
    // Within the bound the scan reads them all: none of them is a section.
    const fewer = new Uint8Array(Buffer.concat([Buffer.from(base), Buffer.from('\n'), junk.subarray(9 * 2), Buffer.from(`startxref\n${doc.latestRevision.xrefOffset}\n%%EOF\n`, 'latin1')]));
    expect(trapsOf(fewer)).toEqual([]);
  });

  it.skipIf(!present)('the corpus of signed PDFs from other projects: no ordinary file has these traps; the signature-wrapping attack does', () => {
    const manifest = JSON.parse(readFileSync(join(CORPUS, 'MANIFEST.json'), 'utf8')) as { entries: CorpusEntry[] };
    const ordinary = new Set(['valid', 'valid-with-allowed-changes', 'no-signature', 'invalid-integrity', 'unsupported']);
    const checked: string[] = [];
    const trapped: string[] = [];
    for (const entry of manifest.entries) {
      let traps: InputTrap[];
      try {
        traps = trapsOf(new Uint8Array(readFileSync(join(CORPUS, entry.path))));
      } catch {
        continue; // unreadable files are refused earlier (PDF_MALFORMED)
      }
      const ours = traps.filter((t) => NEW_KINDS.includes(t.kind));
      if (ordinary.has(entry.expected_verdict)) {
        checked.push(entry.path);
        expect(ours, entry.path).toEqual([]);
      } else if (ours.length > 0) trapped.push(entry.path);
    }
    expect(checked.length).toBeGreaterThanOrEqual(26);
    // dss/siwa.pdf: the signed revision's own table, cut out of the /Prev chain by the attacker.
    expect(trapped).toEqual(['dss/siwa.pdf']);
  });
});

describe('class 15 check: an empty signature field over text, on a rotated page', () => {
  const refusal = (bytes: Uint8Array): YinjianError | undefined => {
    const doc = PdfDocument.open(bytes);
    const text = contentPageText(doc, 0);
    if (!text) throw new Error('the fixture page must be read from its content');
    try {
      assertNoSignatureFieldOverText(doc, [text]);
      return undefined;
    } catch (error) {
      if (error instanceof YinjianError) return error;
      throw error;
    }
  };

  it('refuses the widget over the text and names it and the page; accepts one in the blank margin', async () => {
    const base = await makePdf([NOTICE], { objectStreams: false });
    for (const rotate of [0, 90, 270]) {
      const rotated = rotate === 0 ? base : appendUpdate(base, (doc, update) => {
        const pageRef = doc.pageRefs()[0] as PdfRef;
        update.put(pageRef, (doc.latest.resolveDict(pageRef) as PdfDict).with('Rotate', rotate));
      });
      const over = emptySignatureFieldInput(rotated, COVER);
      const error = refusal(over);
      expect(error?.code, `rotate ${rotate}`).toBe('STAMP_SIGNATURE_FIELD_OVER_TEXT');
      expect(error?.params?.kinds, `rotate ${rotate}`).toBe('signature-field-over-text');
      const view = PdfDocument.open(over).latest;
      const widget = (view.resolveArray((view.resolveDict(view.pageRefs()[0]) as PdfDict).get('Annots'))?.items[0] as PdfRef).num;
      expect(error?.params?.objects, `rotate ${rotate}`).toBe(String(widget));
      expect(error?.message, `rotate ${rotate}`).toContain('page 1');
      expect(refusal(emptySignatureFieldInput(rotated, [380, 30, 560, 100])), `rotate ${rotate}`).toBeUndefined();
    }
  });
});

/**
 * The stamping gate's second defence against attack classes 7, 9 and 15 (test/attacks/
 * generator.ts): the verifier catches the later change (MODIFIED), and `yinjian stamp` now
 * refuses an input prepared for it (STAMP_INPUT_SUSPECT; class 15 STAMP_SIGNATURE_FIELD_OVER_TEXT; U1/U2), naming what it found:
 *  - class 7: the document info, the XMP metadata or a DSS certificate is also a form XObject
 *    a page draws (a later "metadata-only" update would redraw the page);
 *  - class 9: a cross-reference section in the bytes that no /Prev reaches (a later update
 *    chains it in);
 *  - class 15: an empty signature field whose widget lies over the page's text (a later
 *    signature's appearance would cover it).
 * Through the compiled `yinjian stamp` with a seal on a SoftHSM2 token, in one run: every
 * prepared input refused (kind, object number, byte offset in the message and the JSON),
 * nothing written for it; ordinary inputs sealed: incremental updates, a linearized file and
 * one updated after linearizing, a hybrid-reference file, a file with XMP and Info, and forms
 * whose empty signature field lies in a blank margin or on a signature line (ruled, or typed as
 * ____) beside its label.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, rgb } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedShippedFontSubset } from '../../src/main/core/appearance/index';
import { PdfDict, PdfRef, PdfStream, PdfString, name } from '../../src/main/core/pdf/index';
import { openRegister } from '../../src/main/infra/db/index';
import { toHybrid } from '../helpers/hybrid-pdf';
import { appendUpdate } from '../helpers/signed-pdf';
import { NOTICE, makePdf, shippedFont } from '../integration/stamp/fixture';
import { COVER, emptySignatureFieldInput, hiddenSectionInput, roleSharingInputs, type Rect } from './generator';
import { stampStation, type StampStation, type StampedFile } from './stamp-station';


/** Where the signature-line form puts its label, line and widget (points). */
const SIGN_LINE = { labelX: 90, y: 200, size: 14, label: '签发人：', lineFrom: 150, lineTo: 330 } as const;
const WIDGET_ON_LINE: Rect = [150, SIGN_LINE.y - 4, 330, SIGN_LINE.y + 36];
const WIDGET_OVER_LABEL: Rect = [100, SIGN_LINE.y - 4, 330, SIGN_LINE.y + 36];

interface Refused {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly kind: string;
  readonly object?: number;
  readonly offset?: number;
}
interface Ordinary {
  readonly name: string;
  readonly bytes: Uint8Array;
}

let station: StampStation;
let dir: string;
const refused: Refused[] = [];
const ordinary: Ordinary[] = [];

/** The notice with a signature line: a label, then a ruled line (or one typed as ____) to sign on (a custodian's form). */
async function signatureLineForm(typed = false): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await embedShippedFontSubset(pdf, shippedFont());
  const page = pdf.addPage([595.28, 841.89]);
  let y = 841.89 - 90;
  for (const line of NOTICE) {
    page.drawText(line.text, { x: line.x ?? 90, y, size: line.size, font, color: rgb(0, 0, 0) });
    y -= line.size * 2;
  }
  // Typed, the label and its line are one string, as a word processor writes them.
  page.drawText(typed ? `${SIGN_LINE.label}${'_'.repeat(26)}` : SIGN_LINE.label, { x: SIGN_LINE.labelX, y: SIGN_LINE.y, size: SIGN_LINE.size, font, color: rgb(0, 0, 0) });
  if (!typed) page.drawLine({ start: { x: SIGN_LINE.lineFrom, y: SIGN_LINE.y - 2 }, end: { x: SIGN_LINE.lineTo, y: SIGN_LINE.y - 2 }, thickness: 0.8, color: rgb(0, 0, 0) });
  return pdf.save({ useObjectStreams: false });
}

/** An update giving the document an XMP metadata stream and a new /Info (as an editor's save does). */
function withXmpAndInfo(bytes: Uint8Array): Uint8Array {
  return appendUpdate(bytes, (doc, update) => {
    const xmp = '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta><?xpacket end="w"?>';
    const metadata = update.add(PdfStream.withData(PdfDict.of({ Type: name('Metadata'), Subtype: name('XML') }), new TextEncoder().encode(xmp)));
    const info = update.add(PdfDict.of({ Title: PdfString.fromText('关于报送用款计划的通知'), Producer: PdfString.fromText('WPS Office') }));
    update.put(doc.trailer.get('Root') as PdfRef, doc.catalog().with('Metadata', metadata));
    update.setInfo(info);
  });
}

beforeAll(async () => {
  station = await stampStation({ prefix: 'yinjian-prepared-', sealCode: 'YJ-PREP-0001' });
  dir = station.dir;

  const classic = await makePdf([NOTICE], { objectStreams: false });
  const objstm = await makePdf([NOTICE], { objectStreams: true });
  for (const [base, kind, xref] of [[classic, 'classic', 'table'], [objstm, 'objstm', 'stream']] as const) {
    for (const input of roleSharingInputs(base, xref)) {
      refused.push({ name: `7-${input.id}-${kind}`, bytes: input.bytes, kind: input.id.split('-')[0] === 'dss' ? 'dss-drawn' : `${input.id.split('-')[0]}-drawn`, object: input.drawn });
    }
    // The /Prev a real attacker would write is the seal's future section; any offset will do here.
    const hidden = hiddenSectionInput(base, xref, base.length + 4096);
    refused.push({ name: `9-hidden-xref-stream-${kind}`, bytes: hidden.bytes, kind: 'hidden-xref-section', object: hidden.fNum, offset: hidden.fAt });
    refused.push({ name: `15-empty-signature-field-over-text-${kind}`, bytes: emptySignatureFieldInput(base, COVER), kind: 'signature-field-over-text' });
  }
  const form = await signatureLineForm();
  refused.push({ name: '15-empty-signature-field-over-its-label', bytes: emptySignatureFieldInput(form, WIDGET_OVER_LABEL), kind: 'signature-field-over-text' });
  refused.push({ name: '15-empty-signature-field-over-its-typed-label', bytes: emptySignatureFieldInput(await signatureLineForm(true), WIDGET_OVER_LABEL), kind: 'signature-field-over-text' });

  ordinary.push({ name: 'pdf-lib-classic', bytes: classic });
  ordinary.push({ name: 'pdf-lib-objstm', bytes: objstm });
  ordinary.push({ name: 'xmp-and-info-update', bytes: withXmpAndInfo(classic) });
  ordinary.push({ name: 'xmp-and-info-update-objstm', bytes: withXmpAndInfo(objstm) });
  ordinary.push({ name: 'hybrid-reference', bytes: toHybrid(classic) });
  writeFileSync(join(dir, 'to-linearize.pdf'), classic);
  execFileSync('/usr/bin/qpdf', ['--linearize', join(dir, 'to-linearize.pdf'), join(dir, 'linearized.pdf')]);
  const linearized = new Uint8Array(readFileSync(join(dir, 'linearized.pdf')));
  ordinary.push({ name: 'linearized', bytes: linearized });
  ordinary.push({ name: 'linearized-then-updated', bytes: withXmpAndInfo(linearized) });
  ordinary.push({ name: 'empty-signature-field-in-blank-margin', bytes: emptySignatureFieldInput(classic, [380, 30, 560, 100]) });
  ordinary.push({ name: 'empty-signature-field-on-signature-line', bytes: emptySignatureFieldInput(form, WIDGET_ON_LINE) });
  ordinary.push({ name: 'empty-signature-field-on-typed-line', bytes: emptySignatureFieldInput(await signatureLineForm(true), WIDGET_ON_LINE) });
}, 180_000);

afterAll(() => station?.dispose());

describe('yinjian stamp refuses inputs prepared for attack classes 7, 9 and 15', () => {
  it('on SoftHSM2: each prepared input refused with what was found, nothing written, no seal recorded; ordinary inputs sealed', { timeout: 300_000 }, async () => {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const all = [...ordinary, ...refused];
    const paths = all.map(({ name: fileName, bytes }) => {
      const path = join(inDir, `${fileName}.pdf`);
      writeFileSync(path, bytes);
      return path;
    });
    const run = await station.stamp(paths, ['--out-dir', outDir], 'YY-2026-312');
    const files = run.json<{ files: StampedFile[] }>().files;
    expect(files).toHaveLength(all.length);
    ordinary.forEach(({ name: fileName }, i) => expect(files[i], fileName).toMatchObject({ ok: true }));
    refused.forEach((input, i) => {
      const result = files[ordinary.length + i];
      expect(result?.ok, input.name).toBe(false);
      expect(result?.error?.params?.kinds?.split(','), input.name).toContain(input.kind);
      if (input.kind === 'signature-field-over-text') {
        // Its own code and advice: move or remove the field (the file itself need not be regenerated).
        expect(result?.error?.code, input.name).toBe('STAMP_SIGNATURE_FIELD_OVER_TEXT');
        expect(result?.error?.en, input.name).toContain('page 1');
        expect(result?.error?.zh, input.name).toContain('第 1 页');
        expect(result?.error?.zh, input.name).toContain('删除该签名域');
      } else {
        expect(result?.error?.code, input.name).toBe('STAMP_INPUT_SUSPECT');
        expect(result?.error?.en, input.name).toContain(input.kind);
      }
      if (input.object !== undefined) {
        expect(result?.error?.params?.objects?.split(','), input.name).toContain(String(input.object));
        expect(result?.error?.en, input.name).toContain(String(input.object));
        expect(result?.error?.zh, input.name).toContain(String(input.object));
      }
      if (input.offset !== undefined) {
        expect(result?.error?.params?.offsets?.split(','), input.name).toContain(String(input.offset));
        expect(result?.error?.en, input.name).toContain(`byte ${input.offset}`);
        expect(result?.error?.zh, input.name).toContain(String(input.offset));
      }
    });
    expect(run.code, run.stderr).toBe(1);
    // Nothing written for a refused file; every ordinary one sealed.
    expect(readdirSync(outDir)).toHaveLength(ordinary.length);
    // As every refused input: a failed usage row (no output, no sealed hash), no use request signed.
    const register = openRegister(station.registerPath);
    try {
      const failed = register.usage.find({ status: 'failed' });
      expect(failed.filter((r) => r.errorCode === 'STAMP_INPUT_SUSPECT' || r.errorCode === 'STAMP_SIGNATURE_FIELD_OVER_TEXT')).toHaveLength(refused.length);
      expect(failed.every((r) => r.sha256After === null && r.outputPath === null)).toBe(true);
      expect(register.usage.find({ status: 'ok' })).toHaveLength(ordinary.length);
      expect(register.audit.verify().ok).toBe(true);
    } finally {
      register.close();
    }
  });
});

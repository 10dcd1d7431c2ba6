/**
 * Shared setup for the stamping tests: a real register file with a unit, custodian and this
 * computer as the bound workstation, a group root and seal certificates made with software
 * keys (office issuance is another module), the seal's impression as the office stores it
 * (generated SVG), real PDFs made with pdf-lib in the shipped CJK font, and the pipeline wired
 * to its real adapters (pdf.js, atomic file output, the SQLite register).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont } from 'pdf-lib';
import { expect } from 'vitest';
import { composeSealArtwork, embedShippedFontSubset, loadSealFont, sealToSvg } from '../../../src/main/core/appearance/index';
import { buildRootCertificate, buildSealCertificate, parseCertificate } from '../../../src/main/core/pki/index';
import type { SignatureAlgorithm } from '../../../src/main/core/ports/signer';
import { PdfDocument, type PdfBytes } from '../../../src/main/core/pdf/index';
import { contentPageText } from '../../../src/main/core/policy/content-text';
import { gateDocumentText } from '../../../src/main/core/policy/page-gate';
import { textLayerFacts } from '../../../src/main/core/policy/text-layer';
import { pagesOf } from '../../../src/main/core/stamp/page-list';
import type { Actor, Seal } from '../../../src/main/core/register/index';
import { StampingPipeline, type SigningKey, type StampRequest } from '../../../src/main/core/stamp/index';
import { readShippedFont } from '../../../src/main/infra/appearance/index';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';
import { AtomicFileOutput } from '../../../src/main/infra/stamp/file-output';
import { PdfJsTextReader } from '../../../src/main/infra/stamp/pdfjs-text';
import { stampRegisterPort } from '../../../src/main/infra/stamp/register-port';
import { YinjianError } from '../../../src/shared/errors/index';
import { createSoftwareSigner, type SoftwareSigner } from '../../helpers/software-signer';

export const OFFICE: Actor = { name: '王秘书', staffId: 'P0001', office: true };
export const GROUP = '华夏建设集团有限公司';
export const CUSTODIAN = { staffId: 'S100', name: '张保管' };
export const NOW = new Date('2026-08-03T02:00:00.000Z');

let fontBytes: Uint8Array | undefined;
export function shippedFont(): Uint8Array {
  fontBytes ??= readShippedFont();
  return fontBytes;
}

export interface TextLineSpec {
  readonly text: string;
  readonly size: number;
  /** Distance of the baseline from the top of the page, points; defaults to flowing down. */
  readonly x?: number;
}

/** A real PDF in the shipped font: each page a list of lines, top to bottom. */
export async function makePdf(pages: readonly (readonly TextLineSpec[])[], options: { objectStreams?: boolean; title?: string; fullFont?: boolean } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  let font: PDFFont;
  if (options.fullFont) {
    // The font file whole, its own cmap included (pdf-lib's subsets drop the cmap table).
    pdf.registerFontkit(fontkit);
    font = await pdf.embedFont(shippedFont(), { subset: false });
  } else font = await embedShippedFontSubset(pdf, shippedFont());
  for (const lines of pages) {
    const page = pdf.addPage([595.28, 841.89]);
    let y = 841.89 - 90;
    for (const line of lines) {
      const width = font.widthOfTextAtSize(line.text, line.size);
      page.drawText(line.text, { x: line.x ?? (line.size > 16 ? (595.28 - width) / 2 : 90), y, size: line.size, font, color: rgb(0, 0, 0) });
      y -= line.size * 2;
    }
  }
  if (options.title) pdf.setTitle(options.title);
  return pdf.save({ useObjectStreams: options.objectStreams ?? false });
}

export const NOTICE: TextLineSpec[] = [
  { text: '关于报送用款计划的通知', size: 22 },
  { text: '各部门：', size: 14 },
  { text: '根据集团与华东建设公司签订的采购合同，现将有关事项通知如下：', size: 14 },
  { text: '一、各部门于八月十日前报送用款计划。', size: 14 },
  { text: '二、合同执行情况由财务部汇总。', size: 14 },
  { text: '特此通知。', size: 14 },
  { text: '集团办公室', size: 14, x: 400 },
  { text: '盖章处', size: 14, x: 420 },
];

/** The code `work` failed with: "no error", or "not a YinjianError: …" for anything untyped. */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'no error';
  } catch (error) {
    return error instanceof YinjianError ? error.code : `not a YinjianError: ${String(error)}`;
  }
}

/**
 * The U2 gate as the pipeline runs it on a text PDF (our content reader and its text-layer
 * facts, no pdf.js, no OCR engine: a text page needs neither): the refusal's code and params,
 * or 'passed'. A page the reader cannot decode fails the test.
 */
export async function textGateOutcome(bytes: Uint8Array): Promise<{ code: string; params: Record<string, unknown> }> {
  const document = PdfDocument.open(bytes);
  try {
    await gateDocumentText({
      pageCount: pagesOf(document).length,
      layer: async (i) => {
        const text = contentPageText(document, i);
        if (!text) throw new Error(`page ${i + 1}: the content reader could not decode it`);
        return text;
      },
      facts: (i) => textLayerFacts(document, i),
    });
    return { code: 'passed', params: {} };
  } catch (error) {
    if (!(error instanceof YinjianError)) throw error;
    return { code: error.code, params: (error as unknown as { params: Record<string, unknown> }).params ?? {} };
  }
}

/**
 * A stamping through the gate (U2): `sealed` with the pages read by OCR, or the refusal's code.
 * A refusal leaves no output and no temp file, and ends in a failed usage row with that code.
 */
export async function gateOutcome(fx: StampFixture, seal: IssuedSeal, request: StampRequest): Promise<{ code: string; error?: YinjianError; ocrPages?: readonly number[] }> {
  try {
    const done = await fx.pipeline.stamp(request, seal.key);
    return { code: 'sealed', ocrPages: done.ocrPages };
  } catch (error) {
    if (!(error instanceof YinjianError)) throw error;
    expect(existsSync(request.outputPath), 'no output on refusal').toBe(false);
    expect(readdirSync(fx.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(fx.register.usage.find().at(-1)).toMatchObject({ status: 'failed', errorCode: error.code });
    return { code: error.code, error };
  }
}

export interface IssuedSeal {
  readonly seal: Seal;
  readonly signer: SoftwareSigner;
  readonly key: SigningKey;
}

export interface StampFixture {
  readonly dir: string;
  readonly register: SealRegister;
  readonly root: Uint8Array;
  readonly rootSigner: SoftwareSigner;
  readonly workstationCode: string;
  readonly pipeline: StampingPipeline;
  issueSeal(code: string, options?: { algorithm?: SignatureAlgorithm; unitName?: string; validFrom?: Date; validTo?: Date }): Promise<IssuedSeal>;
  request(seal: Seal, input: Uint8Array | PdfBytes, outputName: string, changes?: Partial<StampRequest>): StampRequest;
  dispose(): void;
}

let unitCounter = 0;

export async function stampFixture(clock: () => Date = () => NOW): Promise<StampFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-stamp-'));
  const register = openRegister(join(dir, 'register.sqlite'), { clock });
  const workstationCode = currentWorkstation().code;
  register.workstations.add({ id: 'WS-1', name: '办公室专用机', machineId: workstationCode, registeredAt: new Date('2026-06-01T00:00:00Z') }, OFFICE);
  const rootSigner = createSoftwareSigner('ECDSA_P256_SHA256');
  const root = await buildRootCertificate({
    signer: rootSigner,
    groupName: GROUP,
    commonName: '华夏建设集团电子印章根证书',
    validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2046-01-01T00:00:00Z') },
  });
  const sealFont = loadSealFont(shippedFont());
  const pipeline = new StampingPipeline({
    register: stampRegisterPort(register),
    text: new PdfJsTextReader(),
    output: new AtomicFileOutput(),
    clock,
    workstationCode,
  });
  return {
    dir,
    register,
    root,
    rootSigner,
    workstationCode,
    pipeline,
    async issueSeal(code, options = {}) {
      const unitId = `U-${++unitCounter}`;
      const unitName = options.unitName ?? '集团办公室';
      register.units.add({ id: unitId, code: `UNIT-${unitCounter}`, name: unitName, kind: 'department' }, OFFICE);
      if (!register.custodians.get(CUSTODIAN.staffId)) register.custodians.add({ ...CUSTODIAN, unitId }, OFFICE);
      const signer = createSoftwareSigner(options.algorithm ?? 'ECDSA_P256_SHA256');
      const validity = { notBefore: options.validFrom ?? new Date('2026-07-01T00:00:00Z'), notAfter: options.validTo ?? new Date('2031-07-01T00:00:00Z') };
      const certificate = await buildSealCertificate({
        issuerCertificate: root,
        issuerSigner: rootSigner,
        subjectPublicKeySpki: signer.publicKeySpki,
        groupName: GROUP,
        unit: unitName,
        sealName: `${unitName}印章`,
        sealCode: code,
        sealKind: 'department',
        custodianStaffId: CUSTODIAN.staffId,
        workstationId: workstationCode,
        validity,
      });
      const info = parseCertificate(certificate);
      const svg = sealToSvg(composeSealArtwork({ kind: 'department', unitName: GROUP, sealName: unitName, sealCode: code }, sealFont));
      // A custodian holds one unit's seal in the fixture's organisation model: reuse the same
      // custodian by re-homing them is not possible, so each further seal gets its own custodian
      // record only when the unit differs from the custodian's.
      const custodian = register.custodians.get(CUSTODIAN.staffId);
      const custodianStaffId = custodian?.unitId === unitId ? CUSTODIAN.staffId : `S1${unitCounter.toString().padStart(2, '0')}`;
      if (custodianStaffId !== CUSTODIAN.staffId) register.custodians.add({ staffId: custodianStaffId, name: `保管员${unitCounter}`, unitId }, OFFICE);
      const seal = register.lifecycle.issue(
        {
          id: `SEAL-${code}`,
          code,
          name: `${unitName}印章`,
          unitId,
          custodianStaffId,
          workstationId: 'WS-1',
          certificate: { serial: Buffer.from(info.serialNumber).toString('hex'), der: certificate, validFrom: validity.notBefore, validTo: validity.notAfter, keyType: options.algorithm === 'RSA_PKCS1_SHA256' ? 'RSA_2048' : 'EC_P256', tokenSerial: `TOKEN-${code}` },
          appearance: { svg, png: null },
          approval: { reference: `ISSUE-${code}`, approver: '集团总裁' },
        },
        OFFICE,
      );
      return { seal, signer, key: { signer, certificate, caCertificates: [root] } };
    },
    request(seal, input, outputName, changes = {}) {
      return {
        inputName: 'input.pdf',
        input,
        outputPath: join(dir, outputName),
        sealId: seal.id,
        declaredType: 'internal-document',
        approval: { reference: `YY-2026-${outputName}`, approver: '孙主任' },
        placement: { kind: 'page' },
        operator: { staffId: seal.custodianStaffId, name: '保管员' },
        ...changes,
      };
    },
    dispose() {
      register.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes signed test PDFs with software keys through the real PDF writer and PKI core: a
 * pdf-lib base document, then an incremental update with a signature field, widget and
 * signature dictionary whose /ByteRange and /Contents are placeholders patched in place.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  IncrementalUpdate,
  PdfArray,
  PdfDict,
  PdfDocument,
  PdfPlaceholder,
  PdfRef,
  PdfStream,
  PdfString,
  name,
} from '../../src/main/core/pdf/index';
import { buildCrl, buildPadesSignature, buildRootCertificate, buildSealCertificate, type SealedDocumentType } from '../../src/main/core/pki/index';
import type { SealSigner } from '../../src/main/core/ports/signer';
import { createSoftwareSigner, type SoftwareSigner } from './software-signer';

export interface TestSeal {
  readonly root: Uint8Array;
  /** The group CA's software key: signs register snapshots in tests. */
  readonly ca: SoftwareSigner;
  readonly certificate: Uint8Array;
  readonly signer: SoftwareSigner;
  readonly workstationId: string;
}

export interface SealKeyCertification {
  /** The seal key's public half (a software key, or a key pair generated on a token). */
  readonly subjectPublicKeySpki: Uint8Array;
  readonly workstationId?: string;
  readonly notBefore?: Date;
  readonly sealName?: string;
  readonly sealCode?: string;
  /** An existing group CA; default: a fresh software root (2024–2054). */
  readonly ca?: { signer: SoftwareSigner; root: Uint8Array };
}

/**
 * Issues a seal certificate (2024-07 to 2034-07, department seal of 示例集团有限公司办公室) for a
 * seal key, under the given group CA or a fresh software one. Shared by software test seals
 * (makeTestSeal) and seals whose key lives on a token (test/attacks/token-seal.ts).
 */
export async function certifySealKey(options: SealKeyCertification): Promise<{ root: Uint8Array; ca: SoftwareSigner; certificate: Uint8Array; workstationId: string }> {
  const ca = options.ca?.signer ?? createSoftwareSigner('ECDSA_P256_SHA256');
  const workstationId = options.workstationId ?? 'ws-test-0001';
  const root =
    options.ca?.root ??
    (await buildRootCertificate({
      signer: ca,
      groupName: '示例集团有限公司',
      commonName: '示例集团电子印章根证书',
      validity: { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2054-01-01T00:00:00Z') },
    }));
  const certificate = await buildSealCertificate({
    issuerCertificate: root,
    issuerSigner: ca,
    subjectPublicKeySpki: options.subjectPublicKeySpki,
    groupName: '示例集团有限公司',
    unit: '办公室',
    sealName: options.sealName ?? '示例集团有限公司办公室印章',
    sealCode: options.sealCode ?? 'YJ-2024-0001',
    sealKind: 'department',
    custodianStaffId: 'E0001',
    workstationId,
    validity: { notBefore: options.notBefore ?? new Date('2024-07-01T00:00:00Z'), notAfter: new Date('2034-07-01T00:00:00Z') },
  });
  return { root, ca, certificate, workstationId };
}

export async function makeTestSeal(options: { workstationId?: string; notBefore?: Date; sealName?: string; sealCode?: string; ca?: { signer: SoftwareSigner; root: Uint8Array } } = {}): Promise<TestSeal> {
  const signer = createSoftwareSigner('ECDSA_P256_SHA256');
  const issued = await certifySealKey({ ...options, subjectPublicKeySpki: signer.publicKeySpki });
  return { ...issued, signer };
}

/**
 * A current, empty CRL of the test seal's CA (DER): with it the verifier has checked revocation
 * (issue #12: with --trust alone it reports REVOCATION_NOT_CHECKED and exits 1).
 */
export async function makeTestCrl(seal: Pick<TestSeal, 'root' | 'ca'>): Promise<Uint8Array> {
  return buildCrl({
    issuerCertificate: seal.root,
    issuerSigner: seal.ca,
    thisUpdate: new Date('2024-01-01T00:00:00Z'),
    nextUpdate: new Date('2054-01-01T00:00:00Z'),
    crlNumber: 1,
    entries: [],
  });
}

export async function makeBasePdf(pages = 1, text = 'Internal notice'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`${text} - page ${i + 1}`, { x: 72, y: 760, size: 14, font });
  }
  return doc.save({ useObjectStreams: false });
}

export interface SignOptions {
  readonly field?: string;
  readonly documentType?: SealedDocumentType;
  readonly approvalReference?: string;
  readonly workstationId?: string;
  readonly signingTime?: Date;
  /** DocMDP permission: makes this a certification signature. */
  readonly docMdp?: 1 | 2 | 3;
  /** The page (1-based) the signature's widget is on (default 1). */
  readonly page?: number;
  /** A visible widget: its rectangle and the content stream of its appearance. */
  readonly visible?: { readonly rect: readonly [number, number, number, number]; readonly content: string };
}

function pdfDate(date: Date): string {
  const iso = date.toISOString();
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Appends a signature made with `seal` as an incremental update. */
/** What signing needs of a seal: a software key (TestSeal) or a key on a token (test/attacks). */
export type SigningSeal = Pick<TestSeal, 'certificate' | 'root' | 'workstationId'> & Partial<Pick<TestSeal, 'ca'>> & { readonly signer: SealSigner };

export async function signPdf(bytes: Uint8Array, seal: SigningSeal, options: SignOptions = {}): Promise<Uint8Array> {
  const doc = PdfDocument.open(bytes);
  const update = new IncrementalUpdate(doc);
  const catalogRef = doc.trailer.get('Root') as PdfRef;
  const catalog = doc.catalog();
  const pageRef = doc.pageRefs()[(options.page ?? 1) - 1] as PdfRef;
  const page = doc.latest.resolveDict(pageRef) as PdfDict;
  const contents = new PdfPlaceholder('contents', 16384, 'hex');
  const range = new PdfPlaceholder('range', 64, 'raw', new PdfArray([0, 0, 0, 0]));
  let sigDict = PdfDict.of({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: range,
    Contents: contents,
    M: PdfString.fromText(pdfDate(options.signingTime ?? new Date('2025-03-01T08:00:00Z'))),
    Reason: PdfString.fromText('test seal'),
  });
  if (options.docMdp) {
    sigDict = sigDict.with('Reference', new PdfArray([PdfDict.of({ Type: name('SigRef'), TransformMethod: name('DocMDP'), TransformParams: PdfDict.of({ Type: name('TransformParams'), P: options.docMdp, V: name('1.2') }) })]));
  }
  const sigRef = update.add(sigDict);
  const visible = options.visible;
  const appearance = visible
    ? update.add(PdfStream.withData(PdfDict.of({ Type: name('XObject'), Subtype: name('Form'), BBox: new PdfArray([0, 0, visible.rect[2] - visible.rect[0], visible.rect[3] - visible.rect[1]]) }), new TextEncoder().encode(visible.content)))
    : undefined;
  const fieldRef = update.add(
    PdfDict.of({
      Type: name('Annot'),
      Subtype: name('Widget'),
      FT: name('Sig'),
      T: PdfString.fromText(options.field ?? `Seal${doc.revisions.length}`),
      V: sigRef,
      F: 132,
      Rect: new PdfArray(visible ? [...visible.rect] : [0, 0, 0, 0]),
      P: pageRef,
      ...(appearance ? { AP: PdfDict.of({ N: appearance }) } : {}),
    }),
  );
  const annots = doc.latest.resolveArray(page.get('Annots'));
  update.put(pageRef, page.with('Annots', new PdfArray([...(annots?.items ?? []), fieldRef])));
  const acroForm = doc.latest.resolveDict(catalog.get('AcroForm'));
  const fields = doc.latest.resolveArray(acroForm?.get('Fields'));
  const newAcroForm = (acroForm ?? new PdfDict()).with('Fields', new PdfArray([...(fields?.items ?? []), fieldRef])).with('SigFlags', 3);
  if (catalog.get('AcroForm') instanceof PdfRef) update.put(catalog.get('AcroForm') as PdfRef, newAcroForm);
  else update.put(catalogRef, catalog.with('AcroForm', newAcroForm).with(...(options.docMdp ? (['Perms', PdfDict.of({ DocMDP: sigRef })] as const) : (['Perms', catalog.get('Perms')] as const))));
  return completeSignature(bytes, update, { contents, range }, seal, options);
}

/**
 * `update` (holding a signature dictionary with the `contents` and `range` placeholders)
 * appended to `bytes`, its /ByteRange written and its /Contents filled with the seal's CMS over
 * that range.
 */
export async function completeSignature(
  bytes: Uint8Array,
  update: IncrementalUpdate,
  placeholders: { readonly contents: PdfPlaceholder; readonly range: PdfPlaceholder },
  seal: SigningSeal,
  options: Pick<SignOptions, 'documentType' | 'approvalReference' | 'workstationId'> = {},
): Promise<Uint8Array> {
  const result = update.build();
  const out = IncrementalUpdate.concat(bytes, result);
  const contentsAt = result.placeholders.find((p) => p.placeholder === placeholders.contents);
  const rangeAt = result.placeholders.find((p) => p.placeholder === placeholders.range);
  if (!contentsAt || !rangeAt) throw new Error('placeholders not written');
  const gapStart = contentsAt.offset;
  const gapEnd = contentsAt.offset + contentsAt.length;
  const byteRange = `[0 ${gapStart} ${gapEnd} ${out.length - gapEnd}]`.padEnd(rangeAt.length, ' ');
  out.set(new TextEncoder().encode(byteRange), rangeAt.offset);
  const hash = createHash('sha256').update(out.subarray(0, gapStart)).update(out.subarray(gapEnd)).digest();
  const cms = await buildPadesSignature({
    signer: seal.signer,
    signerCertificate: seal.certificate,
    caCertificates: [seal.root],
    contentDigest: new Uint8Array(hash),
    policy: { document: new TextEncoder().encode('集团电子印章使用和管理规定') },
    documentType: options.documentType ?? 'internal-formal-document',
    approvalReference: options.approvalReference ?? 'SP-2025-0001',
    workstationId: options.workstationId ?? seal.workstationId,
  });
  const hex = Buffer.from(cms).toString('hex').toUpperCase();
  if (hex.length > 16384) throw new Error('CMS larger than the placeholder');
  out.set(new TextEncoder().encode(hex), gapStart + 1);
  return out;
}

/** Appends an arbitrary incremental update built by `edit`. */
export function appendUpdate(bytes: Uint8Array, edit: (doc: PdfDocument, update: IncrementalUpdate) => void): Uint8Array {
  const doc = PdfDocument.open(bytes);
  const update = new IncrementalUpdate(doc);
  edit(doc, update);
  return IncrementalUpdate.concat(bytes, update.build());
}

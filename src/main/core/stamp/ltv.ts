/**
 * Long-term validation (ETSI EN 319 142-1 §5.4, PAdES B-LT and B-LTA; ISO 32000-2 §12.8.4.3):
 *
 *  - B-LT: a Document Security Store (/DSS in the catalog) with the certificates and CRLs a
 *    validator needs, and one /VRI entry per signature (key: the upper-case hex SHA-1 of the
 *    signature's /Contents bytes) naming the ones that validate it, with /TU the time they were
 *    gathered. Written as its own incremental update right after the seal, so the sealed
 *    revision stays exactly what the key signed and the file validates offline on its own.
 *  - B-LTA: a document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over the whole
 *    file including the DSS, so the validation data is itself protected by a TSA's time; renewed
 *    by `ltv extend` (fresh DSS + new document timestamp) before the last one's TSA certificate
 *    or algorithms weaken (archive renewal).
 *
 * Existing DSS content (another signer's) is kept: only entries are added.
 */
import { createHash } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import {
  ConcatenatedPdfBytes,
  IncrementalUpdate,
  PdfArray,
  PdfDict,
  PdfName,
  PdfPlaceholder,
  PdfRef,
  PdfStream,
  PdfString,
  type IncrementalUpdateResult,
  PdfDocument,
  type PdfValue,
} from '../pdf/index';
import { verifyCmsSignature } from '../pki/index';
import { pagesOf } from './page-list';
import { addSignatureField, appendAnnotations, nextSealFieldName, patchByteRange, patchContents, pdfDate, type PreparedSignature } from './signature-update';

/** What validates one signature: its chain (leaf first) and the CRLs for it. */
export interface SignatureValidationData {
  /** The bytes of the signature's /Contents (as stored, padding included): the VRI key is their SHA-1. */
  readonly signatureContents: Uint8Array;
  readonly certificates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
}

/** ETSI EN 319 142-1 §5.4.2.2: VRI keys are the upper-case base16 SHA-1 of the signature. */
export function vriKey(signatureContents: Uint8Array): string {
  return createHash('sha1').update(signatureContents).digest('hex').toUpperCase();
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * An incremental update adding `entries` to the document's DSS (created when absent). Each
 * certificate and CRL is written once, as a stream, even when several VRI entries name it, and
 * not again when the DSS already holds the same bytes.
 */
export function buildDssUpdate(document: PdfDocument, entries: readonly SignatureValidationData[], time: Date): IncrementalUpdateResult {
  const update = new IncrementalUpdate(document);
  const view = document.latest;
  const catalog = document.catalog();
  const rootRef = document.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw new YinjianError('PDF_MALFORMED', { detail: 'trailer /Root is not an indirect reference' });
  const dssValue = catalog.get('DSS');
  const dss = view.resolveDict(dssValue) ?? new PdfDict();

  const known = new Map<string, PdfRef>();
  const listOf = (key: 'Certs' | 'CRLs'): PdfValue[] => {
    const items = view.resolveArray(dss.get(key))?.items ?? [];
    for (const item of items) {
      const stream = item instanceof PdfRef ? view.resolve(item) : undefined;
      if (item instanceof PdfRef && stream instanceof PdfStream) {
        try {
          known.set(`${key}:${sha256(document.decodedStreamData(stream, view))}`, item);
        } catch {
          // an unreadable stream is kept as it is and not reused
        }
      }
    }
    return [...items];
  };
  const certs = listOf('Certs');
  const crls = listOf('CRLs');
  const refFor = (key: 'Certs' | 'CRLs', bytes: Uint8Array): PdfRef => {
    const id = `${key}:${sha256(bytes)}`;
    let ref = known.get(id);
    if (!ref) {
      ref = update.add(PdfStream.withData(new PdfDict(), bytes));
      known.set(id, ref);
      (key === 'Certs' ? certs : crls).push(ref);
    }
    return ref;
  };

  const vri = view.resolveDict(dss.get('VRI')) ?? new PdfDict();
  let newVri = vri;
  for (const entry of entries) {
    const certRefs = [...new Set(entry.certificates.map((c) => refFor('Certs', c)))];
    const crlRefs = [...new Set(entry.crls.map((c) => refFor('CRLs', c)))];
    const record: [string, PdfValue][] = [['Type', PdfName.of('VRI')]];
    if (certRefs.length > 0) record.push(['Cert', new PdfArray(certRefs)]);
    if (crlRefs.length > 0) record.push(['CRL', new PdfArray(crlRefs)]);
    record.push(['TU', PdfString.fromText(pdfDate(time))]);
    newVri = newVri.with(vriKey(entry.signatureContents), update.add(new PdfDict(record)));
  }

  let newDss = dss.with('Type', PdfName.of('DSS')).with('VRI', update.add(newVri));
  if (certs.length > 0) newDss = newDss.with('Certs', new PdfArray(certs));
  if (crls.length > 0) newDss = newDss.with('CRLs', new PdfArray(crls));
  if (dssValue instanceof PdfRef && view.resolveDict(dssValue)) update.put(dssValue, newDss);
  else update.put(rootRef, catalog.with('DSS', update.add(newDss)));
  return update.build();
}

/**
 * An incremental update with an invisible document-timestamp field (/FT /Sig, widget with an
 * empty /Rect on the first page, as ISO 32000-2 §12.8.5 and PAdES B-LTA writers do). The
 * caller patches /ByteRange, hashes the ranges, asks the TSA and patches /Contents with the
 * token (signature-update.ts patchByteRange / patchContents).
 */
export function prepareDocumentTimestamp(document: PdfDocument, contentsRoom: number): PreparedSignature {
  const update = new IncrementalUpdate(document);
  const view = document.latest;
  const pages = pagesOf(document);
  const firstPage = pages[0];
  if (!firstPage) throw new YinjianError('PDF_MALFORMED', { detail: 'the document has no page' });
  const fieldName = `${nextSealFieldName(document).replace('印章', '文档时间戳')}`;
  const byteRange = new PdfPlaceholder('ByteRange', 64, 'raw', new PdfArray([0, 0, 0, 0]));
  const contents = new PdfPlaceholder('Contents', contentsRoom * 2, 'hex');
  const signature = update.add(
    PdfDict.of({
      Type: PdfName.of('DocTimeStamp'),
      Filter: PdfName.of('Adobe.PPKLite'),
      SubFilter: PdfName.of('ETSI.RFC3161'),
      ByteRange: byteRange,
      Contents: contents,
    }),
  );
  const field = update.add(
    PdfDict.of({
      FT: PdfName.of('Sig'),
      T: PdfString.fromText(fieldName),
      V: signature,
      Type: PdfName.of('Annot'),
      Subtype: PdfName.of('Widget'),
      // Hidden | Print | Locked: never drawn, never moved.
      F: 2 | 4 | 128,
      P: firstPage,
      Rect: new PdfArray([0, 0, 0, 0]),
    }),
  );
  const pageDict = view.resolveDict(firstPage);
  if (!pageDict) throw new YinjianError('PDF_MALFORMED', { detail: 'page 1 is not a dictionary' });
  appendAnnotations(update, view, firstPage, pageDict, [field]);
  addSignatureField(update, document, field);

  const result = update.build();
  const byteRangeAt = result.placeholders.find((p) => p.placeholder === byteRange);
  const contentsAt = result.placeholders.find((p) => p.placeholder === contents);
  if (!byteRangeAt || !contentsAt) throw new YinjianError('INTERNAL', { detail: 'document timestamp placeholders not written' });
  return { fieldName, result, byteRange: byteRangeAt, contents: contentsAt, contentsRoom, pageCount: pages.length };
}

/** Room for a document timestamp token: TSTInfo, the TSA's signature and its chain. */
export const DOCUMENT_TIMESTAMP_ROOM = 16384;

/**
 * The bytes to append to `signed` for B-LT (a DSS update with `data`) and, with a
 * timestamper, B-LTA (then a document timestamp over everything before it). Nothing is
 * appended to the caller's file here: the caller writes `signed ‖ chunks` atomically.
 */
export async function longTermUpdates(
  signed: Uint8Array | ConcatenatedPdfBytes,
  data: readonly SignatureValidationData[],
  time: Date,
  archiveTimestamper?: { timestamp(bytes: Uint8Array): Promise<Uint8Array> },
): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  // `signed` may be the caller's file and its update read as one (no copy of the file, issue #15).
  let current = signed;
  if (data.length > 0) {
    const dss = buildDssUpdate(PdfDocument.open(current), data, time);
    chunks.push(dss.appended);
    current = new ConcatenatedPdfBytes([current, dss.appended]);
  }
  if (archiveTimestamper) {
    const prepared = prepareDocumentTimestamp(PdfDocument.open(current), DOCUMENT_TIMESTAMP_ROOM);
    const range = patchByteRange(prepared);
    const whole = IncrementalUpdate.concat(current instanceof ConcatenatedPdfBytes ? current.toBytes() : current, prepared.result);
    const covered = Buffer.concat([whole.subarray(0, range[1]), whole.subarray(range[2])]);
    patchContents(prepared, await archiveTimestamper.timestamp(covered));
    chunks.push(prepared.result.appended);
  }
  return chunks;
}

/**
 * `ltv extend` (archive renewal, ETSI EN 319 142-1 §5.5): for every signature and document
 * timestamp already in the file, its certificates (from its CMS, plus `extraCertificates`
 * such as the group root) and the CRLs at hand go into the DSS with a VRI entry each; then,
 * with a timestamper, a new document timestamp covers the whole file, so the earlier
 * timestamps and their validation data stay provable after their certificates expire.
 */
export async function extendLongTerm(
  input: Uint8Array,
  options: {
    readonly crls: readonly Uint8Array[];
    readonly extraCertificates: readonly Uint8Array[];
    readonly time: Date;
    readonly archiveTimestamper?: { timestamp(bytes: Uint8Array): Promise<Uint8Array> };
  },
): Promise<{ readonly chunks: Uint8Array[]; readonly signatures: number }> {
  const document = PdfDocument.open(input);
  document.requireUnencrypted();
  const view = document.latest;
  const data: SignatureValidationData[] = [];
  for (const field of document.formFields()) {
    if (field.fieldType !== 'Sig') continue;
    const value = view.resolveDict(field.dict.get('V'));
    const contents = value?.get('Contents');
    if (!(contents instanceof PdfString) || contents.bytes.length === 0) continue;
    let certificates: Uint8Array[];
    try {
      const cms = await verifyCmsSignature(contents.bytes, {});
      certificates = cms.certificates.map((c) => c.der);
    } catch {
      continue; // not a CMS we can read: nothing to add for it
    }
    data.push({ signatureContents: contents.bytes, certificates: [...certificates, ...options.extraCertificates], crls: options.crls });
  }
  if (data.length === 0) throw new YinjianError('LTV_NO_SIGNATURE');
  const chunks = await longTermUpdates(input, data, options.time, options.archiveTimestamper);
  return { chunks, signatures: data.length };
}

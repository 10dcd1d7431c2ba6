/**
 * The Document Security Store (ETSI EN 319 142-1 §5.4; ISO 32000-2 §12.8.4.3) as the verifier
 * reads it (issue 16): the certificates and CRLs a file carries for its own validation, the
 * per-signature VRI entries, and the revision that first carried the DSS. DSS certificates
 * only ever help build a path (never anchors); DSS CRLs count only once their signature
 * checks against the issuing CA in the path (chain.ts), so a forged DSS adds nothing.
 */
import { createHash } from 'node:crypto';
import { PdfRef, PdfStream, type PdfDocument, type PdfRevisionView, type PdfValue } from '../pdf/index';
import { parseCertificate, parseCrl, type CertificateInfo, type CrlInfo } from '../pki/index';

export interface EmbeddedValidationData {
  readonly certificates: readonly CertificateInfo[];
  readonly crls: readonly CrlInfo[];
  /** VRI keys (upper-case hex SHA-1 of a signature's /Contents bytes) present. */
  readonly vri: ReadonlySet<string>;
  /** First revision (0-based) whose catalog has a /DSS; undefined when none does. */
  readonly firstRevision: number | undefined;
}

const NONE: EmbeddedValidationData = { certificates: [], crls: [], vri: new Set(), firstRevision: undefined };

function streams(view: PdfRevisionView, doc: PdfDocument, value: PdfValue | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const item of view.resolveArray(value)?.items ?? []) {
    const stream = item instanceof PdfRef ? view.resolve(item) : item;
    if (!(stream instanceof PdfStream)) continue;
    try {
      out.push(doc.decodedStreamData(stream, view));
    } catch {
      // an unreadable entry contributes nothing
    }
  }
  return out;
}

/** Reads the latest DSS. Never throws: a broken DSS is an empty one. */
export function readEmbeddedValidationData(doc: PdfDocument): EmbeddedValidationData {
  try {
    const view = doc.latest;
    const dss = view.resolveDict(doc.catalog().get('DSS'));
    if (!dss) return NONE;
    const certificates: CertificateInfo[] = [];
    for (const der of streams(view, doc, dss.get('Certs'))) {
      try {
        certificates.push(parseCertificate(der));
      } catch {
        // skipped
      }
    }
    const crls: CrlInfo[] = [];
    for (const der of streams(view, doc, dss.get('CRLs'))) {
      try {
        crls.push(parseCrl(der));
      } catch {
        // skipped
      }
    }
    const vriDict = view.resolveDict(dss.get('VRI'));
    const vri = new Set<string>(vriDict ? [...vriDict.keys()].map((k) => k.toUpperCase()) : []);
    let firstRevision: number | undefined;
    for (let i = 0; i < doc.revisions.length; i++) {
      try {
        if (doc.atRevision(i).catalog().has('DSS')) {
          firstRevision = i;
          break;
        }
      } catch {
        // a revision without a readable catalog has no DSS
      }
    }
    return { certificates, crls, vri, firstRevision };
  } catch {
    return NONE;
  }
}

export function vriKeyOf(signatureContents: Uint8Array): string {
  return createHash('sha1').update(signatureContents).digest('hex').toUpperCase();
}

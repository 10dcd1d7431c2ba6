/**
 * A certified document (a certification signature with DocMDP, ISO 32000-1 §12.8.2.2) says
 * which changes its author allows after it. P=1 allows none: a seal added to such a file turns
 * its certification invalid for every reader, so stamping is refused up front, before
 * anything is recorded or signed. P=2 (form filling and signing) and P=3 allow a new signature.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { PdfDocument } from '../pdf/index';

/** The DocMDP permission in force (1–3), or undefined when the document is not certified. */
export function docMdpPermission(document: PdfDocument): number | undefined {
  const view = document.latest;
  const perms = view.resolveDict(document.catalog().get('Perms'));
  const signature = view.resolveDict(perms?.get('DocMDP'));
  if (!signature) return undefined;
  for (const item of view.resolveArray(signature.get('Reference'))?.items ?? []) {
    const reference = view.resolveDict(item);
    if (reference?.getName('TransformMethod') !== 'DocMDP') continue;
    const p = view.resolve(view.resolveDict(reference.get('TransformParams'))?.get('P'));
    // §12.8.2.2.2: P is 1, 2 or 3; absent (or anything else) means 2.
    return p === 1 || p === 2 || p === 3 ? p : 2;
  }
  // /Perms /DocMDP without a DocMDP reference: readers treat it as certified with the default.
  return 2;
}

export function assertChangesPermitted(document: PdfDocument): void {
  if (docMdpPermission(document) === 1) throw new YinjianError('STAMP_DOCUMENT_CERTIFIED_NO_CHANGES');
}

/**
 * A seam seal (骑缝章) binds every page: its slices are drawn into the pages' content inside its
 * own signed revision. On a document that already carries a signature, any such drawing is a
 * change that the earlier approval seal does not allow (issue #11: after an approval seal only
 * signatures, timestamps and validation data may follow), so our own verifier, and every strict
 * validator, would report that earlier seal as modified. The custodian is told to apply the seam
 * seal first, before anything is recorded or signed.
 */
export function assertSeamSealPermitted(document: PdfDocument, placementKind: string): void {
  if (placementKind !== 'seam') return;
  const signed = document.formFields().filter((f) => f.fieldType === 'Sig' && f.dict.has('V')).length;
  if (signed > 0) throw new YinjianError('SEAM_SEAL_AFTER_SIGNATURE', { signatures: signed });
}

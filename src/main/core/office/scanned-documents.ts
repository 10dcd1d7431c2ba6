/**
 * U2 and scanned documents: a page the gate cannot read with enough confidence (OCR below its
 * threshold, core/policy/page-gate.ts) is refused with SCANNED_PAGE_UNREADABLE. Some offices
 * seal old paper documents that were scanned; the office may then allow scanned documents by
 * a published setting. With it on, such a page no longer refuses outright: the custodian must
 * confirm, document by document, that they have read it (`yinjian stamp --confirm-scanned`,
 * the stamp screen's confirmation), and that confirmation is recorded in the stamping's audit
 * rows with the pages it covered. What OCR *can* read is still judged: a scan that reads as a
 * contract is refused whatever the setting.
 *
 * The setting lives in the register (`office.scannedDocumentsAllowed`, "true"/"false"): the
 * office's own on its computer, mirrored from the imported snapshot (version 3) on a
 * workstation. Absent: not allowed.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { Actor } from '../register/index';
import type { OfficeRegister } from './ports';

export const SCANNED_DOCUMENTS_SETTING = 'office.scannedDocumentsAllowed';

/** Whether scanned documents are allowed on custodian confirmation; a malformed value is an error, never silently "allowed". */
export function scannedDocumentsAllowed(settings: { get(key: string): string | undefined }): boolean {
  const value = settings.get(SCANNED_DOCUMENTS_SETTING);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${SCANNED_DOCUMENTS_SETTING} is neither true nor false` });
}

/** The office allows or forbids scanned documents (published with the next snapshot); audited with the value before and after. */
export function setScannedDocumentsAllowed(register: Pick<OfficeRegister, 'settings' | 'audit' | 'transaction'>, allowed: boolean, actor: Actor): boolean {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action: 'SETTING_CHANGED' });
  const previous = scannedDocumentsAllowed(register.settings);
  register.transaction(() => {
    register.settings.set(SCANNED_DOCUMENTS_SETTING, allowed ? 'true' : 'false');
    register.audit.append({ actor, action: 'SETTING_CHANGED', subject: SCANNED_DOCUMENTS_SETTING, details: { previous, allowed } });
  });
  return allowed;
}

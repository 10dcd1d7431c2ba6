/**
 * The StampRegisterPort over the SQLite register (infra/db). The deny list (U2) is the office's
 * when the register holds one (setting `documentDenyList`, a JSON array of
 * {term, words, formMarkers?}), else the regulation's default.
 */
import { YinjianError } from '../../../shared/errors/index';
import { DEFAULT_DENY_LIST, type DeniedDocumentKind } from '../../core/policy/document-type';
import type { StampRegisterPort } from '../../core/stamp/ports';
import type { SealRegister } from '../db/index';

export const DENY_LIST_SETTING = 'documentDenyList';

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '');
}

/** Parses the office's deny list; a malformed one is an error, never silently the default. */
export function parseDenyList(text: string): DeniedDocumentKind[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING }, { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
  return parsed.map((entry: unknown) => {
    const e = entry as { term?: unknown; words?: unknown; formMarkers?: unknown };
    if (typeof e.term !== 'string' || !isStringArray(e.words)) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
    const markers = e.formMarkers === undefined ? undefined : Array.isArray(e.formMarkers) && e.formMarkers.every(isStringArray) ? (e.formMarkers as string[][]) : null;
    if (markers === null) throw new YinjianError('SETTINGS_INVALID', { path: DENY_LIST_SETTING });
    return { term: e.term, words: e.words, ...(markers ? { formMarkers: markers } : {}) };
  });
}

export function stampRegisterPort(register: SealRegister): StampRegisterPort {
  return {
    seal: (id) => register.seals.require(id),
    certificate: (serial) => register.seals.certificate(serial),
    delegations: (sealId) => register.delegations.forSeal(sealId),
    workstation: (id) => register.workstations.get(id),
    denyList: () => {
      const configured = register.settings.get(DENY_LIST_SETTING);
      return configured === undefined ? DEFAULT_DENY_LIST : parseDenyList(configured);
    },
    recordUseRequest: (request, actor) => register.useRequests.record(request, actor),
    recordStamping: (entry, actor) => register.usage.record(entry, actor),
  };
}

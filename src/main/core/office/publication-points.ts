/**
 * Where the group publishes its CRL and its CA certificate (issue 16): one or more places
 * each (intranet http, a file share path). Issued seal certificates carry them as CRL
 * distribution points and AIA caIssuers (pki/publication-points.ts). Seals issued before
 * the setting existed keep verifying from the register snapshot (S5); they are not re-issued.
 */
import { YinjianError } from '../../../shared/errors/index';
import { publicationUri, type PublicationPoints } from '../pki/index';
import type { Actor } from '../register/index';
import type { OfficeRegister } from './ports';

export const PUBLICATION_POINTS_SETTING = 'office.publicationPoints';

const NONE: PublicationPoints = { crl: [], caIssuers: [] };

/** The saved places (as URIs), or none. A malformed value is an error, never silently none. */
export function officePublicationPoints(register: Pick<OfficeRegister, 'settings'>): PublicationPoints {
  const saved = register.settings.get(PUBLICATION_POINTS_SETTING);
  if (saved === undefined) return NONE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(saved);
  } catch (cause) {
    throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${PUBLICATION_POINTS_SETTING} is not readable` }, { cause });
  }
  const list = (value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${PUBLICATION_POINTS_SETTING} is not readable` });
    return value as string[];
  };
  const record = parsed as { crl?: unknown; caIssuers?: unknown } | null;
  return { crl: list(record?.crl), caIssuers: list(record?.caIssuers) };
}

/** The office sets the places (each normalised to the URI certificates will carry); audited. */
export function setOfficePublicationPoints(register: Pick<OfficeRegister, 'settings' | 'audit' | 'transaction'>, points: PublicationPoints, actor: Actor): PublicationPoints {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action: 'SETTING_CHANGED' });
  const unique = (values: readonly string[]): string[] => [...new Set(values.map(publicationUri))];
  const next: PublicationPoints = { crl: unique(points.crl), caIssuers: unique(points.caIssuers) };
  const previous = officePublicationPoints(register);
  register.transaction(() => {
    register.settings.set(PUBLICATION_POINTS_SETTING, JSON.stringify(next));
    register.audit.append({
      actor,
      action: 'SETTING_CHANGED',
      subject: PUBLICATION_POINTS_SETTING,
      details: { previous: { crl: [...previous.crl], caIssuers: [...previous.caIssuers] }, crl: [...next.crl], caIssuers: [...next.caIssuers] },
    });
  });
  return next;
}

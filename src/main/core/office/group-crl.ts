/**
 * The group CRL a workstation holds (issue 16, PAdES B-LT): imported with the register
 * snapshot from the office's publication (group-seal-ca.crl), checked against the pinned
 * group root, never replaced by an older one. Stamping embeds it in each sealed file's DSS
 * so the file validates offline on its own.
 */
import { YinjianError } from '../../../shared/errors/index';
import { parseCrl, verifyCrl, type CrlInfo } from '../pki/index';
import type { Actor } from '../register/index';
import { pinnedGroupRoot, type WorkstationRegister } from './workstation-trust';

export const GROUP_CRL_SETTING = 'trust.groupCrl';

/** The CRL this workstation holds (DER), if any. */
export function heldGroupCrl(register: Pick<WorkstationRegister, 'settings'>): Uint8Array | undefined {
  const saved = register.settings.get(GROUP_CRL_SETTING);
  return saved === undefined ? undefined : new Uint8Array(Buffer.from(saved, 'base64'));
}

/** Stores `der` when it is the pinned root's, readable, and not older than the one held. */
export function storeGroupCrl(register: Pick<WorkstationRegister, 'settings' | 'audit' | 'transaction'>, der: Uint8Array, actor: Actor, at: Date): CrlInfo {
  const root = pinnedGroupRoot(register);
  if (!root) throw new YinjianError('SNAPSHOT_ROOT_NOT_PINNED');
  let crl: CrlInfo;
  try {
    crl = parseCrl(der);
  } catch (cause) {
    throw new YinjianError('GROUP_CRL_REFUSED', { detail: 'not a DER X.509 CRL' }, { cause });
  }
  const check = verifyCrl(crl, root);
  if (!check.valid) throw new YinjianError('GROUP_CRL_REFUSED', { detail: check.findings.map((f) => f.code).join(', ') });
  const heldDer = heldGroupCrl(register);
  if (heldDer) {
    const held = parseCrl(heldDer);
    if ((held.crlNumber ?? -1n) > (crl.crlNumber ?? -1n)) throw new YinjianError('GROUP_CRL_REFUSED', { detail: `CRL number ${String(crl.crlNumber)} is older than the held ${String(held.crlNumber)}` });
  }
  register.transaction(() => {
    register.settings.set(GROUP_CRL_SETTING, Buffer.from(der).toString('base64'));
    register.audit.append({ actor, action: 'SETTING_CHANGED', subject: GROUP_CRL_SETTING, at, details: { crlNumber: String(crl.crlNumber ?? ''), thisUpdate: crl.thisUpdate.toISOString() } });
  });
  return crl;
}

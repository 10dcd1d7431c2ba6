import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import type { Actor, KeyType, SealCertificate } from '../../../src/main/core/register/index';
import { tempRegisterDir } from './temp-register';

export const OFFICE: Actor = { name: '王秘书', staffId: 'P0001', office: true };
export const CLERK: Actor = { name: '李文员', staffId: 'C0100' };

/** A controllable clock: tests move time explicitly. */
export function pinnedClock(start: string): { now: () => Date; set(iso: string): void } {
  let current = new Date(start);
  return { now: () => new Date(current), set: (iso) => void (current = new Date(iso)) };
}

/**
 * A certificate record. The register stores the DER as an opaque blob and never parses it,
 * so distinct bytes per serial are all the register needs to tell certificates apart.
 */
export function certificate(serial: string, tokenSerial: string, validFrom = '2026-07-01T00:00:00.000Z', validTo = '2029-07-01T00:00:00.000Z', keyType: KeyType = 'EC_P256'): SealCertificate {
  return {
    serial,
    der: new Uint8Array(createHash('sha256').update(`certificate ${serial}`).digest()),
    validFrom: new Date(validFrom),
    validTo: new Date(validTo),
    keyType,
    tokenSerial,
  };
}

export interface Fixture {
  register: SealRegister;
  path: string;
  clock: ReturnType<typeof pinnedClock>;
  /** Opens the same file again (after `register.close()`), replacing `register`. */
  reopen(): SealRegister;
  dispose(): void;
}

/** A real register file with a company, a department, their custodians and a workstation. */
export function registerWithOrganisation(): Fixture {
  const tmp = tempRegisterDir();
  const path = tmp.file();
  const clock = pinnedClock('2026-07-01T08:00:00.000Z');
  const register = openRegister(path, { clock: clock.now });
  register.units.add({ id: 'U-CO', code: 'HQ-CO-01', name: '华东分公司', kind: 'company' }, OFFICE);
  register.units.add({ id: 'U-DEPT', code: 'HQ-FIN', name: '集团财务部', kind: 'department' }, OFFICE);
  register.custodians.add({ staffId: 'S100', name: '张保管', unitId: 'U-CO' }, OFFICE);
  register.custodians.add({ staffId: 'S200', name: '赵保管', unitId: 'U-DEPT' }, OFFICE);
  register.workstations.add({ id: 'WS-1', name: '财务部专用机', machineId: 'machine-aaaa', registeredAt: clock.now() }, OFFICE);
  const fixture: Fixture = {
    register,
    path,
    clock,
    reopen: () => {
      fixture.register = openRegister(path, { clock: clock.now });
      return fixture.register;
    },
    dispose: () => {
      try {
        fixture.register.close();
      } finally {
        tmp.dispose();
      }
    },
  };
  return fixture;
}

/** Every row of every table, read through a separate connection, for "nothing changed" checks. */
export function dumpRegister(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
    }
    return JSON.stringify(out, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
  } finally {
    db.close();
  }
}

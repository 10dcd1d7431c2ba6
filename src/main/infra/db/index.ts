/**
 * The seal register (登记簿): one SQLite file holding units, custodians, workstations, seals
 * and their certificates, lifecycle records, delegations, use requests, the usage register,
 * the hash-chained audit log, imported office snapshots, USB keys and settings.
 */
import type Database from 'better-sqlite3';
import { AuditLog } from './audit-log';
import { openRegisterDatabase, type OpenRegisterOptions } from './connection';
import { Delegations } from './delegations';
import { Custodians, Units, Workstations } from './organisation';
import { SealLifecycle } from './seal-lifecycle';
import { LifecycleEvents, Seals } from './seals';
import { Settings } from './settings';
import { SnapshotMirror } from './snapshot-mirror';
import { SnapshotStore } from './snapshot-store';
import { registerTransaction } from './transaction';
import { UsageRegister, UseRequests } from './usage-register';
import { UsbKeys } from './usb-keys';

export { REGISTER_APPLICATION_ID, openRegisterDatabase, type OpenRegisterOptions } from './connection';
export { LATEST_REGISTER_VERSION, MIGRATIONS, migrateRegister } from './migrations/index';
export type { AuditAppend } from './audit-log';
export type { IssueSeal } from './seal-lifecycle';
export type { LifecycleEventRecord } from './seals';
export type { StoredSnapshot } from './snapshot-store';
export type { MirrorImpressions, MirrorSummary } from './snapshot-mirror';
export type { StampingRecord, UsageFilter } from './usage-register';
export type { UsbKeyRecord } from './usb-keys';
export { AuditLog, Custodians, Delegations, LifecycleEvents, SealLifecycle, Seals, Settings, SnapshotMirror, SnapshotStore, Units, UsageRegister, UseRequests, UsbKeys, Workstations };

export interface SealRegister {
  readonly path: string;
  readonly units: Units;
  readonly custodians: Custodians;
  readonly workstations: Workstations;
  readonly seals: Seals;
  /** Issue, change, re-issue, loss and cancellation of seals (M1, S2–S5). */
  readonly lifecycle: SealLifecycle;
  readonly lifecycleEvents: LifecycleEvents;
  readonly delegations: Delegations;
  readonly useRequests: UseRequests;
  readonly usage: UsageRegister;
  readonly audit: AuditLog;
  readonly snapshots: SnapshotStore;
  /** A workstation's replica of the imported snapshot's filing (seals, certificates, delegations). */
  readonly mirror: SnapshotMirror;
  readonly settings: Settings;
  /** Also the FirstUseLedger port (M4). */
  readonly usbKeys: UsbKeys;
  /** Runs `fn` as one transaction spanning several repositories. */
  transaction<R>(fn: () => R): R;
  close(): void;
}

export interface SealRegisterOptions extends OpenRegisterOptions {
  /** The register's clock; tests pin it. */
  readonly clock?: () => Date;
}

/** Opens (creating or migrating as needed) the register at `path`. */
export function openRegister(path: string, options: SealRegisterOptions = {}): SealRegister {
  const db: Database.Database = openRegisterDatabase(path, options);
  const clock = options.clock ?? (() => new Date());
  const audit = new AuditLog(db, clock);
  const units = new Units(db, audit);
  const custodians = new Custodians(db, audit);
  const workstations = new Workstations(db, audit);
  const seals = new Seals(db);
  const usbKeys = new UsbKeys(db, audit);
  const useRequests = new UseRequests(db, seals, audit, clock);
  return {
    path,
    units,
    custodians,
    workstations,
    seals,
    lifecycle: new SealLifecycle(db, { units, custodians, workstations, seals, usbKeys, audit }, clock),
    lifecycleEvents: new LifecycleEvents(db),
    delegations: new Delegations(db, seals, audit, clock),
    useRequests,
    usage: new UsageRegister(db, seals, useRequests, audit),
    audit,
    snapshots: new SnapshotStore(db, audit),
    mirror: new SnapshotMirror(db),
    settings: new Settings(db),
    usbKeys,
    transaction: <R>(fn: () => R): R => registerTransaction(db, fn)(),
    close: () => db.close(),
  };
}

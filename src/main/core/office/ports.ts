/**
 * What the office services need from the outside, as ports (architecture.md: core reaches
 * the world only through interfaces it defines). The SQLite SealRegister of infra/db and the
 * PKCS#11 UsbKeyPort satisfy them structurally; tests may hand in the same real components.
 */
import type { AuditAction, AuditDetails } from '../register/audit-chain';
import type { SealUseDecision, DelegationDraft } from '../register/seal-use';
import type {
  Actor,
  Approval,
  CertificateRecord,
  Custodian,
  Delegation,
  Person,
  Seal,
  SealAppearance,
  SealCertificate,
  Unit,
  Workstation,
} from '../register/types';
import type { LifecycleEventKind } from '../register/seal-lifecycle';
import type { SealKind } from '../appearance/index';

export interface OfficeAuditEntry {
  readonly actor: Actor;
  readonly action: AuditAction;
  readonly subject: string;
  readonly details?: AuditDetails;
  readonly at?: Date;
}

/** The settings the office and the workstations keep with the register (text values). */
export interface RegisterSettingsPort {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export interface RegisterAuditPort {
  append(entry: OfficeAuditEntry): { readonly seq: number };
}

export interface NewSeal {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly unitId: string;
  readonly custodianStaffId: string;
  readonly workstationId?: string | null;
  readonly certificate: SealCertificate;
  readonly appearance?: SealAppearance;
  readonly approval?: Partial<Approval>;
}

/** The office's register (登记簿), as the office services use it. */
export interface OfficeRegister {
  readonly units: { get(id: string): Unit | undefined; add(unit: Unit, actor: Actor): Unit };
  readonly custodians: { get(staffId: string): Custodian | undefined; add(custodian: Custodian, actor: Actor): Custodian };
  readonly workstations: { get(id: string): Workstation | undefined; add(workstation: Workstation, actor: Actor): Workstation };
  readonly seals: {
    holdingCode(code: string): Seal | undefined;
    withCode(code: string): Seal[];
    list(): Seal[];
    certificates(sealId: string): CertificateRecord[];
  };
  readonly lifecycle: {
    issue(command: NewSeal, actor: Actor): Seal;
    change(sealId: string, command: { approval?: Partial<Approval>; certificate: SealCertificate; name?: string; appearance?: SealAppearance }, actor: Actor): Seal;
    reissue(sealId: string, command: { approval?: Partial<Approval>; certificate: SealCertificate; cause: 'damage' | 'loss' }, actor: Actor): Seal;
    reportLoss(sealId: string, command: { approval?: Partial<Approval>; lostAt: Date }, actor: Actor): Seal;
    confirmLoss(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal;
    withdrawLoss(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal;
    cancel(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal;
    assignCustodian(sealId: string, staffId: string, approval: Partial<Approval> | undefined, actor: Actor): Seal;
    bindWorkstation(sealId: string, workstationId: string, approval: Partial<Approval> | undefined, actor: Actor): Seal;
  };
  readonly lifecycleEvents: {
    forSeal(sealId: string): { readonly event: LifecycleEventKind; readonly at: Date; readonly lostAt: Date | null }[];
  };
  readonly delegations: {
    create(sealId: string, id: string, draft: DelegationDraft, actor: Actor): Delegation;
    /** Ends a delegation early (M3); revoking twice changes nothing. */
    revoke(id: string, at: Date, actor: Actor): Delegation;
    forSeal(sealId: string): Delegation[];
    mayUse(person: Person, sealId: string, time: Date): SealUseDecision;
  };
  readonly settings: RegisterSettingsPort;
  readonly audit: RegisterAuditPort;
  transaction<R>(fn: () => R): R;
}

/** The generated seal impression for the register (U1): SVG is pure, PNG needs a rasteriser. */
export interface ImpressionRenderer {
  render(spec: { kind: SealKind; unitName: string; sealName: string; sealCode: string }): SealAppearance;
}

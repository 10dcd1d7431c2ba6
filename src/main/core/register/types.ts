/**
 * The register's domain records, as the rules and the repositories share them.
 * Times are Date in the domain; the database stores them as ISO-8601 UTC strings.
 */

/** A unit of the group: a company (集团所属公司) or a department of the group (集团各部门). */
export type UnitKind = 'company' | 'department';

/**
 * Who may approve proxy custody (M3): the general manager (总经理/总裁) for a company seal,
 * the department head (部门负责人) for a department seal.
 */
export type ApproverRole = 'general_manager' | 'department_head';

/** A person acting on the register; the audit log names them (M5). */
export interface Actor {
  readonly name: string;
  readonly staffId: string;
  /** The President's Office (总裁办公室) alone makes, changes and destroys seals (M1). */
  readonly office?: boolean;
}

/** A written application and the group's consent to it (S2, S3). */
export interface Approval {
  /** Reference of the written application / approval document. */
  readonly reference: string;
  /** Who approved it, by name. */
  readonly approver: string;
}

export interface Unit {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly kind: UnitKind;
}

export interface Custodian {
  readonly staffId: string;
  readonly name: string;
  readonly unitId: string;
}

export interface Workstation {
  readonly id: string;
  readonly name: string;
  /** The machine identity the binding is checked against (M4, S1). */
  readonly machineId: string;
  readonly registeredAt: Date;
}

/**
 * Where a seal stands in its life (S3–S5). The transitions are in seal-lifecycle.ts.
 * - ACTIVE: issued, its current certificate valid; may sign.
 * - LOST: loss reported (挂失); certificate revoked (keyCompromise) from the reported loss time.
 * - LOSS_CONFIRMED: the office confirmed the loss; awaits re-issue (补办) or cancellation.
 * - LOSS_WITHDRAWN: the office withdrew the report (key found). The certificate stays revoked,
 *   because a keyCompromise revocation cannot be undone (RFC 5280 §5.3.1: only certificateHold
 *   may be removed); the seal awaits re-issue or cancellation.
 * - CANCELLED: cancelled / destroyed (注销/销毁); terminal, can never sign again.
 */
export type SealState = 'ACTIVE' | 'LOST' | 'LOSS_CONFIRMED' | 'LOSS_WITHDRAWN' | 'CANCELLED';

export const SEAL_STATES: readonly SealState[] = ['ACTIVE', 'LOST', 'LOSS_CONFIRMED', 'LOSS_WITHDRAWN', 'CANCELLED'];

export type KeyType = 'RSA_2048' | 'RSA_3072' | 'EC_P256';

/** One certificate the seal has had; the current one plus every superseded or revoked one. */
export interface SealCertificate {
  readonly serial: string;
  readonly der: Uint8Array;
  readonly validFrom: Date;
  readonly validTo: Date;
  readonly keyType: KeyType;
  readonly tokenSerial: string;
}

export type RevocationReason = 'superseded' | 'keyCompromise' | 'cessationOfOperation';

export interface CertificateRecord extends SealCertificate {
  readonly sealId: string;
  readonly issuedAt: Date;
  readonly revokedAt: Date | null;
  readonly revocationReason: RevocationReason | null;
}

export interface SealAppearance {
  readonly svg: string | null;
  readonly png: Uint8Array | null;
}

export interface Seal {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly unitId: string;
  readonly kind: UnitKind;
  readonly state: SealState;
  /** Exactly one registered custodian (M2). */
  readonly custodianStaffId: string;
  /** The dedicated workstation the seal is bound to (M4), once bound. */
  readonly workstationId: string | null;
  readonly certificate: SealCertificate;
  readonly appearance: SealAppearance;
  /** The approval the seal was last issued, changed or re-issued under (S2, S3). */
  readonly approval: Approval;
  readonly updatedAt: Date;
}

export interface Delegation {
  readonly id: string;
  readonly sealId: string;
  readonly proxyStaffId: string;
  readonly proxyName: string;
  readonly approverName: string;
  readonly approverStaffId: string;
  readonly approverRole: ApproverRole;
  readonly reason: string;
  /** The window is half-open: [startsAt, endsAt). */
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** A person asking whether they may use a seal. */
export interface Person {
  readonly staffId: string;
  readonly name: string;
}

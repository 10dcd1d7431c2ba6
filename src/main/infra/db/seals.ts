import type Database from 'better-sqlite3';
import { YinjianError } from '../../../shared/errors/index';
import type {
  CertificateRecord,
  KeyType,
  LifecycleEventKind,
  RevocationReason,
  Seal,
  SealState,
  UnitKind,
} from '../../core/register/index';
import { bytesOf, timeOf, timeOrNull } from './column-codec';

export interface SealRow {
  id: string;
  code: string;
  name: string;
  unit_id: string;
  kind: UnitKind;
  state: SealState;
  custodian_staff_id: string;
  workstation_id: string | null;
  cert_serial: string;
  cert_der: Buffer;
  valid_from: string;
  valid_to: string;
  key_type: KeyType;
  token_serial: string;
  appearance_svg: string | null;
  appearance_png: Buffer | null;
  approval_ref: string;
  approver: string;
  created_at: string;
  updated_at: string;
}

export function sealOf(r: SealRow): Seal {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    unitId: r.unit_id,
    kind: r.kind,
    state: r.state,
    custodianStaffId: r.custodian_staff_id,
    workstationId: r.workstation_id,
    certificate: {
      serial: r.cert_serial,
      der: bytesOf(r.cert_der),
      validFrom: timeOf(r.valid_from),
      validTo: timeOf(r.valid_to),
      keyType: r.key_type,
      tokenSerial: r.token_serial,
    },
    appearance: { svg: r.appearance_svg, png: r.appearance_png === null ? null : bytesOf(r.appearance_png) },
    approval: { reference: r.approval_ref, approver: r.approver },
    updatedAt: timeOf(r.updated_at),
  };
}

interface CertificateRow {
  serial: string;
  seal_id: string;
  der: Buffer;
  valid_from: string;
  valid_to: string;
  key_type: KeyType;
  token_serial: string;
  issued_at: string;
  revoked_at: string | null;
  revocation_reason: RevocationReason | null;
}

function certificateOf(r: CertificateRow): CertificateRecord {
  return {
    serial: r.serial,
    sealId: r.seal_id,
    der: bytesOf(r.der),
    validFrom: timeOf(r.valid_from),
    validTo: timeOf(r.valid_to),
    keyType: r.key_type,
    tokenSerial: r.token_serial,
    issuedAt: timeOf(r.issued_at),
    revokedAt: timeOrNull(r.revoked_at),
    revocationReason: r.revocation_reason,
  };
}

/** The seals of the register, read side. Lifecycle changes go through SealLifecycle. */
export class Seals {
  private readonly byId: Database.Statement<[string], SealRow>;
  private readonly byCode: Database.Statement<[string], SealRow>;
  private readonly every: Database.Statement<[], SealRow>;
  private readonly certsOfSeal: Database.Statement<[string], CertificateRow>;
  private readonly certBySerial: Database.Statement<[string], CertificateRow>;

  constructor(db: Database.Database) {
    this.byId = db.prepare('SELECT * FROM seals WHERE id = ?');
    this.byCode = db.prepare('SELECT * FROM seals WHERE code = ? ORDER BY created_at');
    this.every = db.prepare('SELECT * FROM seals ORDER BY code, created_at');
    this.certsOfSeal = db.prepare('SELECT * FROM seal_certificates WHERE seal_id = ? ORDER BY issued_at, rowid');
    this.certBySerial = db.prepare('SELECT * FROM seal_certificates WHERE serial = ?');
  }

  get(id: string): Seal | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : sealOf(row);
  }

  require(id: string): Seal {
    const seal = this.get(id);
    if (seal === undefined) throw new YinjianError('SEAL_NOT_FOUND', { seal: id });
    return seal;
  }

  /** Every seal that ever carried the code, cancelled ones included. */
  withCode(code: string): Seal[] {
    return this.byCode.all(code).map(sealOf);
  }

  /** The seal currently holding the code (not cancelled), if any. */
  holdingCode(code: string): Seal | undefined {
    return this.withCode(code).find((s) => s.state !== 'CANCELLED');
  }

  list(filter: { unitId?: string; state?: SealState } = {}): Seal[] {
    return this.every
      .all()
      .map(sealOf)
      .filter((s) => (filter.unitId === undefined || s.unitId === filter.unitId) && (filter.state === undefined || s.state === filter.state));
  }

  /** Every certificate the seal has had, oldest first, with revocation time and reason. */
  certificates(sealId: string): CertificateRecord[] {
    return this.certsOfSeal.all(sealId).map(certificateOf);
  }

  certificate(serial: string): CertificateRecord | undefined {
    const row = this.certBySerial.get(serial);
    return row === undefined ? undefined : certificateOf(row);
  }
}

interface LifecycleRow {
  id: number;
  seal_id: string;
  event: LifecycleEventKind;
  from_state: SealState | null;
  to_state: SealState;
  application_ref: string;
  approver: string;
  actor_name: string;
  actor_staff_id: string;
  at: string;
  lost_at: string | null;
  certificate_serial: string | null;
  audit_seq: number;
}

export interface LifecycleEventRecord {
  readonly id: number;
  readonly sealId: string;
  readonly event: LifecycleEventKind;
  readonly from: SealState | null;
  readonly to: SealState;
  readonly applicationReference: string;
  readonly approver: string;
  readonly actorName: string;
  readonly actorStaffId: string;
  readonly at: Date;
  readonly lostAt: Date | null;
  readonly certificateSerial: string | null;
  readonly auditSeq: number;
}

/** The filed history of each seal (M1 备案): every issue, change, loss, re-issue and cancel. */
export class LifecycleEvents {
  private readonly ofSeal: Database.Statement<[string], LifecycleRow>;

  constructor(db: Database.Database) {
    this.ofSeal = db.prepare('SELECT * FROM lifecycle_events WHERE seal_id = ? ORDER BY id');
  }

  forSeal(sealId: string): LifecycleEventRecord[] {
    return this.ofSeal.all(sealId).map((r) => ({
      id: r.id,
      sealId: r.seal_id,
      event: r.event,
      from: r.from_state,
      to: r.to_state,
      applicationReference: r.application_ref,
      approver: r.approver,
      actorName: r.actor_name,
      actorStaffId: r.actor_staff_id,
      at: timeOf(r.at),
      lostAt: timeOrNull(r.lost_at),
      certificateSerial: r.certificate_serial,
      auditSeq: r.audit_seq,
    }));
  }
}

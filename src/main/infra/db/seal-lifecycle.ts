import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { YinjianError } from '../../../shared/errors/index';
import {
  planCustodyChange,
  planIssue,
  planTransition,
  planWorkstationBinding,
  type Actor,
  type Approval,
  type AuditAction,
  type LifecycleCommand,
  type LifecycleEventKind,
  type Seal,
  type SealAppearance,
  type SealCertificate,
  type TransitionPlan,
} from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { blob, isoTime, requireText } from './column-codec';
import type { Custodians, Units, Workstations } from './organisation';
import type { Seals } from './seals';
import type { UsbKeys } from './usb-keys';

export interface IssueSeal {
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

const AUDIT_ACTION_OF: Readonly<Record<LifecycleEventKind, AuditAction>> = {
  ISSUE: 'SEAL_ISSUED',
  CHANGE: 'SEAL_CHANGED',
  REISSUE: 'SEAL_REISSUED',
  REPORT_LOSS: 'SEAL_LOSS_REPORTED',
  CONFIRM_LOSS: 'SEAL_LOSS_CONFIRMED',
  WITHDRAW_LOSS: 'SEAL_LOSS_WITHDRAWN',
  CANCEL: 'SEAL_CANCELLED',
};

interface Repositories {
  readonly units: Units;
  readonly custodians: Custodians;
  readonly workstations: Workstations;
  readonly seals: Seals;
  readonly usbKeys: UsbKeys;
  readonly audit: AuditLog;
}

/**
 * The office's lifecycle operations on seals (M1, S2–S5). The pure rules in
 * core/register/seal-lifecycle.ts decide; this applies the decision in one transaction:
 * seal row, certificate history, lifecycle record, audit rows and key record commit
 * together or not at all, so a refused or failed operation leaves the register unchanged.
 */
export class SealLifecycle {
  private readonly insertSeal: Database.Statement;
  private readonly insertCertificate: Database.Statement;
  private readonly revokeCertificate: Database.Statement;
  private readonly updateSeal: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly setCustodian: Database.Statement<{ id: string; staff_id: string; now: string }>;
  private readonly setWorkstation: Database.Statement<{ id: string; workstation_id: string; now: string }>;
  private readonly custodyInTransaction: (sealId: string, staffId: string, approval: Partial<Approval> | undefined, actor: Actor) => Seal;
  private readonly bindingInTransaction: (sealId: string, workstationId: string, approval: Partial<Approval> | undefined, actor: Actor) => Seal;
  private readonly issueInTransaction: (command: IssueSeal, actor: Actor) => Seal;
  private readonly applyInTransaction: (sealId: string, command: LifecycleCommand, extra: { appearance?: SealAppearance }, actor: Actor) => Seal;

  constructor(
    db: Database.Database,
    private readonly repos: Repositories,
    private readonly clock: () => Date,
  ) {
    this.insertSeal = db.prepare(
      `INSERT INTO seals (id, code, name, unit_id, kind, state, custodian_staff_id, workstation_id, cert_serial, cert_der,
         valid_from, valid_to, key_type, token_serial, appearance_svg, appearance_png, approval_ref, approver, created_at, updated_at)
       VALUES (@id, @code, @name, @unit_id, @kind, 'ACTIVE', @custodian_staff_id, @workstation_id, @cert_serial, @cert_der,
         @valid_from, @valid_to, @key_type, @token_serial, @appearance_svg, @appearance_png, @approval_ref, @approver, @now, @now)`,
    );
    this.insertCertificate = db.prepare(
      `INSERT INTO seal_certificates (serial, seal_id, der, valid_from, valid_to, key_type, token_serial, issued_at)
       VALUES (@serial, @seal_id, @der, @valid_from, @valid_to, @key_type, @token_serial, @issued_at)`,
    );
    this.revokeCertificate = db.prepare(
      `UPDATE seal_certificates SET revoked_at = @revoked_at, revocation_reason = @reason
       WHERE serial = @serial AND revoked_at IS NULL`,
    );
    this.updateSeal = db.prepare(
      `UPDATE seals SET state = @state, name = @name, cert_serial = @cert_serial, cert_der = @cert_der,
         valid_from = @valid_from, valid_to = @valid_to, key_type = @key_type, token_serial = @token_serial,
         appearance_svg = @appearance_svg, appearance_png = @appearance_png,
         approval_ref = @approval_ref, approver = @approver, updated_at = @now
       WHERE id = @id`,
    );
    this.insertEvent = db.prepare(
      `INSERT INTO lifecycle_events (seal_id, event, from_state, to_state, application_ref, approver, actor_name,
         actor_staff_id, at, lost_at, certificate_serial, audit_seq)
       VALUES (@seal_id, @event, @from_state, @to_state, @application_ref, @approver, @actor_name,
         @actor_staff_id, @at, @lost_at, @certificate_serial, @audit_seq)`,
    );
    this.setCustodian = db.prepare('UPDATE seals SET custodian_staff_id = @staff_id, updated_at = @now WHERE id = @id');
    this.setWorkstation = db.prepare('UPDATE seals SET workstation_id = @workstation_id, updated_at = @now WHERE id = @id');
    this.custodyInTransaction = registerTransaction(db, (sealId: string, staffId: string, approval: Partial<Approval> | undefined, actor: Actor) => {
      const seal = this.repos.seals.require(sealId);
      const custodian = this.repos.custodians.require(staffId);
      const unit = this.repos.units.require(seal.unitId);
      const approved = planCustodyChange(seal, custodian, unit.code, actor, approval);
      const now = this.clock();
      this.setCustodian.run({ id: seal.id, staff_id: custodian.staffId, now: isoTime(now, 'now') });
      this.repos.audit.append({
        actor,
        action: 'CUSTODIAN_ASSIGNED',
        subject: seal.code,
        at: now,
        details: { sealId: seal.id, from: seal.custodianStaffId, to: custodian.staffId, applicationRef: approved.reference, approver: approved.approver },
      });
      return this.repos.seals.require(seal.id);
    });
    this.bindingInTransaction = registerTransaction(db, (sealId: string, workstationId: string, approval: Partial<Approval> | undefined, actor: Actor) => {
      const seal = this.repos.seals.require(sealId);
      const workstation = this.repos.workstations.get(workstationId);
      if (workstation === undefined) throw new YinjianError('WORKSTATION_NOT_FOUND', { workstation: workstationId });
      const approved = planWorkstationBinding(seal, actor, approval);
      const now = this.clock();
      this.setWorkstation.run({ id: seal.id, workstation_id: workstation.id, now: isoTime(now, 'now') });
      this.repos.audit.append({
        actor,
        action: 'WORKSTATION_BOUND',
        subject: seal.code,
        at: now,
        details: { sealId: seal.id, from: seal.workstationId, to: workstation.id, machineId: workstation.machineId, applicationRef: approved.reference, approver: approved.approver },
      });
      return this.repos.seals.require(seal.id);
    });
    this.issueInTransaction = registerTransaction(db, (command: IssueSeal, actor: Actor) => this.issueNow(command, actor));
    this.applyInTransaction = registerTransaction(
      db,
      (sealId: string, command: LifecycleCommand, extra: { appearance?: SealAppearance }, actor: Actor) =>
        this.applyNow(sealId, command, extra, actor),
    );
  }

  /** S2, M1: makes a new seal with its first certificate; its key starts with an initial PIN (M4). */
  issue(command: IssueSeal, actor: Actor): Seal {
    return this.issueInTransaction(command, actor);
  }

  /** S3 变更: re-issue with new data; the old certificate is revoked as superseded. */
  change(sealId: string, command: { approval?: Partial<Approval>; certificate: SealCertificate; name?: string; appearance?: SealAppearance }, actor: Actor): Seal {
    const { appearance, ...rest } = command;
    return this.applyInTransaction(sealId, { event: 'CHANGE', ...rest }, appearance === undefined ? {} : { appearance }, actor);
  }

  /** S4, S5 补办: a new key pair on a new USB key, same seal identity, old certificate superseded. */
  reissue(sealId: string, command: { approval?: Partial<Approval>; certificate: SealCertificate; cause: 'damage' | 'loss' }, actor: Actor): Seal {
    return this.applyInTransaction(sealId, { event: 'REISSUE', ...command }, {}, actor);
  }

  /** S5 挂失: revoked at once (keyCompromise) from the reported loss time. */
  reportLoss(sealId: string, command: { approval?: Partial<Approval>; lostAt: Date }, actor: Actor): Seal {
    return this.applyInTransaction(sealId, { event: 'REPORT_LOSS', ...command }, {}, actor);
  }

  /** S5: the office confirms a reported loss; the report stays on record. */
  confirmLoss(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal {
    return this.applyInTransaction(sealId, { event: 'CONFIRM_LOSS', ...command }, {}, actor);
  }

  /** S5: the office withdraws a loss report; both records stay, the certificate stays revoked. */
  withdrawLoss(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal {
    return this.applyInTransaction(sealId, { event: 'WITHDRAW_LOSS', ...command }, {}, actor);
  }

  /** S3 注销/销毁: revoked (cessationOfOperation); the seal can never sign again. */
  cancel(sealId: string, command: { approval?: Partial<Approval> }, actor: Actor): Seal {
    return this.applyInTransaction(sealId, { event: 'CANCEL', ...command }, {}, actor);
  }

  /** M2: the seal's one registered custodian becomes `staffId` (same unit). */
  assignCustodian(sealId: string, staffId: string, approval: Partial<Approval> | undefined, actor: Actor): Seal {
    return this.custodyInTransaction(sealId, staffId, approval, actor);
  }

  /** M4, S1: binds the seal to its dedicated workstation. */
  bindWorkstation(sealId: string, workstationId: string, approval: Partial<Approval> | undefined, actor: Actor): Seal {
    return this.bindingInTransaction(sealId, workstationId, approval, actor);
  }

  private issueNow(command: IssueSeal, actor: Actor): Seal {
    requireText('seal.id', command.id);
    requireText('seal.code', command.code);
    requireText('seal.name', command.name);
    const unit = this.repos.units.require(command.unitId);
    const custodian = this.repos.custodians.require(command.custodianStaffId);
    const workstationId = command.workstationId ?? null;
    if (workstationId !== null && this.repos.workstations.get(workstationId) === undefined) {
      throw new YinjianError('WORKSTATION_NOT_FOUND', { workstation: workstationId });
    }
    const approval = planIssue(
      {
        seal: { id: command.id, code: command.code, name: command.name, kind: unit.kind, custodianStaffId: custodian.staffId },
        unit,
        custodianUnitId: custodian.unitId,
        certificate: command.certificate,
        approval: command.approval,
      },
      actor,
      this.repos.seals.withCode(command.code),
    );
    const now = this.clock();
    const cert = command.certificate;
    this.insertSeal.run({
      id: command.id,
      code: command.code,
      name: command.name,
      unit_id: unit.id,
      kind: unit.kind,
      custodian_staff_id: custodian.staffId,
      workstation_id: workstationId,
      cert_serial: cert.serial,
      cert_der: blob(cert.der),
      valid_from: isoTime(cert.validFrom, 'validFrom'),
      valid_to: isoTime(cert.validTo, 'validTo'),
      key_type: cert.keyType,
      token_serial: cert.tokenSerial,
      appearance_svg: command.appearance?.svg ?? null,
      appearance_png: command.appearance?.png ? blob(command.appearance.png) : null,
      approval_ref: approval.reference,
      approver: approval.approver,
      now: isoTime(now, 'now'),
    });
    this.installCertificate(command.id, cert, now);
    const audited = this.repos.audit.append({
      actor,
      action: 'SEAL_ISSUED',
      subject: command.code,
      at: now,
      details: { sealId: command.id, unit: unit.code, kind: unit.kind, custodian: custodian.staffId, certificateSerial: cert.serial, tokenSerial: cert.tokenSerial, applicationRef: approval.reference, approver: approval.approver },
    });
    this.recordEvent(command.id, 'ISSUE', null, 'ACTIVE', approval, actor, now, null, cert.serial, audited.seq);
    this.repos.usbKeys.recordIssued({ tokenSerial: cert.tokenSerial, sealId: command.id, at: now }, actor);
    return this.repos.seals.require(command.id);
  }

  private applyNow(sealId: string, command: LifecycleCommand, extra: { appearance?: SealAppearance }, actor: Actor): Seal {
    const seal = this.repos.seals.require(sealId);
    const now = this.clock();
    const plan = planTransition(seal, command, actor, now);
    if (plan.revokeCurrent !== null) {
      this.revokeCertificate.run({ serial: seal.certificate.serial, revoked_at: isoTime(plan.revokeCurrent.at, 'revokedAt'), reason: plan.revokeCurrent.reason });
    }
    const cert = plan.install ?? seal.certificate;
    if (plan.install !== null) this.installCertificate(seal.id, plan.install, now);
    const appearance = extra.appearance ?? seal.appearance;
    this.updateSeal.run({
      id: seal.id,
      state: plan.to,
      name: command.event === 'CHANGE' && command.name !== undefined ? requireText('seal.name', command.name) : seal.name,
      cert_serial: cert.serial,
      cert_der: blob(cert.der),
      valid_from: isoTime(cert.validFrom, 'validFrom'),
      valid_to: isoTime(cert.validTo, 'validTo'),
      key_type: cert.keyType,
      token_serial: cert.tokenSerial,
      appearance_svg: appearance.svg,
      appearance_png: appearance.png === null ? null : blob(appearance.png),
      approval_ref: plan.approval.reference,
      approver: plan.approval.approver,
      now: isoTime(now, 'now'),
    });
    const audited = this.auditPlan(seal, plan, actor, now);
    this.recordEvent(seal.id, plan.event, plan.from, plan.to, plan.approval, actor, now, plan.lostAt, plan.install?.serial ?? null, audited);
    if (plan.install !== null) {
      this.repos.usbKeys.recordIssued({ tokenSerial: plan.install.tokenSerial, sealId: seal.id, at: now }, actor);
    }
    return this.repos.seals.require(seal.id);
  }

  private auditPlan(seal: Seal, plan: TransitionPlan, actor: Actor, now: Date): number {
    if (plan.revokeCurrent !== null) {
      this.repos.audit.append({
        actor,
        action: 'SEAL_REVOKED',
        subject: seal.code,
        at: now,
        details: { sealId: seal.id, certificateSerial: seal.certificate.serial, reason: plan.revokeCurrent.reason, revokedAt: plan.revokeCurrent.at.toISOString() },
      });
    }
    return this.repos.audit.append({
      actor,
      action: AUDIT_ACTION_OF[plan.event],
      subject: seal.code,
      at: now,
      details: {
        sealId: seal.id,
        from: plan.from,
        to: plan.to,
        applicationRef: plan.approval.reference,
        approver: plan.approval.approver,
        lostAt: plan.lostAt?.toISOString(),
        newCertificateSerial: plan.install?.serial,
        newTokenSerial: plan.install?.tokenSerial,
      },
    }).seq;
  }

  private installCertificate(sealId: string, cert: SealCertificate, now: Date): void {
    requireText('certificate.serial', cert.serial);
    this.insertCertificate.run({
      serial: cert.serial,
      seal_id: sealId,
      der: blob(cert.der),
      valid_from: isoTime(cert.validFrom, 'validFrom'),
      valid_to: isoTime(cert.validTo, 'validTo'),
      key_type: cert.keyType,
      token_serial: cert.tokenSerial,
      issued_at: isoTime(now, 'issuedAt'),
    });
  }

  private recordEvent(
    sealId: string,
    event: LifecycleEventKind,
    from: string | null,
    to: string,
    approval: Approval,
    actor: Actor,
    at: Date,
    lostAt: Date | null,
    certificateSerial: string | null,
    auditSeq: number,
  ): void {
    this.insertEvent.run({
      seal_id: sealId,
      event,
      from_state: from,
      to_state: to,
      application_ref: approval.reference,
      approver: approval.approver,
      actor_name: actor.name,
      actor_staff_id: actor.staffId,
      at: isoTime(at, 'at'),
      lost_at: lostAt === null ? null : isoTime(lostAt, 'lostAt'),
      certificate_serial: certificateSerial,
      audit_seq: auditSeq,
    });
  }
}

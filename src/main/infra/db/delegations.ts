import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { YinjianError } from '../../../shared/errors/index';
import {
  mayUseSeal,
  validateDelegation,
  type Actor,
  type ApproverRole,
  type Delegation,
  type DelegationDraft,
  type Person,
  type SealUseDecision,
} from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { isoTime, requireText, timeOf, timeOrNull } from './column-codec';
import type { Seals } from './seals';

interface DelegationRow {
  id: string;
  seal_id: string;
  proxy_staff_id: string;
  proxy_name: string;
  approver_name: string;
  approver_staff_id: string;
  approver_role: ApproverRole;
  reason: string;
  starts_at: string;
  ends_at: string;
  created_at: string;
  revoked_at: string | null;
}

function delegationOf(r: DelegationRow): Delegation {
  return {
    id: r.id,
    sealId: r.seal_id,
    proxyStaffId: r.proxy_staff_id,
    proxyName: r.proxy_name,
    approverName: r.approver_name,
    approverStaffId: r.approver_staff_id,
    approverRole: r.approver_role,
    reason: r.reason,
    startsAt: timeOf(r.starts_at),
    endsAt: timeOf(r.ends_at),
    createdAt: timeOf(r.created_at),
    revokedAt: timeOrNull(r.revoked_at),
  };
}

/** Proxy custody of a seal (M3), and the answer to "may person P use seal S at time T". */
export class Delegations {
  private readonly byId: Database.Statement<[string], DelegationRow>;
  private readonly ofSeal: Database.Statement<[string], DelegationRow>;
  private readonly insert: Database.Statement<DelegationRow>;
  private readonly markRevoked: Database.Statement<{ id: string; revoked_at: string }>;
  private readonly createInTransaction: (sealId: string, id: string, draft: DelegationDraft, actor: Actor) => Delegation;
  private readonly revokeInTransaction: (id: string, at: Date, actor: Actor) => Delegation;

  constructor(
    db: Database.Database,
    private readonly seals: Seals,
    audit: AuditLog,
    private readonly clock: () => Date,
  ) {
    this.byId = db.prepare('SELECT * FROM delegations WHERE id = ?');
    this.ofSeal = db.prepare('SELECT * FROM delegations WHERE seal_id = ? ORDER BY starts_at, id');
    this.insert = db.prepare(
      `INSERT INTO delegations (id, seal_id, proxy_staff_id, proxy_name, approver_name, approver_staff_id, approver_role,
         reason, starts_at, ends_at, created_at, revoked_at)
       VALUES (@id, @seal_id, @proxy_staff_id, @proxy_name, @approver_name, @approver_staff_id, @approver_role,
         @reason, @starts_at, @ends_at, @created_at, @revoked_at)`,
    );
    this.markRevoked = db.prepare('UPDATE delegations SET revoked_at = @revoked_at WHERE id = @id AND revoked_at IS NULL');
    this.createInTransaction = registerTransaction(db, (sealId: string, id: string, draft: DelegationDraft, actor: Actor) => {
      requireText('delegation.id', id);
      const seal = this.seals.require(sealId);
      validateDelegation(seal, draft);
      this.insert.run({
        id,
        seal_id: seal.id,
        proxy_staff_id: draft.proxyStaffId,
        proxy_name: draft.proxyName,
        approver_name: draft.approverName,
        approver_staff_id: draft.approverStaffId,
        approver_role: draft.approverRole,
        reason: draft.reason,
        starts_at: isoTime(draft.startsAt, 'startsAt'),
        ends_at: isoTime(draft.endsAt, 'endsAt'),
        created_at: isoTime(this.clock(), 'createdAt'),
        revoked_at: null,
      });
      audit.append({
        actor,
        action: 'DELEGATION_CREATED',
        subject: seal.code,
        details: {
          delegationId: id,
          proxy: draft.proxyStaffId,
          approver: draft.approverStaffId,
          approverRole: draft.approverRole,
          reason: draft.reason,
          startsAt: draft.startsAt.toISOString(),
          endsAt: draft.endsAt.toISOString(),
        },
      });
      return this.require(id);
    });
    this.revokeInTransaction = registerTransaction(db, (id: string, at: Date, actor: Actor) => {
      const delegation = this.require(id);
      const seal = this.seals.require(delegation.sealId);
      if (this.markRevoked.run({ id, revoked_at: isoTime(at, 'revokedAt') }).changes === 1) {
        audit.append({ actor, action: 'DELEGATION_REVOKED', subject: seal.code, details: { delegationId: id, revokedAt: at.toISOString() } });
      }
      return this.require(id);
    });
  }

  /** M3: records an approved proxy for a seal; refused unless the approver fits the unit. */
  create(sealId: string, id: string, draft: DelegationDraft, actor: Actor): Delegation {
    return this.createInTransaction(sealId, id, draft, actor);
  }

  /** Ends a delegation early; revoking twice changes nothing. */
  revoke(id: string, at: Date, actor: Actor): Delegation {
    return this.revokeInTransaction(id, at, actor);
  }

  get(id: string): Delegation | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : delegationOf(row);
  }

  require(id: string): Delegation {
    const d = this.get(id);
    if (d === undefined) throw new YinjianError('DELEGATION_NOT_FOUND', { delegation: id });
    return d;
  }

  forSeal(sealId: string): Delegation[] {
    return this.ofSeal.all(sealId).map(delegationOf);
  }

  /** M3: may `person` use the seal at `time`? The custodian may; a proxy only in an approved window. */
  mayUse(person: Person, sealId: string, time: Date): SealUseDecision {
    return mayUseSeal(person, this.seals.require(sealId), time, this.forSeal(sealId));
  }
}

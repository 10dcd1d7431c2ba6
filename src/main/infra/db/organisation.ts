import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { YinjianError } from '../../../shared/errors/index';
import type { Actor, Custodian, Unit, UnitKind, Workstation } from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { isoTime, requireText, timeOf } from './column-codec';

interface UnitRow {
  id: string;
  code: string;
  name: string;
  kind: UnitKind;
}

/** The group's companies and departments. */
export class Units {
  private readonly byId: Database.Statement<[string], UnitRow>;
  private readonly every: Database.Statement<[], UnitRow>;
  private readonly insert: Database.Statement<UnitRow>;
  private readonly addInTransaction: (unit: Unit, actor: Actor) => Unit;

  constructor(db: Database.Database, audit: AuditLog) {
    this.byId = db.prepare('SELECT * FROM units WHERE id = ?');
    this.every = db.prepare('SELECT * FROM units ORDER BY code');
    this.insert = db.prepare('INSERT INTO units (id, code, name, kind) VALUES (@id, @code, @name, @kind)');
    this.addInTransaction = registerTransaction(db, (unit: Unit, actor: Actor) => {
      requireText('unit.id', unit.id);
      requireText('unit.code', unit.code);
      requireText('unit.name', unit.name);
      this.insert.run({ id: unit.id, code: unit.code, name: unit.name, kind: unit.kind });
      audit.append({ actor, action: 'UNIT_REGISTERED', subject: unit.code, details: { id: unit.id, kind: unit.kind, name: unit.name } });
      return unit;
    });
  }

  add(unit: Unit, actor: Actor): Unit {
    return this.addInTransaction(unit, actor);
  }

  get(id: string): Unit | undefined {
    return this.byId.get(id);
  }

  require(id: string): Unit {
    const unit = this.get(id);
    if (unit === undefined) throw new YinjianError('UNIT_NOT_FOUND', { unit: id });
    return unit;
  }

  list(): Unit[] {
    return this.every.all();
  }
}

interface CustodianRow {
  staff_id: string;
  name: string;
  unit_id: string;
}

const custodianOf = (r: CustodianRow): Custodian => ({ staffId: r.staff_id, name: r.name, unitId: r.unit_id });

/** The people a unit designates to keep its seals (M2). */
export class Custodians {
  private readonly byId: Database.Statement<[string], CustodianRow>;
  private readonly byUnit: Database.Statement<[string], CustodianRow>;
  private readonly insert: Database.Statement<CustodianRow>;
  private readonly addInTransaction: (custodian: Custodian, actor: Actor) => Custodian;

  constructor(db: Database.Database, audit: AuditLog) {
    this.byId = db.prepare('SELECT * FROM custodians WHERE staff_id = ?');
    this.byUnit = db.prepare('SELECT * FROM custodians WHERE unit_id = ? ORDER BY staff_id');
    this.insert = db.prepare('INSERT INTO custodians (staff_id, name, unit_id) VALUES (@staff_id, @name, @unit_id)');
    const unitCode = db.prepare<[string], { code: string }>('SELECT code FROM units WHERE id = ?');
    this.addInTransaction = registerTransaction(db, (c: Custodian, actor: Actor) => {
      requireText('custodian.staffId', c.staffId);
      requireText('custodian.name', c.name);
      const unit = unitCode.get(c.unitId);
      if (unit === undefined) throw new YinjianError('UNIT_NOT_FOUND', { unit: c.unitId });
      this.insert.run({ staff_id: c.staffId, name: c.name, unit_id: c.unitId });
      audit.append({ actor, action: 'CUSTODIAN_REGISTERED', subject: c.staffId, details: { name: c.name, unit: unit.code } });
      return c;
    });
  }

  add(custodian: Custodian, actor: Actor): Custodian {
    return this.addInTransaction(custodian, actor);
  }

  get(staffId: string): Custodian | undefined {
    const row = this.byId.get(staffId);
    return row === undefined ? undefined : custodianOf(row);
  }

  require(staffId: string): Custodian {
    const c = this.get(staffId);
    if (c === undefined) throw new YinjianError('CUSTODIAN_NOT_FOUND', { staffId });
    return c;
  }

  ofUnit(unitId: string): Custodian[] {
    return this.byUnit.all(unitId).map(custodianOf);
  }
}

interface WorkstationRow {
  id: string;
  name: string;
  machine_id: string;
  registered_at: string;
}

const workstationOf = (r: WorkstationRow): Workstation => ({
  id: r.id,
  name: r.name,
  machineId: r.machine_id,
  registeredAt: timeOf(r.registered_at),
});

/** The dedicated computers seals are bound to (M4, S1). */
export class Workstations {
  private readonly byId: Database.Statement<[string], WorkstationRow>;
  private readonly byMachine: Database.Statement<[string], WorkstationRow>;
  private readonly insert: Database.Statement<WorkstationRow>;
  private readonly addInTransaction: (w: Workstation, actor: Actor) => Workstation;

  constructor(db: Database.Database, audit: AuditLog) {
    this.byId = db.prepare('SELECT * FROM workstations WHERE id = ?');
    this.byMachine = db.prepare('SELECT * FROM workstations WHERE machine_id = ?');
    this.insert = db.prepare(
      'INSERT INTO workstations (id, name, machine_id, registered_at) VALUES (@id, @name, @machine_id, @registered_at)',
    );
    this.addInTransaction = registerTransaction(db, (w: Workstation, actor: Actor) => {
      requireText('workstation.id', w.id);
      requireText('workstation.machineId', w.machineId);
      this.insert.run({ id: w.id, name: w.name, machine_id: w.machineId, registered_at: isoTime(w.registeredAt, 'registeredAt') });
      audit.append({ actor, action: 'WORKSTATION_REGISTERED', subject: w.id, details: { name: w.name, machineId: w.machineId } });
      return w;
    });
  }

  add(workstation: Workstation, actor: Actor): Workstation {
    return this.addInTransaction(workstation, actor);
  }

  get(id: string): Workstation | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : workstationOf(row);
  }

  byMachineId(machineId: string): Workstation | undefined {
    const row = this.byMachine.get(machineId);
    return row === undefined ? undefined : workstationOf(row);
  }
}

import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditRowHash } from '../../../src/main/core/register/index';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { YinjianError } from '../../../src/shared/errors/index';
import { CLERK } from './register-fixture';
import { tempRegisterDir } from './temp-register';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof YinjianError) return e.code;
    throw e;
  }
  throw new Error('expected a YinjianError');
}

describe('audit log (M5) on a real register file', () => {
  let tmp: ReturnType<typeof tempRegisterDir>;
  let path: string;
  let register: SealRegister;

  beforeEach(() => {
    tmp = tempRegisterDir();
    path = tmp.file();
    register = openRegister(path);
    register.audit.append({ actor: CLERK, action: 'LOGIN', subject: 'TOKEN-A' });
    register.audit.append({ actor: CLERK, action: 'PIN_FAILED', subject: 'TOKEN-A', details: { triesLeft: 2 } });
    register.audit.append({ actor: CLERK, action: 'PIN_CHANGED', subject: 'TOKEN-A' });
    register.audit.append({ actor: CLERK, action: 'STAMP', subject: 'CO-01-GZ', details: { documentTitle: '关于年度预算的通知', pages: 3 } });
    register.audit.append({ actor: CLERK, action: 'LOGOUT', subject: 'TOKEN-A' });
    register.close();
  });
  afterEach(() => tmp.dispose());

  /** Tampering as an attacker with the file would: another connection, triggers dropped. */
  function tamper(sql: string): void {
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_append_only;');
    raw.exec(sql);
    raw.close();
  }

  /** `yinjian audit check` reads the register without writing to it. */
  function reopenAndVerify() {
    register = openRegister(path, { readonly: true });
    try {
      return register.audit.verify();
    } finally {
      register.close();
    }
  }

  it('an untouched chain verifies, each row linking to the one before', () => {
    const report = reopenAndVerify();
    expect(report).toMatchObject({ ok: true, rows: 5 });
    register = openRegister(path);
    const rows = register.audit.list();
    register.close();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
  });

  it('the triggers refuse UPDATE and DELETE through an ordinary connection', () => {
    const raw = new Database(path);
    expect(() => raw.exec("UPDATE audit_log SET subject = 'x' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
    expect(() => raw.exec("INSERT INTO audit_log VALUES (9, 't', 'a', 'b', 'LOGIN', 's', '{}', '" + '0'.repeat(64) + "', '" + '1'.repeat(64) + "')")).toThrow(/in sequence/);
    raw.close();
  });

  it('detects an edited row', () => {
    tamper("UPDATE audit_log SET details = '{\"documentTitle\":\"另一份文件\",\"pages\":3}' WHERE seq = 4");
    expect(reopenAndVerify()).toMatchObject({ ok: false, seq: 4, reason: 'edited' });
  });

  it('detects an edited row whose hash was recomputed: its successor no longer links', () => {
    register = openRegister(path);
    const row = register.audit.list().find((r) => r.seq === 2);
    register.close();
    if (row === undefined) throw new Error('row 2 missing');
    // A careful forger rewrites the actor and gives the row a fresh, self-consistent hash.
    const forged = { ...row, actorName: '他人' };
    tamper(`UPDATE audit_log SET actor_name = '他人', hash = '${auditRowHash(forged)}' WHERE seq = 2`);
    expect(reopenAndVerify()).toMatchObject({ ok: false, seq: 2, reason: 'edited' });
  });

  it('detects a deleted row (with the sqlite3 tool)', () => {
    execFileSync('sqlite3', [path, 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;']);
    expect(reopenAndVerify()).toMatchObject({ ok: false, seq: 3, reason: 'deleted' });
  });

  it('detects a deleted row when the later rows were renumbered to close the gap', () => {
    tamper('DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3;');
    expect(reopenAndVerify()).toMatchObject({ ok: false, seq: 3, reason: 'deleted' });
  });

  it('detects two swapped rows', () => {
    tamper('UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100;');
    expect(reopenAndVerify()).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
  });

  it('detects rows cut from the end against a head recorded elsewhere', () => {
    register = openRegister(path);
    const head = register.audit.head();
    register.close();
    if (head === null) throw new Error('no head');
    tamper('DELETE FROM audit_log WHERE seq >= 4');
    expect(reopenAndVerify().ok).toBe(true);
    register = openRegister(path);
    const report = register.audit.verify(head);
    register.close();
    expect(report).toMatchObject({ ok: false, seq: 4, reason: 'deleted' });
  });

  it('refuses details carrying a PIN or password, and writes nothing', () => {
    register = openRegister(path);
    const before = register.audit.head();
    expect(codeOf(() => register.audit.append({ actor: CLERK, action: 'PIN_CHANGED', subject: 'TOKEN-A', details: { newPin: '123456' } }))).toBe('AUDIT_DETAILS_SECRET');
    expect(codeOf(() => register.audit.append({ actor: CLERK, action: 'LOGIN', subject: 'TOKEN-A', details: { login: { user_password: 'x' } } }))).toBe('AUDIT_DETAILS_SECRET');
    expect(codeOf(() => register.audit.append({ actor: CLERK, action: 'LOGIN', subject: 'TOKEN-A', details: { 初始密码: 'x' } }))).toBe('AUDIT_DETAILS_SECRET');
    expect(register.audit.head()).toEqual(before);
    register.close();
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  auditRowHash,
  canonicalJson,
  verifyAuditChain,
  type AuditRecord,
} from '../../../src/main/core/register/index';
import { YinjianError } from '../../../src/shared/errors/index';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof YinjianError) return e.code;
    throw e;
  }
  throw new Error('expected a YinjianError');
}

function chain(n: number): AuditRecord[] {
  const rows: AuditRecord[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const unsigned = { seq, at: `2026-07-01T00:00:0${seq}.000Z`, actorName: '张保管', actorStaffId: 'S100', action: 'STAMP' as const, subject: 'CO-01', details: canonicalJson({ n: seq }), prevHash };
    const row = { ...unsigned, hash: auditRowHash(unsigned) };
    rows.push(row);
    prevHash = row.hash;
  }
  return rows;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('refuses values JSON cannot carry exactly', () => {
    expect(codeOf(() => canonicalJson({ n: Number.NaN }))).toBe('AUDIT_DETAILS_INVALID');
    expect(codeOf(() => canonicalJson({ when: new Date() as never }))).toBe('AUDIT_DETAILS_INVALID');
  });

  it('refuses PIN- and password-like keys at any depth, in any spelling', () => {
    for (const key of ['pin', 'PIN', 'PINs', 'pincode', 'userPin', 'so_pin', 'SOPIN', 'newPassword', 'passwd', 'pwd', 'passphrase', 'pin-code', '密码', 'PIN码', '口令']) {
      expect(codeOf(() => canonicalJson({ nested: [{ [key]: 'x' }] }))).toBe('AUDIT_DETAILS_SECRET');
    }
  });

  it('lets ordinary keys that merely contain the letters p-i-n through', () => {
    expect(canonicalJson({ spinning: 1, opinion: 'x', shipping: true, triesLeft: 2 })).toBe('{"opinion":"x","shipping":true,"spinning":1,"triesLeft":2}');
  });
});

describe('auditRowHash', () => {
  it('is SHA-256 over the JSON array of the fields in a fixed order', () => {
    const row = { seq: 1, at: 'T', actorName: 'a', actorStaffId: 'b', action: 'LOGIN' as const, subject: 's', details: '{}', prevHash: AUDIT_GENESIS_HASH };
    const expected = createHash('sha256').update(JSON.stringify([1, 'T', 'a', 'b', 'LOGIN', 's', '{}', AUDIT_GENESIS_HASH])).digest('hex');
    expect(auditRowHash(row)).toBe(expected);
  });

  it('does not let field boundaries shift without changing the hash', () => {
    const base = { seq: 1, at: 'T', actorName: 'ab', actorStaffId: 'c', action: 'LOGIN' as const, subject: 's', details: '{}', prevHash: AUDIT_GENESIS_HASH };
    expect(auditRowHash(base)).not.toBe(auditRowHash({ ...base, actorName: 'a', actorStaffId: 'bc' }));
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and an empty one', () => {
    const rows = chain(4);
    expect(verifyAuditChain(rows)).toEqual({ ok: true, rows: 4, head: { seq: 4, hash: rows[3]?.hash } });
    expect(verifyAuditChain([])).toEqual({ ok: true, rows: 0, head: null });
  });

  it('finds an edit, a gap, a reorder and a missing first row', () => {
    const rows = chain(4);
    const edited = rows.map((r) => (r.seq === 3 ? { ...r, subject: 'OTHER' } : r));
    expect(verifyAuditChain(edited)).toMatchObject({ ok: false, seq: 3, reason: 'edited' });
    expect(verifyAuditChain(rows.filter((r) => r.seq !== 2))).toMatchObject({ ok: false, seq: 2, reason: 'deleted' });
    expect(verifyAuditChain(rows.slice(1))).toMatchObject({ ok: false, seq: 1, reason: 'deleted' });
    const [a, b, c, d] = rows as [AuditRecord, AuditRecord, AuditRecord, AuditRecord];
    const swapped = [a, { ...c, seq: 2 }, { ...b, seq: 3 }, d];
    expect(verifyAuditChain(swapped)).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
  });

  it('checks the chain against a head recorded elsewhere', () => {
    const rows = chain(4);
    const head = { seq: 4, hash: rows[3]?.hash ?? '' };
    expect(verifyAuditChain(rows.slice(0, 2), head)).toMatchObject({ ok: false, seq: 3, reason: 'deleted' });
    expect(verifyAuditChain(rows, { seq: 4, hash: 'f'.repeat(64) })).toMatchObject({ ok: false, seq: 4, reason: 'edited' });
    expect(verifyAuditChain(rows, head).ok).toBe(true);
  });
});

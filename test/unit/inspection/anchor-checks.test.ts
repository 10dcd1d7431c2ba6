/** Issue #12 (M5, S6): the export held against the key's usage record, on hand-built chains. */
import { describe, expect, it } from 'vitest';
import { anchorFindings, type WorkstationExport } from '../../../src/main/core/inspection/index';
import { AUDIT_GENESIS_HASH, auditRowHash, canonicalJson, type AuditRecord, type UsageAnchor } from '../../../src/main/core/register/index';

/** A chain of stamping attempts: [counter, ok] per attempt, each a STAMP_PENDING row then STAMP or STAMP_FAILED. */
function chain(attempts: readonly (readonly [number, boolean])[]): AuditRecord[] {
  const rows: AuditRecord[] = [];
  let prev = AUDIT_GENESIS_HASH;
  const push = (action: AuditRecord['action'], details: Record<string, string | number>): AuditRecord => {
    const base = { seq: rows.length + 1, at: '2026-12-01T08:00:00.000Z', actorName: '张敏', actorStaffId: 'E1024', action, subject: 'S1', details: canonicalJson(details), prevHash: prev };
    const row = { ...base, hash: auditRowHash(base) };
    rows.push(row);
    prev = row.hash;
    return row;
  };
  for (const [counter, ok] of attempts) {
    const pending = push('STAMP_PENDING', { sealId: 'seal-1', sealCounter: counter });
    push(ok ? 'STAMP' : 'STAMP_FAILED', { sealId: 'seal-1', pendingSeq: pending.seq });
  }
  return rows;
}

function exportOf(audit: AuditRecord[], anchor: UsageAnchor | null | undefined): WorkstationExport {
  return {
    schema: 'yinjian.workstation-export',
    version: 1,
    workstationId: 'WS-1',
    exportedAt: '2026-12-01T09:00:00.000Z',
    head: null,
    usage: [],
    audit,
    ...(anchor !== undefined ? { key: { tokenSerial: 'T1', anchor } } : {}),
  };
}

function anchorAt(audit: AuditRecord[], seq: number, counter: number): UsageAnchor {
  return { version: 1, sealId: 'seal-1', workstationId: 'WS-1', counter, auditSeq: seq, auditHash: audit[seq - 1]!.hash, at: '2026-12-01T08:00:00.000Z' };
}

const codes = (content: WorkstationExport, previous?: { sealId: string; counter: number; auditSeq: number }): string[] => anchorFindings(content, previous).map((f) => f.code);

describe('anchorFindings', () => {
  it('a history that ends at the key\'s head, with a failed attempt re-using its counter, passes', () => {
    const audit = chain([[1, true], [2, false], [2, true], [3, true]]);
    expect(codes(exportOf(audit, anchorAt(audit, 7, 3)))).toEqual([]);
  });

  it('a skipped counter and a counter used by two stampings that went through are gaps', () => {
    const skipped = chain([[1, true], [3, true]]);
    expect(codes(exportOf(skipped, anchorAt(skipped, 3, 3)))).toEqual(['COUNTER_GAP']);
    const twice = chain([[1, true], [1, true]]);
    expect(codes(exportOf(twice, anchorAt(twice, 3, 1)))).toContain('COUNTER_GAP');
  });

  it('stampings after the key\'s head, a head the export lacks, a head with another hash', () => {
    const audit = chain([[1, true], [2, true]]);
    expect(codes(exportOf(audit, anchorAt(audit, 1, 1)))).toEqual(['KEY_HEAD_BEHIND']);
    expect(codes(exportOf(audit.slice(0, 2), { ...anchorAt(audit, 3, 2) }))).toEqual(['KEY_HEAD_NOT_IN_EXPORT']);
    expect(codes(exportOf(audit, { ...anchorAt(audit, 3, 2), auditHash: 'f'.repeat(64) }))).toEqual(['KEY_HEAD_MISMATCH']);
  });

  it('without the key: a warning the first time, an error once an inspection had the key; a counter going back', () => {
    const audit = chain([[1, true]]);
    expect(anchorFindings(exportOf(audit, undefined), undefined).map((f) => `${f.code}:${f.severity}`)).toEqual(['KEY_RECORD_NOT_EXPORTED:warning']);
    expect(anchorFindings(exportOf(audit, undefined), { sealId: 'seal-1', counter: 1, auditSeq: 1 }).map((f) => `${f.code}:${f.severity}`)).toEqual(['KEY_RECORD_NOT_EXPORTED:error']);
    expect(codes(exportOf(audit, anchorAt(audit, 1, 1)), { sealId: 'seal-1', counter: 5, auditSeq: 9 })).toContain('KEY_COUNTER_WENT_BACK');
  });
});

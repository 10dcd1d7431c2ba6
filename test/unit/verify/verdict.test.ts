/** Verdict precedence (verdict.ts) and the change-level helpers (changes.ts), as pure functions. */
import { describe, expect, it } from 'vitest';
import { CHANGE_LEVELS, VERDICT_PRECEDENCE, isAcceptable, worstVerdict, type DocumentChange, type Verdict } from '../../../src/main/core/verify/index';
import { levelRank, worstLevel } from '../../../src/main/core/verify/changes';

describe('verdict precedence', () => {
  it('is a total order over every verdict, worst first', () => {
    const all: Verdict[] = ['VALID', 'VALID_WITH_CHANGES', 'MODIFIED', 'INVALID', 'UNTRUSTED', 'REVOKED', 'POLICY_VIOLATION', 'UNSUPPORTED', 'UNSIGNED'];
    expect([...VERDICT_PRECEDENCE].sort()).toEqual([...all].sort());
    expect(VERDICT_PRECEDENCE[0]).toBe('INVALID');
    expect(VERDICT_PRECEDENCE.at(-1)).toBe('VALID');
  });

  it.each<[Verdict[], Verdict]>([
    [['VALID', 'INVALID'], 'INVALID'],
    [['REVOKED', 'MODIFIED'], 'MODIFIED'],
    [['POLICY_VIOLATION', 'REVOKED'], 'REVOKED'],
    [['UNTRUSTED', 'POLICY_VIOLATION'], 'POLICY_VIOLATION'],
    [['UNTRUSTED', 'UNSUPPORTED'], 'UNSUPPORTED'],
    [['VALID_WITH_CHANGES', 'UNTRUSTED'], 'UNTRUSTED'],
    [['VALID', 'VALID_WITH_CHANGES'], 'VALID_WITH_CHANGES'],
    [['VALID'], 'VALID'],
  ])('worst of %j is %s, in either order', (verdicts, worst) => {
    expect(worstVerdict(verdicts)).toBe(worst);
    expect(worstVerdict([...verdicts].reverse())).toBe(worst);
  });

  it('has no worst of nothing (the file verdict is then UNSIGNED by the caller)', () => {
    expect(worstVerdict([])).toBeUndefined();
  });

  it('accepts only VALID and VALID_WITH_CHANGES (exit code 0)', () => {
    expect(VERDICT_PRECEDENCE.filter(isAcceptable)).toEqual(['VALID_WITH_CHANGES', 'VALID']);
  });
});

describe('change levels', () => {
  const change = (level: DocumentChange['level']): DocumentChange => ({ revision: 1, level, kind: 'x' });

  it('rank from harmless to disallowed', () => {
    expect(CHANGE_LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4]);
    expect(levelRank('signatures')).toBeLessThan(levelRank('form-filling'));
    expect(levelRank('annotations')).toBeLessThan(levelRank('other'));
  });

  it('worstLevel is the highest rank present, none for no changes', () => {
    expect(worstLevel([])).toBe('none');
    expect(worstLevel([change('signatures'), change('annotations'), change('form-filling')])).toBe('annotations');
    expect(worstLevel([change('other'), change('signatures')])).toBe('other');
  });
});

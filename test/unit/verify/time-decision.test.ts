/**
 * S5 on a trusted time's resolution: a seal stamped just after a loss, whose TSA time (given to
 * the second) falls before the loss, is not "before the loss". Seen in CI once the CLI got fast
 * enough to stamp within a second of the loss report (time-records.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { revocationDecision } from '../../../src/main/core/verify/time-decision';

const tsaTime = new Date('2026-12-03T01:00:00Z');
const at = (ms: number): Date => new Date(tsaTime.getTime() + ms);

describe('revocation decision on a trusted time (S5)', () => {
  it('a loss within the TSA time\'s second after it is not proven later: revoked', () => {
    expect(revocationDecision(at(500), 'lost', tsaTime, 'timestamp')).toBe('revoked');
    expect(revocationDecision(at(999), 'keyCompromise', tsaTime, 'timestamp')).toBe('revoked');
  });
  it('a loss a second or more after the TSA time: the seal stands', () => {
    expect(revocationDecision(at(1000), 'lost', tsaTime, 'timestamp')).toBe('later');
    expect(revocationDecision(at(1500), 'cancelled', tsaTime, 'timestamp')).toBe('later');
  });
  it('a superseded certificate was never compromised: its time is believed to the millisecond', () => {
    expect(revocationDecision(at(500), 'superseded', tsaTime, 'timestamp')).toBe('later');
  });
});

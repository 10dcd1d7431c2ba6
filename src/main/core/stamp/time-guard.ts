/**
 * The clock guard (issue #12; S5, E1, M3): without a trusted timestamp, the workstation's clock
 * is the only time a stamping has, and the custodian can set it. A clock set back would let a
 * seal reported lost sign "before" the loss (S5) and a proxy stamp inside an expired window
 * (M3); a clock set forward would let a seal scheduled for the 1 July rollout sign early (E1).
 * So stamping is refused when the clock is
 *   - earlier than the newest time this computer has already seen: its last successful
 *     stamping, and the issue time of the register snapshot it imported (CLOCK_BEHIND_RECORDS);
 *   - later than the imported snapshot's next update (REGISTER_STALE): the revocation data is
 *     out of date, or the clock runs ahead; either way, import the newest publication.
 * A few minutes of slack absorb ordinary clock corrections (NTP, the office's clock running a
 * little ahead). What it cannot catch: a clock set back by less than the time since the last
 * stamping or snapshot; only a trusted timestamp (the group's TSA policy) closes that.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { SnapshotWindow } from '../office/timestamp-policy';

export interface StampTimeFacts {
  /** The newest time on record here, and where it comes from. */
  readonly newestSeen?: { readonly at: Date; readonly source: string };
  /** The imported register snapshot's window; absent on the office computer (its own register). */
  readonly snapshot?: SnapshotWindow;
}

/** Clock corrections smaller than this are not a clock set back. */
export const CLOCK_SLACK_MS = 5 * 60_000;

export function assertClockPlausible(now: Date, facts: StampTimeFacts): void {
  const t = now.getTime();
  const snapshot = facts.snapshot;
  if (snapshot?.nextUpdate && t > snapshot.nextUpdate.getTime()) {
    throw new YinjianError('REGISTER_STALE', { sequence: snapshot.sequence, issuedAt: snapshot.issuedAt.toISOString(), nextUpdate: snapshot.nextUpdate.toISOString() });
  }
  const candidates = [...(facts.newestSeen ? [facts.newestSeen] : []), ...(snapshot ? [{ at: snapshot.issuedAt, source: `register snapshot No. ${snapshot.sequence} issued` }] : [])];
  const newest = candidates.sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  if (newest && t < newest.at.getTime() - CLOCK_SLACK_MS) {
    throw new YinjianError('CLOCK_BEHIND_RECORDS', { now: now.toISOString(), seen: newest.at.toISOString(), source: newest.source });
  }
}

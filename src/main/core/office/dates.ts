/**
 * Dates the office types: `YYYY-MM-DD` means midnight Beijing time (UTC+08:00), the group's
 * civil time, so "2025-07-01" is the moment the regulation takes effect (E1) wherever the
 * office computer's clock is set. A full ISO-8601 time with an offset is taken as given.
 */
import { YinjianError } from '../../../shared/errors/index';

const BEIJING_OFFSET_MS = 8 * 3600_000;

export function parseOfficeDate(field: string, value: string): Date {
  const trimmed = value.trim();
  let parsed: number;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    parsed = Date.UTC(Number(y), Number(m) - 1, Number(d)) - BEIJING_OFFSET_MS;
    const check = new Date(parsed + BEIJING_OFFSET_MS);
    if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) parsed = NaN;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    parsed = Date.parse(trimmed);
  } else {
    parsed = NaN;
  }
  if (!Number.isFinite(parsed)) {
    throw new YinjianError('OFFICE_INPUT_INVALID', { field, detail: `${value} (expected YYYY-MM-DD or an ISO-8601 time with offset)` });
  }
  return new Date(parsed);
}

/** E1: the regulation takes effect on 1 July; a new rollout starts at the next 1 July, 00:00 Beijing time. */
export function nextFirstOfJuly(now: Date): Date {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS);
  let year = beijing.getUTCFullYear();
  let candidate = Date.UTC(year, 6, 1) - BEIJING_OFFSET_MS;
  if (candidate <= now.getTime()) {
    year += 1;
    candidate = Date.UTC(year, 6, 1) - BEIJING_OFFSET_MS;
  }
  return new Date(candidate);
}

/** Midnight Beijing time at the start of `now`'s Beijing day. */
export function startOfBeijingDay(now: Date): Date {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS);
  return new Date(Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate()) - BEIJING_OFFSET_MS);
}

export function addYears(date: Date, years: number): Date {
  const d = new Date(date.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

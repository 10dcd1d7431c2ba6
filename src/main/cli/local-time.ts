import { YinjianError } from '../../shared/errors/index';

/**
 * Times on the command line are local (issue #15): a date option means that day in the
 * user's zone, and every printed time is a local time with its UTC offset. The zone is
 * Beijing time unless $YINJIAN_TZ or the data folder's settings.json ("timeZone") names
 * another IANA zone. The regulation's own dates (E1: 1 July, 00:00) are Beijing time.
 * --json output keeps ISO 8601 UTC, for programs.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Accepted by every date option: a date, or a date and a time of day, local. */
export const LOCAL_TIME_FORMAT = 'YYYY-MM-DD[ HH:MM]';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** China has kept UTC+8 all year since 1991: Beijing time needs no time-zone database (loading ICU's costs a CLI start ~30 ms). */
const BEIJING_OFFSET_MINUTES = 8 * 60;

export class LocalTime {
  private readonly parts: Intl.DateTimeFormat | undefined;

  constructor(
    readonly zone: string = DEFAULT_TIME_ZONE,
    source = 'default',
  ) {
    if (zone === DEFAULT_TIME_ZONE) {
      this.parts = undefined;
      return;
    }
    try {
      this.parts = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch (cause) {
      throw new YinjianError('CLI_TIME_ZONE_INVALID', { zone, source }, { cause });
    }
  }

  /** The wall clock in this zone at `instant`, as if it were UTC (milliseconds). */
  private wallClock(instant: number): number {
    const part: Record<string, number> = {};
    for (const p of this.parts!.formatToParts(new Date(instant))) if (p.type !== 'literal') part[p.type] = Number(p.value);
    return Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day ?? 1, part.hour ?? 0, part.minute ?? 0, part.second ?? 0);
  }

  /** This zone's offset from UTC at `instant`, in minutes. */
  offsetMinutes(instant: Date): number {
    if (!this.parts) return BEIJING_OFFSET_MINUTES;
    const whole = Math.floor(instant.getTime() / 1000) * 1000;
    return Math.round((this.wallClock(whole) - whole) / 60_000);
  }

  /**
   * A date option's value: `YYYY-MM-DD` (00:00 that day), `YYYY-MM-DD HH:MM[:SS]` in this
   * zone, or an ISO 8601 time with Z or an offset (taken as written).
   */
  parse(option: string, value: string): Date {
    const text = value.trim();
    const invalid = (): YinjianError => new YinjianError('CLI_TIME_INVALID', { option, value, zone: this.zone });
    if (WITH_OFFSET.test(text)) {
      const at = Date.parse(text);
      if (!Number.isFinite(at)) throw invalid();
      return new Date(at);
    }
    const m = LOCAL.exec(text);
    if (!m) throw invalid();
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(wall);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw invalid();
    // The instant whose wall clock here is `wall`: two rounds settle a daylight-saving change.
    let at = wall - this.offsetMinutes(new Date(wall)) * 60_000;
    at = wall - this.offsetMinutes(new Date(at)) * 60_000;
    return new Date(at);
  }

  /** `2027-08-01 00:00:00 +08:00`. */
  format(instant: Date | string): string {
    const date = typeof instant === 'string' ? new Date(instant) : instant;
    if (Number.isNaN(date.getTime())) return String(instant);
    const offset = this.offsetMinutes(date);
    const wall = new Date(date.getTime() + offset * 60_000).toISOString();
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${wall.slice(0, 10)} ${wall.slice(11, 19)} ${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
}

/** The zone the command line uses: $YINJIAN_TZ, else the settings' timeZone, else Beijing time. */
export function localTimeFrom(env: NodeJS.ProcessEnv, settingsZone: unknown): LocalTime {
  if (env.YINJIAN_TZ) return new LocalTime(env.YINJIAN_TZ, '$YINJIAN_TZ');
  if (typeof settingsZone === 'string' && settingsZone !== '') return new LocalTime(settingsZone, 'settings.json timeZone');
  return new LocalTime();
}

/** The help text of a date option. */
export function dateOptionHelp(zh: string, en: string): string {
  return `${zh}，${LOCAL_TIME_FORMAT}（本地时间，默认北京时间）/ ${en}, ${LOCAL_TIME_FORMAT} (local time; Beijing time unless $YINJIAN_TZ says otherwise)`;
}

import type { ErrorCategory, ErrorPayload } from '../../shared/errors/index';

/** Exit codes of the yinjian command (issue #2): 0 ok, 1 refused or not valid, 2 bad usage or unreadable input, 3 token or device failure. */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
export const EXIT_DEVICE = 3;

export function exitCodeOf(category: ErrorCategory): number {
  switch (category) {
    case 'usage':
    case 'input':
      return EXIT_USAGE;
    case 'device':
      return EXIT_DEVICE;
    case 'refused':
    case 'internal':
      return EXIT_REFUSED;
  }
}

export interface CommandOutput {
  /** What --json prints (wrapped as {ok: true, ...}). */
  readonly json: Record<string, unknown>;
  /** What a person reads. */
  readonly text: string;
  /** Non-zero when the command ran but its answer is "not valid" (e.g. a broken audit chain). */
  readonly exitCode?: number;
}

export function renderError(error: ErrorPayload, json: boolean): string {
  if (json) return JSON.stringify({ ok: false, error }, null, 2);
  return `错误 ${error.code}：${error.zh}\nError ${error.code}: ${error.en}`;
}

/** A plain table for terminal output; CJK characters count double width. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (s: string): number => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/u.test(ch) ? 2 : 1), 0);
  // Capped so one long message (a refusal's full text) does not stretch every line of the table.
  const widths = headers.map((h, i) => Math.min(60, Math.max(width(h), ...rows.map((r) => width(r[i] ?? '')))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

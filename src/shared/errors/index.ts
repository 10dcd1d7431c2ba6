/**
 * Errors are values with a stable code and a message in Chinese and English
 * (architecture.md, "Habits"). The UI and the CLI show the message, tests assert the code.
 *
 * Each domain keeps its own catalog file beside this one; this module merges them, so the
 * set of codes is closed and checked by the type system.
 */
import { TOKEN_ERRORS } from './token';
import { GENERAL_ERRORS } from './general';
import { REGISTER_ERRORS } from './register';
import { APPEARANCE_ERRORS } from './appearance';
import { PDF_ERRORS } from './pdf';
import { PKI_ERRORS } from './pki';
import { VERIFY_ERRORS } from './verify';
import { STAMP_ERRORS } from './stamp';
import { UI_ERRORS } from './ui';
import { OFFICE_ERRORS } from './office';
import { INSPECTION_ERRORS } from './inspection';
import { CLI_ERRORS } from './cli';
import { TIME_RECORD_ERRORS } from './time-records';

/**
 * What kind of failure an error is. The CLI maps it to its exit code:
 * refused → 1, usage/input → 2, device → 3.
 */
export type ErrorCategory =
  /** The regulation or a policy refused the action, or the thing checked is not valid. */
  | 'refused'
  /** The caller asked for something malformed (bad flags, bad arguments). */
  | 'usage'
  /** An input could not be read or parsed (missing file, not a PDF, corrupt database). */
  | 'input'
  /** The USB key or its PKCS#11 module failed. */
  | 'device'
  /** A defect: should never happen. */
  | 'internal';

export interface ErrorSpec {
  readonly category: ErrorCategory;
  /** Chinese message; `{name}` placeholders are filled from the error's params. */
  readonly zh: string;
  /** English message; same placeholders as `zh`. */
  readonly en: string;
}

export const ERROR_CATALOG = {
  ...GENERAL_ERRORS,
  ...TOKEN_ERRORS,
  ...REGISTER_ERRORS,
  ...APPEARANCE_ERRORS,
  ...PDF_ERRORS,
  ...PKI_ERRORS,
  ...VERIFY_ERRORS,
  ...STAMP_ERRORS,
  ...UI_ERRORS,
  ...OFFICE_ERRORS,
  ...INSPECTION_ERRORS,
  ...CLI_ERRORS,
  ...TIME_RECORD_ERRORS,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export type ErrorParams = Readonly<Record<string, string | number | boolean | undefined>>;

/** The shape an error takes when it crosses a process boundary (IPC, CLI JSON). */
export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly zh: string;
  readonly en: string;
  readonly params?: ErrorParams;
}

function fill(template: string, params: ErrorParams | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params?.[name];
    return value === undefined ? '' : String(value);
  });
}

export class YinjianError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly zh: string;
  readonly en: string;
  readonly params: ErrorParams | undefined;

  constructor(code: ErrorCode, params?: ErrorParams, options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERROR_CATALOG[code];
    const zh = fill(spec.zh, params);
    const en = fill(spec.en, params);
    super(`${zh} / ${en}`, options);
    this.name = 'YinjianError';
    this.code = code;
    this.category = spec.category;
    this.zh = zh;
    this.en = en;
    this.params = params;
  }

  toPayload(): ErrorPayload {
    return {
      code: this.code,
      category: this.category,
      zh: this.zh,
      en: this.en,
      ...(this.params ? { params: this.params } : {}),
    };
  }
}

/** What the window is told of a refusal: the stable code and both messages (no params, no cause). */
export interface WindowError {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

/**
 * A failure as the window sees it: a YinjianError as it is, anything else as INTERNAL (its
 * message stays out of the window: it may name paths or internals).
 */
export function windowErrorOf(caught: unknown): WindowError {
  const error = caught instanceof YinjianError ? caught : new YinjianError('INTERNAL', { detail: 'unexpected failure' }, { cause: caught });
  return { code: error.code, zh: error.zh, en: error.en };
}

export function isYinjianError(value: unknown): value is YinjianError {
  return value instanceof YinjianError;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

/** Rebuilds an error received from another process, keeping only known codes. */
export function errorFromPayload(payload: { code: string; params?: ErrorParams }): YinjianError {
  return isErrorCode(payload.code)
    ? new YinjianError(payload.code, payload.params)
    : new YinjianError('INTERNAL', { detail: payload.code });
}

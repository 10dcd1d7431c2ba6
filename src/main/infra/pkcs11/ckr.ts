import pkcs11js from 'pkcs11js';
import { YinjianError, type ErrorCode, type ErrorParams } from '../../../shared/errors/index';

/**
 * Every CKR_* return value becomes a typed error with a stable code. The raw value's name is
 * kept in `ckr` for support, never shown as the whole message. Built on first use, not when
 * this module loads: reading pkcs11js's constants loads its native library, which the
 * commands that never touch a key (`yinjian verify`, `--help`) must not pay for (issue #15).
 */
let codeOfCkr: ReadonlyMap<number, ErrorCode> | undefined;
const CODE_OF_CKR = (): ReadonlyMap<number, ErrorCode> =>
  (codeOfCkr ??= new Map<number, ErrorCode>([
    [pkcs11js.CKR_PIN_INCORRECT, 'PIN_INCORRECT'],
    [pkcs11js.CKR_PIN_LOCKED, 'PIN_LOCKED'],
    [pkcs11js.CKR_PIN_LEN_RANGE, 'PIN_LEN_RANGE'],
    [pkcs11js.CKR_PIN_INVALID, 'PIN_INVALID'],
    [pkcs11js.CKR_PIN_EXPIRED, 'PIN_EXPIRED'],
    [pkcs11js.CKR_TOKEN_NOT_PRESENT, 'TOKEN_NOT_PRESENT'],
    [pkcs11js.CKR_TOKEN_NOT_RECOGNIZED, 'TOKEN_NOT_PRESENT'],
    [pkcs11js.CKR_SLOT_ID_INVALID, 'TOKEN_NOT_PRESENT'],
    [pkcs11js.CKR_DEVICE_REMOVED, 'DEVICE_REMOVED'],
    [pkcs11js.CKR_SESSION_HANDLE_INVALID, 'DEVICE_REMOVED'],
    [pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED, 'DEVICE_REMOVED'],
    [pkcs11js.CKR_DEVICE_ERROR, 'DEVICE_ERROR'],
    [pkcs11js.CKR_DEVICE_MEMORY, 'DEVICE_ERROR'],
    [pkcs11js.CKR_GENERAL_ERROR, 'DEVICE_ERROR'],
    [pkcs11js.CKR_FUNCTION_FAILED, 'DEVICE_ERROR'],
    [pkcs11js.CKR_HOST_MEMORY, 'DEVICE_ERROR'],
    [pkcs11js.CKR_SESSION_CLOSED, 'SESSION_CLOSED'],
    [pkcs11js.CKR_USER_NOT_LOGGED_IN, 'NOT_LOGGED_IN'],
    [pkcs11js.CKR_MECHANISM_INVALID, 'MECHANISM_UNSUPPORTED'],
    [pkcs11js.CKR_MECHANISM_PARAM_INVALID, 'MECHANISM_UNSUPPORTED'],
    [pkcs11js.CKR_KEY_TYPE_INCONSISTENT, 'MECHANISM_UNSUPPORTED'],
    [pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED, 'MECHANISM_UNSUPPORTED'],
    [pkcs11js.CKR_TOKEN_WRITE_PROTECTED, 'TOKEN_WRITE_PROTECTED'],
    [pkcs11js.CKR_ATTRIBUTE_SENSITIVE, 'KEY_NOT_EXTRACTABLE'],
    [pkcs11js.CKR_KEY_UNEXTRACTABLE, 'KEY_NOT_EXTRACTABLE'],
  ]));

let nameOfCkr: ReadonlyMap<number, string> | undefined;
const NAME_OF_CKR = (): ReadonlyMap<number, string> =>
  (nameOfCkr ??= new Map(
    Object.entries(pkcs11js)
      .filter(([name, value]) => name.startsWith('CKR_') && typeof value === 'number')
      .map(([name, value]) => [value as number, name]),
  ));

export function ckrName(code: number): string {
  return NAME_OF_CKR().get(code) ?? `CKR_0x${code.toString(16).padStart(8, '0')}`;
}

function isPkcs11Error(error: unknown): error is { code: number; method?: string; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    (error as { constructor?: { name?: string } }).constructor?.name === 'Pkcs11Error'
  );
}

/**
 * pkcs11js 2.1.7 wraps C_FindObjects after its error wrapper, so that one call throws a plain
 * Error whose message is the raw "CKR_NAME:value" (found with the fault-injecting module).
 */
const RAW_CKR_MESSAGE = /^CKR_\w+:(\d+)$/;

/** The CKR_* value of an error thrown by pkcs11js, or undefined for any other error. */
export function ckrOf(error: unknown): number | undefined {
  if (isPkcs11Error(error)) return error.code;
  const raw = error instanceof Error ? RAW_CKR_MESSAGE.exec(error.message) : null;
  return raw ? Number(raw[1]) : undefined;
}

/**
 * Converts anything pkcs11js throws into a YinjianError. `extra` adds parameters such as the
 * tries-left texts for PIN_INCORRECT. Errors that are already typed pass through unchanged.
 */
export function toTokenError(error: unknown, extra?: ErrorParams): YinjianError {
  if (error instanceof YinjianError) return error;
  const ckr = ckrOf(error);
  if (ckr === undefined) {
    // pkcs11js throws a plain NativeError once the module is finalised or unloaded under a
    // session: for the user that is the key going away mid-operation.
    if (error instanceof Error && /not loaded|not initiali[sz]ed/i.test(error.message)) {
      return new YinjianError('DEVICE_REMOVED', undefined, { cause: error });
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new YinjianError('TOKEN_OPERATION_FAILED', { ckr: detail }, { cause: error });
  }
  const name = ckrName(ckr);
  const code = CODE_OF_CKR().get(ckr) ?? 'TOKEN_OPERATION_FAILED';
  return new YinjianError(code, { ckr: name, ...extra }, { cause: error });
}

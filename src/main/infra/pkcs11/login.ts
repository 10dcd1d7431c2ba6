import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import { ckrOf, toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { decodeTokenInfo, triesLeftParams } from './token-info';

/** Session and login (concept 2 of the token layer). */

// C_OpenSession flags, as PKCS#11 fixes them (CKF_SERIAL_SESSION 0x4, CKF_RW_SESSION 0x2):
// literals, not pkcs11js's constants, so loading this module does not load the native
// library (issue #15; test/unit/faults/fault-control.test.ts checks them against pkcs11js).
export const RW_SESSION = 0x4 | 0x2;
export const RO_SESSION = 0x4;

/**
 * pkcs11js takes PINs as JavaScript strings only. The string exists for the duration of the
 * native call and is then unreachable; the Buffer the PIN lives in is owned and zeroed by the
 * caller. PINs are ASCII by policy, so latin1 decoding is exact.
 */
export function pinString(pin: Uint8Array): string {
  return Buffer.from(pin.buffer, pin.byteOffset, pin.byteLength).toString('latin1');
}

export function openRaw(library: Pkcs11Library, slot: Buffer, flags: number): Buffer {
  try {
    return library.api.C_OpenSession(slot, flags);
  } catch (error) {
    throw toTokenError(error);
  }
}

export function closeRaw(library: Pkcs11Library, session: Buffer): void {
  try {
    library.api.C_CloseSession(session);
  } catch {
    // the key may be gone; nothing is left to release
  }
}

/**
 * Turns a wrong PIN into PIN_INCORRECT with what the key says about tries left, or PIN_LOCKED
 * when the key reports the PIN locked (openCryptoki answers CKR_PIN_INCORRECT even then).
 */
export function wrongPinError(library: Pkcs11Library, slot: Buffer, error: unknown, who: 'user' | 'so'): YinjianError {
  let flags;
  try {
    flags = decodeTokenInfo(library.api.C_GetTokenInfo(slot)).flags;
  } catch {
    flags = undefined;
  }
  if (flags && (who === 'user' ? flags.userPinLocked : flags.soPinLocked)) return new YinjianError('PIN_LOCKED', undefined, { cause: error });
  return toTokenError(error, flags ? triesLeftParams(flags, who) : undefined);
}

/** Logs in, translating a wrong PIN into PIN_INCORRECT with what the key says about tries left. */
export function login(library: Pkcs11Library, slot: Buffer, session: Buffer, userType: number, pin: Uint8Array): void {
  const api = library.api;
  try {
    api.C_Login(session, userType, pinString(pin));
  } catch (error) {
    const ckr = ckrOf(error);
    if (ckr === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
      // Login state is shared by all sessions of this process on a key. Accepting "already
      // logged in" would accept any PIN while another session is open, so log out and check
      // this PIN for real.
      try {
        api.C_Logout(session);
      } catch (logoutError) {
        throw toTokenError(logoutError);
      }
      login(library, slot, session, userType, pin);
      return;
    }
    if (ckr === pkcs11js.CKR_PIN_INCORRECT) throw wrongPinError(library, slot, error, userType === pkcs11js.CKU_USER ? 'user' : 'so');
    throw toTokenError(error);
  }
}

/**
 * Runs `work` in a read-write session logged in as `userType` with `pin`, then logs out and
 * closes the session whatever happened. Errors from `work` become typed token errors.
 */
export function asLoggedIn(library: Pkcs11Library, slot: Buffer, userType: number, pin: Uint8Array, work: (session: Buffer) => void): void {
  const session = openRaw(library, slot, RW_SESSION);
  try {
    login(library, slot, session, userType, pin);
    try {
      work(session);
    } catch (error) {
      throw toTokenError(error);
    }
  } finally {
    try {
      library.api.C_Logout(session);
    } catch {
      // not logged in, or the key is gone
    }
    closeRaw(library, session);
  }
}

/** Runs `work` in a session that is not logged in, closing it whatever happened. */
export function inPublicSession<T>(library: Pkcs11Library, slot: Buffer, flags: number, work: (session: Buffer) => T): T {
  const session = openRaw(library, slot, flags);
  try {
    return work(session);
  } catch (error) {
    throw toTokenError(error);
  } finally {
    closeRaw(library, session);
  }
}

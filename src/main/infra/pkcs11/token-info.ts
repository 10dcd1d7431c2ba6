import pkcs11js from 'pkcs11js';
import type { UsbKeyFlags, UsbKeyInfo } from '../../core/ports/usb-key';

/** PKCS#11 pads label, serial, manufacturer and model with blanks (and some tokens with NULs). */
/** A PKCS#11 fixed-length text field without its padding: blanks, and the NULs some modules (openCryptoki) pad with. */
export function unpad(value: string): string {
  return value.replace(/[\s\0]+$/u, '');
}

export function decodeTokenFlags(flags: number): UsbKeyFlags {
  const has = (bit: number): boolean => (flags & bit) !== 0;
  return {
    tokenInitialized: has(pkcs11js.CKF_TOKEN_INITIALIZED),
    userPinInitialized: has(pkcs11js.CKF_USER_PIN_INITIALIZED),
    loginRequired: has(pkcs11js.CKF_LOGIN_REQUIRED),
    writeProtected: has(pkcs11js.CKF_WRITE_PROTECTED),
    userPinCountLow: has(pkcs11js.CKF_USER_PIN_COUNT_LOW),
    userPinFinalTry: has(pkcs11js.CKF_USER_PIN_FINAL_TRY),
    userPinLocked: has(pkcs11js.CKF_USER_PIN_LOCKED),
    userPinToBeChanged: has(pkcs11js.CKF_USER_PIN_TO_BE_CHANGED),
    soPinCountLow: has(pkcs11js.CKF_SO_PIN_COUNT_LOW),
    soPinFinalTry: has(pkcs11js.CKF_SO_PIN_FINAL_TRY),
    soPinLocked: has(pkcs11js.CKF_SO_PIN_LOCKED),
    soPinToBeChanged: has(pkcs11js.CKF_SO_PIN_TO_BE_CHANGED),
  };
}

export function decodeTokenInfo(info: pkcs11js.TokenInfo): UsbKeyInfo {
  return {
    label: unpad(info.label),
    serial: unpad(info.serialNumber),
    manufacturer: unpad(info.manufacturerID),
    model: unpad(info.model),
    flags: decodeTokenFlags(info.flags),
  };
}

/** The tries-left texts the PIN_INCORRECT message carries, from what the key reports. */
export function triesLeftParams(flags: UsbKeyFlags, who: 'user' | 'so' = 'user'): { triesZh: string; triesEn: string } {
  const finalTry = who === 'user' ? flags.userPinFinalTry : flags.soPinFinalTry;
  const countLow = who === 'user' ? flags.userPinCountLow : flags.soPinCountLow;
  if (finalTry) {
    return { triesZh: '仅剩最后一次机会，再输错将锁定 USB Key。', triesEn: 'This was the last try but one: one more wrong PIN locks the key.' };
  }
  if (countLow) {
    // PKCS#11 sets COUNT_LOW after any wrong PIN since the last successful login.
    return { triesZh: '自上次成功登录以来已输错过 PIN，连续输错将锁定 USB Key。', triesEn: 'A wrong PIN has been entered since the last successful login; repeated failures lock the key.' };
  }
  return { triesZh: '', triesEn: '' };
}

import pkcs11js from 'pkcs11js';
import type { UsbKeyFlags, UsbKeyInfo } from '../../core/ports/usb-key';

/** PKCS#11 pads label, serial, manufacturer and model with blanks (and some tokens with NULs). */
function unpad(value: string): string {
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
export function triesLeftParams(flags: UsbKeyFlags): { triesZh: string; triesEn: string } {
  if (flags.userPinFinalTry) {
    return { triesZh: '仅剩最后一次机会，再输错将锁定 USB Key。', triesEn: 'This was the last try but one: one more wrong PIN locks the key.' };
  }
  if (flags.userPinCountLow) {
    return { triesZh: '剩余尝试次数已不多，请谨慎输入。', triesEn: 'Few tries are left; type carefully.' };
  }
  return { triesZh: '', triesEn: '' };
}

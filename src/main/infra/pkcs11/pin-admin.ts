import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import type { UsbKeyInfo } from '../../core/ports/usb-key';
import { ckrOf, toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { asLoggedIn, inPublicSession, pinString, RW_SESSION, wrongPinError } from './login';
import { removeMarkers, writeMarker } from './objects';
import type { SlotDirectory } from './slots';

/** PIN administration (concept 5 of the token layer): change, office reset, initialisation. */

function padLabel(label: string): string {
  const bytes = Buffer.from(label, 'utf8');
  if (bytes.length > 32) throw new YinjianError('USAGE', { detail: 'token label longer than 32 bytes' });
  return label + ' '.repeat(32 - bytes.length);
}

/** Refuses a PIN the model cannot take (profile `pinLength` and C_GetTokenInfo), before the key sees it. */
function assertPinLength(slots: SlotDirectory, slot: Buffer, pin: Uint8Array): void {
  const { min, max } = slots.pinLength(slot);
  if (pin.byteLength < min || pin.byteLength > max) throw new YinjianError('PIN_LENGTH_UNSUPPORTED', { min, max });
}

export class PinAdministration {
  constructor(
    private readonly library: Pkcs11Library,
    private readonly slots: SlotDirectory,
  ) {}

  /**
   * Changes the user PIN and removes the first-use marker (M4). Where C_SetPIN needs a login
   * (profile `setPinNeedsLogin`), the old PIN logs in first, so a wrong one reports tries left
   * like any login. Elsewhere the PIN is changed in a public read-write session and the marker
   * removed logged in with the new PIN, which also proves the change took.
   */
  changePin(serial: string, oldPin: Uint8Array, newPin: Uint8Array): void {
    const { slot } = this.slots.locate(serial);
    assertPinLength(this.slots, slot, newPin);
    const api = this.library.api;
    if (this.library.profile.setPinNeedsLogin) {
      asLoggedIn(this.library, slot, pkcs11js.CKU_USER, oldPin, (session) => {
        api.C_SetPIN(session, pinString(oldPin), pinString(newPin));
        removeMarkers(this.library, session);
      });
      return;
    }
    inPublicSession(this.library, slot, RW_SESSION, (session) => {
      try {
        api.C_SetPIN(session, pinString(oldPin), pinString(newPin));
      } catch (error) {
        if (ckrOf(error) === pkcs11js.CKR_PIN_INCORRECT) throw wrongPinError(this.library, slot, error, 'user');
        throw error;
      }
    });
    if (this.library.profile.marker !== 'none') {
      asLoggedIn(this.library, slot, pkcs11js.CKU_USER, newPin, (session) => removeMarkers(this.library, session));
    }
  }

  /**
   * The office resets the user PIN with the SO PIN (C_InitPIN) and writes the first-use marker
   * again (M4). Models without SO reset (profile `officeUnlock: 'none'`) refuse with
   * TOKEN_UNLOCK_UNSUPPORTED before the key is touched: the office re-issues the key instead.
   */
  resetUserPin(serial: string, soPin: Uint8Array, initialUserPin: Uint8Array): void {
    const { slot } = this.slots.locate(serial);
    if (this.library.profile.officeUnlock === 'none') {
      throw new YinjianError('TOKEN_UNLOCK_UNSUPPORTED', {
        module: this.library.profile.id,
        remedyZh: '请重新初始化并重新发放此 USB Key（原有密钥将被清除）',
        remedyEn: 're-initialise and re-issue the key (its keys are erased)',
      });
    }
    assertPinLength(this.slots, slot, initialUserPin);
    asLoggedIn(this.library, slot, pkcs11js.CKU_SO, soPin, (session) => this.library.api.C_InitPIN(session, pinString(initialUserPin)));
    // The marker is written as the user with the new initial PIN: an SO session may not create
    // objects (openCryptoki answers CKR_PIN_EXPIRED until its SO PIN is changed).
    if (this.library.profile.marker !== 'none') {
      asLoggedIn(this.library, slot, pkcs11js.CKU_USER, initialUserPin, (session) => writeMarker(this.library, session));
    }
  }

  /** C_InitToken with the SO PIN and label, then the initial user PIN (M1). Erases the key. */
  initializeKey(serial: string, soPin: Uint8Array, label: string, initialUserPin: Uint8Array): UsbKeyInfo {
    const { slot } = this.slots.locate(serial);
    if (this.library.profile.soInit === 'none') {
      throw new YinjianError('TOKEN_INIT_UNSUPPORTED', {
        module: this.library.profile.id,
        remedyZh: '请用厂商工具初始化后再发放',
        remedyEn: 'initialise it with the vendor\'s tool, then issue it',
      });
    }
    assertPinLength(this.slots, slot, initialUserPin);
    const api = this.library.api;
    try {
      api.C_InitToken(slot, pinString(soPin), padLabel(label));
    } catch (error) {
      if (ckrOf(error) === pkcs11js.CKR_PIN_INCORRECT) throw wrongPinError(this.library, slot, error, 'so');
      throw toTokenError(error);
    }
    asLoggedIn(this.library, slot, pkcs11js.CKU_SO, soPin, (session) => api.C_InitPIN(session, pinString(initialUserPin)));
    try {
      return this.slots.infoOf(slot);
    } catch (error) {
      throw toTokenError(error);
    }
  }
}

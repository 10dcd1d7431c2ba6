import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import type { UsbKeyInfo } from '../../core/ports/usb-key';
import { toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { decodeTokenInfo } from './token-info';

/**
 * The name the app gives a key. It is the token's serial number where the module gives every
 * token its own; NSS softoken and tpm2-pkcs11 report 0000000000000000 for every token (profile
 * `uniqueSerial: false`), and a blank or all-zero serial identifies nothing either. Those keys
 * are named `serial/label/model`, so the register (M4 first-use rows, the seal's token), the
 * key watcher and every look-up tell two such keys apart instead of taking one for the other.
 */
export function keyIdentity(info: UsbKeyInfo, uniqueSerial: boolean): UsbKeyInfo {
  if (uniqueSerial && !/^0*$/u.test(info.serial)) return info;
  return { ...info, serial: `${info.serial}/${info.label}/${info.model.replace(/\s+/gu, ' ')}` };
}

/** A present key: its slot handle (valid until the module re-initialises) and what the key says. */
export interface LocatedKey {
  readonly slot: Buffer;
  readonly info: UsbKeyInfo;
}

/**
 * Module and slots (concept 1 of the token layer): which keys are present, and finding one by
 * serial or label. Slot ids change when keys are re-plugged, so a key is always looked up again.
 */
export class SlotDirectory {
  constructor(private readonly library: Pkcs11Library) {}

  /**
   * Makes the slot list current. For modules with a static slot list (profile
   * `staticSlotList`) that means re-initialising, which the caller skips while a session is open
   * so that a stamping in progress is never cut off by the key watcher.
   */
  rescan(openSessions: number): void {
    if (this.library.slotListIsStatic && openSessions === 0) this.library.reinitialize();
  }

  /** Every slot with a token, including uninitialised ones and the module's own internal tokens. */
  allTokens(): LocatedKey[] {
    const api = this.library.api;
    try {
      return api.C_GetSlotList(true).map((slot) => ({ slot, info: this.infoOf(slot) }));
    } catch (error) {
      throw toTokenError(error);
    }
  }

  /** What the key in this slot says, named as the app names it (keyIdentity). */
  infoOf(slot: Buffer): UsbKeyInfo {
    return keyIdentity(decodeTokenInfo(this.library.api.C_GetTokenInfo(slot)), this.library.profile.uniqueSerial);
  }

  /** Initialised tokens that can be seal keys: the profile's `hiddenTokens` (NSS's crypto slot) are left out. */
  present(): LocatedKey[] {
    const hidden = new Set(this.library.profile.hiddenTokens);
    return this.allTokens().filter((s) => s.info.flags.tokenInitialized && !hidden.has(s.info.label));
  }

  /**
   * Finds one key by its name (serial, or `serial/label/model` where serials are shared, see
   * keyIdentity) or by label. Two keys with the same name or label are refused (TOKEN_AMBIGUOUS),
   * never guessed between.
   */
  locate(serialOrLabel: string): LocatedKey {
    const present = this.present();
    const bySerial = present.filter((s) => s.info.serial === serialOrLabel);
    if (bySerial.length === 1) return bySerial[0]!;
    const byLabel = present.filter((s) => s.info.label === serialOrLabel);
    if (byLabel.length === 1) return byLabel[0]!;
    if (bySerial.length > 1 || byLabel.length > 1) throw new YinjianError('TOKEN_AMBIGUOUS', { token: serialOrLabel });
    throw new YinjianError('TOKEN_NOT_FOUND', { token: serialOrLabel });
  }

  /** Mechanisms the key's slot offers. */
  mechanisms(slot: Buffer): Set<number> {
    try {
      return new Set(this.library.api.C_GetMechanismList(slot));
    } catch (error) {
      throw toTokenError(error);
    }
  }

  /** The token's own PIN length limits, intersected with the profile's. */
  pinLength(slot: Buffer): { min: number; max: number } {
    const profile = this.library.profile.pinLength;
    let reported: pkcs11js.TokenInfo | undefined;
    try {
      reported = this.library.api.C_GetTokenInfo(slot);
    } catch {
      reported = undefined;
    }
    const min = Math.max(profile.min, reported?.minPinLen ?? 0);
    const reportedMax = reported?.maxPinLen ?? 0;
    const max = reportedMax > 0 ? Math.min(profile.max, reportedMax) : profile.max;
    return { min, max };
  }
}

import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import type { UsbKeyInfo } from '../../core/ports/usb-key';
import { toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { decodeTokenInfo } from './token-info';

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
      return api.C_GetSlotList(true).map((slot) => ({ slot, info: decodeTokenInfo(api.C_GetTokenInfo(slot)) }));
    } catch (error) {
      throw toTokenError(error);
    }
  }

  /** Initialised tokens that can be seal keys: the profile's `hiddenTokens` (NSS's crypto slot) are left out. */
  present(): LocatedKey[] {
    const hidden = new Set(this.library.profile.hiddenTokens);
    return this.allTokens().filter((s) => s.info.flags.tokenInitialized && !hidden.has(s.info.label));
  }

  /**
   * Finds one key by serial (preferred) or label. Some modules give every token the same serial
   * (profile `uniqueSerial: false`): there the label decides.
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

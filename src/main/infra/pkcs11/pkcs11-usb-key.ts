import pkcs11js from 'pkcs11js';
import type { UsbKeyInfo, UsbKeyPort, UsbKeySession } from '../../core/ports/usb-key';
import { toTokenError } from './ckr';
import { Pkcs11Session } from './key-session';
import type { Pkcs11Library } from './library';
import { closeRaw, inPublicSession, login, openRaw, RO_SESSION, RW_SESSION } from './login';
import { findMarkers, readCertificates, type StoredCertificate } from './objects';
import { PinAdministration } from './pin-admin';
import { SlotDirectory } from './slots';

export { FIRST_USE_MARKER_APPLICATION, FIRST_USE_MARKER_LABEL } from './objects';

/**
 * UsbKeyPort over a PKCS#11 module loaded with pkcs11js. The token layer is split by concept,
 * as graphene splits its API: module and slots (slots.ts), session and login (login.ts), objects
 * (objects.ts), keys and signing (key-session.ts, signer.ts), PIN administration (pin-admin.ts).
 * Each reads the module's quirks from its profile (profile.ts, native/pkcs11-modules.json).
 */
export class Pkcs11UsbKeyPort implements UsbKeyPort {
  private readonly slots: SlotDirectory;
  private readonly pins: PinAdministration;

  constructor(private readonly library: Pkcs11Library) {
    this.slots = new SlotDirectory(library);
    this.pins = new PinAdministration(library, this.slots);
  }

  /** The module's profile and identity, for the doctor and the set-up screen. */
  get module(): Pkcs11Library {
    return this.library;
  }

  /**
   * Makes the slot list current. For modules with a static slot list that means
   * re-initialising, skipped while a session is open so that a stamping in progress is never
   * cut off by the key watcher: any session on the module in this process counts, also one
   * opened through another handle (two app compositions in one process, as the browser tests run).
   */
  rescan(): void {
    this.slots.rescan(this.library.sessionsOpenInProcess);
  }

  listKeys(): UsbKeyInfo[] {
    return this.slots.present().map((s) => s.info);
  }

  findKey(serialOrLabel: string): UsbKeyInfo {
    return this.slots.locate(serialOrLabel).info;
  }

  async listPublicCertificates(serial: string): Promise<StoredCertificate[]> {
    const { slot } = this.slots.locate(serial);
    return inPublicSession(this.library, slot, RO_SESSION, (session) => readCertificates(this.library.api, session, [{ type: pkcs11js.CKA_PRIVATE, value: false }]));
  }

  async hasFirstUseMarker(serial: string): Promise<boolean> {
    const { slot } = this.slots.locate(serial);
    // A model that cannot hold the marker has none; the register speaks for it (M4).
    if (this.library.profile.marker === 'none') return false;
    return inPublicSession(this.library, slot, RO_SESSION, (session) => findMarkers(this.library.api, session).length > 0);
  }

  async openSession(serial: string, pin: Uint8Array): Promise<UsbKeySession> {
    const { slot, info } = this.slots.locate(serial);
    const session = openRaw(this.library, slot, RW_SESSION);
    try {
      login(this.library, slot, session, pkcs11js.CKU_USER, pin);
    } catch (error) {
      closeRaw(this.library, session);
      throw toTokenError(error);
    }
    return new Pkcs11Session(this.library, slot, session, info, this.library.trackSession());
  }

  async changePin(serial: string, oldPin: Uint8Array, newPin: Uint8Array): Promise<void> {
    this.pins.changePin(serial, oldPin, newPin);
  }

  async resetUserPin(serial: string, soPin: Uint8Array, initialUserPin: Uint8Array): Promise<void> {
    this.pins.resetUserPin(serial, soPin, initialUserPin);
  }

  async initializeKey(serial: string, soPin: Uint8Array, label: string, initialUserPin: Uint8Array): Promise<UsbKeyInfo> {
    return this.pins.initializeKey(serial, soPin, label, initialUserPin);
  }

  close(): void {
    this.library.close();
  }
}

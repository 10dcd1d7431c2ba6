import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import { parseCertificate } from '../../core/pki/index';
import type { SealSigner, SignatureAlgorithm } from '../../core/ports/signer';
import type { SealKeyPair, SealKeyType, UsbKeyInfo, UsbKeyPort, UsbKeySession } from '../../core/ports/usb-key';
import { ckrOf, toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { P256_EC_PARAMS, p256Spki, rsaSpki } from './public-key';
import { Pkcs11SealSigner, planMechanism } from './signer';
import { decodeTokenInfo, triesLeftParams } from './token-info';

/**
 * The first-use marker (M4): a public CKO_DATA object that issuance writes and a PIN change
 * removes. SoftHSM keeps CKO_DATA values read-only, so the marker is destroyed and recreated,
 * never updated.
 */
export const FIRST_USE_MARKER_APPLICATION = 'Yinjian';
export const FIRST_USE_MARKER_LABEL = 'yinjian-first-use';

const RW_SESSION = pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION;
const RO_SESSION = pkcs11js.CKF_SERIAL_SESSION;

/**
 * pkcs11js takes PINs as JavaScript strings only. The string exists for the duration of the
 * native call and is then unreachable; the Buffer the PIN lives in is owned and zeroed by the
 * caller. PINs are ASCII by policy, so latin1 decoding is exact.
 */
function pinString(pin: Uint8Array): string {
  return Buffer.from(pin.buffer, pin.byteOffset, pin.byteLength).toString('latin1');
}

function padLabel(label: string): string {
  const bytes = Buffer.from(label, 'utf8');
  if (bytes.length > 32) throw new YinjianError('USAGE', { detail: 'token label longer than 32 bytes' });
  return label + ' '.repeat(32 - bytes.length);
}

function findObjects(api: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  api.C_FindObjectsInit(session, template);
  const found: Buffer[] = [];
  try {
    for (;;) {
      const batch = api.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      found.push(...batch);
      if (found.length > 4096) break; // a real USB key holds a handful of objects
    }
  } catch (error) {
    // The search failed (often: the key was pulled). Ending it may fail too, with a less
    // precise code such as TOKEN_NOT_PRESENT; the first error is the one that explains.
    try {
      api.C_FindObjectsFinal(session);
    } catch {
      // already reported above
    }
    throw error;
  }
  api.C_FindObjectsFinal(session);
  return found;
}

function attribute(api: pkcs11js.PKCS11, session: Buffer, object: Buffer, type: number): Buffer {
  const [attr] = api.C_GetAttributeValue(session, object, [{ type }]);
  const value = attr?.value;
  if (!Buffer.isBuffer(value)) throw new YinjianError('TOKEN_OPERATION_FAILED', { ckr: `attribute 0x${type.toString(16)} missing` });
  return value;
}

class Pkcs11Session implements UsbKeySession {
  private closed = false;
  private mechanisms: Set<number> | undefined;

  constructor(
    private readonly library: Pkcs11Library,
    private readonly slot: Buffer,
    private readonly handle: Buffer,
    readonly key: UsbKeyInfo,
    private readonly onClose: () => void,
  ) {
    this.api = library.api;
    this.generation = library.generation;
  }

  private readonly api: pkcs11js.PKCS11;
  private readonly generation: number;

  /** A session outlives its module generation when the key was pulled and the module re-initialised. */
  private assertAlive(): void {
    if (this.closed) throw new YinjianError('SESSION_CLOSED');
    if (this.library.isClosed || this.library.generation !== this.generation) throw new YinjianError('DEVICE_REMOVED');
  }

  private run<T>(operation: () => T): T {
    this.assertAlive();
    try {
      return operation();
    } catch (error) {
      throw toTokenError(error);
    }
  }

  private publicKeyOf(keyId: Buffer): { keyType: SealKeyType; spki: Uint8Array } {
    const [publicKey] = findObjects(this.api, this.handle, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_ID, value: keyId },
    ]);
    if (!publicKey) throw new YinjianError('KEY_NOT_FOUND', { keyId: keyId.toString('hex') });
    const keyType = attribute(this.api, this.handle, publicKey, pkcs11js.CKA_KEY_TYPE).readUIntLE(0, 4);
    if (keyType === pkcs11js.CKK_RSA) {
      const modulus = attribute(this.api, this.handle, publicKey, pkcs11js.CKA_MODULUS);
      const exponent = attribute(this.api, this.handle, publicKey, pkcs11js.CKA_PUBLIC_EXPONENT);
      if (modulus.length !== 256) throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: `RSA-${modulus.length * 8}` });
      return { keyType: 'rsa2048', spki: rsaSpki(modulus, exponent) };
    }
    if (keyType === pkcs11js.CKK_EC) {
      const params = attribute(this.api, this.handle, publicKey, pkcs11js.CKA_EC_PARAMS);
      if (!params.equals(P256_EC_PARAMS)) throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: `EC curve ${params.toString('hex')}` });
      return { keyType: 'p256', spki: p256Spki(attribute(this.api, this.handle, publicKey, pkcs11js.CKA_EC_POINT)) };
    }
    throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: `CKK 0x${keyType.toString(16)}` });
  }

  async listKeyPairs(): Promise<SealKeyPair[]> {
    return this.run(() => {
      const privateKeys = findObjects(this.api, this.handle, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
      return privateKeys.map((object) => {
        const keyId = attribute(this.api, this.handle, object, pkcs11js.CKA_ID);
        const { keyType, spki } = this.publicKeyOf(keyId);
        return { keyId: new Uint8Array(keyId), keyType, publicKeySpki: spki };
      });
    });
  }

  async signer(keyId: Uint8Array, algorithm: SignatureAlgorithm): Promise<SealSigner> {
    return this.run(() => {
      const id = Buffer.from(keyId);
      const [privateKey] = findObjects(this.api, this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: id },
      ]);
      if (!privateKey) throw new YinjianError('KEY_NOT_FOUND', { keyId: id.toString('hex') });
      const { keyType, spki } = this.publicKeyOf(id);
      const fits = keyType === 'p256' ? algorithm === 'ECDSA_P256_SHA256' : algorithm !== 'ECDSA_P256_SHA256';
      if (!fits) throw new YinjianError('MECHANISM_UNSUPPORTED', { mechanism: `${algorithm} with a ${keyType} key` });
      this.mechanisms ??= new Set(this.api.C_GetMechanismList(this.slot));
      return new Pkcs11SealSigner(this.api, this.handle, privateKey, algorithm, spki, planMechanism(algorithm, this.mechanisms), () =>
        this.assertAlive(),
      );
    });
  }

  async generateKeyPair(keyType: SealKeyType, label: string): Promise<SealKeyPair> {
    this.assertAlive();
    const keyId = randomBytes(16);
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_ID, value: keyId },
      { type: pkcs11js.CKA_LABEL, value: label },
    ];
    // The private key never leaves the USB key: sensitive and non-extractable (M1, S1).
    const privateTemplate = [
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
    ];
    const publicTemplate =
      keyType === 'rsa2048'
        ? [
            ...common,
            { type: pkcs11js.CKA_VERIFY, value: true },
            { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
            { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          ]
        : [...common, { type: pkcs11js.CKA_VERIFY, value: true }, { type: pkcs11js.CKA_EC_PARAMS, value: P256_EC_PARAMS }];
    const mechanism = { mechanism: keyType === 'rsa2048' ? pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN : pkcs11js.CKM_EC_KEY_PAIR_GEN };
    try {
      await this.api.C_GenerateKeyPairAsync(this.handle, mechanism, publicTemplate, privateTemplate);
    } catch (error) {
      throw toTokenError(error);
    }
    const spki = this.run(() => this.publicKeyOf(keyId).spki);
    return { keyId: new Uint8Array(keyId), keyType, publicKeySpki: spki };
  }

  async storeCertificate(der: Uint8Array, keyId: Uint8Array, label: string): Promise<void> {
    // PKCS#11 §4.6.3: CKA_SUBJECT must be given when an X.509 certificate object is created
    // (SoftHSM2 answers CKR_TEMPLATE_INCOMPLETE without it).
    const subject = Buffer.from(parseCertificate(der).subject.der);
    this.run(() =>
      this.api.C_CreateObject(this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_SUBJECT, value: subject },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(der) },
      ]),
    );
  }

  async listCertificates(): Promise<{ keyId: Uint8Array; label: string; der: Uint8Array }[]> {
    return this.run(() => readCertificates(this.api, this.handle, []));
  }

  async destroyKeyObjects(keyId: Uint8Array): Promise<number> {
    return this.run(() => {
      const objects = findObjects(this.api, this.handle, [{ type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
      for (const object of objects) this.api.C_DestroyObject(this.handle, object);
      return objects.length;
    });
  }

  async writeFirstUseMarker(): Promise<void> {
    this.run(() => {
      for (const marker of findMarkers(this.api, this.handle)) this.api.C_DestroyObject(this.handle, marker);
      this.api.C_CreateObject(this.handle, markerTemplate());
    });
  }

  async readRecords(label: string): Promise<Uint8Array[]> {
    return this.run(() => findRecords(this.api, this.handle, label).map((object) => new Uint8Array(attribute(this.api, this.handle, object, pkcs11js.CKA_VALUE))));
  }

  async replaceRecord(label: string, value: Uint8Array): Promise<void> {
    this.run(() => {
      const old = findRecords(this.api, this.handle, label);
      // SoftHSM2 keeps CKO_DATA values read-only: create the new object, then destroy the old.
      this.api.C_CreateObject(this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_APPLICATION, value: FIRST_USE_MARKER_APPLICATION },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(value) },
      ]);
      for (const object of old) this.api.C_DestroyObject(this.handle, object);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    if (this.library.isClosed || this.library.generation !== this.generation) return;
    try {
      this.api.C_Logout(this.handle);
    } catch {
      // a removed key cannot log out; closing the session below releases it anyway
    }
    try {
      this.api.C_CloseSession(this.handle);
    } catch {
      // already gone with the device
    }
  }
}

/** Certificate objects matching `template`, with their CKA_ID, label and DER value. */
function readCertificates(api: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): { keyId: Uint8Array; label: string; der: Uint8Array }[] {
  return findObjects(api, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }, ...template]).map((object) => ({
    keyId: new Uint8Array(attribute(api, session, object, pkcs11js.CKA_ID)),
    label: attribute(api, session, object, pkcs11js.CKA_LABEL).toString('utf8'),
    der: new Uint8Array(attribute(api, session, object, pkcs11js.CKA_VALUE)),
  }));
}

function markerTemplate(): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_APPLICATION, value: FIRST_USE_MARKER_APPLICATION },
    { type: pkcs11js.CKA_LABEL, value: FIRST_USE_MARKER_LABEL },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from('initial-user-pin', 'ascii') },
  ];
}

/** Our private data objects with `label` (the initial-PIN record, the usage anchor). */
function findRecords(api: pkcs11js.PKCS11, session: Buffer, label: string): Buffer[] {
  return findObjects(api, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
}

function findMarkers(api: pkcs11js.PKCS11, session: Buffer): Buffer[] {
  return findObjects(api, session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_LABEL, value: FIRST_USE_MARKER_LABEL },
  ]);
}

/** UsbKeyPort over a PKCS#11 module loaded with pkcs11js. */
export class Pkcs11UsbKeyPort implements UsbKeyPort {
  private openSessions = 0;

  constructor(private readonly library: Pkcs11Library) {}

  /**
   * Makes the slot list current. For modules with a static slot list (SoftHSM2) that means
   * re-initialising, which is skipped while a session is open so that a stamping in progress
   * is never cut off by the key watcher.
   */
  rescan(): void {
    if (this.library.slotListIsStatic && this.openSessions === 0) this.library.reinitialize();
  }

  private get api(): pkcs11js.PKCS11 {
    return this.library.api;
  }

  private presentSlots(): { slot: Buffer; info: UsbKeyInfo }[] {
    try {
      return this.api.C_GetSlotList(true).map((slot) => ({ slot, info: decodeTokenInfo(this.api.C_GetTokenInfo(slot)) }));
    } catch (error) {
      throw toTokenError(error);
    }
  }

  listKeys(): UsbKeyInfo[] {
    return this.presentSlots()
      .map((s) => s.info)
      .filter((info) => info.flags.tokenInitialized);
  }

  /** Slot ids change when keys are re-plugged, so a key is always looked up again by serial or label. */
  private locate(serialOrLabel: string): { slot: Buffer; info: UsbKeyInfo } {
    const present = this.presentSlots().filter((s) => s.info.flags.tokenInitialized);
    const bySerial = present.filter((s) => s.info.serial === serialOrLabel);
    if (bySerial.length === 1) return bySerial[0]!;
    const byLabel = present.filter((s) => s.info.label === serialOrLabel);
    if (byLabel.length === 1) return byLabel[0]!;
    if (bySerial.length > 1 || byLabel.length > 1) throw new YinjianError('TOKEN_AMBIGUOUS', { token: serialOrLabel });
    throw new YinjianError('TOKEN_NOT_FOUND', { token: serialOrLabel });
  }

  findKey(serialOrLabel: string): UsbKeyInfo {
    return this.locate(serialOrLabel).info;
  }

  private openRaw(slot: Buffer, flags: number): Buffer {
    try {
      return this.api.C_OpenSession(slot, flags);
    } catch (error) {
      throw toTokenError(error);
    }
  }

  private closeRaw(session: Buffer): void {
    try {
      this.api.C_CloseSession(session);
    } catch {
      // the key may be gone; nothing is left to release
    }
  }

  /** Logs in, translating a wrong PIN into PIN_INCORRECT with what the key says about tries left. */
  private login(slot: Buffer, session: Buffer, userType: number, pin: Uint8Array): void {
    try {
      this.api.C_Login(session, userType, pinString(pin));
    } catch (error) {
      const ckr = ckrOf(error);
      if (ckr === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        // Login state is shared by all sessions of this process on a key. Accepting "already
        // logged in" would accept any PIN while another session is open, so log out and check
        // this PIN for real.
        try {
          this.api.C_Logout(session);
        } catch (logoutError) {
          throw toTokenError(logoutError);
        }
        this.login(slot, session, userType, pin);
        return;
      }
      if (ckr === pkcs11js.CKR_PIN_INCORRECT) {
        let flags;
        try {
          flags = decodeTokenInfo(this.api.C_GetTokenInfo(slot)).flags;
        } catch {
          flags = undefined;
        }
        const isUser = userType === pkcs11js.CKU_USER;
        if (flags && (isUser ? flags.userPinLocked : flags.soPinLocked)) throw new YinjianError('PIN_LOCKED', undefined, { cause: error });
        throw toTokenError(error, flags ? triesLeftParams(flags, isUser ? 'user' : 'so') : undefined);
      }
      throw toTokenError(error);
    }
  }

  async listPublicCertificates(serial: string): Promise<{ keyId: Uint8Array; label: string; der: Uint8Array }[]> {
    const { slot } = this.locate(serial);
    const session = this.openRaw(slot, RO_SESSION);
    try {
      return readCertificates(this.api, session, [{ type: pkcs11js.CKA_PRIVATE, value: false }]);
    } catch (error) {
      throw toTokenError(error);
    } finally {
      this.closeRaw(session);
    }
  }

  async hasFirstUseMarker(serial: string): Promise<boolean> {
    const { slot } = this.locate(serial);
    const session = this.openRaw(slot, RO_SESSION);
    try {
      return findMarkers(this.api, session).length > 0;
    } catch (error) {
      throw toTokenError(error);
    } finally {
      this.closeRaw(session);
    }
  }

  async openSession(serial: string, pin: Uint8Array): Promise<UsbKeySession> {
    const { slot, info } = this.locate(serial);
    const session = this.openRaw(slot, RW_SESSION);
    try {
      this.login(slot, session, pkcs11js.CKU_USER, pin);
    } catch (error) {
      this.closeRaw(session);
      throw error;
    }
    this.openSessions++;
    return new Pkcs11Session(this.library, slot, session, info, () => {
      this.openSessions--;
    });
  }

  /**
   * Runs `work` in a read-write session logged in as `userType` with `pin`, then logs out and
   * closes the session whatever happened. Errors from `work` become typed token errors.
   */
  private asLoggedIn(slot: Buffer, userType: number, pin: Uint8Array, work: (session: Buffer) => void): void {
    const session = this.openRaw(slot, RW_SESSION);
    try {
      this.login(slot, session, userType, pin);
      try {
        work(session);
      } catch (error) {
        throw toTokenError(error);
      }
    } finally {
      try {
        this.api.C_Logout(session);
      } catch {
        // not logged in, or the key is gone
      }
      this.closeRaw(session);
    }
  }

  async changePin(serial: string, oldPin: Uint8Array, newPin: Uint8Array): Promise<void> {
    const { slot } = this.locate(serial);
    // Log in with the old PIN first: a wrong old PIN then reports tries left like any login.
    this.asLoggedIn(slot, pkcs11js.CKU_USER, oldPin, (session) => {
      this.api.C_SetPIN(session, pinString(oldPin), pinString(newPin));
      // M4: the PIN is no longer the initial one, so the marker goes, removed while logged in.
      for (const marker of findMarkers(this.api, session)) this.api.C_DestroyObject(session, marker);
    });
  }

  async resetUserPin(serial: string, soPin: Uint8Array, initialUserPin: Uint8Array): Promise<void> {
    const { slot } = this.locate(serial);
    this.asLoggedIn(slot, pkcs11js.CKU_SO, soPin, (session) => {
      this.api.C_InitPIN(session, pinString(initialUserPin));
      for (const marker of findMarkers(this.api, session)) this.api.C_DestroyObject(session, marker);
      this.api.C_CreateObject(session, markerTemplate());
    });
  }

  async initializeKey(serial: string, soPin: Uint8Array, label: string, initialUserPin: Uint8Array): Promise<UsbKeyInfo> {
    const { slot } = this.locate(serial);
    try {
      this.api.C_InitToken(slot, pinString(soPin), padLabel(label));
    } catch (error) {
      throw toTokenError(error);
    }
    this.asLoggedIn(slot, pkcs11js.CKU_SO, soPin, (session) => this.api.C_InitPIN(session, pinString(initialUserPin)));
    try {
      return decodeTokenInfo(this.api.C_GetTokenInfo(slot));
    } catch (error) {
      throw toTokenError(error);
    }
  }

  close(): void {
    this.library.close();
  }
}

import type { SealSigner, SignatureAlgorithm } from './signer';

/**
 * The USB key (a PKCS#11 token) as the domain sees it. The PKCS#11 layer in
 * src/main/infra/pkcs11 implements it; core never sees a slot id, a handle or a CKR_ value.
 *
 * A key is always named by its serial number or label, never by slot id: slot ids change
 * when keys are re-plugged.
 */
export interface UsbKeyFlags {
  readonly tokenInitialized: boolean;
  readonly userPinInitialized: boolean;
  readonly loginRequired: boolean;
  readonly writeProtected: boolean;
  readonly userPinCountLow: boolean;
  readonly userPinFinalTry: boolean;
  readonly userPinLocked: boolean;
  readonly userPinToBeChanged: boolean;
  readonly soPinCountLow: boolean;
  readonly soPinFinalTry: boolean;
  readonly soPinLocked: boolean;
  readonly soPinToBeChanged: boolean;
}

export interface UsbKeyInfo {
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly flags: UsbKeyFlags;
}

export type SealKeyType = 'rsa2048' | 'p256';

/** A key pair's public half and the id that binds key, certificate and marker together. */
export interface SealKeyPair {
  /** CKA_ID shared by the private key, public key and certificate objects. */
  readonly keyId: Uint8Array;
  readonly keyType: SealKeyType;
  readonly publicKeySpki: Uint8Array;
}

/** An open, logged-in session on one USB key. Closing it logs out. */
export interface UsbKeySession {
  readonly key: UsbKeyInfo;
  /** Private keys on the key, with their CKA_ID and type. */
  listKeyPairs(): Promise<SealKeyPair[]>;
  /** A signer bound to the private key with this CKA_ID. */
  signer(keyId: Uint8Array, algorithm: SignatureAlgorithm): Promise<SealSigner>;
  /** Generates a sensitive, non-extractable key pair on the key itself. */
  generateKeyPair(keyType: SealKeyType, label: string): Promise<SealKeyPair>;
  /** Stores a certificate object (DER) with the given CKA_ID and label. */
  storeCertificate(der: Uint8Array, keyId: Uint8Array, label: string): Promise<void>;
  /** Certificates stored on the key, DER, with their CKA_ID and label. */
  listCertificates(): Promise<{ keyId: Uint8Array; label: string; der: Uint8Array }[]>;
  /** Destroys key pair and certificate objects with this CKA_ID (seal cancelled or destroyed, S3). */
  destroyKeyObjects(keyId: Uint8Array): Promise<number>;
  /** Writes the first-use marker (M4) that says the user PIN is still the initial one. */
  writeFirstUseMarker(): Promise<void>;
  /**
   * The values of the private data objects (CKO_DATA, readable only logged in) with this label,
   * oldest handle first. More than one is left only by a kill inside `replaceRecord`: the
   * domain stores what lets it choose (a counter that only grows, or identical values).
   */
  readRecords(label: string): Promise<Uint8Array[]>;
  /**
   * Replaces the private data object(s) with this label by one holding `value`. Crash-safe
   * for keys whose data objects are read-only once created (SoftHSM2): the new object is
   * created first and only then the old ones destroyed, so a kill in between leaves both,
   * never none.
   */
  replaceRecord(label: string, value: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface UsbKeyPort {
  /** Keys currently present, in slot order. */
  listKeys(): UsbKeyInfo[];
  /** Finds one key by serial (preferred) or label; throws TOKEN_NOT_FOUND / TOKEN_AMBIGUOUS. */
  findKey(serialOrLabel: string): UsbKeyInfo;
  /**
   * The certificates stored on the key as public objects, readable without a PIN. A workstation
   * finds which filed seal a key carries by its certificate, before asking for the PIN.
   */
  listPublicCertificates(serial: string): Promise<{ keyId: Uint8Array; label: string; der: Uint8Array }[]>;
  /** True when the public first-use marker object (M4) is on the key. Needs no PIN. */
  hasFirstUseMarker(serial: string): Promise<boolean>;
  /**
   * Logs in as the key's user. The PIN buffer stays owned by the caller, who zeroes it.
   * Wrong PINs throw PIN_INCORRECT with the tries-left state the key reports.
   */
  openSession(serial: string, pin: Uint8Array): Promise<UsbKeySession>;
  /**
   * Changes the user PIN (C_SetPIN) and then removes the first-use marker while logged in
   * with the new PIN. Both PIN buffers stay owned by the caller.
   */
  changePin(serial: string, oldPin: Uint8Array, newPin: Uint8Array): Promise<void>;
  /**
   * Initialises a key for issuance (M1): C_InitToken with the SO PIN and label, then sets the
   * initial user PIN. Erases everything on the key.
   */
  initializeKey(serial: string, soPin: Uint8Array, label: string, initialUserPin: Uint8Array): Promise<UsbKeyInfo>;
  /**
   * The office unlocks a locked key or resets a forgotten PIN (SO login, C_InitPIN). The new
   * PIN is an initial PIN again, so the first-use marker is written (M4). Keys and
   * certificates stay. PIN buffers stay owned by the caller.
   */
  resetUserPin(serial: string, soPin: Uint8Array, initialUserPin: Uint8Array): Promise<void>;
  /** Releases the module. */
  close(): void;
}

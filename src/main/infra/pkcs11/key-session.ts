import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import { parseCertificate } from '../../core/pki/index';
import type { SealSigner, SignatureAlgorithm } from '../../core/ports/signer';
import type { SealKeyPair, SealKeyType, UsbKeyInfo, UsbKeySession } from '../../core/ports/usb-key';
import { toTokenError } from './ckr';
import type { Pkcs11Library } from './library';
import { assertRoomFor, attribute, findObjects, findRecords, readCertificates, replaceRecord, writeMarker } from './objects';
import { P256_EC_PARAMS, p256Spki, rsaSpki } from './public-key';
import { Pkcs11SealSigner, planMechanism } from './signer';

/**
 * Keys and signing (concept 4 of the token layer): an open, logged-in session on one key,
 * with its key pairs, signers, certificates and the first-use marker.
 */

/** A certificate serial number (its INTEGER content octets, as encoded) as a DER INTEGER, for CKA_SERIAL_NUMBER. */
export function derInteger(content: Uint8Array): Buffer {
  const value = content.length ? Buffer.from(content) : Buffer.from([0]);
  if (value.length > 127) throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: 'certificate serial number too long' });
  return Buffer.concat([Buffer.from([0x02, value.length]), value]);
}

/** The mechanisms a slot offers, less those the module's profile says never to use (`avoidMechanisms`). */
export function usableMechanisms(library: Pkcs11Library, offered: readonly number[]): Set<number> {
  const avoided = new Set(
    library.profile.avoidMechanisms.map((name) => (pkcs11js as unknown as Record<string, unknown>)[name]).filter((v): v is number => typeof v === 'number'),
  );
  return new Set(offered.filter((m) => !avoided.has(m)));
}

export class Pkcs11Session implements UsbKeySession {
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
      this.mechanisms ??= usableMechanisms(this.library, this.api.C_GetMechanismList(this.slot));
      return new Pkcs11SealSigner(this.api, this.handle, privateKey, algorithm, spki, planMechanism(algorithm, this.mechanisms), () =>
        this.assertAlive(),
      );
    });
  }

  async generateKeyPair(keyType: SealKeyType, label: string): Promise<SealKeyPair> {
    this.assertAlive();
    // Profile `keyTypes`: a model that cannot make this key says so before anything is written.
    if (!this.library.profile.keyTypes.includes(keyType)) {
      throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: `${keyType} on ${this.library.profile.id}` });
    }
    this.run(() => assertRoomFor(this.library, this.handle, 2));
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
    // NSS's softoken also insists on CKA_ISSUER and CKA_SERIAL_NUMBER (CKR_TEMPLATE_INCOMPLETE
    // without them); PKCS#11 allows them everywhere, so every model gets them.
    const parsed = parseCertificate(der);
    const subject = Buffer.from(parsed.subject.der);
    const issuer = Buffer.from(parsed.issuer.der);
    const serialNumber = derInteger(parsed.serialNumber);
    this.run(() => assertRoomFor(this.library, this.handle, 1));
    this.run(() =>
      this.api.C_CreateObject(this.handle, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_SUBJECT, value: subject },
        { type: pkcs11js.CKA_ISSUER, value: issuer },
        { type: pkcs11js.CKA_SERIAL_NUMBER, value: serialNumber },
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
    this.run(() => writeMarker(this.library, this.handle));
  }

  async readRecords(label: string): Promise<Uint8Array[]> {
    return this.run(() => findRecords(this.library, this.handle, label).map((object) => new Uint8Array(attribute(this.api, this.handle, object, pkcs11js.CKA_VALUE))));
  }

  async replaceRecord(label: string, value: Uint8Array): Promise<void> {
    this.run(() => replaceRecord(this.library, this.handle, label, value));
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


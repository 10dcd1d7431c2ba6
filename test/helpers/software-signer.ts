/**
 * A SealSigner backed by a node:crypto software key, for tests where no USB key is involved
 * (the PKI core only ever sees the port, so this exercises exactly the code a token would).
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { SealSigner, SignatureAlgorithm } from '../../src/main/core/ports/signer';

export interface SoftwareSigner extends SealSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PEM of the private key, for handing to openssl in tests. */
  readonly privateKeyPem: string;
}

export function softwareSignerFromKeys(algorithm: SignatureAlgorithm, privateKey: KeyObject, publicKey: KeyObject): SoftwareSigner {
  const publicKeySpki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    algorithm,
    publicKeySpki,
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    async sign(data: Uint8Array): Promise<Uint8Array> {
      switch (algorithm) {
        case 'RSA_PKCS1_SHA256':
          return new Uint8Array(sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }));
        case 'RSA_PSS_SHA256':
          return new Uint8Array(sign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
        case 'ECDSA_P256_SHA256':
          return new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
      }
    },
  };
}

export function createSoftwareSigner(algorithm: SignatureAlgorithm): SoftwareSigner {
  const pair =
    algorithm === 'ECDSA_P256_SHA256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return softwareSignerFromKeys(algorithm, pair.privateKey, pair.publicKey);
}

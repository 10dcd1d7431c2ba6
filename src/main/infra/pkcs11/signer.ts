import { createHash } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import type { SealSigner, SignatureAlgorithm } from '../../core/ports/signer';
import { toTokenError } from './ckr';
import { ecdsaRawToDer } from './public-key';

/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2), for tokens that only have raw CKM_RSA_PKCS. */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface MechanismPlan {
  readonly mechanism: pkcs11js.Mechanism;
  /** What the token is given: the data itself, or a digest / DigestInfo we compute. */
  readonly input: (data: Uint8Array) => Buffer;
  readonly output: (signature: Buffer) => Uint8Array;
  readonly outputSize: number;
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
const identity = (signature: Buffer): Uint8Array => new Uint8Array(signature);

/**
 * Picks the mechanism for an algorithm from what the token offers. Token quirks are handled
 * here as data: SoftHSM has no CKM_ECDSA_SHA256, so ECDSA signs a SHA-256 digest with plain
 * CKM_ECDSA; some USB keys lack the combined RSA-with-SHA-256 mechanisms, so the digest (or
 * DigestInfo) is computed here and the raw mechanism used.
 */
export function planMechanism(algorithm: SignatureAlgorithm, offered: ReadonlySet<number>): MechanismPlan {
  const pssParams = {
    type: pkcs11js.CK_PARAMS_RSA_PSS,
    hashAlg: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
    saltLen: 32,
  };
  switch (algorithm) {
    case 'RSA_PKCS1_SHA256':
      if (offered.has(pkcs11js.CKM_SHA256_RSA_PKCS)) {
        return { mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, input: Buffer.from, output: identity, outputSize: 512 };
      }
      if (offered.has(pkcs11js.CKM_RSA_PKCS)) {
        return {
          mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS },
          input: (data) => Buffer.concat([SHA256_DIGEST_INFO_PREFIX, sha256(data)]),
          output: identity,
          outputSize: 512,
        };
      }
      break;
    case 'RSA_PSS_SHA256':
      if (offered.has(pkcs11js.CKM_SHA256_RSA_PKCS_PSS)) {
        return { mechanism: { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter: pssParams }, input: Buffer.from, output: identity, outputSize: 512 };
      }
      if (offered.has(pkcs11js.CKM_RSA_PKCS_PSS)) {
        return { mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter: pssParams }, input: sha256, output: identity, outputSize: 512 };
      }
      break;
    case 'ECDSA_P256_SHA256':
      if (offered.has(pkcs11js.CKM_ECDSA_SHA256)) {
        return { mechanism: { mechanism: pkcs11js.CKM_ECDSA_SHA256 }, input: Buffer.from, output: ecdsaRawToDer, outputSize: 132 };
      }
      if (offered.has(pkcs11js.CKM_ECDSA)) {
        return { mechanism: { mechanism: pkcs11js.CKM_ECDSA }, input: sha256, output: ecdsaRawToDer, outputSize: 132 };
      }
      break;
  }
  throw new YinjianError('MECHANISM_UNSUPPORTED', { mechanism: algorithm });
}

/**
 * The seal's private key on the USB key as a SealSigner. Signing uses pkcs11js' asynchronous
 * C_Sign, which runs on a worker thread, so a slow key never blocks the event loop (and so the UI).
 */
export class Pkcs11SealSigner implements SealSigner {
  constructor(
    private readonly api: pkcs11js.PKCS11,
    private readonly session: Buffer,
    private readonly privateKey: Buffer,
    readonly algorithm: SignatureAlgorithm,
    readonly publicKeySpki: Uint8Array,
    private readonly plan: MechanismPlan,
    private readonly assertSessionAlive: () => void,
  ) {}

  async sign(data: Uint8Array): Promise<Uint8Array> {
    this.assertSessionAlive();
    try {
      this.api.C_SignInit(this.session, this.plan.mechanism, this.privateKey);
      const signature = await this.api.C_SignAsync(this.session, this.plan.input(data), Buffer.alloc(this.plan.outputSize));
      return this.plan.output(signature);
    } catch (error) {
      throw toTokenError(error);
    }
  }
}

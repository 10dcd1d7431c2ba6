/**
 * Signing through the SealSigner port. The private key may live on a USB key, so the PKI core
 * never holds it: it builds the to-be-signed DER, hands it to the signer, and checks what
 * comes back before placing it (a token that returns raw r‖s instead of DER, or signs with
 * another key than the one declared, is caught here, not by the receiver's verifier).
 */
import { createPublicKey } from 'node:crypto';
import { YinjianError } from '../../../shared/errors';
import type { SealSigner } from '../ports/signer';
import { checkSignature, parseSignatureAlgorithmBytes, signatureAlgorithmIdentifier } from './algorithms';
import { bytesEqual } from './der';

export interface SealSignature {
  /** DER AlgorithmIdentifier to place beside the signature. */
  readonly algorithmIdentifier: Uint8Array;
  readonly value: Uint8Array;
}

/** Canonical SPKI of a key, so two encodings of the same key compare equal. */
export function canonicalSpki(spki: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' }));
  } catch {
    return undefined;
  }
}

export function samePublicKey(a: Uint8Array, b: Uint8Array): boolean {
  if (bytesEqual(a, b)) return true;
  const ca = canonicalSpki(a);
  const cb = canonicalSpki(b);
  return ca !== undefined && cb !== undefined && bytesEqual(ca, cb);
}

export async function signWithSealSigner(signer: SealSigner, toBeSigned: Uint8Array): Promise<SealSignature> {
  const algorithmIdentifier = signatureAlgorithmIdentifier(signer.algorithm);
  let value: Uint8Array;
  try {
    value = await signer.sign(toBeSigned);
  } catch (e) {
    if (e instanceof YinjianError) throw e;
    throw new YinjianError('SIGNER_FAILED', { detail: (e as Error)?.message ?? String(e) }, { cause: e });
  }
  const parsed = parseSignatureAlgorithmBytes(algorithmIdentifier);
  if (!parsed.ok) throw new YinjianError('INTERNAL', { detail: `own algorithm identifier unreadable: ${parsed.reason}` });
  const check = checkSignature(signer.publicKeySpki, parsed.info, { data: toBeSigned }, value);
  if (check.outcome !== 'valid') {
    throw new YinjianError('SIGNER_FAILED', { detail: `the signature returned does not verify with the signer's public key (${check.reason})` });
  }
  return { algorithmIdentifier, value };
}

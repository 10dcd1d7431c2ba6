/**
 * Digest and signature algorithms: the identifiers we write for each SealSigner algorithm,
 * and the identifiers we accept when verifying anybody's signature.
 */
import { constants, createHash, createPublicKey, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '../ports/signer';
import { Asn1DecodeError, bytesEqual, child, der, isContext, readDer, readOid, readSmallInteger, TAG, type Asn1Node } from './der';
import { OID } from './oids';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const HASH_OID: Readonly<Record<HashName, string>> = {
  sha1: OID.sha1,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

export function hashFromOid(oid: string): HashName | undefined {
  return HASH_BY_OID[oid];
}

export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

/** AlgorithmIdentifier of a digest; RFC 5754 §2: SHA-2 identifiers are written without parameters. */
export function digestAlgorithmIdentifier(hash: HashName): Uint8Array {
  return der.sequence(der.oid(HASH_OID[hash]));
}

/** RSASSA-PSS-params for SHA-256 (RFC 4055 §3.1): MGF1 with SHA-256, salt 32, trailer 1 (default, omitted). */
function pssSha256Params(): Uint8Array {
  // RFC 4055 defines sha256Identifier with NULL parameters inside PSS params; openssl writes the same.
  const sha256WithNull = der.sequence(der.oid(OID.sha256), der.null());
  return der.sequence(der.explicit(0, sha256WithNull), der.explicit(1, der.sequence(der.oid(OID.mgf1), sha256WithNull)), der.explicit(2, der.integer(32)));
}

/** The signatureAlgorithm we write for each algorithm a SealSigner can use. */
export function signatureAlgorithmIdentifier(algorithm: SignatureAlgorithm): Uint8Array {
  switch (algorithm) {
    case 'RSA_PKCS1_SHA256':
      return der.sequence(der.oid(OID.sha256WithRSAEncryption), der.null());
    case 'RSA_PSS_SHA256':
      return der.sequence(der.oid(OID.rsassaPss), pssSha256Params());
    case 'ECDSA_P256_SHA256':
      // RFC 5758 §3.2: ecdsa-with-SHA256 has no parameters.
      return der.sequence(der.oid(OID.ecdsaWithSHA256));
  }
}

export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'ed25519';

export interface SignatureAlgorithmInfo {
  readonly oid: string;
  readonly scheme: SignatureScheme;
  /** The hash the signature is computed with; undefined for Ed25519 (it hashes internally). */
  readonly hash: HashName | undefined;
  readonly pss?: { readonly mgfHash: HashName; readonly saltLength: number };
}

export type SignatureAlgorithmParse =
  | { readonly ok: true; readonly info: SignatureAlgorithmInfo }
  | { readonly ok: false; readonly oid: string; readonly reason: string };

const FIXED_SIGNATURE_ALGORITHMS: Readonly<Record<string, { scheme: SignatureScheme; hash: HashName | undefined }>> = {
  [OID.sha1WithRSAEncryption]: { scheme: 'rsa-pkcs1', hash: 'sha1' },
  [OID.sha256WithRSAEncryption]: { scheme: 'rsa-pkcs1', hash: 'sha256' },
  [OID.sha384WithRSAEncryption]: { scheme: 'rsa-pkcs1', hash: 'sha384' },
  [OID.sha512WithRSAEncryption]: { scheme: 'rsa-pkcs1', hash: 'sha512' },
  [OID.ecdsaWithSHA1]: { scheme: 'ecdsa', hash: 'sha1' },
  [OID.ecdsaWithSHA256]: { scheme: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSHA384]: { scheme: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSHA512]: { scheme: 'ecdsa', hash: 'sha512' },
  [OID.ed25519]: { scheme: 'ed25519', hash: undefined },
};

function hashOfAlgorithmIdentifier(node: Asn1Node): HashName | undefined {
  return hashFromOid(readOid(child(node, 0, 'hash algorithm')));
}

/**
 * Reads a signature AlgorithmIdentifier. `digestHint` is the SignerInfo's digestAlgorithm:
 * CMS signers may name only the key type (rsaEncryption, id-ecPublicKey) and leave the hash
 * to the digestAlgorithm (RFC 5652 §5.3 / RFC 5754 §3.2).
 */
export function parseSignatureAlgorithm(algId: Asn1Node, digestHint?: HashName): SignatureAlgorithmParse {
  const oid = readOid(child(algId, 0, 'signature algorithm'));
  const fixed = FIXED_SIGNATURE_ALGORITHMS[oid];
  if (fixed) return { ok: true, info: { oid, scheme: fixed.scheme, hash: fixed.hash } };
  if (oid === OID.rsaEncryption || oid === OID.ecPublicKey) {
    if (!digestHint) return { ok: false, oid, reason: 'no digest algorithm for a key-type-only signature algorithm' };
    return { ok: true, info: { oid, scheme: oid === OID.rsaEncryption ? 'rsa-pkcs1' : 'ecdsa', hash: digestHint } };
  }
  if (oid === OID.rsassaPss) {
    // RFC 4055 §3.1 defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1.
    let hash: HashName | undefined = 'sha1';
    let mgfHash: HashName | undefined = 'sha1';
    let saltLength = 20;
    const params = algId.children[1];
    if (params && params.tag === TAG.SEQUENCE) {
      for (const field of params.children) {
        const inner = field.children[0];
        if (!inner) continue;
        if (isContext(field, 0)) hash = hashOfAlgorithmIdentifier(inner);
        else if (isContext(field, 1)) {
          if (readOid(child(inner, 0, 'mask generation')) !== OID.mgf1) return { ok: false, oid, reason: 'mask generation function is not MGF1' };
          mgfHash = hashOfAlgorithmIdentifier(child(inner, 1, 'MGF1 hash'));
        } else if (isContext(field, 2)) saltLength = readSmallInteger(inner, 'salt length');
        else if (isContext(field, 3) && readSmallInteger(inner, 'trailer field') !== 1) return { ok: false, oid, reason: 'trailer field is not 1' };
      }
    }
    if (!hash || !mgfHash) return { ok: false, oid, reason: 'unknown hash in RSASSA-PSS parameters' };
    if (saltLength < 0 || saltLength > 1024) return { ok: false, oid, reason: 'bad salt length' };
    return { ok: true, info: { oid, scheme: 'rsa-pss', hash, pss: { mgfHash, saltLength } } };
  }
  return { ok: false, oid, reason: 'unsupported signature algorithm' };
}

export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

export type SignatureCheck =
  | { readonly outcome: 'valid' }
  | { readonly outcome: 'invalid'; readonly reason: string }
  | { readonly outcome: 'unsupported'; readonly reason: string };

/** What was signed: the bytes, or (legacy signatures without signed attributes) only their digest. */
export type SignedInput = { readonly data: Uint8Array } | { readonly digest: Uint8Array };

function digestInfo(hash: HashName, value: Uint8Array, withNull: boolean): Uint8Array {
  const algId = withNull ? der.sequence(der.oid(HASH_OID[hash]), der.null()) : der.sequence(der.oid(HASH_OID[hash]));
  return der.sequence(algId, der.octetString(value));
}

/**
 * Checks one signature value with node:crypto. Never throws for a bad signature or a key of
 * the wrong type: those are outcomes, so a verifier can report them beside other findings.
 */
export function checkSignature(spki: Uint8Array, algorithm: SignatureAlgorithmInfo, input: SignedInput, signature: Uint8Array): SignatureCheck {
  let key: KeyObject;
  try {
    key = publicKeyFromSpki(spki);
  } catch (e) {
    return { outcome: 'unsupported', reason: `public key not usable: ${(e as Error).message}` };
  }
  const keyType = key.asymmetricKeyType;
  const expectedKeyTypes: Record<SignatureScheme, readonly string[]> = {
    'rsa-pkcs1': ['rsa'],
    'rsa-pss': ['rsa', 'rsa-pss'],
    ecdsa: ['ec'],
    ed25519: ['ed25519'],
  };
  if (!keyType || !expectedKeyTypes[algorithm.scheme].includes(keyType)) {
    return { outcome: 'invalid', reason: `key type ${keyType ?? 'unknown'} does not fit ${algorithm.scheme}` };
  }
  const sig = Buffer.from(signature);
  try {
    if ('digest' in input) {
      // Only RSA PKCS#1 v1.5 can be checked from a digest alone with node:crypto: recover the
      // DigestInfo and compare it whole (never parse it, to avoid Bleichenbacher-style forgeries).
      if (algorithm.scheme !== 'rsa-pkcs1' || !algorithm.hash) {
        return { outcome: 'unsupported', reason: `${algorithm.scheme} cannot be checked from a digest` };
      }
      let recovered: Uint8Array;
      try {
        recovered = new Uint8Array(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig));
      } catch {
        return { outcome: 'invalid', reason: 'signature does not decrypt' };
      }
      const ok = bytesEqual(recovered, digestInfo(algorithm.hash, input.digest, true)) || bytesEqual(recovered, digestInfo(algorithm.hash, input.digest, false));
      return ok ? { outcome: 'valid' } : { outcome: 'invalid', reason: 'digest mismatch' };
    }
    const data = Buffer.from(input.data);
    switch (algorithm.scheme) {
      case 'ed25519':
        return verify(null, data, key, sig) ? { outcome: 'valid' } : { outcome: 'invalid', reason: 'signature mismatch' };
      case 'rsa-pss': {
        const pss = algorithm.pss;
        if (!pss || pss.mgfHash !== algorithm.hash) return { outcome: 'unsupported', reason: 'MGF1 hash differs from the message hash' };
        const ok = verify(algorithm.hash ?? null, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, sig);
        return ok ? { outcome: 'valid' } : { outcome: 'invalid', reason: 'signature mismatch' };
      }
      case 'rsa-pkcs1': {
        const ok = verify(algorithm.hash ?? null, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
        return ok ? { outcome: 'valid' } : { outcome: 'invalid', reason: 'signature mismatch' };
      }
      case 'ecdsa': {
        const ok = verify(algorithm.hash ?? null, data, { key, dsaEncoding: 'der' }, sig);
        return ok ? { outcome: 'valid' } : { outcome: 'invalid', reason: 'signature mismatch' };
      }
    }
  } catch (e) {
    return { outcome: 'invalid', reason: `signature not checkable: ${(e as Error).message}` };
  }
}

/** Parses a DER AlgorithmIdentifier given as bytes (convenience for our own identifiers). */
export function parseSignatureAlgorithmBytes(algId: Uint8Array, digestHint?: HashName): SignatureAlgorithmParse {
  try {
    return parseSignatureAlgorithm(readDer(algId), digestHint);
  } catch (e) {
    if (e instanceof Asn1DecodeError) return { ok: false, oid: '', reason: e.message };
    throw e;
  }
}

/**
 * Checks the issuer's signature on a signed X.509 object (certificate, CRL): `toBeSigned` is the
 * tbs part as received, `algorithmIdentifier` the outer signatureAlgorithm.
 */
export function checkIssuerSignature(toBeSigned: Uint8Array, algorithmIdentifier: Uint8Array, signatureValue: Uint8Array, issuerSpki: Uint8Array): SignatureCheck {
  const parsed = parseSignatureAlgorithmBytes(algorithmIdentifier);
  if (!parsed.ok) return { outcome: 'unsupported', reason: `${parsed.oid}: ${parsed.reason}` };
  return checkSignature(issuerSpki, parsed.info, { data: toBeSigned }, signatureValue);
}

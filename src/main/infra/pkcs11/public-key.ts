import { createPublicKey } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';

/** DER of the named curve OID prime256v1 (1.2.840.10045.3.1.7), the value of CKA_EC_PARAMS. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** SubjectPublicKeyInfo DER from an RSA public key object's CKA_MODULUS and CKA_PUBLIC_EXPONENT. */
export function rsaSpki(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: { kty: 'RSA', n: base64url(modulus), e: base64url(exponent) }, format: 'jwk' });
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/**
 * SubjectPublicKeyInfo DER from a P-256 key's CKA_EC_POINT. PKCS#11 says the point is a DER
 * OCTET STRING around the X9.62 uncompressed point; some tokens return the bare point, so both
 * are accepted.
 */
export function p256Spki(ecPoint: Uint8Array): Uint8Array {
  let point = ecPoint;
  if (point[0] === 0x04 && point.length === 67 && point[1] === 65) point = point.subarray(2);
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new YinjianError('KEY_TYPE_UNSUPPORTED', { detail: 'EC point is not an uncompressed P-256 point' });
  }
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: base64url(point.subarray(1, 33)), y: base64url(point.subarray(33, 65)) },
    format: 'jwk',
  });
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/**
 * PKCS#11 CKM_ECDSA returns r‖s, each the size of the curve order; CMS and X.509 want the DER
 * Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER }.
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length % 2 !== 0 || raw.length === 0) {
    throw new YinjianError('TOKEN_OPERATION_FAILED', { ckr: `ECDSA signature of odd length ${raw.length}` });
  }
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let body = Buffer.from(bytes.subarray(start));
    if ((body[0] as number) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const r = integer(raw.subarray(0, half));
  const s = integer(raw.subarray(half));
  const content = Buffer.concat([r, s]);
  const header = content.length < 0x80 ? Buffer.from([0x30, content.length]) : Buffer.from([0x30, 0x81, content.length]);
  return new Uint8Array(Buffer.concat([header, content]));
}

/**
 * The seal key as the signing pipeline sees it (pyHanko's idea: the token is just another
 * signer, so the pipeline never knows it talks to hardware). The PKCS#11 layer implements it
 * for a USB key; tests may implement it with a software key where no token is involved.
 */
export type SignatureAlgorithm =
  /** RSA PKCS#1 v1.5 with SHA-256 (sha256WithRSAEncryption). */
  | 'RSA_PKCS1_SHA256'
  /** RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32. */
  | 'RSA_PSS_SHA256'
  /** ECDSA on P-256 with SHA-256; the signature is DER-encoded Ecdsa-Sig-Value. */
  | 'ECDSA_P256_SHA256';

export interface SealSigner {
  readonly algorithm: SignatureAlgorithm;
  /** The signer's public key as DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Uint8Array;
  /**
   * Signs `data` (the whole to-be-signed bytes, not a digest): the signer hashes it with
   * SHA-256 itself. Returns the signature in the algorithm's standard encoding
   * (for ECDSA: DER, not raw r‖s).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

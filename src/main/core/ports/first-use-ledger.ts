/**
 * Rule M4: a USB key whose user PIN is still the initial one may do nothing but change it.
 * The token's own flag and the first-use marker object live on the key; this ledger is the
 * third source: what the local register remembers about a key, by its serial number.
 */
export interface FirstUseLedger {
  /** True when the register recorded this key as issued with an initial PIN not yet changed. */
  isInitialPin(tokenSerial: string): boolean;
  /** Records that the key's PIN has been changed (clears the register's initial-PIN state). */
  recordPinChanged(tokenSerial: string, at: Date): void;
  /**
   * Records that the office has set a new initial PIN on the key (SO reset): the PIN must be
   * changed again before signing. On models that cannot hold the first-use marker (NSS,
   * tpm2-pkcs11) this is the only source that knows.
   */
  recordInitialPin(tokenSerial: string, at: Date): void;
}

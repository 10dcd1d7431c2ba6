/**
 * M4 beyond the first change: a key whose PIN was set back to the initial one (with another
 * PKCS#11 tool, after our first-use change removed the marker) must not sign again. The token
 * itself cannot tell: its CKF_USER_PIN_TO_BE_CHANGED flag and our marker are both gone.
 *
 * What we keep to recognise it, and nothing more (SECURITY.md, "The initial PIN"): a salted,
 * slow hash (scrypt) of the initial PIN, never the PIN, in a PRIVATE data object on the key
 * itself. Private means it can only be read after a login, i.e. by someone who already holds
 * the current PIN; so a thief with the key but without the PIN cannot brute-force the hash
 * offline (a six-digit PIN falls to any hash in seconds), and the register and its exports
 * carry nothing about PINs. It is written at issuance (the office knows the initial PIN it
 * set) and again at the first PIN change after an office reset (the old PIN is the initial one).
 *
 * Record: "YJIP1" | N-log2 (1 byte) | salt (16 bytes) | scrypt(PIN, salt, N, r=8, p=1, 32 bytes).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

export const INITIAL_PIN_RECORD_LABEL = 'yinjian-initial-pin';

const MAGIC = Buffer.from('YJIP1', 'ascii');
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** 2^14: ~16 MiB and a few tens of milliseconds per check, once per login. */
const DEFAULT_LOG2_N = 14;

const SCRYPT_MAXMEM = 64 * 1024 * 1024;

function derive(pin: Uint8Array, salt: Uint8Array, log2n: number): Buffer {
  return scryptSync(Buffer.from(pin.buffer, pin.byteOffset, pin.byteLength), salt, HASH_BYTES, { N: 2 ** log2n, r: 8, p: 1, maxmem: SCRYPT_MAXMEM });
}

/**
 * The same hash on libuv's thread pool, so that the check overlaps the stamping's reading and
 * gating on the main thread (issue #15). Node copies the PIN into the job when it is queued (and
 * frees that copy with OPENSSL_clear_free); the caller's buffer is zeroed by its owner once the
 * promise settles.
 */
function deriveAsync(pin: Uint8Array, salt: Uint8Array, log2n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(pin.buffer, pin.byteOffset, pin.byteLength), salt, HASH_BYTES, { N: 2 ** log2n, r: 8, p: 1, maxmem: SCRYPT_MAXMEM }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The record of `pin`: what the key keeps to recognise its initial PIN later. */
export function initialPinRecord(pin: Uint8Array, log2n = DEFAULT_LOG2_N): Uint8Array {
  const salt = randomBytes(SALT_BYTES);
  return new Uint8Array(Buffer.concat([MAGIC, Buffer.from([log2n]), salt, derive(pin, salt, log2n)]));
}

/** A record's parameters; undefined for a record we cannot read (it matches nothing). */
function parseRecord(record: Uint8Array): { log2n: number; salt: Buffer; expected: Buffer } | undefined {
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  if (bytes.length !== MAGIC.length + 1 + SALT_BYTES + HASH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const log2n = bytes[MAGIC.length] as number;
  if (log2n < 10 || log2n > 20) return undefined;
  return { log2n, salt: bytes.subarray(MAGIC.length + 1, MAGIC.length + 1 + SALT_BYTES), expected: bytes.subarray(MAGIC.length + 1 + SALT_BYTES) };
}

/**
 * True when `pin` is the PIN `record` was made from; a record we cannot read matches nothing.
 * The hash runs on the thread pool: the main thread stays free (issue #15).
 */
export async function isInitialPin(record: Uint8Array, pin: Uint8Array): Promise<boolean> {
  const parsed = parseRecord(record);
  return parsed !== undefined && timingSafeEqual(await deriveAsync(pin, parsed.salt, parsed.log2n), parsed.expected);
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's NSS softoken: a PKCS#11 module over an NSS key database in a folder. */
export const NSS_SOFTOKEN_MODULE = '/usr/lib/x86_64-linux-gnu/libsoftokn3.so';
/** The label NSS gives its key-database token, whatever C_InitToken is told. */
export const NSS_TOKEN_LABEL = 'NSS Certificate DB';

export interface NssSoftokenFixture {
  readonly dir: string;
  readonly modulePath: string;
  /** The C_Initialize library parameters that open this folder's database (pkcs11js passes them). */
  readonly libraryParameters: string;
  readonly label: string;
  readonly userPin: string;
  /** NSS has no SO PIN: SO login takes the empty PIN, and only while the database has no password. */
  readonly soPin: string;
  cleanup(): void;
}

/**
 * A throwaway NSS key database: `certutil -N` creates it with a password, which initialises the
 * token and sets its user PIN, as a fresh install would. No daemon, nothing to stop.
 */
export function provisionNssSoftoken(userPin: string): NssSoftokenFixture {
  if (!existsSync(NSS_SOFTOKEN_MODULE)) throw new Error(`NSS softoken missing (${NSS_SOFTOKEN_MODULE}): apt-get install libnss3`);
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-nss-token-'));
  const pwfile = join(dir, 'pw.txt');
  writeFileSync(pwfile, `${userPin}\n`);
  try {
    execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '-f', pwfile], { stdio: 'pipe' });
  } finally {
    rmSync(pwfile, { force: true });
  }
  return {
    dir,
    modulePath: NSS_SOFTOKEN_MODULE,
    libraryParameters: `configdir='sql:${dir}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=`,
    label: NSS_TOKEN_LABEL,
    userPin,
    soPin: '',
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

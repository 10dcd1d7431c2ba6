import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's SoftHSM2 module: the project's test USB key. */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface TestToken {
  readonly label: string;
  readonly soPin: string;
  readonly userPin: string;
}

export interface SoftHsmFixture {
  /** Temp folder holding the config and the token directory. */
  readonly dir: string;
  readonly tokenDir: string;
  /** Path of the SoftHSM2 config; also set as process.env.SOFTHSM2_CONF. */
  readonly conf: string;
  readonly modulePath: string;
  /** Environment for child processes (the CLI) that must see the same tokens. */
  readonly env: NodeJS.ProcessEnv;
  /** Creates and initialises a token in a free slot, as an office would before issuance. */
  createToken(token: TestToken): void;
  /** Token directories SoftHSM created, one per token. */
  tokenFolders(): string[];
  /** Deletes the folders and restores SOFTHSM2_CONF. */
  cleanup(): void;
}

/**
 * One throwaway SoftHSM2 token store per suite. SOFTHSM2_CONF must point at the config before
 * the module's C_Initialize, which reads it once per process: vitest runs each test file in its
 * own process (pool: forks), so each suite provisions its own store before loading the module.
 * Fails loudly when SoftHSM2 is missing: token tests must never be silently skipped.
 */
export function provisionSoftHsm(): SoftHsmFixture {
  if (!existsSync(SOFTHSM_MODULE)) {
    throw new Error(`SoftHSM2 is not installed (${SOFTHSM_MODULE} missing): apt-get install softhsm2`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  return {
    dir,
    tokenDir,
    conf,
    modulePath: SOFTHSM_MODULE,
    env,
    createToken(token: TestToken): void {
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', token.label, '--so-pin', token.soPin, '--pin', token.userPin],
        { env, stdio: 'pipe' },
      );
    },
    tokenFolders(): string[] {
      return readdirSync(tokenDir).map((name) => join(tokenDir, name));
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
    },
  };
}

import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionSoftHsm, SOFTHSM_MODULE, type SoftHsmFixture } from './softhsm';

/** The fault-injecting PKCS#11 module's sources and the library make builds from them. */
export const FAULT_MODULE_SOURCE = fileURLToPath(new URL('../../native/fault-pkcs11/', import.meta.url));
export const FAULT_MODULE = fileURLToPath(new URL('../../native/build/fault-pkcs11/libfault-pkcs11.so', import.meta.url));

/** The calls the module's fault hook counts (native/fault-pkcs11/README.md). */
export type FaultCall =
  | 'C_GetSlotList'
  | 'C_GetSlotInfo'
  | 'C_GetTokenInfo'
  | 'C_GetMechanismList'
  | 'C_GetMechanismInfo'
  | 'C_InitToken'
  | 'C_InitPIN'
  | 'C_SetPIN'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_CloseAllSessions'
  | 'C_GetSessionInfo'
  | 'C_Login'
  | 'C_Logout'
  | 'C_CreateObject'
  | 'C_DestroyObject'
  | 'C_GetAttributeValue'
  | 'C_SetAttributeValue'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_SignInit'
  | 'C_Sign'
  | 'C_SignUpdate'
  | 'C_SignFinal'
  | 'C_GenerateKeyPair';

/** The nth call (from 1) to a function, counted per process since the control file last changed. */
export interface CallRule {
  readonly call: FaultCall;
  readonly nth: number;
}

export interface FaultControl {
  /** User-PIN tries before the key locks (module default 6). */
  readonly maxTries?: number;
  /** How long each C_Sign takes, like a real key's 100–500 ms. */
  readonly signDelayMs?: number;
  /** The key is pulled out at this call: CKR_DEVICE_REMOVED, then no token until the control changes. */
  readonly removeAt?: CallRule;
  /** These calls return CKR_DEVICE_ERROR. */
  readonly deviceErrorAt?: readonly CallRule[];
  /** Keys (by serial) marked CKF_USER_PIN_TO_BE_CHANGED when this control is first seen, as a fresh vendor key is. */
  readonly toBeChanged?: readonly string[];
  /** Whether the SO setting a user PIN (C_InitPIN) marks it to be changed (module default: yes). */
  readonly initPinToBeChanged?: boolean;
  /**
   * A comment line. Any change of the file's content plugs pulled keys back in, applies
   * toBeChanged again and restarts the call counts, so a note can tell two identical controls apart.
   */
  readonly note?: string;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`fault control: ${name} must be a non-negative integer, got ${value}`);
  return value;
}

function rule(name: string, r: CallRule): string {
  if (!Number.isInteger(r.nth) || r.nth < 1) throw new Error(`fault control: ${name} counts calls from 1, got ${r.nth}`);
  return `${r.call}:${r.nth}`;
}

/** The control file's text: one `key=value` per line, as native/fault-pkcs11/fault-pkcs11.c parses it. */
export function faultControlText(control: FaultControl): string {
  const lines: string[] = [];
  if (control.note !== undefined) {
    if (/[\r\n]/.test(control.note)) throw new Error('fault control: a note is one line');
    lines.push(`# ${control.note}`);
  }
  if (control.maxTries !== undefined) {
    if (positive('maxTries', control.maxTries) === 0) throw new Error('fault control: maxTries must be at least 1');
    lines.push(`max_tries=${control.maxTries}`);
  }
  if (control.signDelayMs !== undefined) lines.push(`sign_delay_ms=${positive('signDelayMs', control.signDelayMs)}`);
  if (control.removeAt) lines.push(`remove_at=${rule('removeAt', control.removeAt)}`);
  for (const r of control.deviceErrorAt ?? []) lines.push(`device_error_at=${rule('deviceErrorAt', r)}`);
  for (const serial of control.toBeChanged ?? []) {
    if (!/^[\x21-\x7e]{1,16}$/.test(serial)) throw new Error(`fault control: "${serial}" is not a token serial`);
    lines.push(`to_be_changed=${serial}`);
  }
  if (control.initPinToBeChanged !== undefined) lines.push(`init_pin_to_be_changed=${control.initPinToBeChanged ? 1 : 0}`);
  return lines.map((line) => `${line}\n`).join('');
}

/** What the module remembers about one key, from its state file. */
export interface FaultTokenState {
  readonly failures: number;
  readonly toBeChanged: boolean;
  readonly removed: boolean;
}

export function parseFaultState(text: string): Map<string, FaultTokenState> {
  const tokens = new Map<string, FaultTokenState>();
  for (const line of text.split('\n')) {
    const match = /^token (\S+) failures=(\d+) change=([01]) removed=([01])$/.exec(line);
    if (match) tokens.set(match[1]!, { failures: Number(match[2]), toBeChanged: match[3] === '1', removed: match[4] === '1' });
  }
  return tokens;
}

let built: string | undefined;

/**
 * Builds the module with make (a no-op when it is up to date; concurrent test processes are
 * safe because the Makefile renames the library into place). Fails loudly when the tool chain
 * is missing: fault tests must never be silently skipped.
 */
export function buildFaultModule(): string {
  if (built) return built;
  const compiler = process.env.CC ?? 'cc';
  for (const tool of ['make', compiler]) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(
        `The fault-injecting PKCS#11 module needs "${tool}" to build (${FAULT_MODULE_SOURCE}): apt-get install make gcc libp11-kit-dev`,
        { cause: error },
      );
    }
  }
  try {
    execFileSync('make', ['-s', '-C', FAULT_MODULE_SOURCE], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8') ?? String(error);
    throw new Error(`Building the fault-injecting PKCS#11 module failed:\n${stderr}`, { cause: error });
  }
  built = FAULT_MODULE;
  return built;
}

export interface FaultTokenFixture {
  /** The SoftHSM2 store underneath; create tokens with hsm.createToken. */
  readonly hsm: SoftHsmFixture;
  /** The module to load, through pkcs11js or `--module`, exactly like a vendor's. */
  readonly modulePath: string;
  readonly controlPath: string;
  readonly statePath: string;
  /** Environment for child processes (the CLI): SoftHSM2 config plus the module's three variables. */
  readonly env: NodeJS.ProcessEnv;
  /** Replaces the control file atomically; the module reads it at its next call. */
  setControl(control: FaultControl): void;
  /** What the module remembers about a key (failures, to-be-changed, removed), if anything. */
  tokenState(serial: string): FaultTokenState | undefined;
  cleanup(): void;
}

const VARIABLES = ['FAULT_PKCS11_TARGET', 'FAULT_PKCS11_CONTROL', 'FAULT_PKCS11_STATE'] as const;

/**
 * A SoftHSM2 store (a new one, or `hsm`) behind the fault-injecting module, with an empty
 * control file and a fresh state file. The module reads its variables from the environment, so they are also set in
 * this process (for in-process tests) until cleanup.
 */
export function provisionFaultToken(options: { hsm?: SoftHsmFixture } = {}): FaultTokenFixture {
  const modulePath = buildFaultModule();
  // An existing store (say, provisionOffice's) stays its owner's to clean up.
  const ownStore = options.hsm === undefined;
  const hsm = options.hsm ?? provisionSoftHsm();
  const controlPath = join(hsm.dir, 'fault-control');
  const statePath = join(hsm.dir, 'fault-state');
  const variables = { FAULT_PKCS11_TARGET: SOFTHSM_MODULE, FAULT_PKCS11_CONTROL: controlPath, FAULT_PKCS11_STATE: statePath };
  const previous = VARIABLES.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, variables);
  const setControl = (control: FaultControl): void => {
    // Renamed into place: the module may read the file from a worker thread at any moment.
    const temporary = `${controlPath}.${process.pid}.tmp`;
    writeFileSync(temporary, faultControlText(control));
    renameSync(temporary, controlPath);
  };
  setControl({});
  return {
    hsm,
    modulePath,
    controlPath,
    statePath,
    env: { ...hsm.env, ...variables },
    setControl,
    tokenState(serial: string): FaultTokenState | undefined {
      let text: string;
      try {
        text = readFileSync(statePath, 'utf8');
      } catch {
        return undefined;
      }
      return parseFaultState(text).get(serial);
    },
    cleanup(): void {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (ownStore) hsm.cleanup();
      else for (const path of [controlPath, statePath]) rmSync(path, { force: true });
    },
  };
}

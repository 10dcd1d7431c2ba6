import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionFaultToken, type FaultTokenFixture } from '../../helpers/fault-token';

const SO_PIN = '87654321';
const USER_PIN = '20240701';
const WRONG_PIN = '99999999';

interface ErrorJson {
  error: { code: string; zh: string; en: string };
}
interface TokenJson {
  serial: string;
  label: string;
  initialPin: boolean;
  initialPinSources: string[];
  flags: Record<string, boolean>;
}

/**
 * The real `yinjian` binary with `--module` pointing at the fault-injecting module: every call
 * is a new process, so the retry counter, the to-be-changed flag and a pulled key must survive
 * from one process to the next in the module's state file, as they do on a real key.
 */
// Each case runs up to a dozen CLI processes, a few seconds each on a loaded CI machine.
describe('yinjian token … on a key that behaves like real hardware (fault module, real binary)', { timeout: 180_000 }, () => {
  let fault: FaultTokenFixture;
  let dataDir: string;
  let serial: string;

  const yinjian = (args: string[], stdin?: string): Promise<CliResult> =>
    runYinjian([...args, '--module', fault.modulePath, '--json'], { env: { ...fault.env, YINJIAN_DATA_DIR: dataDir }, stdin });
  const changePin = (oldPin: string, newPin: string): Promise<CliResult> =>
    yinjian(['token', 'change-pin', '--token', serial, '--pin-stdin'], `${oldPin}\n${newPin}\n`);
  const tokenList = async (): Promise<TokenJson[]> => {
    const result = await yinjian(['token', 'list']);
    expect(result.code).toBe(0);
    return result.json<{ tokens: TokenJson[] }>().tokens;
  };
  const tokenInfo = async (): Promise<TokenJson> => {
    const result = await yinjian(['token', 'info', '--token', serial]);
    expect(result.code).toBe(0);
    return result.json<{ token: TokenJson }>().token;
  };

  beforeAll(async () => {
    fault = provisionFaultToken();
    fault.hsm.createToken({ label: '办公室印章', soPin: SO_PIN, userPin: USER_PIN });
    dataDir = mkdtempSync(join(tmpdir(), 'yinjian-faults-cli-'));
    const [token] = await tokenList();
    serial = token!.serial;
  });

  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    fault?.cleanup();
  });

  beforeEach((context) => {
    fault.setControl({ note: context.task.name });
  });

  it('counts wrong PINs across processes: tries-left texts, PIN_LOCKED (exit 1), the locked flag in token list; an SO reset unlocks', async () => {
    // Three tries rather than the default six: each CLI process costs about a second, and the
    // default is exercised in-process (usb-key-faults.test.ts).
    fault.setControl({ maxTries: 3 });
    const failures: ErrorJson['error'][] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await changePin(WRONG_PIN, 'Seal#2024');
      expect(result.code).toBe(1);
      failures.push(result.json<ErrorJson>().error);
      for (const secret of [WRONG_PIN, 'Seal#2024']) expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(failures.map((e) => e.code)).toEqual(['PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_LOCKED']);
    expect(failures[0]!.en).toContain('A wrong PIN has been entered since the last successful login');
    expect(failures[0]!.zh).toContain('自上次成功登录以来已输错过 PIN');
    expect(failures[1]!.en).toContain('one more wrong PIN locks the key');
    expect(failures[1]!.zh).toContain('再输错将锁定');
    expect(failures[2]!.zh).toContain('已锁定');

    const [locked] = await tokenList();
    expect(locked!.flags).toMatchObject({ userPinLocked: true });
    const table = await runYinjian(['token', 'list', '--module', fault.modulePath], { env: { ...fault.env, YINJIAN_DATA_DIR: dataDir } });
    expect(table.stdout).toContain('PIN已锁定/locked');

    // The right PIN no longer helps: the key refuses without trying it.
    const right = await changePin(USER_PIN, 'Seal#2024');
    expect(right.code).toBe(1);
    expect(right.json<ErrorJson>().error.code).toBe('PIN_LOCKED');

    // The office's SO resets the user PIN (C_InitPIN through the same module).
    const library = new pkcs11js.PKCS11();
    library.load(fault.modulePath);
    library.C_Initialize();
    try {
      const slot = library.C_GetSlotList(true).find((s) => library.C_GetTokenInfo(s).serialNumber.trim() === serial)!;
      const session = library.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      library.C_Login(session, pkcs11js.CKU_SO, SO_PIN);
      library.C_InitPIN(session, USER_PIN);
      library.C_Logout(session);
      library.C_CloseSession(session);
    } finally {
      library.C_Finalize();
      library.close();
    }

    const reset = await tokenInfo();
    expect(reset.flags).toMatchObject({ userPinLocked: false, userPinCountLow: false, userPinFinalTry: false, userPinToBeChanged: true });
    expect(reset.initialPinSources).toEqual(['token-flag']);
    expect((await changePin(USER_PIN, 'Seal#2024')).code).toBe(0);
    expect((await changePin('Seal#2024', USER_PIN)).code).toBe(0);
    expect(await tokenInfo()).toMatchObject({ initialPin: false, flags: expect.objectContaining({ userPinToBeChanged: false }) });
  });

  it('a key marked to be changed shows the initial-PIN state from the token flag alone, and change-pin clears it', async () => {
    fault.setControl({ toBeChanged: [serial] });
    const marked = await tokenInfo();
    // No first-use marker and nothing in the register: the flag is the only source.
    expect(marked).toMatchObject({ initialPin: true, initialPinSources: ['token-flag'] });
    const table = await runYinjian(['token', 'list', '--module', fault.modulePath], { env: { ...fault.env, YINJIAN_DATA_DIR: dataDir } });
    expect(table.stdout).toContain('须修改初始PIN/initial-PIN');

    expect((await changePin(USER_PIN, 'Seal#2024')).code).toBe(0);
    expect(await tokenInfo()).toMatchObject({ initialPin: false, initialPinSources: [] });
    // The flag stays cleared in later processes although the control file still names the key.
    expect(fault.tokenState(serial)?.toBeChanged).toBe(false);
    expect((await changePin('Seal#2024', USER_PIN)).code).toBe(0);
  });

  it('a key pulled during change-pin: DEVICE_REMOVED (exit 3), stays absent in the next process, old PIN intact once back', async () => {
    fault.setControl({ removeAt: { call: 'C_SetPIN', nth: 1 } });
    const pulled = await changePin(USER_PIN, 'Seal#2024');
    expect(pulled.code).toBe(3);
    expect(pulled.json<ErrorJson>().error.code).toBe('DEVICE_REMOVED');

    expect(await tokenList()).toEqual([]);
    const info = await yinjian(['token', 'info', '--token', serial]);
    expect(info.code).toBe(3);
    expect(info.json<ErrorJson>().error.code).toBe('TOKEN_NOT_FOUND');

    fault.setControl({ note: 'plugged back in' });
    expect((await tokenList()).map((t) => t.serial)).toEqual([serial]);
    expect((await changePin(USER_PIN, 'Seal#2024')).code).toBe(0);
    expect((await changePin('Seal#2024', USER_PIN)).code).toBe(0);
  });

  it('a device error at login is DEVICE_ERROR (exit 3) and costs no PIN try', async () => {
    fault.setControl({ deviceErrorAt: [{ call: 'C_Login', nth: 1 }] });
    const failed = await changePin(USER_PIN, 'Seal#2024');
    expect(failed.code).toBe(3);
    expect(failed.json<ErrorJson>().error.code).toBe('DEVICE_ERROR');
    expect((await tokenInfo()).flags.userPinCountLow).toBe(false);
  });
});

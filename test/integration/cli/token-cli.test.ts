import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../../src/main/cli/command-table';
import { runCli } from '../../../src/main/cli/main';
import { runYinjian } from '../../helpers/cli';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';

const USER_PIN = '20240701';

describe('yinjian token … (the real binary, a real SoftHSM2 token)', () => {
  let hsm: SoftHsmFixture;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    hsm = provisionSoftHsm();
    hsm.createToken({ label: '办公室印章', soPin: '87654321', userPin: USER_PIN });
    dataDir = mkdtempSync(join(tmpdir(), 'yinjian-cli-'));
    env = { ...hsm.env, YINJIAN_PKCS11_MODULE: hsm.modulePath, YINJIAN_DATA_DIR: dataDir };
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    hsm.cleanup();
  });

  it('token list --json lists the SoftHSM token with its label and serial', async () => {
    const result = await runYinjian(['token', 'list', '--json'], { env });
    expect(result.code).toBe(0);
    const { tokens } = result.json<{ tokens: { label: string; serial: string; manufacturer: string; initialPin: boolean }[] }>();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ label: '办公室印章', manufacturer: 'SoftHSM project', initialPin: false });
    expect(tokens[0]!.serial).toMatch(/^[0-9a-f]{16}$/);
  });

  it('token list prints a table a person can read', async () => {
    const result = await runYinjian(['token', 'list'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('办公室印章');
    expect(result.stdout).toContain('SoftHSM project');
  });

  it('token info finds the key by label and by serial', async () => {
    const byLabel = await runYinjian(['token', 'info', '--token', '办公室印章', '--json'], { env });
    expect(byLabel.code).toBe(0);
    const serial = byLabel.json<{ token: { serial: string } }>().token.serial;
    const bySerial = await runYinjian(['token', 'info', '--token', serial, '--json', '--module', hsm.modulePath], { env });
    expect(bySerial.json<{ token: { label: string } }>().token.label).toBe('办公室印章');
  });

  it('token change-pin reads old and new PIN from stdin, enforces the policy, and never echoes a PIN', async () => {
    const weak = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--pin-stdin', '--json'], { env, stdin: `${USER_PIN}\n123456\n` });
    expect(weak.code).toBe(1);
    expect(weak.json<{ error: { code: string } }>().error.code).toBe('PIN_POLICY_SEQUENCE');

    const wrongOld = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--pin-stdin', '--json'], { env, stdin: '11112222\nGood#Pin1\n' });
    expect(wrongOld.code).toBe(1);
    expect(wrongOld.json<{ error: { code: string } }>().error.code).toBe('PIN_INCORRECT');

    const ok = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--pin-stdin'], { env, stdin: `${USER_PIN}\nGood#Pin1\n` });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('PIN changed');
    for (const result of [weak, wrongOld, ok]) {
      for (const secret of [USER_PIN, 'Good#Pin1', '11112222']) {
        expect(result.stdout + result.stderr).not.toContain(secret);
      }
    }
    const back = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--pin-stdin'], { env, stdin: `Good#Pin1\n${USER_PIN}\n` });
    expect(back.code).toBe(0);
  });

  it('token reset-pin: the office sets a new initial PIN with the SO PIN; the key then demands a change (M4)', async () => {
    const wrongSo = await runYinjian(['token', 'reset-pin', '--token', '办公室印章', '--pin-stdin', '--json'], { env, stdin: '00000000\nFresh#2024\n' });
    expect(wrongSo.code).toBe(1);
    expect(wrongSo.json<{ error: { code: string } }>().error.code).toBe('PIN_INCORRECT');
    const reset = await runYinjian(['token', 'reset-pin', '--token', '办公室印章', '--pin-stdin', '--json'], { env, stdin: '87654321\nFresh#2024\n' });
    expect(reset.code).toBe(0);
    const info = await runYinjian(['token', 'info', '--token', '办公室印章', '--json'], { env });
    expect(info.json<{ token: { initialPin: boolean; initialPinSources: string[] } }>().token).toMatchObject({
      initialPin: true,
      // The reset is also recorded in the local register, for keys that cannot hold the marker (M4).
      initialPinSources: ['first-use-marker', 'register'],
    });
    const back = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--pin-stdin'], { env, stdin: `Fresh#2024\n${USER_PIN}\n` });
    expect(back.code).toBe(0);
    const after = await runYinjian(['token', 'info', '--token', '办公室印章', '--json'], { env });
    expect(after.json<{ token: { initialPin: boolean } }>().token.initialPin).toBe(false);
  });

  it('without --pin-stdin and without a terminal, asks for a PIN instead of hanging (exit 2)', async () => {
    const result = await runYinjian(['token', 'change-pin', '--token', '办公室印章', '--json'], { env });
    expect(result.code).toBe(2);
    expect(result.json<{ error: { code: string } }>().error.code).toBe('PIN_INPUT_MISSING');
  });

  it('exit 3 with MODULE_NOT_FOUND naming the path when the module does not exist', async () => {
    const result = await runYinjian(['token', 'list', '--json', '--module', '/opt/nowhere/libukey.so'], { env });
    expect(result.code).toBe(3);
    const { error } = result.json<{ error: { code: string; en: string; zh: string } }>();
    expect(error.code).toBe('MODULE_NOT_FOUND');
    expect(error.en).toContain('/opt/nowhere/libukey.so');
    expect(error.zh).toContain('/opt/nowhere/libukey.so');
  });

  it('exit 3 with TOKEN_NOT_FOUND for a key that is not plugged in', async () => {
    const result = await runYinjian(['token', 'info', '--token', 'absent', '--json'], { env });
    expect(result.code).toBe(3);
    expect(result.json<{ error: { code: string } }>().error.code).toBe('TOKEN_NOT_FOUND');
  });

  it('exit 2 for an unknown command, an unknown option or a missing --token', async () => {
    expect((await runYinjian(['tokn', 'list'], { env })).code).toBe(2);
    const badOption = await runYinjian(['token', 'list', '--colour', '--json'], { env });
    expect(badOption.code).toBe(2);
    expect(badOption.json<{ error: { code: string } }>().error.code).toBe('CLI_OPTION_UNKNOWN');
    expect((await runYinjian(['token', 'info'], { env })).code).toBe(2);
  });

  it('--help explains the program (the real binary) and every command (in-process, the same code)', async () => {
    const main = await runYinjian(['--help'], { env });
    expect(main.code).toBe(0);
    const tokenHelp = await runYinjian(['token', 'change-pin', '--help'], { env });
    expect(tokenHelp.code).toBe(0);
    expect(tokenHelp.stdout).toContain('yinjian token change-pin');
    // Every command, through the same runCli the binary calls: spawning ~30 processes would only time tsx.
    for (const command of await allCommands()) {
      expect(main.stdout).toContain(command.name.join(' '));
      let out = '';
      const code = await runCli([...command.name, '--help'], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
      expect(code).toBe(0);
      expect(out).toContain(`yinjian ${command.name.join(' ')}`);
      expect(out).toContain(command.summary.en);
    }
  });

  it('workstation id prints this computer\'s readable code', async () => {
    const result = await runYinjian(['workstation', 'id', '--json'], { env });
    expect(result.code).toBe(0);
    expect(result.json<{ workstation: { code: string } }>().workstation.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  });
});

/**
 * No PIN reaches logs, errors, the register or crash output (issue #7). Distinctive PINs go
 * through every path that handles one: a stamping, a wrong PIN, a PIN change refused (wrong old
 * PIN; new PIN equal to the old), the key pulled mid-signature, a process killed mid-batch, and
 * an in-process login failure. Then every byte the app wrote or printed is searched for each
 * PIN, as ASCII and as UTF-16: CLI stdout and stderr, error messages, stacks and payloads, the
 * register file with its -wal and -shm, every other file in the data folder, the audit and
 * usage rows, and the sealed PDFs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister } from '../../../src/main/infra/db/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { YinjianError } from '../../../src/shared/errors/index';
import { runYinjian, YINJIAN_BIN } from '../../helpers/cli';
import { INITIAL_PIN, PIN, SO_PIN, sealOnKey, type SealOnKey } from '../reliability/seal-on-key';

const WRONG_PIN = 'Wz5!Hq7Rt3';
const PINS = [PIN, INITIAL_PIN, SO_PIN, WRONG_PIN];

let fx: SealOnKey;
const printed: string[] = [];

beforeAll(async () => {
  fx = await sealOnKey();
}, 120_000);
afterAll(() => fx?.cleanup());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Where `pin` occurs in `bytes`, as ASCII/UTF-8 or UTF-16LE/BE. */
function occurrences(bytes: Uint8Array, pin: string): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const forms: [string, Buffer][] = [
    ['ascii', Buffer.from(pin, 'latin1')],
    ['utf16le', Buffer.from(pin, 'utf16le')],
    ['utf16be', Buffer.from(pin, 'utf16le').swap16()],
  ];
  return forms.filter(([, needle]) => buffer.includes(needle)).map(([form]) => form);
}

describe('no PIN in logs, errors, the register or crash output', { timeout: 180_000 }, () => {
  it('runs every PIN path, then finds no test PIN anywhere the app wrote or printed', async () => {
    const env = fx.fault.env;
    const cli = async (args: string[], stdin: string): Promise<number> => {
      const run = await runYinjian([...args, '--module', fx.fault.modulePath, '--data-dir', fx.dataDir], { env, stdin });
      printed.push(run.stdout, run.stderr);
      return run.code;
    };
    const inputs = await fx.inputs(2, 'pins');
    const stamp = (files: readonly string[], out: string, pin: string, json = true): Promise<number> => {
      const outDir = join(fx.dir, out);
      mkdirSync(outDir);
      const args = fx.stampArgs(files, outDir);
      // The stamp arguments carry --module and --data-dir already.
      return runYinjian(json ? args : args.filter((a) => a !== '--json'), { env, stdin: `${pin}\n` }).then((run) => {
        printed.push(run.stdout, run.stderr);
        return run.code;
      });
    };
    // A stamping, in JSON and as text for people.
    expect(await stamp(inputs, 'pins-json', PIN)).toBe(0);
    expect(await stamp([inputs[0]!], 'pins-text', PIN, false)).toBe(0);
    // A wrong PIN, for a stamping and for a PIN change; a new PIN equal to the old one.
    expect(await stamp(inputs, 'pins-wrong', WRONG_PIN)).toBe(1);
    expect(await cli(['token', 'change-pin', '--token', fx.serial, '--pin-stdin', '--json'], `${WRONG_PIN}\n${INITIAL_PIN}\n`)).not.toBe(0);
    expect(await cli(['token', 'change-pin', '--token', fx.serial, '--pin-stdin'], `${PIN}\n${PIN}\n`)).not.toBe(0);
    // The key pulled mid-signature: a device failure's output.
    fx.fault.setControl({ note: 'pull at sign', removeAt: { call: 'C_Sign', nth: 1 } });
    expect(await stamp(inputs, 'pins-pulled', PIN)).toBe(3);
    fx.fault.setControl({ note: 'back' });
    // A process killed mid-batch: whatever it printed and left behind.
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [YINJIAN_BIN, ...fx.stampArgs(inputs, join(fx.dir, 'pins-killed'))], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
      setTimeout(() => child.kill('SIGKILL'), 1500);
      child.on('close', () => {
        printed.push(out);
        resolve();
      });
      child.stdin.end(`${PIN}\n`);
    });
    // In process: the errors a login failure raises, as the UI and the log would show them.
    const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(fx.fault.modulePath));
    try {
      const error = await new UsbKeyService(port).openForSigning(fx.serial, Buffer.from(WRONG_PIN)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(YinjianError);
      const e = error as YinjianError;
      expect(e.code).toBe('PIN_INCORRECT');
      printed.push(e.message, e.stack ?? '', JSON.stringify(e.toPayload()), JSON.stringify(e.params), String(e.cause ?? ''), (e.cause as Error | undefined)?.stack ?? '');
      // The right PIN once more, so the key's retry counter is back to full.
      const session = await new UsbKeyService(port).openForSigning(fx.serial, Buffer.from(PIN));
      await session.close();
    } finally {
      port.close();
    }

    const register = openRegister(fx.registerPath);
    let rows: string;
    try {
      rows = JSON.stringify([register.audit.list(1, 100_000), register.usage.find()]);
      expect(register.audit.list(1, 100_000).some((a) => /PIN|LOGIN/.test(a.action)), 'the failed PIN was audited').toBe(true);
    } finally {
      register.close();
    }
    const leaks: string[] = [];
    const search = (what: string, bytes: Uint8Array): void => {
      for (const pin of PINS) for (const form of occurrences(bytes, pin)) leaks.push(`${pin} (${form}) in ${what}`);
    };
    printed.forEach((text, i) => search(`printed output #${i}`, Buffer.from(text, 'utf8')));
    search('audit and usage rows', Buffer.from(rows, 'utf8'));
    const written = [...filesUnder(fx.dataDir), ...filesUnder(fx.dir).filter((p) => p.endsWith('.pdf'))];
    expect(written.some((p) => p.endsWith('register.sqlite-wal')) || written.some((p) => p.endsWith('register.sqlite'))).toBe(true);
    for (const path of written) search(path, readFileSync(path));
    expect(leaks).toEqual([]);
    // Not vacuous: the search finds a PIN where one really is (the stdin we fed).
    expect(occurrences(Buffer.from(`${PIN}\n`), PIN)).toEqual(['ascii']);
  });
});

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TPM2_PKCS11_MODULE = '/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so';

export interface Tpm2TokenFixture {
  readonly dir: string;
  readonly modulePath: string;
  readonly label: string;
  readonly soPin: string;
  readonly userPin: string;
  /** TPM2_PKCS11_STORE / TPM2_PKCS11_TCTI and the private D-Bus: set in process.env, and for child processes. */
  readonly env: NodeJS.ProcessEnv;
  /** Wrong PINs the TPM takes before its dictionary-attack lockout (for every token on it). */
  readonly maxTries: number;
  /** The TPM owner clears the dictionary-attack lockout (tpm2_dictionarylockout --clear-lockout). */
  clearLockout(): void;
  /** The device goes away: the simulator and the resource manager are stopped. */
  removeDevice(): void;
  /** Stops every process this fixture started and deletes its folder. Idempotent. */
  cleanup(): void;
}

async function freePort(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** Two consecutive free ports: the swtpm TCTI talks to the control channel on its port + 1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port !== undefined && port < 65535 && (await freePort(port + 1)) !== undefined) return port;
  }
  throw new Error('tpm2 fixture: no two consecutive free ports on 127.0.0.1');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (test()) return;
    await sleep(200);
  }
  throw new Error(`tpm2 fixture: ${what} did not come up within ${timeoutMs} ms`);
}

/**
 * A TPM-backed token: the swtpm simulator on two free 127.0.0.1 ports, a private D-Bus and
 * tpm2-abrmd as resource manager, and a tpm2-pkcs11 store with one token made by tpm2_ptool (the
 * vendor tool), all in a temp folder. The resource manager is not optional: the TPM holds three
 * transient objects and tpm2-pkcs11 talking to swtpm directly runs out of object memory
 * (CKR_GENERAL_ERROR, "out of memory for object contexts") as soon as two keys are in use.
 * Every process is stopped by cleanup(), also when the test process exits early.
 */
export async function provisionTpm2Token(token: {
  label: string;
  soPin: string;
  userPin: string;
  maxTries?: number;
  /** More tokens on the same TPM (each with the same serial 0000000000000000, as tpm2-pkcs11 reports them all). */
  more?: readonly { label: string; soPin: string; userPin: string }[];
}): Promise<Tpm2TokenFixture> {
  for (const tool of ['/usr/bin/swtpm', '/usr/sbin/tpm2-abrmd', '/usr/bin/dbus-daemon', '/usr/bin/tpm2_ptool', TPM2_PKCS11_MODULE]) {
    if (!existsSync(tool)) throw new Error(`${tool} missing: apt-get install swtpm tpm2-tools tpm2-abrmd libtss2-tcti-tabrmd0 libtpm2-pkcs11-1 libtpm2-pkcs11-tools dbus`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-tpm2-'));
  const children: ChildProcess[] = [];
  const stopAll = (): void => {
    for (const child of children.splice(0).reverse()) {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  };
  process.once('exit', stopAll);
  try {
    const serverPort = await freePortPair();
    const ctrlPort = serverPort + 1;
    mkdirSync(join(dir, 'state'));
    mkdirSync(join(dir, 'store'));
    children.push(
      spawn('swtpm', ['socket', '--tpm2', '--tpmstate', `dir=${join(dir, 'state')}`, '--server', `type=tcp,port=${serverPort},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`, '--flags', 'not-need-init,startup-clear'], { stdio: 'ignore' }),
    );
    // tpm2-abrmd gives up when the TPM does not answer at once: wait for the simulator's port.
    await until('swtpm', () => {
      try {
        execFileSync('tpm2_getcap', ['properties-fixed'], { env: { ...process.env, TPM2TOOLS_TCTI: `swtpm:host=127.0.0.1,port=${serverPort}`, TSS2_LOG: 'all+NONE' }, stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    });
    const bus = join(dir, 'bus');
    writeFileSync(
      join(dir, 'dbus.conf'),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${bus}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/><allow user="*"/></policy></busconfig>\n`,
    );
    children.push(spawn('dbus-daemon', ['--config-file', join(dir, 'dbus.conf'), '--nofork'], { stdio: 'ignore' }));
    await until('the private D-Bus', () => existsSync(bus));
    const busName = `com.intel.tss2.Tabrmd.yinjian${process.pid}x${serverPort}`;
    const tcti = `tabrmd:bus_name=${busName},bus_type=session`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`,
      TPM2TOOLS_TCTI: tcti,
      TPM2_PKCS11_TCTI: tcti,
      TPM2_PKCS11_STORE: join(dir, 'store'),
      TPM2_PKCS11_LOG_LEVEL: '0',
      TSS2_LOG: 'all+NONE',
    };
    const abrmdArgs = ['--session', `--tcti=swtpm:host=127.0.0.1,port=${serverPort}`, `--dbus-name=${busName}`];
    if (process.getuid?.() === 0) abrmdArgs.push('--allow-root');
    const abrmd = spawn('tpm2-abrmd', abrmdArgs, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let abrmdLog = '';
    abrmd.stderr?.on('data', (d: Buffer) => (abrmdLog += d.toString('utf8')));
    children.push(abrmd);
    const tool = (args: string[]): void => void execFileSync(args[0]!, args.slice(1), { env, stdio: 'pipe' });
    await until('tpm2-abrmd', () => {
      if (abrmd.exitCode !== null) throw new Error(`tpm2-abrmd exited ${abrmd.exitCode}: ${abrmdLog}`);
      try {
        tool(['tpm2_getcap', 'properties-fixed']);
        return true;
      } catch {
        return false;
      }
    });
    const maxTries = token.maxTries ?? 5;
    // Dictionary-attack lockout after maxTries wrong PINs, lifted only by the owner (recovery 1 h).
    tool(['tpm2_dictionarylockout', '--setup-parameters', `--max-tries=${maxTries}`, '--recovery-time=3600', '--lockout-recovery-time=0']);
    tool(['tpm2_ptool', 'init', '--path', join(dir, 'store')]);
    tool(['tpm2_ptool', 'addtoken', '--pid=1', `--label=${token.label}`, `--sopin=${token.soPin}`, `--userpin=${token.userPin}`, '--path', join(dir, 'store')]);
    for (const more of token.more ?? []) tool(['tpm2_ptool', 'addtoken', '--pid=1', `--label=${more.label}`, `--sopin=${more.soPin}`, `--userpin=${more.userPin}`, '--path', join(dir, 'store')]);
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'TPM2TOOLS_TCTI', 'TPM2_PKCS11_TCTI', 'TPM2_PKCS11_STORE', 'TPM2_PKCS11_LOG_LEVEL', 'TSS2_LOG'] as const) process.env[name] = env[name];
    let cleaned = false;
    return {
      dir,
      modulePath: TPM2_PKCS11_MODULE,
      label: token.label,
      soPin: token.soPin,
      userPin: token.userPin,
      env,
      maxTries,
      clearLockout: () => tool(['tpm2_dictionarylockout', '--clear-lockout']),
      removeDevice: stopAll,
      cleanup(): void {
        if (cleaned) return;
        cleaned = true;
        stopAll();
        process.removeListener('exit', stopAll);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    stopAll();
    process.removeListener('exit', stopAll);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

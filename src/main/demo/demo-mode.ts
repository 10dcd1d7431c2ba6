/**
 * Demo mode (演示模式): a new user stamps and verifies in the first minute without a USB key.
 * A SoftHSM2 token store in the app's data folder holds two software keys: a demo office key
 * with a demo group CA, and a seal key with a DEMO seal issued through the office services,
 * exactly as the President's Office issues a real one (M1, S2), its PIN changed at once to a
 * known demo PIN (M4) that the window shows. The demo has its own register beside the real
 * one, so nothing demo ever mixes with the unit's real register, and every name says 演示 DEMO.
 *
 * SoftHSM2 reads SOFTHSM2_CONF once, at C_Initialize: the process must point it at the demo
 * store before the module is loaded (`enterDemoEnvironment`), and a module already loaded
 * must be finalised first. The app therefore loads SoftHSM2 as its PKCS#11 module in demo mode.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { YinjianError } from '../../shared/errors/index';
import { importSignedSnapshot, OfficeService } from '../core/office/index';
import type { Actor } from '../core/register/index';
import { UsbKeyService } from '../core/usb-key/usb-key-service';
import { openRegister } from '../infra/db/index';
import { shippedFontImpressions, writePublication } from '../infra/office/index';
import { Pkcs11Library } from '../infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';

const run = promisify(execFile);

/** Where Debian (and most Linux distributions) install SoftHSM2's module. */
export const SOFTHSM_MODULE_PATHS: readonly string[] = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  'C:\\SoftHSM2\\lib\\softhsm2-x64.dll',
];

/** The demo's fixed particulars. The PIN is public on purpose: it protects a software demo key. */
export const DEMO = {
  pin: 'Demo-2468',
  groupName: '演示集团 DEMO',
  unitName: '演示单位 DEMO',
  sealName: '演示章 DEMO',
  sealCode: 'DEMO-0001',
  custodianName: '演示保管员',
  custodianStaffId: 'DEMO-001',
  caLabel: '演示总裁办 DEMO',
  sealLabel: '演示印章 DEMO',
  caPin: 'Demo-Office-1357',
  caSoPin: 'Demo-SO-8642',
  sealSoPin: 'Demo-SO-9753',
  initialPin: 'Demo-Init-1470',
  approval: { reference: '演示〔DEMO〕1号', approver: '演示审批人' },
} as const;

export interface DemoLayout {
  readonly dir: string;
  readonly conf: string;
  readonly tokenDir: string;
  /** The demo's own data folder: register.sqlite lives here. */
  readonly dataDir: string;
  readonly publicationDir: string;
  /** Written last: the demo is ready once this file exists. */
  readonly stateFile: string;
}

export interface DemoState {
  readonly caSerial: string;
  readonly sealSerial: string;
  readonly pin: string;
  readonly createdAt: string;
}

export function demoLayout(appDataDir: string): DemoLayout {
  const dir = join(appDataDir, 'demo');
  return {
    dir,
    conf: join(dir, 'softhsm2.conf'),
    tokenDir: join(dir, 'tokens'),
    dataDir: join(dir, 'data'),
    publicationDir: join(dir, 'publication'),
    stateFile: join(dir, 'demo.json'),
  };
}

export function softHsmModule(): string | undefined {
  return SOFTHSM_MODULE_PATHS.find((p) => existsSync(p));
}

/** The demo that was set up in this data folder, if any. */
export function readDemoState(appDataDir: string): DemoState | undefined {
  const { stateFile } = demoLayout(appDataDir);
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
  } catch {
    return undefined;
  }
}

/** Points SoftHSM2 at the demo store. Call before the module's C_Initialize in this process. */
export function enterDemoEnvironment(appDataDir: string): DemoLayout {
  const layout = demoLayout(appDataDir);
  mkdirSync(layout.tokenDir, { recursive: true });
  mkdirSync(layout.dataDir, { recursive: true });
  if (!existsSync(layout.conf)) {
    writeFileSync(layout.conf, `directories.tokendir = ${layout.tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  }
  process.env.SOFTHSM2_CONF = layout.conf;
  return layout;
}

function softHsmUtil(modulePath: string): string {
  const beside = join(dirname(dirname(modulePath)), 'bin', process.platform === 'win32' ? 'softhsm2-util.exe' : 'softhsm2-util');
  return existsSync(beside) ? beside : 'softhsm2-util';
}

/**
 * Creates the demo (once per data folder): two software keys, the demo CA, the DEMO seal
 * issued and filed through OfficeService, the PIN changed to DEMO.pin, the register snapshot
 * published and imported with its root pinned. The process's PKCS#11 module must be closed
 * before this runs; it loads and closes SoftHSM2 itself. Token work runs on pkcs11js' worker
 * threads and `softhsm2-util` in a child process, so the window stays responsive meanwhile.
 */
export async function provisionDemo(options: { appDataDir: string; modulePath: string; workstationCode: string }): Promise<DemoState> {
  const existing = readDemoState(options.appDataDir);
  const layout = enterDemoEnvironment(options.appDataDir);
  if (existing) return existing;
  const env = { ...process.env, SOFTHSM2_CONF: layout.conf };
  const util = softHsmUtil(options.modulePath);
  try {
    for (const [label, soPin, pin] of [
      [DEMO.caLabel, DEMO.caSoPin, DEMO.caPin],
      [DEMO.sealLabel, DEMO.sealSoPin, DEMO.initialPin],
    ] as const) {
      await run(util, ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env });
    }
  } catch (cause) {
    throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'softhsm2-util' }, { cause });
  }
  const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(options.modulePath));
  const register = openRegister(join(layout.dataDir, 'register.sqlite'));
  const actor: Actor = { name: '演示总裁办 DEMO', staffId: 'DEMO-OFFICE', office: true };
  const pin = (text: string): Buffer => Buffer.from(text, 'utf8');
  try {
    const office = new OfficeService({ keys: port, register, impressions: shippedFontImpressions() });
    const ca = await office.initCa({ token: DEMO.caLabel, groupName: DEMO.groupName, keyType: 'p256' }, pin(DEMO.caPin), actor);
    const issued = await office.issue(
      {
        caToken: ca.tokenSerial,
        token: DEMO.sealLabel,
        unitName: DEMO.unitName,
        unitKind: 'company',
        sealName: DEMO.sealName,
        sealCode: DEMO.sealCode,
        custodianName: DEMO.custodianName,
        custodianStaffId: DEMO.custodianStaffId,
        workstationId: options.workstationCode,
        approval: DEMO.approval,
        keyType: 'p256',
      },
      { caPin: pin(DEMO.caPin), soPin: pin(DEMO.sealSoPin), initialUserPin: pin(DEMO.initialPin) },
      actor,
    );
    // M4: never sign with the initial PIN. The demo changes it at once to the PIN it shows.
    const custodian: Actor = { name: DEMO.custodianName, staffId: DEMO.custodianStaffId };
    const keys = new UsbKeyService(port, register.usbKeys, () => new Date(), {
      record: (action, tokenSerial, details) => void register.audit.append({ actor: custodian, action, subject: tokenSerial, ...(details ? { details } : {}) }),
    });
    await keys.changePin(issued.token.serial, pin(DEMO.initialPin), pin(DEMO.pin));
    const publication = await office.publish({ caToken: ca.tokenSerial }, pin(DEMO.caPin), actor);
    writePublication(layout.publicationDir, publication);
    await importSignedSnapshot(register, publication.snapshot, { trustRootDer: publication.rootCertificate, source: 'demo', at: new Date(), actor });
    const state: DemoState = { caSerial: ca.tokenSerial, sealSerial: issued.token.serial, pin: DEMO.pin, createdAt: new Date().toISOString() };
    writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
    return state;
  } finally {
    register.close();
    port.close();
  }
}

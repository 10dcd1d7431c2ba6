/**
 * M4, the PIN in a Buffer zeroed after use: stampDocuments (app/stamp-batch.ts) asks for the PIN
 * once the seal is known and hands it to the login (openSigningKey zeroes it on every path from
 * there). Whatever fails between the PIN's entry and that hand-over must zero it too: here the
 * workstation's code (read after the PIN) and the window's progress callback (called before the
 * login). Real register file, SoftHSM2 key with the seal issued on it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampDocuments, type StampDocumentsRequest } from '../../../src/main/app/stamp-batch';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { issueSealOnToken } from '../../helpers/seal-on-token';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';
import { NOTICE, codeOf, makePdf } from './fixture';

const LABEL = '集团办公室';
const PIN = 'Hand0ver#26';

let hsm: SoftHsmFixture;
let dir: string;
let register: SealRegister;
let port: Pkcs11UsbKeyPort;
let notice: Uint8Array;

beforeAll(async () => {
  hsm = provisionSoftHsm();
  dir = mkdtempSync(join(tmpdir(), 'yinjian-pin-handover-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  hsm.createToken({ label: LABEL, soPin: '87654321', userPin: '20240701' });
  await issueSealOnToken({ modulePath: hsm.modulePath, env: hsm.env, dataDir, label: LABEL, sealCode: 'YJ-PIN-0001', initialPin: '20240701', pin: PIN });
  register = openRegister(join(dataDir, 'register.sqlite'));
  port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
  notice = await makePdf([NOTICE]);
}, 120_000);

afterAll(() => {
  register?.close();
  port?.close();
  hsm?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('the PIN between its entry and the login', () => {
  const request = (given: Buffer[]): StampDocumentsRequest => ({
    token: LABEL,
    declaredType: 'internal-document',
    approval: { reference: 'YY-PIN-1', approver: '孙主任' },
    placement: { kind: 'page' },
    operator: { staffId: 'S100', name: '张保管' },
    documents: [{ name: 'notice.pdf', outputPath: join(dir, 'notice-sealed.pdf'), read: () => notice }],
    pin: () => {
      const buffer = Buffer.from(PIN);
      given.push(buffer);
      return buffer;
    },
  });

  it('the workstation code fails after the PIN was typed: the PIN is zeroed', async () => {
    const given: Buffer[] = [];
    const deps = {
      register: () => register,
      usbKeys: () => new UsbKeyService(port),
      workstationCode: (): string => {
        throw new Error('no machine id');
      },
    };
    expect(await codeOf(stampDocuments(deps, request(given)))).toBe('not a YinjianError: Error: no machine id');
    expect(given).toHaveLength(1);
    expect(given[0]!.every((byte) => byte === 0), 'zeroed').toBe(true);
  });

  it('the progress callback fails before the login: the PIN is zeroed', async () => {
    const given: Buffer[] = [];
    const deps = { register: () => register, usbKeys: () => new UsbKeyService(port), workstationCode: () => 'WS-TEST' };
    const control = {
      onProgress: () => {
        throw new Error('the window is gone');
      },
    };
    expect(await codeOf(stampDocuments(deps, request(given), control))).toBe('not a YinjianError: Error: the window is gone');
    expect(given).toHaveLength(1);
    expect(given[0]!.every((byte) => byte === 0), 'zeroed').toBe(true);
  });
});

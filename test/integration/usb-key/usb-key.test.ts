import { createPublicKey, verify, constants } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YinjianError } from '../../../src/shared/errors/index';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { UsbKeyWatcher } from '../../../src/main/infra/pkcs11/usb-key-watcher';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';

const SO_PIN = '87654321';
const USER_PIN = '20240701';
const pin = (text: string): Buffer => Buffer.from(text, 'ascii');

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof YinjianError) return error.code;
    throw error;
  }
  return 'NO_ERROR';
}

describe('USB-key layer on a real SoftHSM2 token', () => {
  let hsm: SoftHsmFixture;
  let library: Pkcs11Library;
  let port: Pkcs11UsbKeyPort;
  let service: UsbKeyService;

  beforeAll(() => {
    hsm = provisionSoftHsm();
    hsm.createToken({ label: '集团办公室', soPin: SO_PIN, userPin: USER_PIN });
    hsm.createToken({ label: 'second-key', soPin: SO_PIN, userPin: USER_PIN });
    library = Pkcs11Library.load(hsm.modulePath);
    port = new Pkcs11UsbKeyPort(library);
    service = new UsbKeyService(port);
  });

  afterAll(() => {
    port?.close();
    hsm?.cleanup();
  });

  it('lists tokens with label, serial, manufacturer, model and decoded flags', async () => {
    const keys = await service.list();
    expect(keys.map((k) => k.label).sort()).toEqual(['second-key', '集团办公室'].sort());
    const office = keys.find((k) => k.label === '集团办公室')!;
    expect(office.serial).toMatch(/^[0-9a-f]{16}$/);
    expect(office.manufacturer).toBe('SoftHSM project');
    expect(office.model).toBe('SoftHSM v2');
    expect(office.flags).toMatchObject({ tokenInitialized: true, userPinInitialized: true, loginRequired: true, userPinLocked: false });
    expect(office.initialPin).toBe(false);
  });

  it('finds a key by serial or label, never by slot id', () => {
    const bySerial = port.findKey(port.findKey('second-key').serial);
    expect(bySerial.label).toBe('second-key');
    expect(() => port.findKey('no-such-key')).toThrowError(expect.objectContaining({ code: 'TOKEN_NOT_FOUND' }));
  });

  it('refuses a wrong PIN with PIN_INCORRECT, then accepts the right one', async () => {
    expect(await codeOf(service.openForSigning('second-key', pin('99999999')))).toBe('PIN_INCORRECT');
    const session = await service.openForSigning('second-key', pin(USER_PIN));
    await session.close();
  });

  it('checks the PIN for real even while another session of this process is logged in', async () => {
    const first = await service.openForSigning('second-key', pin(USER_PIN));
    try {
      expect(await codeOf(service.openForSigning('second-key', pin('99999999')))).toBe('PIN_INCORRECT');
    } finally {
      await first.close();
    }
  });

  it('zeroes the PIN buffer it was given', async () => {
    const buffer = pin(USER_PIN);
    const session = await service.openForSigning('second-key', buffer);
    await session.close();
    expect(buffer.every((b) => b === 0)).toBe(true);
    const wrong = pin('99999999');
    await codeOf(service.openForSigning('second-key', wrong));
    expect(wrong.every((b) => b === 0)).toBe(true);
  });

  it.each([
    ['12345', 'PIN_POLICY_LENGTH'],
    ['12345678901234567', 'PIN_POLICY_LENGTH'],
    ['888888', 'PIN_POLICY_ONE_CHARACTER'],
    ['123456', 'PIN_POLICY_SEQUENCE'],
    ['654321', 'PIN_POLICY_SEQUENCE'],
    ['密码密码密码', 'PIN_POLICY_CHARACTERS'],
    [USER_PIN, 'PIN_POLICY_SAME_AS_OLD'],
  ])('refuses the new PIN %s with %s and leaves the old PIN working', async (newPin, code) => {
    expect(await codeOf(service.changePin('second-key', pin(USER_PIN), Buffer.from(newPin, 'utf8')))).toBe(code);
    const session = await service.openForSigning('second-key', pin(USER_PIN));
    await session.close();
  });

  it('blocks a key carrying the first-use marker until its PIN is changed (M4), then the marker is gone', async () => {
    const issuing = await service.openForIssuance('集团办公室', pin(USER_PIN));
    const keyPair = await issuing.generateKeyPair('rsa2048', 'seal');
    await issuing.writeFirstUseMarker();
    await issuing.close();

    const status = await service.info('集团办公室');
    expect(status.initialPin).toBe(true);
    expect(status.initialPinSources).toEqual(['first-use-marker']);
    expect(await codeOf(service.openForSigning('集团办公室', pin(USER_PIN)))).toBe('INITIAL_PIN_MUST_CHANGE');

    expect(await codeOf(service.changePin('集团办公室', pin('11111111'), pin('Seal-2024')))).toBe('PIN_INCORRECT');
    expect((await service.info('集团办公室')).initialPin).toBe(true);

    await service.changePin('集团办公室', pin(USER_PIN), pin('Seal-2024'));
    expect(await port.hasFirstUseMarker(status.serial)).toBe(false);
    expect((await service.info('集团办公室')).initialPin).toBe(false);
    expect(await codeOf(service.openForSigning('集团办公室', pin(USER_PIN)))).toBe('PIN_INCORRECT');

    const session = await service.openForSigning('集团办公室', pin('Seal-2024'));
    const signer = await session.signer(keyPair.keyId, 'RSA_PKCS1_SHA256');
    expect((await signer.sign(Buffer.from('内部通知'))).length).toBe(256);
    await session.close();
  });

  it('honours the register as a source of the initial-PIN state (M4) and clears it on change', async () => {
    const initial = new Set<string>([port.findKey('second-key').serial]);
    const ledger = {
      isInitialPin: (serial: string) => initial.has(serial),
      recordPinChanged: (serial: string) => void initial.delete(serial),
      recordInitialPin: (serial: string) => void initial.add(serial),
    };
    const withLedger = new UsbKeyService(port, ledger);
    expect((await withLedger.info('second-key')).initialPinSources).toEqual(['register']);
    expect(await codeOf(withLedger.openForSigning('second-key', pin(USER_PIN)))).toBe('INITIAL_PIN_MUST_CHANGE');
    await withLedger.changePin('second-key', pin(USER_PIN), pin('Ledger#2024'));
    expect(initial.size).toBe(0);
    await withLedger.changePin('second-key', pin('Ledger#2024'), pin(USER_PIN + 'x'));
    await withLedger.changePin('second-key', pin(USER_PIN + 'x'), pin('back-to-' + USER_PIN));
    await withLedger.changePin('second-key', pin('back-to-' + USER_PIN), pin('Zz' + USER_PIN));
    // restore the PIN other tests use; the policy forbids only the immediately previous PIN
    await withLedger.changePin('second-key', pin('Zz' + USER_PIN), pin(USER_PIN));
  });

  it('reports logins, failed PINs, M4 refusals and PIN changes for the audit log (M5), never a PIN', async () => {
    const events: { action: string; serial: string; details?: Record<string, unknown> }[] = [];
    const initial = new Set<string>();
    const audited = new UsbKeyService(
      port,
      { isInitialPin: (s) => initial.has(s), recordPinChanged: (s) => void initial.delete(s), recordInitialPin: (s) => void initial.add(s) },
      () => new Date(),
      { record: (action, serial, details) => events.push({ action, serial, ...(details ? { details } : {}) }) },
    );
    const serial = port.findKey('second-key').serial;
    await codeOf(audited.openForSigning('second-key', pin('99999999')));
    await (await audited.openForSigning('second-key', pin(USER_PIN))).close();
    initial.add(serial);
    await codeOf(audited.openForSigning('second-key', pin(USER_PIN)));
    await audited.changePin('second-key', pin(USER_PIN), pin('Audit#2024'));
    await audited.changePin('second-key', pin('Audit#2024'), pin(USER_PIN));
    expect(events.map((e) => e.action)).toEqual(['PIN_FAILED', 'LOGIN', 'LOGIN_REFUSED', 'PIN_CHANGED', 'PIN_CHANGED']);
    expect(events.every((e) => e.serial === serial)).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/99999999|20240701|Audit#2024/);
  });

  it.each([
    ['rsa2048', 'RSA_PKCS1_SHA256'],
    ['rsa2048', 'RSA_PSS_SHA256'],
    ['p256', 'ECDSA_P256_SHA256'],
  ] as const)('signs with a %s key (%s) and node:crypto verifies it against the public key', async (keyType, algorithm) => {
    const session = await service.openForSigning('second-key', pin(USER_PIN));
    try {
      const keyPair = await session.generateKeyPair(keyType, `${algorithm}-key`);
      const signer = await session.signer(keyPair.keyId, algorithm);
      const data = Buffer.from('集团电子印章使用和管理规定 — test payload');
      const signature = await signer.sign(data);
      const publicKey = createPublicKey({ key: Buffer.from(keyPair.publicKeySpki), format: 'der', type: 'spki' });
      const options =
        algorithm === 'RSA_PSS_SHA256'
          ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
          : algorithm === 'ECDSA_P256_SHA256'
            ? { key: publicKey, dsaEncoding: 'der' as const }
            : publicKey;
      expect(verify('sha256', data, options, Buffer.from(signature))).toBe(true);
      expect(verify('sha256', Buffer.from('tampered'), options, Buffer.from(signature))).toBe(false);
      expect(await codeOf(session.signer(keyPair.keyId, keyType === 'p256' ? 'RSA_PKCS1_SHA256' : 'ECDSA_P256_SHA256'))).toBe(
        'MECHANISM_UNSUPPORTED',
      );
    } finally {
      await session.close();
    }
  });

  it('generates private keys that are sensitive and refuse extraction', async () => {
    const session = await service.openForSigning('second-key', pin(USER_PIN));
    const keyPair = await session.generateKeyPair('rsa2048', 'extract-test');
    await session.close();
    // Look at the raw objects through the same module, as an attacker with the PIN could.
    const api = library.api;
    const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trim() === 'second-key')!;
    const raw = api.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    api.C_Login(raw, pkcs11js.CKU_USER, USER_PIN);
    try {
      api.C_FindObjectsInit(raw, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: Buffer.from(keyPair.keyId) },
      ]);
      const [key] = api.C_FindObjects(raw, 1);
      api.C_FindObjectsFinal(raw);
      expect(key).toBeDefined();
      const [sensitive, extractable] = api.C_GetAttributeValue(raw, key!, [{ type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }]);
      expect((sensitive!.value as Buffer)[0]).toBe(1);
      expect((extractable!.value as Buffer)[0]).toBe(0);
      let ckr: number | undefined;
      try {
        api.C_GetAttributeValue(raw, key!, [{ type: pkcs11js.CKA_PRIVATE_EXPONENT }]);
      } catch (error) {
        ckr = (error as { code: number }).code;
      }
      expect(ckr).toBe(pkcs11js.CKR_ATTRIBUTE_SENSITIVE);
    } finally {
      api.C_Logout(raw);
      api.C_CloseSession(raw);
    }
  });

  it('lists the public certificates on a key without a PIN, so a workstation can tell which seal it carries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yinjian-cert-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/O=集团/CN=财务专用章', '-utf8', '-keyout', join(dir, 'k.pem'), '-outform', 'DER', '-out', join(dir, 'c.der'), '-days', '30'], { stdio: 'pipe' });
      const der = new Uint8Array(readFileSync(join(dir, 'c.der')));
      const session = await service.openForSigning('second-key', pin(USER_PIN));
      const keyPair = await session.generateKeyPair('p256', 'cert-test');
      await session.storeCertificate(der, keyPair.keyId, 'seal-certificate');
      await session.close();
      const listed = await port.listPublicCertificates(port.findKey('second-key').serial);
      const mine = listed.find((c) => Buffer.from(c.der).equals(Buffer.from(der)));
      expect(mine).toBeDefined();
      expect(Buffer.from(mine!.keyId).equals(Buffer.from(keyPair.keyId))).toBe(true);
      expect(mine!.label).toBe('seal-certificate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the path tried when a module does not exist', () => {
    let error: unknown;
    try {
      Pkcs11Library.load('/nonexistent/libvendor-pkcs11.so');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(YinjianError);
    expect((error as YinjianError).code).toBe('MODULE_NOT_FOUND');
    expect((error as YinjianError).en).toContain('/nonexistent/libvendor-pkcs11.so');
  });

  it('reports a broken module file as MODULE_LOAD_FAILED with its path', () => {
    let error: unknown;
    try {
      Pkcs11Library.load('/etc/hostname');
    } catch (caught) {
      error = caught;
    }
    expect((error as YinjianError).code).toMatch(/MODULE_LOAD_FAILED|MODULE_NOT_FOUND/);
    expect((error as YinjianError).en).toContain('/etc/hostname');
  });
});

describe('two handles on one module in a process (two app compositions, as the browser tests run them)', () => {
  it("one handle's rescan does not re-initialise the module under the other's open session", async () => {
    const hsm = provisionSoftHsm();
    try {
      hsm.createToken({ label: 'busy', soPin: SO_PIN, userPin: USER_PIN });
      const signing = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
      const watching = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
      expect(signing.module.slotListIsStatic).toBe(true);
      const session = await new UsbKeyService(signing).openForSigning('busy', pin(USER_PIN));
      const keyPair = await session.generateKeyPair('p256', 'seal');
      const signer = await session.signer(keyPair.keyId, 'ECDSA_P256_SHA256');
      expect(signing.module.sessionsOpenInProcess).toBe(1);
      // The other handle's key watcher looks at the slots while the first one signs.
      watching.rescan();
      expect(watching.listKeys().map((k) => k.label)).toEqual(['busy']);
      expect((await signer.sign(Buffer.from('x'))).length).toBeGreaterThan(0);
      await session.close();
      expect(watching.module.sessionsOpenInProcess).toBe(0);
      // With no session open anywhere, the rescan re-initialises again (a new key is seen).
      hsm.createToken({ label: 'new', soPin: SO_PIN, userPin: USER_PIN });
      watching.rescan();
      expect(watching.listKeys().map((k) => k.label).sort()).toEqual(['busy', 'new']);
      watching.close();
      signing.close();
    } finally {
      hsm.cleanup();
    }
  });
});

describe('a USB key pulled out', () => {
  it('mid-session: the open session and its signer report DEVICE_REMOVED, not a crash; the key is then not found', async () => {
    const hsm = provisionSoftHsm();
    try {
      hsm.createToken({ label: 'pulled', soPin: SO_PIN, userPin: USER_PIN });
      hsm.createToken({ label: 'stays', soPin: SO_PIN, userPin: USER_PIN });
      const library = Pkcs11Library.load(hsm.modulePath);
      const port = new Pkcs11UsbKeyPort(library);
      const service = new UsbKeyService(port);
      const session = await service.openForSigning('pulled', pin(USER_PIN));
      const keyPair = await session.generateKeyPair('p256', 'seal');
      const signer = await session.signer(keyPair.keyId, 'ECDSA_P256_SHA256');
      const serial = session.key.serial;
      const folder = hsm.tokenFolders().find((f) => f.endsWith(serial.slice(-12)));
      expect(folder).toBeDefined();
      rmSync(folder!, { recursive: true });
      // The module notices only when it re-reads its slots (SoftHSM2 quirk: static slot list).
      library.reinitialize();
      expect(await codeOf(signer.sign(Buffer.from('x')))).toBe('DEVICE_REMOVED');
      expect(await codeOf(session.listKeyPairs())).toBe('DEVICE_REMOVED');
      await session.close();
      expect(await codeOf(() => port.findKey(serial))).toBe('TOKEN_NOT_FOUND');
      expect(port.listKeys().map((k) => k.label)).toEqual(['stays']);
      port.close();
    } finally {
      hsm.cleanup();
    }
  });

  it('module finalised under a signer: DEVICE_REMOVED', async () => {
    const hsm = provisionSoftHsm();
    try {
      hsm.createToken({ label: 'k', soPin: SO_PIN, userPin: USER_PIN });
      const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
      const session = await new UsbKeyService(port).openForSigning('k', pin(USER_PIN));
      const keyPair = await session.generateKeyPair('rsa2048', 'seal');
      const signer = await session.signer(keyPair.keyId, 'RSA_PKCS1_SHA256');
      port.close();
      expect(await codeOf(signer.sign(Buffer.from('x')))).toBe('DEVICE_REMOVED');
      await session.close();
    } finally {
      hsm.cleanup();
    }
  });

  it('the watcher notices a key inserted and removed within about a second', async () => {
    const hsm = provisionSoftHsm();
    try {
      hsm.createToken({ label: 'first', soPin: SO_PIN, userPin: USER_PIN });
      const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
      const watcher = new UsbKeyWatcher(port, 200);
      const changes: { inserted: string[]; removed: string[] }[] = [];
      watcher.on('change', (c) => changes.push({ inserted: c.inserted.map((k) => k.label), removed: c.removed.map((k) => k.label) }));
      watcher.start();
      const waitFor = async (predicate: () => boolean): Promise<void> => {
        for (let i = 0; i < 50 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50));
      };
      hsm.createToken({ label: 'plugged-in', soPin: SO_PIN, userPin: USER_PIN });
      await waitFor(() => changes.length > 0);
      expect(changes).toEqual([{ inserted: ['plugged-in'], removed: [] }]);
      const serial = port.findKey('plugged-in').serial;
      rmSync(hsm.tokenFolders().find((f) => f.endsWith(serial.slice(-12)))!, { recursive: true });
      await waitFor(() => changes.length > 1);
      expect(changes[1]).toEqual({ inserted: [], removed: ['plugged-in'] });
      watcher.stop();
      port.close();
    } finally {
      hsm.cleanup();
    }
  });
});

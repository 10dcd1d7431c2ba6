import { createPublicKey, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { YinjianError } from '../../../src/shared/errors/index';
import type { SealKeyPair } from '../../../src/main/core/ports/usb-key';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { provisionFaultToken, type FaultCall, type FaultTokenFixture } from '../../helpers/fault-token';

const SO_PIN = '87654321';
const USER_PIN = '20240701';
const WRONG_PIN = '99999999';
const pin = (text: string): Buffer => Buffer.from(text, 'ascii');

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<YinjianError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof YinjianError) return error;
    throw error;
  }
  throw new Error('expected a YinjianError, the operation succeeded');
}

const codeOf = async (promise: Promise<unknown> | (() => unknown)): Promise<string> => (await failure(promise)).code;

/**
 * The USB-key layer (UsbKeyService over Pkcs11UsbKeyPort over pkcs11js) on the fault-injecting
 * module, loaded exactly like a vendor module. SoftHSM2 underneath never counts PIN tries,
 * never asks for a PIN change and is never pulled out: everything below comes from the module.
 */
describe('USB-key layer on a key that behaves like real hardware', () => {
  let fault: FaultTokenFixture;
  let library: Pkcs11Library;
  let port: Pkcs11UsbKeyPort;
  let service: UsbKeyService;
  let keyPair: SealKeyPair;
  let serial: string;

  async function signOnce(): Promise<void> {
    const session = await service.openForSigning(serial, pin(USER_PIN));
    try {
      const signer = await session.signer(keyPair.keyId, 'ECDSA_P256_SHA256');
      const data = Buffer.from('内部通知 after a fault');
      const signature = await signer.sign(data);
      const publicKey = createPublicKey({ key: Buffer.from(keyPair.publicKeySpki), format: 'der', type: 'spki' });
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature))).toBe(true);
    } finally {
      await session.close();
    }
  }

  beforeAll(async () => {
    fault = provisionFaultToken();
    fault.hsm.createToken({ label: '集团办公室', soPin: SO_PIN, userPin: USER_PIN });
    library = Pkcs11Library.load(fault.modulePath);
    port = new Pkcs11UsbKeyPort(library);
    service = new UsbKeyService(port);
    serial = port.findKey('集团办公室').serial;
    const session = await service.openForIssuance(serial, pin(USER_PIN));
    keyPair = await session.generateKeyPair('p256', 'seal');
    await session.close();
  });

  afterAll(() => {
    port?.close();
    fault?.cleanup();
  });

  beforeEach((context) => {
    // Each case starts from a control file of its own, so pulled keys are plugged back in.
    fault.setControl({ note: context.task.name });
  });

  it('is loaded through pkcs11js like a vendor module and shows the SoftHSM2 key underneath', async () => {
    expect(library.path).toBe(fault.modulePath);
    const [key] = await service.list();
    expect(key).toMatchObject({ label: '集团办公室', manufacturer: 'SoftHSM project', initialPin: false });
    expect(key!.flags).toMatchObject({ userPinCountLow: false, userPinFinalTry: false, userPinLocked: false, userPinToBeChanged: false });
  });

  it('counts wrong PINs down to a lock: tries-left texts, then PIN_LOCKED even for the right PIN; the SO resets it', async () => {
    const texts: { code: string; en: string; zh: string }[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const error = await failure(service.openForSigning(serial, pin(WRONG_PIN)));
      texts.push({ code: error.code, en: error.en, zh: error.zh });
    }
    expect(texts.map((t) => t.code)).toEqual(['PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_LOCKED']);
    // After the first miss the key says "count low" (PKCS#11: a wrong PIN since the last success).
    expect(texts[0]!.en).toContain('A wrong PIN has been entered since the last successful login');
    expect(texts[0]!.zh).toContain('自上次成功登录以来已输错过 PIN');
    // One try left: the message says the next wrong PIN locks the key.
    expect(texts[4]!.en).toContain('one more wrong PIN locks the key');
    expect(texts[4]!.zh).toContain('再输错将锁定');
    expect(texts[5]!.en).toContain('locked');

    const locked = await service.info(serial);
    expect(locked.flags).toMatchObject({ userPinLocked: true, userPinFinalTry: false });
    expect(await codeOf(service.openForSigning(serial, pin(USER_PIN)))).toBe('PIN_LOCKED');
    expect(await codeOf(service.changePin(serial, pin(USER_PIN), pin('Seal#2024')))).toBe('PIN_LOCKED');
    expect(fault.tokenState(serial)?.failures).toBe(6);

    // The office unlocks it through the USB-key layer with the SO PIN (a new initial PIN).
    await service.resetUserPin(serial, pin(SO_PIN), pin(USER_PIN));
    const reset = await service.info(serial);
    expect(reset.flags).toMatchObject({ userPinLocked: false, userPinCountLow: false, userPinFinalTry: false });
    // The PIN the SO set is someone else's: the key asks for a change (flag and marker), M4 holds.
    expect(reset.initialPinSources).toEqual(['token-flag', 'first-use-marker']);
    expect(await codeOf(service.openForSigning(serial, pin(USER_PIN)))).toBe('INITIAL_PIN_MUST_CHANGE');
    await service.changePin(serial, pin(USER_PIN), pin('Seal#2024'));
    await service.changePin(serial, pin('Seal#2024'), pin(USER_PIN));
    expect((await service.info(serial)).initialPin).toBe(false);
    await signOnce();
  });

  it('the final-try flag shows on the key before the last attempt, and a right PIN clears the count', async () => {
    fault.setControl({ maxTries: 3 });
    expect(await codeOf(service.openForSigning(serial, pin(WRONG_PIN)))).toBe('PIN_INCORRECT');
    expect((await service.info(serial)).flags).toMatchObject({ userPinCountLow: true, userPinFinalTry: false });
    expect(await codeOf(service.openForSigning(serial, pin(WRONG_PIN)))).toBe('PIN_INCORRECT');
    expect((await service.info(serial)).flags).toMatchObject({ userPinCountLow: true, userPinFinalTry: true, userPinLocked: false });
    await signOnce();
    expect((await service.info(serial)).flags).toMatchObject({ userPinCountLow: false, userPinFinalTry: false });
    expect(fault.tokenState(serial)?.failures).toBe(0);
  });

  it('a wrong old PIN in a PIN change counts like a wrong login', async () => {
    expect(await codeOf(service.changePin(serial, pin(WRONG_PIN), pin('Seal#2024')))).toBe('PIN_INCORRECT');
    expect((await service.info(serial)).flags.userPinCountLow).toBe(true);
    await signOnce();
  });

  it('a key that asks for a PIN change (CKF_USER_PIN_TO_BE_CHANGED alone) can only change its PIN (M4)', async () => {
    fault.setControl({ toBeChanged: [serial] });
    const status = await service.info(serial);
    expect(status.flags.userPinToBeChanged).toBe(true);
    expect(status.initialPinSources).toEqual(['token-flag']);
    expect(await port.hasFirstUseMarker(serial)).toBe(false);
    expect(await codeOf(service.openForSigning(serial, pin(USER_PIN)))).toBe('INITIAL_PIN_MUST_CHANGE');
    await service.changePin(serial, pin(USER_PIN), pin('Seal#2024'));
    expect((await service.info(serial)).initialPin).toBe(false);
    await service.changePin(serial, pin('Seal#2024'), pin(USER_PIN));
    await signOnce();
  });

  it.each<[FaultCall, 'login' | 'signer' | 'sign']>([
    ['C_OpenSession', 'login'],
    ['C_Login', 'login'],
    ['C_FindObjectsInit', 'signer'],
    ['C_GetAttributeValue', 'signer'],
    ['C_SignInit', 'sign'],
    ['C_Sign', 'sign'],
  ])('key pulled at %s: DEVICE_REMOVED, the key is gone from the list, nothing crashes, and it works once plugged back', async (call, step) => {
    let session: Awaited<ReturnType<UsbKeyService['openForSigning']>> | undefined;
    let signer: Awaited<ReturnType<NonNullable<typeof session>['signer']>> | undefined;
    if (step !== 'login') session = await service.openForSigning(serial, pin(USER_PIN));
    if (step === 'sign') signer = await session!.signer(keyPair.keyId, 'ECDSA_P256_SHA256');
    fault.setControl({ removeAt: { call, nth: 1 } });

    const operation =
      step === 'login'
        ? service.openForSigning(serial, pin(USER_PIN))
        : step === 'signer'
          ? session!.signer(keyPair.keyId, 'ECDSA_P256_SHA256')
          : signer!.sign(Buffer.from('x'));
    expect(await codeOf(operation)).toBe('DEVICE_REMOVED');

    expect(port.listKeys()).toEqual([]);
    expect(await codeOf(() => port.findKey(serial))).toBe('TOKEN_NOT_FOUND');
    if (session) {
      expect(await codeOf(session.listKeyPairs())).toBe('TOKEN_NOT_PRESENT');
      await session.close();
    }
    expect(fault.tokenState(serial)?.removed).toBe(true);

    fault.setControl({ note: `${call}: plugged back in` });
    expect(port.listKeys().map((k) => k.serial)).toEqual([serial]);
    await signOnce();
  });

  // Known defect (pkcs11-usb-key.ts findObjects): the `finally` that calls C_FindObjectsFinal
  // throws TOKEN_NOT_PRESENT on the pulled key and masks the DEVICE_REMOVED of C_FindObjects.
  // This case fails until findObjects keeps the first error; then `.fails` must go.
  it('key pulled at C_FindObjects: DEVICE_REMOVED, not the cleanup\'s TOKEN_NOT_PRESENT', async () => {
    const session = await service.openForSigning(serial, pin(USER_PIN));
    try {
      fault.setControl({ removeAt: { call: 'C_FindObjects', nth: 1 } });
      expect(await codeOf(session.signer(keyPair.keyId, 'ECDSA_P256_SHA256'))).toBe('DEVICE_REMOVED');
    } finally {
      await session.close();
    }
  });

  it('a session that survived a pull is dead once the key is back (DEVICE_REMOVED), a new one works', async () => {
    const session = await service.openForSigning(serial, pin(USER_PIN));
    fault.setControl({ removeAt: { call: 'C_GetSlotList', nth: 1 } });
    expect(await codeOf(() => port.listKeys())).toBe('DEVICE_REMOVED');
    fault.setControl({ note: 'plugged back in' });
    expect(await codeOf(session.listKeyPairs())).toBe('DEVICE_REMOVED');
    await session.close();
    await signOnce();
  });

  it.each<[FaultCall, 'list' | 'login' | 'keys' | 'sign']>([
    ['C_GetSlotList', 'list'],
    ['C_GetTokenInfo', 'list'],
    ['C_OpenSession', 'login'],
    ['C_Login', 'login'],
    ['C_FindObjects', 'keys'],
    ['C_Sign', 'sign'],
  ])('a device error at %s is DEVICE_ERROR and the next attempt succeeds', async (call, step) => {
    const session = step === 'keys' || step === 'sign' ? await service.openForSigning(serial, pin(USER_PIN)) : undefined;
    try {
      const signer = step === 'sign' ? await session!.signer(keyPair.keyId, 'ECDSA_P256_SHA256') : undefined;
      fault.setControl({ deviceErrorAt: [{ call, nth: 1 }] });
      const attempt = async (): Promise<unknown> => {
        if (step === 'list') return service.list();
        if (step === 'login') return (await service.openForSigning(serial, pin(USER_PIN))).close();
        if (step === 'keys') return session!.listKeyPairs();
        return signer!.sign(Buffer.from('x'));
      };
      const error = await failure(attempt());
      expect(error.code).toBe('DEVICE_ERROR');
      expect(error.params?.ckr).toBe('CKR_DEVICE_ERROR');
      await attempt();
    } finally {
      await session?.close();
    }
    // A device error is not a wrong PIN: the counter is untouched.
    expect((await service.info(serial)).flags.userPinCountLow).toBe(false);
  });

  it('a slow key (sign_delay_ms) still signs, and the event loop keeps running while it does', async () => {
    const delayMs = 300;
    fault.setControl({ signDelayMs: delayMs });
    const session = await service.openForSigning(serial, pin(USER_PIN));
    try {
      const signer = await session.signer(keyPair.keyId, 'ECDSA_P256_SHA256');
      const ticks: number[] = [];
      const timer = setInterval(() => ticks.push(performance.now()), 10);
      const started = performance.now();
      let signature: Uint8Array;
      try {
        signature = await signer.sign(Buffer.from('slow key'));
      } finally {
        clearInterval(timer);
      }
      const finished = performance.now();
      // The delay really happened (else this test proves nothing) …
      expect(finished - started).toBeGreaterThanOrEqual(delayMs - 5);
      // … and timers fired while the key was busy: the wait is on a worker thread, not the loop.
      const during = ticks.filter((t) => t > started && t < finished);
      expect(during.length).toBeGreaterThanOrEqual(2);
      const publicKey = createPublicKey({ key: Buffer.from(keyPair.publicKeySpki), format: 'der', type: 'spki' });
      expect(verify('sha256', Buffer.from('slow key'), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature))).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('a control file the module cannot read fails every call loudly (DEVICE_ERROR) instead of injecting nothing', async () => {
    writeFileSync(fault.controlPath, 'remove_after=C_Sign:1\n');
    const error = await failure(service.list());
    expect(error.code).toBe('DEVICE_ERROR');
    expect(error.params?.ckr).toBe('CKR_GENERAL_ERROR');
    fault.setControl({});
    expect(port.listKeys()).toHaveLength(1);
  });

  it('a key the office initialises comes back asking for a PIN change, from the token flag alone (M4)', async () => {
    const info = await port.initializeKey(serial, pin(SO_PIN), '集团办公室', pin(USER_PIN));
    expect(info.flags).toMatchObject({ userPinToBeChanged: true, userPinLocked: false, userPinCountLow: false });
    const status = await service.info(serial);
    expect(status.initialPinSources).toEqual(['token-flag']);
    expect(await codeOf(service.openForSigning(serial, pin(USER_PIN)))).toBe('INITIAL_PIN_MUST_CHANGE');
    await service.changePin(serial, pin(USER_PIN), pin('Seal#2024'));
    const session = await service.openForSigning(serial, pin('Seal#2024'));
    expect(await session.listKeyPairs()).toEqual([]);
    await session.close();
  });
});

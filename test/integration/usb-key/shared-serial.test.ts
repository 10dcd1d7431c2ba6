/**
 * Issue 17: tpm2-pkcs11 (like NSS softoken) reports serial 0000000000000000 for every token.
 * Two seal keys on one TPM must never be taken for one another: the app names such keys
 * serial/label/model (slots.ts keyIdentity), so a look-up, a session, the register's M4 row
 * and the key watcher each reach the key that was meant. Real tokens: two tokens made by
 * tpm2_ptool on the swtpm simulator.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsbKeyInfo } from '../../../src/main/core/ports/usb-key';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { UsbKeyWatcher } from '../../../src/main/infra/pkcs11/usb-key-watcher';
import { YinjianError } from '../../../src/shared/errors/index';
import { provisionTpm2Token, type Tpm2TokenFixture } from '../../helpers/tpm2-token';

const PIN_A = '20240701';
const PIN_B = '20240702';
const pin = (text: string): Buffer => Buffer.from(text, 'latin1');

let tpm: Tpm2TokenFixture;
let port: Pkcs11UsbKeyPort;
let register: SealRegister;
let work: string;

beforeAll(async () => {
  tpm = await provisionTpm2Token({ label: 'seal-a', soPin: '87654321', userPin: PIN_A, more: [{ label: 'seal-b', soPin: '87654321', userPin: PIN_B }] });
  port = new Pkcs11UsbKeyPort(Pkcs11Library.load(tpm.modulePath));
  work = mkdtempSync(join(tmpdir(), 'yinjian-shared-serial-'));
  register = openRegister(join(work, 'register.sqlite'));
});
afterAll(() => {
  port?.close();
  register?.close();
  tpm?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function twoKeys(): [UsbKeyInfo, UsbKeyInfo] {
  const keys = port.listKeys();
  expect(keys).toHaveLength(2);
  return [keys[0]!, keys[1]!];
}

describe('two keys with the same serial (tpm2-pkcs11)', () => {
  it('are listed under different names, each found by its name or label, and the bare shared serial names no key (TOKEN_NOT_FOUND, never the first of them)', () => {
    expect(port.listKeys().map((k) => k.label)).toEqual(['seal-a', 'seal-b']);
    const [a, b] = twoKeys();
    // Both tokens report the same serial number; the app's names differ and carry it.
    expect(a.serial).toBe('0000000000000000/seal-a/SW TPM');
    expect(b.serial).toBe('0000000000000000/seal-b/SW TPM');
    expect(port.findKey(a.serial).label).toBe('seal-a');
    expect(port.findKey(b.serial).label).toBe('seal-b');
    expect(port.findKey('seal-b').serial).toBe(b.serial);
    let code = '';
    try {
      port.findKey('0000000000000000');
    } catch (error) {
      code = error instanceof YinjianError ? error.code : String(error);
    }
    expect(code).toBe('TOKEN_NOT_FOUND');
  });

  it('a session opened by one key\'s name logs into that key: its PIN works there and not on the other, its key pair is its own', async () => {
    const [a, b] = twoKeys();
    await expect(port.openSession(a.serial, pin(PIN_B))).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    const sessionB = await port.openSession(b.serial, pin(PIN_B));
    const pairB = await sessionB.generateKeyPair('p256', 'key-b');
    const signerB = await sessionB.signer(pairB.keyId, 'ECDSA_P256_SHA256');
    const data = Buffer.from('seal b');
    const signature = await signerB.sign(data);
    await sessionB.close();
    expect(verify('sha256', data, { key: createPublicKey({ key: Buffer.from(pairB.publicKeySpki), format: 'der', type: 'spki' }), dsaEncoding: 'der' }, Buffer.from(signature))).toBe(true);
    const sessionA = await port.openSession(a.serial, pin(PIN_A));
    expect(await sessionA.listKeyPairs()).toEqual([]);
    await sessionA.close();
  });

  it('the register\'s first-use row (M4) of one key does not make the other key initial', async () => {
    const [a, b] = twoKeys();
    register.usbKeys.recordIssued({ tokenSerial: a.serial, sealId: null, at: new Date() }, { name: '总裁办公室', staffId: 'OFFICE', office: true });
    const service = new UsbKeyService(port, register.usbKeys);
    expect((await service.info(a.serial)).initialPinSources).toEqual(['register']);
    expect((await service.info(b.serial)).initialPin).toBe(false);
    await expect(service.openForSigning(a.serial, pin(PIN_A))).rejects.toMatchObject({ code: 'INITIAL_PIN_MUST_CHANGE' });
    const session = await service.openForSigning(b.serial, pin(PIN_B));
    await session.close();
  });

  it('the key watcher sees two keys, not one', () => {
    const watcher = new UsbKeyWatcher(port);
    const events = watcher.poll();
    expect(events.inserted.map((k) => k.label).sort()).toEqual(['seal-a', 'seal-b']);
  });
});

/**
 * The token conformance run for ONE PKCS#11 implementation, in its own process (each module
 * reads its environment once at C_Initialize; openCryptoki runs inside a mount namespace).
 * Usage: node --import tsx driver.ts <implementation> <result.json>
 *
 * Each requirement ends as pass, degraded (the app refuses with a typed code, or M4 is held by
 * another source) or fail. What counts as degraded rather than failed is what the module's
 * catalog profile says it cannot do: behaviour that contradicts the profile is a failure.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../src/shared/errors/index';
import type { SignatureAlgorithm } from '../../../src/main/core/ports/signer';
import type { SealKeyType, UsbKeyPort } from '../../../src/main/core/ports/usb-key';
import { buildRootCertificate, buildSealCertificate } from '../../../src/main/core/pki/index';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister } from '../../../src/main/infra/db/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { provisionNssSoftoken } from '../../helpers/nss-softoken';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { makeBasePdf, signPdf } from '../../helpers/signed-pdf';
import { provisionSoftHsm } from '../../helpers/softhsm';
import { createSoftwareSigner } from '../../helpers/software-signer';
import { provisionTpm2Token } from '../../helpers/tpm2-token';
import { OPENCRYPTOKI_MODULE } from '../../helpers/opencryptoki';
import { REQUIREMENTS, type Outcome, type RequirementId } from './requirements';

const [implementation, resultPath] = process.argv.slice(2) as [string, string];

/** PINs that fit every model (openCryptoki takes at most 8 characters). */
const INITIAL_PIN = '20240701';
const PIN = 'Seal#26x';
const PIN2 = 'Kq7!zm3p';
const PIN3 = 'Wd5%rt8u';
const SO_PIN = '87654321';

const pin = (text: string): Buffer => Buffer.from(text, 'latin1');

interface Target {
  readonly port: Pkcs11UsbKeyPort;
  readonly label: string;
  readonly soPin: string;
  readonly userPin: string;
  /** Pulls the device out for real, where there is a device. */
  readonly removeDevice?: () => void;
  /** The office's own way out of a device-wide lockout (the TPM owner clears it). */
  readonly clearDeviceLockout?: () => void;
  cleanup(): void;
}

async function open(name: string): Promise<Target> {
  switch (name) {
    case 'softhsm2': {
      const hsm = provisionSoftHsm();
      hsm.createToken({ label: 'conformance', soPin: SO_PIN, userPin: INITIAL_PIN });
      const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
      return { port, label: 'conformance', soPin: SO_PIN, userPin: INITIAL_PIN, cleanup: () => (port.close(), hsm.cleanup()) };
    }
    case 'nss-softoken': {
      const nss = provisionNssSoftoken(INITIAL_PIN);
      const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(nss.modulePath, { libraryParameters: nss.libraryParameters }));
      return { port, label: nss.label, soPin: nss.soPin, userPin: INITIAL_PIN, cleanup: () => (port.close(), nss.cleanup()) };
    }
    case 'tpm2-pkcs11': {
      const tpm = await provisionTpm2Token({ label: 'conformance', soPin: SO_PIN, userPin: INITIAL_PIN });
      try {
        const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(tpm.modulePath));
        return {
          port,
          label: 'conformance',
          soPin: SO_PIN,
          userPin: INITIAL_PIN,
          removeDevice: () => tpm.removeDevice(),
          clearDeviceLockout: () => tpm.clearLockout(),
          cleanup: () => {
            try {
              port.close();
            } finally {
              tpm.cleanup();
            }
          },
        };
      } catch (error) {
        tpm.cleanup();
        throw error;
      }
    }
    case 'opencryptoki': {
      // Already inside the fixture's mount namespace with pkcsslotd running (test/helpers/opencryptoki.ts).
      const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(OPENCRYPTOKI_MODULE));
      return { port, label: 'conformance', soPin: SO_PIN, userPin: INITIAL_PIN, cleanup: () => port.close() };
    }
    default:
      throw new Error(`unknown implementation ${name}`);
  }
}

const results: Partial<Record<RequirementId, Outcome>> = {};
const pass = (id: RequirementId, note: string): void => void (results[id] = { status: 'pass', note });
const degraded = (id: RequirementId, code: string, note: string): void => void (results[id] = { status: 'degraded', code, note });
const fail = (id: RequirementId, note: string): void => void (results[id] = { status: 'fail', note });

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    return 'OK';
  } catch (error) {
    return error instanceof YinjianError ? error.code : `UNTYPED:${error instanceof Error ? error.message : String(error)}`;
  }
}

function verifies(algorithm: SignatureAlgorithm, spki: Uint8Array, data: Buffer, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (algorithm === 'RSA_PSS_SHA256') return verifySignature('sha256', data, { key, padding: 6, saltLength: 32 }, signature);
  return verifySignature('sha256', data, key, signature);
}

async function requirement(id: RequirementId, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    if (!results[id]) fail(id, 'no verdict');
  } catch (error) {
    const detail = error instanceof YinjianError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    fail(id, `unexpected: ${detail}`);
  }
}

async function run(): Promise<void> {
  const started = Date.now();
  const target = await open(implementation);
  const work = mkdtempSync(join(tmpdir(), 'yinjian-conformance-'));
  const register = openRegister(join(work, 'register.sqlite'));
  const port: UsbKeyPort = target.port;
  const library = target.port.module;
  const profile = library.profile;
  const service = new UsbKeyService(port, register.usbKeys);
  let current = target.userPin;
  let label = target.label;
  let serial = '';
  const rootSigner = createSoftwareSigner('ECDSA_P256_SHA256');
  const root = await buildRootCertificate({ signer: rootSigner, groupName: '示例集团', commonName: '示例集团电子印章根证书', validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2046-01-01T00:00:00Z') } });
  const sealKeyType: SealKeyType = profile.keyTypes.includes('p256') ? 'p256' : 'rsa2048';
  let sealKey: { keyId: Uint8Array; spki: Uint8Array; cert: Uint8Array } | undefined;
  try {
    await requirement('list', async () => {
      const keys = port.listKeys();
      const mine = keys.filter((k) => k.label === label);
      const hidden = keys.filter((k) => profile.hiddenTokens.includes(k.label));
      if (mine.length === 1 && hidden.length === 0) pass('list', `${keys.length} key(s); module's internal tokens hidden (${profile.hiddenTokens.join(', ') || 'none'})`);
      else fail('list', `found ${mine.length} key(s) labelled ${label}, ${hidden.length} internal token(s) listed`);
    });

    await requirement('info', async () => {
      const info = port.findKey(label);
      serial = info.serial;
      const bySerial = await codeOf(() => port.findKey(info.serial));
      const note = `serial ${info.serial}, manufacturer ${info.manufacturer}, model ${info.model}; module ${library.manufacturer} / ${library.libraryDescription} ${library.libraryVersion} → profile ${profile.id}`;
      if (profile.id === 'default') fail('info', `no catalog profile matches: ${note}`);
      else if (bySerial === 'OK') pass('info', note);
      else if (!profile.uniqueSerial) degraded('info', bySerial, `${note}; serial shared by every token: named by label`);
      else fail('info', `find by serial: ${bySerial}`);
    });

    // Issuance (M1, M4): initialise, key pair on the key, certificate, CA certificate, marker, register row.
    await requirement('issue', async () => {
      let initNote = 'initialised with C_InitToken and the SO PIN';
      const init = await codeOf(port.initializeKey(serial || label, pin(target.soPin), 'seal-key', pin(INITIAL_PIN)));
      if (init !== 'OK') {
        if (profile.soInit === 'none' && init === 'TOKEN_INIT_UNSUPPORTED') initNote = 'initialised by the vendor tool (TOKEN_INIT_UNSUPPORTED)';
        else return fail('issue', `initializeKey: ${init}`);
      } else {
        const relabelled = port.listKeys().find((k) => k.label === 'seal-key');
        if (relabelled) label = 'seal-key';
        else initNote += ' (the module keeps its own label)';
      }
      current = INITIAL_PIN;
      serial = port.findKey(label).serial;
      const session = await service.openForIssuance(label, pin(INITIAL_PIN));
      try {
        const pair = await session.generateKeyPair(sealKeyType, 'seal');
        const cert = await buildSealCertificate({
          issuerCertificate: root,
          issuerSigner: rootSigner,
          subjectPublicKeySpki: pair.publicKeySpki,
          groupName: '示例集团',
          unit: '办公室',
          sealName: '示例集团办公室印章',
          sealCode: 'YJ-CONF-0001',
          sealKind: 'department',
          custodianStaffId: 'S001',
          workstationId: 'ws-conformance',
          validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z') },
        });
        await session.storeCertificate(cert, pair.keyId, 'seal');
        await session.storeCertificate(root, new Uint8Array([0xca]), 'group CA');
        const marker = await codeOf(session.writeFirstUseMarker());
        register.usbKeys.recordIssued({ tokenSerial: serial, sealId: null, at: new Date() }, { name: '总裁办公室', staffId: 'OFFICE', office: true });
        sealKey = { keyId: pair.keyId, spki: pair.publicKeySpki, cert };
        const note = `${initNote}; ${sealKeyType} key pair generated on the key; certificate and CA certificate stored; register row written`;
        if (marker === 'OK' && profile.marker === 'public-data') pass('issue', `${note}; first-use marker written`);
        else if (marker === 'TOKEN_MARKER_UNSUPPORTED' && profile.marker === 'none') degraded('issue', marker, `${note}; no marker on this model, the register holds M4`);
        else fail('issue', `marker: ${marker} (profile says ${profile.marker})`);
      } finally {
        await session.close();
      }
    });

    await requirement('first-use', async () => {
      const status = await service.info(label);
      const refused = await codeOf(service.openForSigning(label, pin(current)));
      const expected = profile.firstUseSources.filter((s) => s !== 'token-flag');
      const missing = expected.filter((s) => !status.initialPinSources.includes(s));
      if (refused !== 'INITIAL_PIN_MUST_CHANGE' || missing.length) {
        return fail('first-use', `sources ${status.initialPinSources.join(',')} (expected ${expected.join(',')}); signing: ${refused}`);
      }
      const flag = status.flags.userPinToBeChanged ? 'token flag set' : 'the module never sets CKF_USER_PIN_TO_BE_CHANGED';
      const note = `sources: ${status.initialPinSources.join(', ')}; ${flag}; signing refused INITIAL_PIN_MUST_CHANGE (M4)`;
      if (status.initialPinSources.length === 3) pass('first-use', note);
      else degraded('first-use', 'INITIAL_PIN_MUST_CHANGE', note);
    });

    await requirement('pin-change', async () => {
      const weak = await codeOf(service.changePin(label, pin(current), pin('123456')));
      if (weak !== 'PIN_POLICY_SEQUENCE') return fail('pin-change', `weak PIN: ${weak}`);
      const { max } = profile.pinLength;
      let lengthNote = '';
      if (max < 16) {
        const long = await codeOf(service.changePin(label, pin(current), pin('Lq8#Lq8#Lq8#Lq8#').subarray(0, Math.min(16, max + 1))));
        if (long !== 'PIN_LENGTH_UNSUPPORTED') return fail('pin-change', `PIN longer than ${max}: ${long}`);
        lengthNote = `; a ${max + 1}-character PIN refused PIN_LENGTH_UNSUPPORTED before the key sees it`;
      }
      await service.changePin(label, pin(current), pin(PIN));
      current = PIN;
      const status = await service.info(label);
      const old = await codeOf(async () => (await service.openForSigning(label, pin(INITIAL_PIN))).close());
      const now = await codeOf(async () => (await service.openForSigning(label, pin(PIN))).close());
      if (status.initialPin || !['PIN_INCORRECT', 'PIN_LOCKED'].includes(old) || now !== 'OK') {
        return fail('pin-change', `after change: initial ${status.initialPin}, old PIN ${old}, new PIN ${now}`);
      }
      const how = profile.setPinNeedsLogin ? 'C_SetPIN logged in' : 'C_SetPIN in a public session, marker removed with the new PIN';
      pass('pin-change', `weak PIN refused PIN_POLICY_SEQUENCE${lengthNote}; ${how}; all initial-PIN sources cleared`);
    });

    await requirement('keygen', async () => {
      const session = await service.openForSigning(label, pin(current));
      try {
        const notes: string[] = [];
        let unsupported = '';
        for (const type of ['p256', 'rsa2048'] as const) {
          const made = await codeOf(async () => {
            const pair = await session.generateKeyPair(type, `probe ${type}`);
            // The private key never leaves the key: CKA_VALUE / CKA_PRIVATE_EXPONENT unreadable, flags say so.
            const api = library.api;
            const raw = api.C_OpenSession(api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trim() === label)!, pkcs11js.CKF_SERIAL_SESSION);
            try {
              api.C_FindObjectsInit(raw, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(pair.keyId) }]);
              const [handle] = api.C_FindObjects(raw, 1);
              api.C_FindObjectsFinal(raw);
              if (!handle) throw new Error('private key not found after generation');
              const [sensitive, extractable] = api.C_GetAttributeValue(raw, handle, [{ type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }]);
              if (!(sensitive?.value as Buffer)[0] || (extractable?.value as Buffer)[0]) throw new Error('key is not sensitive / is extractable');
              const secret = type === 'p256' ? pkcs11js.CKA_VALUE : pkcs11js.CKA_PRIVATE_EXPONENT;
              let leaked = false;
              try {
                const [value] = api.C_GetAttributeValue(raw, handle, [{ type: secret }]);
                leaked = Buffer.isBuffer(value?.value) && value.value.length > 0;
              } catch {
                leaked = false;
              }
              if (leaked) throw new Error('private value readable');
            } finally {
              api.C_CloseSession(raw);
            }
            await session.destroyKeyObjects(pair.keyId);
          });
          if (made === 'OK') notes.push(`${type}: sensitive, non-extractable, private value unreadable`);
          else if (!profile.keyTypes.includes(type) && made === 'KEY_TYPE_UNSUPPORTED') unsupported = `${type}: KEY_TYPE_UNSUPPORTED`;
          else return fail('keygen', `${type}: ${made}`);
        }
        if (unsupported) degraded('keygen', 'KEY_TYPE_UNSUPPORTED', [...notes, unsupported].join('; '));
        else pass('keygen', notes.join('; '));
      } finally {
        await session.close();
      }
    });

    await requirement('sign', async () => {
      const session = await service.openForSigning(label, pin(current));
      try {
        const notes: string[] = [];
        const refusals: string[] = [];
        const pairs = await session.listKeyPairs();
        const data = Buffer.from('印鉴 conformance 署名 data');
        for (const algorithm of ['RSA_PKCS1_SHA256', 'RSA_PSS_SHA256', 'ECDSA_P256_SHA256'] as const) {
          const type: SealKeyType = algorithm === 'ECDSA_P256_SHA256' ? 'p256' : 'rsa2048';
          let pair = pairs.find((p) => p.keyType === type);
          let generated = false;
          if (!pair) {
            const made = await codeOf(async () => (pair = await session.generateKeyPair(type, `sign ${type}`)));
            if (made !== 'OK') {
              if (profile.keyTypes.includes(type)) return fail('sign', `${algorithm}: key generation ${made}`);
              refusals.push(`${algorithm}: ${made}`);
              continue;
            }
            generated = true;
          }
          const signed = await codeOf(async () => {
            const signer = await session.signer(pair!.keyId, algorithm);
            const signature = await signer.sign(data);
            if (!verifies(algorithm, pair!.publicKeySpki, data, signature)) throw new Error('signature does not verify');
          });
          if (generated) await session.destroyKeyObjects(pair!.keyId);
          if (signed === 'OK') notes.push(algorithm);
          else if (signed === 'MECHANISM_UNSUPPORTED') refusals.push(`${algorithm}: MECHANISM_UNSUPPORTED`);
          else return fail('sign', `${algorithm}: ${signed}`);
        }
        const mechanisms = new Set(library.api.C_GetMechanismList(library.api.C_GetSlotList(true).find((s) => library.api.C_GetTokenInfo(s).label.trim() === label)!));
        const fallback = [
          !mechanisms.has(pkcs11js.CKM_SHA256_RSA_PKCS) && mechanisms.has(pkcs11js.CKM_RSA_PKCS) ? 'RSA PKCS#1 over a DigestInfo (no CKM_SHA256_RSA_PKCS)' : '',
          !mechanisms.has(pkcs11js.CKM_ECDSA_SHA256) && mechanisms.has(pkcs11js.CKM_ECDSA) ? 'ECDSA over a digest (no CKM_ECDSA_SHA256)' : '',
        ].filter(Boolean);
        const note = `verified by node:crypto: ${notes.join(', ')}${fallback.length ? `; fallback: ${fallback.join('; ')}` : ''}`;
        if (refusals.length) degraded('sign', refusals[0]!.split(': ')[1]!, `${note}; refused: ${refusals.join(', ')}`);
        else pass('sign', note);
      } finally {
        await session.close();
      }
    });

    await requirement('objects', async () => {
      const publicCerts = await service.publicCertificates(label);
      const hasSeal = sealKey !== undefined && publicCerts.some((c) => Buffer.from(c.der).equals(Buffer.from(sealKey!.cert)));
      if (!hasSeal || publicCerts.length < 2) return fail('objects', `public certificates without PIN: ${publicCerts.length}, seal certificate ${hasSeal ? 'found' : 'missing'}`);
      const session = await service.openForSigning(label, pin(current));
      let marker: string;
      try {
        marker = await codeOf(session.writeFirstUseMarker());
      } finally {
        await session.close();
      }
      const note = `${publicCerts.length} certificates readable without a PIN (the seal's and the CA's)`;
      if (marker === 'OK') {
        const seen = await port.hasFirstUseMarker(serial || label);
        const refused = await codeOf(service.openForSigning(label, pin(current)));
        await service.changePin(label, pin(current), pin(PIN2));
        current = PIN2;
        const gone = !(await port.hasFirstUseMarker(serial || label));
        if (profile.marker === 'public-data' && seen && refused === 'INITIAL_PIN_MUST_CHANGE' && gone) pass('objects', `${note}; marker written, read without PIN, enforced, removed by the PIN change`);
        else fail('objects', `marker: seen ${seen}, signing ${refused}, removed ${gone}`);
      } else if (marker === 'TOKEN_MARKER_UNSUPPORTED' && profile.marker === 'none') {
        degraded('objects', marker, `${note}; the model holds no public data object, M4 rests on the register`);
      } else fail('objects', `marker: ${marker}`);
    });

    await requirement('stamp-verify', async () => {
      if (!sealKey) return fail('stamp-verify', 'no seal key was issued');
      const session = await service.openForSigning(label, pin(current));
      const trust = nssDatabase([root]);
      try {
        const algorithm: SignatureAlgorithm = sealKeyType === 'p256' ? 'ECDSA_P256_SHA256' : 'RSA_PKCS1_SHA256';
        const signer = await session.signer(sealKey.keyId, algorithm);
        const signed = await signPdf(await makeBasePdf(1, 'Conformance notice'), { root, ca: rootSigner, certificate: sealKey.cert, signer: signer as never, workstationId: 'ws-conformance' });
        const file = join(work, 'stamped.pdf');
        writeFileSync(file, signed);
        const [verdict] = pdfsig(file, trust.nssdir);
        if (verdict?.signatureValid && verdict.certificateTrusted && verdict.totalDocumentSigned) pass('stamp-verify', `PAdES signature by the key (${algorithm}); pdfsig: valid, trusted, whole document signed`);
        else fail('stamp-verify', `pdfsig: ${verdict?.signatureStatus ?? 'no signature'} / ${verdict?.certificateStatus ?? ''}`);
      } finally {
        trust.dispose();
        await session.close();
      }
    });

    await requirement('wrong-pin', async () => {
      let error: unknown;
      try {
        await (await service.openForSigning(label, pin('Wrong#1x'))).close();
      } catch (e) {
        error = e;
      }
      if (!(error instanceof YinjianError) || error.code !== 'PIN_INCORRECT') return fail('wrong-pin', `wrong PIN: ${error instanceof YinjianError ? error.code : String(error)}`);
      const tries = String(error.params?.triesEn ?? '');
      const ok = await codeOf(async () => (await service.openForSigning(label, pin(current))).close());
      if (ok !== 'OK') return fail('wrong-pin', `right PIN after a wrong one: ${ok}`);
      if (tries) pass('wrong-pin', `PIN_INCORRECT with tries left: "${tries}"`);
      else if (!profile.pinFlags) degraded('wrong-pin', 'PIN_INCORRECT', 'PIN_INCORRECT without tries left: the module reports no COUNT_LOW/FINAL_TRY flags');
      else fail('wrong-pin', 'profile promises PIN flags, none reported');
    });

    await requirement('lock-unlock', async () => {
      let lastCode = '';
      let attempts = 0;
      for (; attempts < 12 && lastCode !== 'PIN_LOCKED'; attempts++) lastCode = await codeOf(service.openForSigning(label, pin('Wrong#2x')));
      if (lastCode !== 'PIN_LOCKED') {
        if (profile.lockout !== 'none') return fail('lock-unlock', `not locked after ${attempts} wrong PINs (${lastCode})`);
      } else {
        const right = await codeOf(service.openForSigning(label, pin(current)));
        if (right !== 'PIN_LOCKED') return fail('lock-unlock', `right PIN on a locked key: ${right}`);
      }
      const lockNote = lastCode === 'PIN_LOCKED' ? `PIN_LOCKED after ${attempts} wrong PINs, also for the right PIN` : `no lockout after ${attempts} wrong PINs (PIN_INCORRECT each time)`;
      let reset = await codeOf(service.resetUserPin(label, pin(target.soPin), pin(PIN3)));
      let resetNote = '';
      if (reset === 'PIN_LOCKED' && profile.lockout === 'device-wide' && target.clearDeviceLockout) {
        resetNote = 'SO reset refused PIN_LOCKED while the device is locked; the owner clears the lockout, then ';
        target.clearDeviceLockout();
        reset = await codeOf(service.resetUserPin(label, pin(target.soPin), pin(PIN3)));
      }
      if (reset === 'TOKEN_UNLOCK_UNSUPPORTED' && profile.officeUnlock === 'none') {
        return degraded('lock-unlock', lastCode === 'PIN_LOCKED' ? 'PIN_LOCKED' : 'TOKEN_UNLOCK_UNSUPPORTED', `${lockNote}; office unlock refused TOKEN_UNLOCK_UNSUPPORTED (re-issue the key)`);
      }
      if (reset !== 'OK') return fail('lock-unlock', `${lockNote}; SO reset: ${reset}`);
      current = PIN3;
      const status = await service.info(label);
      const refused = await codeOf(service.openForSigning(label, pin(current)));
      if (!status.initialPin || refused !== 'INITIAL_PIN_MUST_CHANGE') return fail('lock-unlock', `after reset: initial ${status.initialPin} (${status.initialPinSources.join(',')}), signing ${refused}`);
      await service.changePin(label, pin(current), pin(PIN));
      current = PIN;
      const signs = await codeOf(async () => (await service.openForSigning(label, pin(current))).close());
      if (signs !== 'OK') return fail('lock-unlock', `after reset and change: ${signs}`);
      const note = `${lockNote}; ${resetNote}SO reset → initial PIN (${status.initialPinSources.join(', ')}), M4 enforced, changed, key works`;
      if (lastCode === 'PIN_LOCKED' && profile.lockout === 'per-token') pass('lock-unlock', note);
      else degraded('lock-unlock', lastCode === 'PIN_LOCKED' ? 'PIN_LOCKED' : 'PIN_INCORRECT', note);
    });

    await requirement('removal', async () => {
      if (!sealKey) return fail('removal', 'no seal key');
      const session = await service.openForSigning(label, pin(current));
      const signer = await session.signer(sealKey.keyId, sealKeyType === 'p256' ? 'ECDSA_P256_SHA256' : 'RSA_PKCS1_SHA256');
      if (target.removeDevice) {
        target.removeDevice();
        const code = await codeOf(signer.sign(Buffer.from('after removal')));
        await session.close();
        if (['DEVICE_REMOVED', 'DEVICE_ERROR', 'TOKEN_NOT_PRESENT'].includes(code)) pass('removal', `device stopped mid-session: signing fails ${code}, nothing signed`);
        else fail('removal', `after the device went away: ${code}`);
        return;
      }
      // No device to pull: the module is re-initialised under the session, as the key watcher does when a key goes.
      library.reinitialize();
      const code = await codeOf(signer.sign(Buffer.from('after removal')));
      await session.close();
      if (code === 'DEVICE_REMOVED') degraded('removal', code, 'software token: removal simulated by re-initialising the module under the session; signing fails DEVICE_REMOVED');
      else fail('removal', `after re-initialisation: ${code}`);
    });
  } finally {
    register.close();
    try {
      target.cleanup();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const row = Object.fromEntries(REQUIREMENTS.map((r) => [r.id, results[r.id] ?? { status: 'fail', note: 'not run' }]));
  writeFileSync(resultPath, JSON.stringify({ implementation, profile: profile.id, module: `${library.manufacturer} / ${library.libraryDescription} ${library.libraryVersion}`, seconds: Math.round((Date.now() - started) / 1000), results: row }, null, 2));
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

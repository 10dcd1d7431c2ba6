/**
 * `npm run bench`: speed and memory, measured here and never by timed tests.
 * Each section prints a table; figures go into the issue notes.
 */
import { performance } from 'node:perf_hooks';
import { UsbKeyService } from '../../src/main/core/usb-key/usb-key-service';
import { Pkcs11Library } from '../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../src/main/infra/pkcs11/pkcs11-usb-key';
import { provisionSoftHsm } from '../helpers/softhsm';
import { benchCli } from './cli';
import { benchGate } from './gate';
import { benchIpc } from './ipc';
import { benchOcr } from './ocr';
import { benchStamp } from './stamp';
import { benchVerify } from './verify';

async function tokenSigning(): Promise<void> {
  const hsm = provisionSoftHsm();
  try {
    hsm.createToken({ label: 'bench', soPin: '87654321', userPin: '20240701' });
    const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
    const session = await new UsbKeyService(port).openForSigning('bench', Buffer.from('20240701'));
    console.log('\nUSB-key signing on SoftHSM2 (software token; a real USB key takes 100–500 ms per signature)');
    console.log('algorithm            n    mean ms   p95 ms');
    for (const [keyType, algorithm] of [
      ['rsa2048', 'RSA_PKCS1_SHA256'],
      ['rsa2048', 'RSA_PSS_SHA256'],
      ['p256', 'ECDSA_P256_SHA256'],
    ] as const) {
      const keyPair = await session.generateKeyPair(keyType, algorithm);
      const signer = await session.signer(keyPair.keyId, algorithm);
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        const start = performance.now();
        await signer.sign(Buffer.from(`document ${i}`));
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      console.log(`${algorithm.padEnd(20)} ${String(times.length).padStart(2)} ${mean.toFixed(2).padStart(9)} ${times[Math.floor(times.length * 0.95)]!.toFixed(2).padStart(8)}`);
    }
    await session.close();
    port.close();
  } finally {
    hsm.cleanup();
  }
}

/** `npm run bench -- cli|token|stamp|verify|gate|ocr|ipc` runs one section; no argument runs them all. */
const sections: Record<string, () => Promise<void>> = { cli: async () => void (await benchCli()), token: tokenSigning, stamp: benchStamp, verify: benchVerify, gate: benchGate, ocr: benchOcr, ipc: benchIpc };
const wanted = process.argv.slice(2).filter((a) => a in sections);
for (const name of wanted.length ? wanted : Object.keys(sections)) await sections[name]!();

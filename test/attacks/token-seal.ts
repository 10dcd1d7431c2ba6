/**
 * A seal whose key lives on a throwaway SoftHSM2 token, as on a custodian's USB key: the key
 * pair is generated on the token, the certificate issued by a software group CA (certifySealKey,
 * shared with the software test seals), and every
 * signature of the attack generator is made by the token (C_Sign through pkcs11js).
 */
import type { UsbKeySession } from '../../src/main/core/ports/usb-key';
import { UsbKeyService } from '../../src/main/core/usb-key/usb-key-service';
import { Pkcs11Library } from '../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../src/main/infra/pkcs11/pkcs11-usb-key';
import { certifySealKey, type SigningSeal } from '../helpers/signed-pdf';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';

const LABEL = 'attack-seal';
const PIN = 'At7Kq2Wz9';

export interface TokenSeal extends SigningSeal {
  readonly serial: string;
  close(): Promise<void>;
}

/** Provisions the token, generates the seal key on it and issues its certificate. */
export async function tokenSeal(options: { sealCode?: string; commonName?: string } = {}): Promise<TokenSeal> {
  const hsm: SoftHsmFixture = provisionSoftHsm();
  hsm.createToken({ label: LABEL, soPin: 'So4Pq8Lm', userPin: PIN });
  const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
  let session: UsbKeySession | undefined;
  try {
    const serial = port.findKey(LABEL).serial;
    session = await new UsbKeyService(port).openForIssuance(serial, Buffer.from(PIN));
    const pair = await session.generateKeyPair('p256', 'attack seal');
    const { root, certificate, workstationId } = await certifySealKey({
      subjectPublicKeySpki: pair.publicKeySpki,
      workstationId: 'ws-attack-0001',
      sealCode: options.sealCode ?? 'YJ-ATK-0001',
      ...(options.commonName ? { sealName: options.commonName } : {}),
    });
    const signer = await session.signer(pair.keyId, 'ECDSA_P256_SHA256');
    const open = session;
    return {
      serial,
      root,
      certificate,
      signer,
      workstationId,
      async close() {
        await open.close();
        port.close();
        hsm.cleanup();
      },
    };
  } catch (error) {
    await session?.close().catch(() => undefined);
    port.close();
    hsm.cleanup();
    throw error;
  }
}

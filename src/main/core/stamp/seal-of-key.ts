/**
 * Which filed seal a USB key carries, and the signing key on it: shared by `yinjian stamp`
 * (cli/commands/stamp.ts) and the app's stamping front door (app/stamping.ts).
 */
import { YinjianError } from '../../../shared/errors/index';
import { parseCertificate } from '../pki/index';
import type { SignatureAlgorithm } from '../ports/signer';
import type { UsbKeySession } from '../ports/usb-key';
import type { BatchKey } from './batch';
import { currentUsageAnchor, encodeUsageAnchor, USAGE_ANCHOR_LABEL, type KeyType, type Seal } from '../register/index';
import type { SigningKey } from './ports';

const ALGORITHM_OF_KEY: Readonly<Record<KeyType, SignatureAlgorithm>> = {
  RSA_2048: 'RSA_PKCS1_SHA256',
  RSA_3072: 'RSA_PKCS1_SHA256',
  EC_P256: 'ECDSA_P256_SHA256',
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/**
 * The seal the register holds for this USB key, found without a PIN. On the office computer
 * the register knows the key's serial (issuance wrote it). A workstation's register is a
 * replica of the signed snapshot (infra/db/snapshot-mirror.ts), which does not say which key
 * holds a seal: there the seal is the one whose current certificate is stored on the key as a
 * public object. A cancelled seal is never a key's seal (S3); a lost one is found, and the
 * stamping gate refuses it with its own code (S5).
 */
export async function sealOfKey(
  seals: readonly Seal[],
  tokenSerial: string,
  certificatesOnKey: () => Promise<readonly { readonly der: Uint8Array }[]>,
): Promise<Seal> {
  const live = seals.filter((s) => s.state !== 'CANCELLED');
  const bySerial = live.filter((s) => s.certificate.tokenSerial !== '' && s.certificate.tokenSerial === tokenSerial);
  if (bySerial.length > 0) return bySerial[bySerial.length - 1]!;
  const onKey = await certificatesOnKey();
  const byCertificate = live.filter((s) => onKey.some((c) => sameBytes(c.der, s.certificate.der)));
  const seal = byCertificate[byCertificate.length - 1];
  if (!seal) throw new YinjianError('STAMP_NO_SEAL_FOR_KEY', { token: tokenSerial });
  return seal;
}

/** The seal's key, certificate and the CA certificate(s) stored beside it on the key. */
export async function signingKeyOf(session: UsbKeySession, seal: Seal): Promise<SigningKey> {
  const certificates = await session.listCertificates();
  const own = certificates.find((c) => sameBytes(c.der, seal.certificate.der));
  if (!own) throw new YinjianError('STAMP_CERTIFICATE_NOT_ON_KEY', { seal: seal.code, serial: seal.certificate.serial });
  const issuer = parseCertificate(own.der).issuer.der;
  const caCertificates = certificates
    .filter((c) => c !== own)
    .filter((c) => {
      try {
        const info = parseCertificate(c.der);
        return info.basicConstraints?.ca === true && sameBytes(info.subject.der, issuer);
      } catch {
        return false;
      }
    })
    .map((c) => c.der);
  const signer = await session.signer(own.keyId, ALGORITHM_OF_KEY[seal.certificate.keyType]);
  // Issue #12: the usage record on the key. A model that cannot hold data objects says so at
  // the first write (TOKEN_MARKER_UNSUPPORTED): it keeps no record, as it keeps no first-use marker.
  let holdsRecords = true;
  const usageAnchor = {
    read: async () => currentUsageAnchor(await session.readRecords(USAGE_ANCHOR_LABEL)),
    write: async (anchor: Parameters<typeof encodeUsageAnchor>[0]) => {
      if (!holdsRecords) return;
      try {
        await session.replaceRecord(USAGE_ANCHOR_LABEL, encodeUsageAnchor(anchor));
      } catch (error) {
        if (error instanceof YinjianError && error.code === 'TOKEN_MARKER_UNSUPPORTED') {
          holdsRecords = false;
          return;
        }
        throw error;
      }
    },
  };
  return { signer, certificate: own.der, caCertificates, usageAnchor };
}

/**
 * Logs in to the seal's USB key for a batch (`loginForSigning` owns the PIN buffer and zeroes
 * it; it refuses a key still on its initial PIN, M4) and finds the seal's key on it; a key
 * that logs in but lacks the seal's certificate is closed again before the error is thrown.
 * The key comes back while the initial-PIN record's check still runs (issue #15): its
 * `loginChecked` is that check, which the pipeline awaits before anything is signed or
 * recorded. A refused PIN wins over a missing certificate, as when the check ran first.
 */
export async function openSigningKey(
  keys: { loginForSigning(serialOrLabel: string, pin: Buffer): Promise<{ session: UsbKeySession; checked: Promise<void> }> },
  tokenSerial: string,
  pin: Buffer,
  seal: Seal,
): Promise<BatchKey> {
  const { session, checked } = await keys.loginForSigning(tokenSerial, pin);
  try {
    return { key: { ...(await signingKeyOf(session, seal)), loginChecked: checked }, close: () => session.close() };
  } catch (error) {
    await checked;
    await session.close().catch(() => undefined);
    throw error;
  }
}

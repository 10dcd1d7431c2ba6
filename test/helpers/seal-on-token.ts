/**
 * A seal issued onto a PKCS#11 token as the office leaves it on a workstation: a group CA (a
 * software key), the seal's key pair generated on the token with its certificate and the CA's
 * stored beside it, a register in the data folder with this computer bound as the seal's
 * workstation and the seal issued to custodian S100, and the initial PIN changed through the
 * real binary (M4). The token must exist, with `initialPin` as its user PIN.
 * Used by the security tests (test/attacks), the reliability tests (seal-on-key.ts) and, in
 * parts (groupCa, sealKeyOnToken), the stamp command's end-to-end test.
 */
import { join } from 'node:path';
import { composeSealArtwork, loadSealFont, sealToSvg } from '../../src/main/core/appearance/index';
import { buildRootCertificate, buildSealCertificate, parseCertificate } from '../../src/main/core/pki/index';
import { UsbKeyService } from '../../src/main/core/usb-key/usb-key-service';
import { openRegister } from '../../src/main/infra/db/index';
import { currentWorkstation } from '../../src/main/infra/machine/workstation-id';
import { Pkcs11Library } from '../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../src/main/infra/pkcs11/pkcs11-usb-key';
import { GROUP, OFFICE, shippedFont } from '../integration/stamp/fixture';
import { runYinjian } from './cli';
import { createSoftwareSigner, type SoftwareSigner } from './software-signer';

export interface SealOnTokenOptions {
  /** The PKCS#11 module the token is reached through, and the environment the CLI needs for it. */
  readonly modulePath: string;
  readonly env: NodeJS.ProcessEnv;
  /** The data folder: its register.sqlite is created. */
  readonly dataDir: string;
  /** The token's label (also the unit's name). */
  readonly label: string;
  readonly sealCode: string;
  readonly initialPin: string;
  /** The PIN the custodian changes it to. */
  readonly pin: string;
}

export interface SealOnToken {
  readonly serial: string;
  /** The group CA's certificate (DER). */
  readonly root: Uint8Array;
}

/** The group CA: a software key and its root certificate. */
export async function groupCa(): Promise<{ root: Uint8Array; rootSigner: SoftwareSigner }> {
  const rootSigner = createSoftwareSigner('ECDSA_P256_SHA256');
  const root = await buildRootCertificate({ signer: rootSigner, groupName: GROUP, commonName: '华夏建设集团电子印章根证书', validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2046-01-01T00:00:00Z') } });
  return { root, rootSigner };
}

/**
 * The seal's key pair generated on the token labelled `label` (logged in with `initialPin`),
 * its certificate from the group CA (custodian S100, this computer) stored beside the key, and
 * the CA's certificate; with `firstUseMarker`, the marker a key handed out unchanged carries.
 */
export async function sealKeyOnToken(
  port: Pkcs11UsbKeyPort,
  options: { label: string; sealCode: string; initialPin: string; root: Uint8Array; rootSigner: SoftwareSigner; firstUseMarker?: boolean },
): Promise<{ serial: string; der: Uint8Array }> {
  const { label, sealCode, root, rootSigner } = options;
  const serial = port.findKey(label).serial;
  const session = await new UsbKeyService(port).openForIssuance(serial, Buffer.from(options.initialPin));
  const pair = await session.generateKeyPair('p256', `seal ${sealCode}`);
  const der = await buildSealCertificate({
    issuerCertificate: root,
    issuerSigner: rootSigner,
    subjectPublicKeySpki: pair.publicKeySpki,
    groupName: GROUP,
    unit: label,
    sealName: `${label}印章`,
    sealCode,
    sealKind: 'department',
    custodianStaffId: 'S100',
    workstationId: currentWorkstation().code,
    validity: { notBefore: new Date('2026-07-01T00:00:00Z'), notAfter: new Date('2031-07-01T00:00:00Z') },
  });
  await session.storeCertificate(der, pair.keyId, `seal ${sealCode}`);
  await session.storeCertificate(root, new Uint8Array([0xca]), 'group CA');
  if (options.firstUseMarker) await session.writeFirstUseMarker();
  await session.close();
  return { serial, der };
}

export async function issueSealOnToken(options: SealOnTokenOptions): Promise<SealOnToken> {
  const { modulePath, env, dataDir, label, sealCode, initialPin, pin } = options;
  const { root, rootSigner } = await groupCa();
  const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(modulePath));
  let serial: string;
  let der: Uint8Array;
  try {
    ({ serial, der } = await sealKeyOnToken(port, { label, sealCode, initialPin, root, rootSigner }));
  } finally {
    port.close();
  }
  const register = openRegister(join(dataDir, 'register.sqlite'));
  try {
    register.workstations.add({ id: 'WS-1', name: '办公室专用机', machineId: currentWorkstation().code, registeredAt: new Date('2026-06-01T00:00:00Z') }, OFFICE);
    register.units.add({ id: 'U-0', code: 'UNIT-0', name: label, kind: 'department' }, OFFICE);
    register.custodians.add({ staffId: 'S100', name: '张保管', unitId: 'U-0' }, OFFICE);
    const info = parseCertificate(der);
    register.lifecycle.issue(
      {
        id: `SEAL-${sealCode}`,
        code: sealCode,
        name: `${label}印章`,
        unitId: 'U-0',
        custodianStaffId: 'S100',
        workstationId: 'WS-1',
        certificate: { serial: Buffer.from(info.serialNumber).toString('hex'), der, validFrom: info.notBefore, validTo: info.notAfter, keyType: 'EC_P256', tokenSerial: serial },
        appearance: { svg: sealToSvg(composeSealArtwork({ kind: 'department', unitName: GROUP, sealName: label }, loadSealFont(shippedFont()))), png: null },
        approval: { reference: `ISSUE-${sealCode}`, approver: '集团总裁' },
      },
      OFFICE,
    );
  } finally {
    register.close();
  }
  const change = await runYinjian(['token', 'change-pin', '--token', serial, '--pin-stdin', '--module', modulePath, '--data-dir', dataDir], { env, stdin: `${initialPin}\n${pin}\n` });
  if (change.code !== 0) throw new Error(`change-pin failed: ${change.stderr}`);
  return { serial, root };
}

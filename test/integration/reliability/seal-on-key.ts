/**
 * A seal set up as the office leaves it on a workstation, for the reliability and security
 * tests: a SoftHSM2 key behind the fault-injecting module (so a test can pull it, slow it or
 * break it), the seal's key pair generated on it with its certificate and the group CA beside
 * it, a register in the data folder with this computer bound, and the initial PIN changed
 * through the real binary (M4). The PINs are distinctive so a leak is found by a plain search.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSealArtwork, loadSealFont, sealToSvg } from '../../../src/main/core/appearance/index';
import { buildRootCertificate, buildSealCertificate, parseCertificate } from '../../../src/main/core/pki/index';
import { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';
import { openRegister } from '../../../src/main/infra/db/index';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionFaultToken, type FaultTokenFixture } from '../../helpers/fault-token';
import { createSoftwareSigner } from '../../helpers/software-signer';
import { GROUP, NOTICE, OFFICE, makePdf, shippedFont } from '../stamp/fixture';

/** Distinctive test PINs: none of them can occur by chance in a PDF, a log or a database page. */
export const SO_PIN = 'So9Vq4Zr';
export const INITIAL_PIN = 'Init7Kw3Jx';
export const PIN = 'Pq8#Lm2Xv6';
export const LABEL = '集团办公室';
export const SEAL_CODE = 'YJ-REL-0001';

export interface SealOnKey {
  readonly fault: FaultTokenFixture;
  readonly dir: string;
  readonly dataDir: string;
  readonly registerPath: string;
  readonly serial: string;
  readonly root: Uint8Array;
  /** `count` copies of a notice (distinct names), in a fresh input folder. */
  inputs(count: number, tag: string): Promise<string[]>;
  /** The `yinjian stamp` arguments for these inputs into `outDir`. */
  stampArgs(inputs: readonly string[], outDir: string): string[];
  stamp(inputs: readonly string[], outDir: string, pin?: string): Promise<CliResult>;
  cleanup(): void;
}

export async function sealOnKey(): Promise<SealOnKey> {
  const fault = provisionFaultToken();
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-reliability-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const registerPath = join(dataDir, 'register.sqlite');
  // SoftHSM reads its slot list at C_Initialize: the token exists before the module loads.
  fault.hsm.createToken({ label: LABEL, soPin: SO_PIN, userPin: INITIAL_PIN });
  const rootSigner = createSoftwareSigner('ECDSA_P256_SHA256');
  const root = await buildRootCertificate({ signer: rootSigner, groupName: GROUP, commonName: '华夏建设集团电子印章根证书', validity: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2046-01-01T00:00:00Z') } });
  const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(fault.modulePath));
  const serial = port.findKey(LABEL).serial;
  let der: Uint8Array;
  try {
    const session = await new UsbKeyService(port).openForIssuance(serial, Buffer.from(INITIAL_PIN));
    const pair = await session.generateKeyPair('p256', `seal ${SEAL_CODE}`);
    der = await buildSealCertificate({
      issuerCertificate: root,
      issuerSigner: rootSigner,
      subjectPublicKeySpki: pair.publicKeySpki,
      groupName: GROUP,
      unit: LABEL,
      sealName: `${LABEL}印章`,
      sealCode: SEAL_CODE,
      sealKind: 'department',
      custodianStaffId: 'S100',
      workstationId: currentWorkstation().code,
      validity: { notBefore: new Date('2026-07-01T00:00:00Z'), notAfter: new Date('2031-07-01T00:00:00Z') },
    });
    await session.storeCertificate(der, pair.keyId, `seal ${SEAL_CODE}`);
    await session.storeCertificate(root, new Uint8Array([0xca]), 'group CA');
    await session.close();
  } finally {
    port.close();
  }
  const register = openRegister(registerPath);
  try {
    register.workstations.add({ id: 'WS-1', name: '办公室专用机', machineId: currentWorkstation().code, registeredAt: new Date('2026-06-01T00:00:00Z') }, OFFICE);
    register.units.add({ id: 'U-0', code: 'UNIT-0', name: LABEL, kind: 'department' }, OFFICE);
    register.custodians.add({ staffId: 'S100', name: '张保管', unitId: 'U-0' }, OFFICE);
    const info = parseCertificate(der);
    register.lifecycle.issue(
      {
        id: `SEAL-${SEAL_CODE}`,
        code: SEAL_CODE,
        name: `${LABEL}印章`,
        unitId: 'U-0',
        custodianStaffId: 'S100',
        workstationId: 'WS-1',
        certificate: { serial: Buffer.from(info.serialNumber).toString('hex'), der, validFrom: info.notBefore, validTo: info.notAfter, keyType: 'EC_P256', tokenSerial: serial },
        appearance: { svg: sealToSvg(composeSealArtwork({ kind: 'department', unitName: GROUP, sealName: LABEL }, loadSealFont(shippedFont()))), png: null },
        approval: { reference: `ISSUE-${SEAL_CODE}`, approver: '集团总裁' },
      },
      OFFICE,
    );
  } finally {
    register.close();
  }
  const env = fault.env;
  const change = await runYinjian(['token', 'change-pin', '--token', serial, '--pin-stdin', '--module', fault.modulePath, '--data-dir', dataDir], { env, stdin: `${INITIAL_PIN}\n${PIN}\n` });
  if (change.code !== 0) throw new Error(`change-pin failed: ${change.stderr}`);
  const notice = await makePdf([NOTICE]);
  let inputCounter = 0;
  const stampArgs = (inputs: readonly string[], outDir: string): string[] => ['stamp', ...inputs, '--out-dir', outDir, '--type', 'internal-document', '--approval', 'YY-2026-REL', '--approver', '孙主任', '--operator', 'S100', '--token', serial, '--pin-stdin', '--module', fault.modulePath, '--data-dir', dataDir, '--json'];
  return {
    fault,
    dir,
    dataDir,
    registerPath,
    serial,
    root,
    async inputs(count, tag) {
      const folder = join(dir, `in-${tag}-${++inputCounter}`);
      mkdirSync(folder);
      return Array.from({ length: count }, (_, i) => {
        const path = join(folder, `通知-${String(i + 1).padStart(2, '0')}.pdf`);
        writeFileSync(path, notice);
        return path;
      });
    },
    stampArgs,
    stamp(inputs, outDir, pin = PIN) {
      mkdirSync(outDir, { recursive: true });
      return runYinjian(stampArgs(inputs, outDir), { env, stdin: `${pin}\n` });
    },
    cleanup() {
      fault.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

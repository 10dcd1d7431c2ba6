/** A small group PKI built with software signers, shared by the PKI integration tests. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignatureAlgorithm } from '../../../src/main/core/ports/signer';
import { buildRootCertificate, buildSealCertificate } from '../../../src/main/core/pki';
import { createSoftwareSigner, type SoftwareSigner } from '../../helpers/software-signer';

export const GROUP = '示例集团有限公司';
export const ROOT_VALIDITY = { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2054-01-01T00:00:00Z') };
export const SEAL_VALIDITY = { notBefore: new Date('2024-07-01T00:00:00Z'), notAfter: new Date('2034-07-01T00:00:00Z') };

export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

export interface GroupPki {
  readonly caSigner: SoftwareSigner;
  readonly root: Uint8Array;
  readonly sealSigner: SoftwareSigner;
  readonly seal: Uint8Array;
}

export async function buildGroupPki(algorithm: SignatureAlgorithm, sealValidity = SEAL_VALIDITY): Promise<GroupPki> {
  const caSigner = createSoftwareSigner(algorithm);
  const sealSigner = createSoftwareSigner(algorithm);
  const root = await buildRootCertificate({ signer: caSigner, groupName: GROUP, commonName: '示例集团电子印章根证书', validity: ROOT_VALIDITY });
  const seal = await buildSealCertificate({
    issuerCertificate: root,
    issuerSigner: caSigner,
    subjectPublicKeySpki: sealSigner.publicKeySpki,
    groupName: GROUP,
    unit: '办公室',
    sealName: '示例集团有限公司办公室印章',
    sealCode: 'YJ-2024-0001',
    sealKind: 'department',
    custodianStaffId: 'E0001',
    workstationId: 'ws-office-1',
    validity: sealValidity,
  });
  return { caSigner, root, sealSigner, seal };
}

export function openssl(args: readonly string[], dir: string): string {
  return execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export function writeFile(dir: string, name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

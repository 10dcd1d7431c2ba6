/**
 * Provisions what the President's Office hands to a unit, through the real `yinjian` binary on
 * SoftHSM2 tokens: a group seal CA on an office token, a seal issued onto a second token with
 * its PIN already changed (M4), and a workstation data folder that imported the signed
 * register snapshot with the group root pinned. The stamping and verifier suites reuse it.
 *
 *   const office = await provisionOffice();            // ~20 s: seven CLI runs, RSA key generation on SoftHSM
 *   office.seal.pin                                    // the custodian's (changed) PIN
 *   office.cli(['register', 'show', '--json'], { dataDir: office.workstationDir })
 *   office.cleanup();
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runYinjian, type CliResult } from './cli';
import { provisionSoftHsm, SOFTHSM_MODULE, type SoftHsmFixture } from './softhsm';

export interface OfficeToken {
  readonly label: string;
  readonly serial: string;
  readonly soPin: string;
  /** The user PIN now on the key. */
  readonly pin: string;
}

export interface OfficeSeal extends OfficeToken {
  readonly sealCode: string;
  readonly sealName: string;
  readonly unit: string;
  readonly unitKind: 'company' | 'department';
  readonly custodianName: string;
  readonly custodianStaffId: string;
  readonly certificateSerial: string;
  /** The initial PIN the office set before the custodian changed it. */
  readonly initialPin: string;
}

export interface OfficeFixture {
  readonly softhsm: SoftHsmFixture;
  /** Environment for the CLI: SOFTHSM2_CONF and YINJIAN_PKCS11_MODULE. */
  readonly env: NodeJS.ProcessEnv;
  /** Data folder of the office's register. */
  readonly officeDir: string;
  /** Data folder of the seal's workstation (imported snapshot, pinned root). */
  readonly workstationDir: string;
  /** Where `office publish` wrote: group-seal-ca.crl, register-snapshot-000001.p7m, group-root.pem. */
  readonly publicationDir: string;
  readonly rootPem: string;
  readonly groupName: string;
  readonly ca: OfficeToken;
  readonly seal: OfficeSeal;
  /** This computer's workstation id: the seal is bound to it (M4, S1). */
  readonly workstationId: string;
  /** Runs the CLI with this fixture's environment and `--data-dir dataDir` (default: the office's). */
  cli(args: readonly string[], options?: { stdin?: string; dataDir?: string }): Promise<CliResult>;
  cleanup(): void;
}

function expectOk(step: string, result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`${step} failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  return result;
}

export async function provisionOffice(options: { keyType?: 'rsa2048' | 'p256'; unitKind?: 'company' | 'department' } = {}): Promise<OfficeFixture> {
  const softhsm = provisionSoftHsm();
  const root = mkdtempSync(join(tmpdir(), 'yinjian-office-'));
  const officeDir = join(root, 'office');
  const workstationDir = join(root, 'workstation');
  const publicationDir = join(root, 'publication');
  const env = { ...softhsm.env, YINJIAN_PKCS11_MODULE: SOFTHSM_MODULE };
  const cli = (args: readonly string[], o: { stdin?: string; dataDir?: string } = {}): Promise<CliResult> =>
    runYinjian([...args, '--data-dir', o.dataDir ?? officeDir], { env, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });
  const cleanup = (): void => {
    rmSync(root, { recursive: true, force: true });
    softhsm.cleanup();
  };
  try {
    const groupName = '华夏建设集团';
    const caToken = { label: '集团办公室', soPin: '87654321', pin: '20240701' };
    const unitKind = options.unitKind ?? 'department';
    const sealToken = {
      label: '财务部印章',
      soPin: '13572468',
      factoryPin: '11223344',
      initialPin: '135790',
      pin: '8Jq4-Zt2x',
      sealCode: '1101000000001',
      sealName: unitKind === 'company' ? '公章' : '财务专用章',
      unit: unitKind === 'company' ? '华夏建设工程有限公司' : '华夏建设集团财务部',
      custodianName: '张敏',
      custodianStaffId: 'E1024',
    };
    softhsm.createToken({ label: caToken.label, soPin: caToken.soPin, userPin: caToken.pin });
    softhsm.createToken({ label: sealToken.label, soPin: sealToken.soPin, userPin: sealToken.factoryPin });

    const workstationId = expectOk('workstation id', await cli(['workstation', 'id', '--json'])).json<{ workstation: { code: string } }>().workstation.code;
    const ca = expectOk(
      'office init-ca',
      await cli(['office', 'init-ca', '--token', caToken.label, '--name', groupName, '--pin-stdin', '--json'], { stdin: `${caToken.pin}\n` }),
    ).json<{ ca: { tokenSerial: string } }>().ca;
    const issued = expectOk(
      'office issue',
      await cli(
        [
          'office', 'issue', '--ca-token', caToken.label, '--token', sealToken.label,
          '--unit', sealToken.unit, '--unit-kind', unitKind, '--seal-name', sealToken.sealName, '--seal-code', sealToken.sealCode,
          '--custodian', sealToken.custodianName, '--staff-id', sealToken.custodianStaffId, '--workstation', workstationId,
          '--approval', '集团批〔2025〕12号', '--approver', '李总裁', '--key', options.keyType ?? 'rsa2048', '--pin-stdin', '--json',
        ],
        { stdin: `${caToken.pin}\n${sealToken.soPin}\n${sealToken.initialPin}\n` },
      ),
    ).json<{ seal: { certificateSerial: string }; token: { serial: string } }>();
    // M4: the custodian changes the initial PIN at first use, on their workstation.
    expectOk(
      'token change-pin',
      await cli(['token', 'change-pin', '--token', issued.token.serial, '--pin-stdin'], { stdin: `${sealToken.initialPin}\n${sealToken.pin}\n`, dataDir: workstationDir }),
    );
    expectOk('office publish', await cli(['office', 'publish', '--ca-token', caToken.label, '--out', publicationDir, '--pin-stdin'], { stdin: `${caToken.pin}\n` }));
    const rootPem = join(publicationDir, 'group-root.pem');
    expectOk(
      'register import',
      await cli(['register', 'import', join(publicationDir, 'register-snapshot-000001.p7m'), '--trust', rootPem], { dataDir: workstationDir }),
    );
    return {
      softhsm,
      env,
      officeDir,
      workstationDir,
      publicationDir,
      rootPem,
      groupName,
      ca: { label: caToken.label, serial: ca.tokenSerial, soPin: caToken.soPin, pin: caToken.pin },
      seal: {
        label: sealToken.label,
        serial: issued.token.serial,
        soPin: sealToken.soPin,
        pin: sealToken.pin,
        initialPin: sealToken.initialPin,
        sealCode: sealToken.sealCode,
        sealName: sealToken.sealName,
        unit: sealToken.unit,
        unitKind,
        custodianName: sealToken.custodianName,
        custodianStaffId: sealToken.custodianStaffId,
        certificateSerial: issued.seal.certificateSerial,
      },
      workstationId,
      cli,
      cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** The group root certificate as DER, from the publication's PEM. */
export function readRootDer(fixture: Pick<OfficeFixture, 'rootPem'>): Uint8Array {
  const pem = readFileSync(fixture.rootPem, 'utf8');
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
}

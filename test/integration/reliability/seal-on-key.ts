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
import { runYinjian, type CliResult } from '../../helpers/cli';
import { provisionFaultToken, type FaultTokenFixture } from '../../helpers/fault-token';
import { issueSealOnToken } from '../../helpers/seal-on-token';
import { NOTICE, makePdf } from '../stamp/fixture';

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
  const env = fault.env;
  const { serial, root } = await issueSealOnToken({ modulePath: fault.modulePath, env, dataDir, label: LABEL, sealCode: SEAL_CODE, initialPin: INITIAL_PIN, pin: PIN });
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

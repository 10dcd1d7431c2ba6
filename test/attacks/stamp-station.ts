/**
 * A custodian's stamping station for the attack suites that stamp through the compiled
 * `yinjian stamp` (gate.test.ts, prepared-inputs.test.ts): a throwaway SoftHSM2 token holding an
 * issued seal (its PIN already changed), a data folder with its register, and the stamp
 * command's options as a custodian types them (PIN on standard input, JSON out).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runYinjian, type CliResult } from '../helpers/cli';
import { issueSealOnToken } from '../helpers/seal-on-token';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';

const SO_PIN = '87654321';
const INITIAL_PIN = '20240701';
const PIN = 'Seal#2026';
const LABEL = '集团办公室';

/** One document's entry in `yinjian stamp --json`. */
export interface StampedFile {
  readonly ok: boolean;
  readonly input?: string;
  readonly error?: { code: string; zh: string; en: string; params?: Record<string, string> };
}

export interface StampStation {
  readonly hsm: SoftHsmFixture;
  /** A scratch folder for the suite's files (removed by dispose). */
  readonly dir: string;
  readonly dataDir: string;
  readonly registerPath: string;
  /** `yinjian stamp INPUTS... TARGET... --type internal-document --approval APPROVAL … --json`, the PIN on stdin. */
  stamp(inputs: readonly string[], target: readonly string[], approval: string): Promise<CliResult>;
  dispose(): void;
}

export async function stampStation(options: { prefix: string; sealCode: string }): Promise<StampStation> {
  const hsm = provisionSoftHsm();
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  hsm.createToken({ label: LABEL, soPin: SO_PIN, userPin: INITIAL_PIN });
  await issueSealOnToken({ modulePath: hsm.modulePath, env: hsm.env, dataDir, label: LABEL, sealCode: options.sealCode, initialPin: INITIAL_PIN, pin: PIN });
  return {
    hsm,
    dir,
    dataDir,
    registerPath: join(dataDir, 'register.sqlite'),
    stamp: (inputs, target, approval) =>
      runYinjian(
        ['stamp', ...inputs, ...target, '--type', 'internal-document', '--approval', approval, '--approver', '孙主任', '--operator', 'S100', '--token', LABEL, '--pin-stdin', '--module', hsm.modulePath, '--data-dir', dataDir, '--json'],
        { env: hsm.env, stdin: `${PIN}\n` },
      ),
    dispose: () => {
      hsm.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

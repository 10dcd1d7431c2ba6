/**
 * Issue #11: the stamping gate refuses inputs prepared to change what a seal covers
 * (STAMP_INPUT_SUSPECT): a dangling reference, a reference to a free object, an unlisted object
 * a later xref entry could point at, duplicate xref entries in one section, a signed-then-
 * unsigned history. Through the real `yinjian stamp` with the seal's key on a SoftHSM2 token,
 * on classic-xref and object-stream inputs with both kinds of prepared update: each trapped
 * file is refused with the kind and object numbers in the message and the JSON, nothing is
 * written, and the register has a failed usage row; clean inputs, and a file already sealed by
 * us, are sealed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfDocument, findInputTraps } from '../../src/main/core/pdf/index';
import { openRegister } from '../../src/main/infra/db/index';
import { runYinjian } from '../helpers/cli';
import { makeTestSeal } from '../helpers/signed-pdf';
import { issueSealOnToken } from '../helpers/seal-on-token';
import { provisionSoftHsm, type SoftHsmFixture } from '../helpers/softhsm';
import { NOTICE, makePdf } from '../integration/stamp/fixture';
import { trappedInputs, type TrappedInput } from './generator';

const SO_PIN = '87654321';
const INITIAL_PIN = '20240701';
const PIN = 'Seal#2026';
const LABEL = '集团办公室';
const CODE = 'YJ-TRAP-0001';

let hsm: SoftHsmFixture;
let dir: string;
let dataDir: string;
const cases: { name: string; input: TrappedInput }[] = [];
const clean: string[] = [];

beforeAll(async () => {
  hsm = provisionSoftHsm();
  dir = mkdtempSync(join(tmpdir(), 'yinjian-gate-traps-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  hsm.createToken({ label: LABEL, soPin: SO_PIN, userPin: INITIAL_PIN });
  await issueSealOnToken({ modulePath: hsm.modulePath, env: hsm.env, dataDir, label: LABEL, sealCode: CODE, initialPin: INITIAL_PIN, pin: PIN });

  // Someone else's signature for the signed-then-unsigned history.
  const other = await makeTestSeal();
  for (const objectStreams of [false, true]) {
    const base = await makePdf([NOTICE], { objectStreams });
    const baseName = objectStreams ? 'objstm' : 'classic';
    const cleanPath = join(dir, `clean-${baseName}.pdf`);
    writeFileSync(cleanPath, base);
    clean.push(cleanPath);
    for (const xref of ['table', 'stream'] as const) {
      if (!objectStreams && xref === 'stream') continue;
      for (const input of await trappedInputs(base, xref, other)) cases.push({ name: `${input.id}-${baseName}-${xref}`, input });
    }
  }
}, 180_000);

afterAll(() => {
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = (): string[] => ['--type', 'internal-document', '--approval', 'YY-2026-311', '--approver', '孙主任', '--operator', 'S100', '--token', LABEL, '--pin-stdin', '--module', hsm.modulePath, '--data-dir', dataDir, '--json'];

interface FileResult {
  readonly ok: boolean;
  readonly input?: string;
  readonly error?: { code: string; zh: string; en: string; params?: Record<string, string> };
}

describe('STAMP_INPUT_SUSPECT: the gate refuses prepared traps (issue #11)', () => {
  it('the trap scan finds each trap, with its kind and object number; clean inputs have none', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    for (const { name, input } of cases) {
      const traps = findInputTraps(PdfDocument.open(input.bytes));
      const named = traps.find((t) => t.kind === input.trap);
      expect(named, name).toBeDefined();
      expect(named?.objects, name).toContain(input.object);
    }
    for (const file of clean) expect(findInputTraps(PdfDocument.open(new Uint8Array(readFileSync(file))))).toEqual([]);
  });

  it('yinjian stamp on SoftHSM2: every trapped input refused (kind and objects in message and JSON), nothing written, a failed usage row each; clean inputs sealed', { timeout: 300_000 }, async () => {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const paths = cases.map(({ name, input }) => {
      const path = join(inDir, `${name}.pdf`);
      writeFileSync(path, input.bytes);
      return path;
    });
    const run = await runYinjian(['stamp', ...clean, ...paths, '--out-dir', outDir, ...args()], { env: hsm.env, stdin: `${PIN}\n` });
    expect(run.code, run.stderr).toBe(1);
    const files = run.json<{ files: FileResult[] }>().files;
    expect(files).toHaveLength(clean.length + cases.length);
    for (let i = 0; i < clean.length; i++) expect(files[i], clean[i]).toMatchObject({ ok: true });
    cases.forEach(({ name, input }, i) => {
      const result = files[clean.length + i];
      expect(result?.ok, name).toBe(false);
      expect(result?.error?.code, name).toBe('STAMP_INPUT_SUSPECT');
      expect(result?.error?.params?.kinds, name).toContain(input.trap);
      expect(result?.error?.params?.objects?.split(','), name).toContain(String(input.object));
      expect(result?.error?.en, name).toContain(input.trap);
      expect(result?.error?.en, name).toContain(String(input.object));
      expect(result?.error?.zh, name).toContain(String(input.object));
    });
    // Nothing written for a refused file; the clean ones are there.
    const written = readdirSync(outDir);
    expect(written).toHaveLength(clean.length);
    const register = openRegister(join(dataDir, 'register.sqlite'));
    try {
      const failed = register.usage.find({ status: 'failed' }).filter((r) => r.errorCode === 'STAMP_INPUT_SUSPECT');
      expect(failed).toHaveLength(cases.length);
      expect(failed.every((r) => r.sha256After === null && r.outputPath === null)).toBe(true);
      expect(register.audit.verify().ok).toBe(true);
    } finally {
      register.close();
    }
  });

  it('a file already sealed by us is not a trap: a second seal goes on (the first signature is still shown)', { timeout: 120_000 }, async () => {
    const outDir = join(dir, 'out');
    const sealed = join(outDir, readdirSync(outDir)[0] as string);
    const second = join(dir, 'second.pdf');
    const run = await runYinjian(['stamp', sealed, '--out', second, ...args()], { env: hsm.env, stdin: `${PIN}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(second)).toBe(true);
  });
});

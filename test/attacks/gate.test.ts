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
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfDocument, findInputTraps } from '../../src/main/core/pdf/index';
import { openRegister } from '../../src/main/infra/db/index';
import { makeTestSeal } from '../helpers/signed-pdf';
import { NOTICE, makePdf } from '../integration/stamp/fixture';
import { trappedInputs, type TrappedInput } from './generator';
import { stampStation, type StampStation, type StampedFile } from './stamp-station';

let station: StampStation;
let dir: string;
const cases: { name: string; input: TrappedInput }[] = [];
const clean: string[] = [];

beforeAll(async () => {
  station = await stampStation({ prefix: 'yinjian-gate-traps-', sealCode: 'YJ-TRAP-0001' });
  dir = station.dir;

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

afterAll(() => station?.dispose());

const APPROVAL = 'YY-2026-311';

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
    const run = await station.stamp([...clean, ...paths], ['--out-dir', outDir], APPROVAL);
    expect(run.code, run.stderr).toBe(1);
    const files = run.json<{ files: StampedFile[] }>().files;
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
    const register = openRegister(station.registerPath);
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
    const run = await station.stamp([sealed], ['--out', second], APPROVAL);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(second)).toBe(true);
  });
});

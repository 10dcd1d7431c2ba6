/**
 * Issue #11: no later revision may fool the verifier. Real documents are sealed with a key on
 * a SoftHSM2 token, then attacked in every class (objects freed/redefined, object streams
 * rewritten, references prepared before sealing, duplicate xref entries, visible overlays),
 * on a classic-xref and an object-stream input. The oracle is the rendering: poppler and MuPDF
 * draw page 1 of the sealed and the attacked file; when the pixels differ (outside the blank
 * paper an allowed later seal may use), the original seal must not be VALID or
 * VALID_WITH_CHANGES. Beyond the oracle, every attack class must be named in the report, and
 * the controls (what a receiver accepts) must stay VALID or VALID_WITH_CHANGES (validation data alone is VALID).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBytes } from '../../src/main/app/verify-files';
import { prepareTrust, verifyPdf } from '../../src/main/core/verify/index';
import { buildAttacks, type AttackCase } from './generator';
import { renderingChanged } from './render';
import { tokenSeal, type TokenSeal } from './token-seal';

let seal: TokenSeal;
let cases: AttackCase[];

beforeAll(async () => {
  seal = await tokenSeal();
  cases = await buildAttacks(seal);
}, 240_000);

afterAll(async () => {
  await seal?.close();
});

const ACCEPTED = ['VALID', 'VALID_WITH_CHANGES'];

describe('attacks by later revisions (issue #11)', () => {
  it('builds every class in several variants, on classic-xref and object-stream inputs', () => {
    for (const cls of [1, 2, 3, 4, 5]) {
      for (const base of ['classic', 'objstm'] as const) {
        expect(cases.filter((c) => c.cls === cls && c.base === base).length, `class ${cls} on ${base}`).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('the sealed inputs themselves verify VALID (the token made real seals)', async () => {
    const trust = prepareTrust({ trustAnchors: [seal.root] });
    const sealedInputs = [...new Set(cases.filter((c) => !c.gateOnly).map((c) => c.sealed))];
    for (const sealed of sealedInputs) expect((await verifyPdf(sealed, trust)).verdict).toBe('VALID');
  });

  it('oracle: an attacked file that renders differently is never VALID or VALID_WITH_CHANGES for the original seal', { timeout: 300_000 }, async () => {
    const trust = prepareTrust({ trustAnchors: [seal.root] });
    const failures: string[] = [];
    let changedRenderings = 0;
    for (const c of cases.filter((x) => !x.gateOnly)) {
      const report = await verifyPdf(c.attacked, trust);
      const first = report.signatures.find((s) => s.field === 'Seal1');
      expect(first, c.id).toBeDefined();
      const rendering = renderingChanged(c.sealed, c.attacked, c.allowedRects);
      if (rendering.changed) changedRenderings++;
      if (rendering.changed && ACCEPTED.includes(first!.verdict)) failures.push(`${c.id}: renders differently (poppler ${rendering.poppler}, mupdf ${rendering.mupdf} px) but ${first!.verdict}`);
      if (c.cls === 0 && rendering.changed) failures.push(`${c.id}: the control itself changes the rendering`);
    }
    expect(failures).toEqual([]);
    // The oracle is not vacuous: most attacks do change what is seen.
    expect(changedRenderings).toBeGreaterThanOrEqual(30);
  });

  it('every attack is MODIFIED (or worse) and names what changed; the controls stay VALID or VALID_WITH_CHANGES', async () => {
    const trust = prepareTrust({ trustAnchors: [seal.root] });
    const wrong: string[] = [];
    for (const c of cases) {
      const report = await verifyPdf(c.attacked, trust);
      const first = report.signatures.find((s) => s.field === 'Seal1')!;
      if (c.cls === 0) {
        if (!ACCEPTED.includes(first.verdict)) wrong.push(`${c.id}: control is ${first.verdict}`);
        continue;
      }
      if (ACCEPTED.includes(first.verdict)) wrong.push(`${c.id}: ${first.verdict}`);
      // A change after the seal, an ambiguous signed xref, or (an update that, read as written,
      // breaks the cross-reference: class 12) bytes after the seal that cannot be analysed.
      const recovered = report.findings.some((f) => f.code === 'FILE_XREF_RECOVERED');
      const named =
        first.changes.some((ch) => ch.level !== 'signatures') ||
        first.findings.some((f) => f.code === 'XREF_AMBIGUOUS' || (recovered && f.code === 'CHANGES_UNANALYSABLE'));
      if (!named) wrong.push(`${c.id}: no change or finding names the attack`);
    }
    expect(wrong).toEqual([]);
  });

  it('read on demand, as `yinjian verify` reads files over 1 MB (FileBytes, issue #15), every attacked file gets the same report as read in memory', { timeout: 300_000 }, async () => {
    const trust = prepareTrust({ trustAnchors: [seal.root] });
    const dir = mkdtempSync(join(tmpdir(), 'yinjian-attacks-on-demand-'));
    try {
      for (const c of cases) {
        const path = join(dir, 'attacked.pdf');
        writeFileSync(path, c.attacked);
        const fd = openSync(path, 'r');
        try {
          const onDemand = await verifyPdf(new FileBytes(fd, c.attacked.length), trust);
          expect(onDemand, c.id).toEqual(await verifyPdf(c.attacked, trust));
        } finally {
          closeSync(fd);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI exits 1 on an attacked file and 0 on a control (exit code follows the verdict)', async () => {
    const { isAcceptable } = await import('../../src/main/core/verify/index');
    const trust = prepareTrust({ trustAnchors: [seal.root] });
    const attack = cases.find((c) => c.id.startsWith('5-later-signature-covering'))!;
    const control = cases.find((c) => c.id.startsWith('0-later-seal-in-blank-margin'))!;
    expect(isAcceptable((await verifyPdf(attack.attacked, trust)).verdict)).toBe(false);
    expect(isAcceptable((await verifyPdf(control.attacked, trust)).verdict)).toBe(true);
  });
});

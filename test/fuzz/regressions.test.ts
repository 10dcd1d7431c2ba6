/**
 * Every hostile file the fuzzer found a defect with (test/fixtures/regressions/*.pdf, with a
 * .json beside it saying where it came from and what went wrong) runs through the same bounded
 * case runner as the fuzz cases: a verdict or a typed error within the time bound, and for the
 * verifier never VALID on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGRESSIONS_DIR } from '../helpers/fuzz';
import { makeBasePdf } from '../helpers/signed-pdf';
import { CaseRunner } from './harness';

const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 5000);
const fixtures = readdirSync(REGRESSIONS_DIR).filter((f) => f.endsWith('.pdf')).sort();

let runner: CaseRunner | undefined;
afterAll(() => runner?.stop());

describe('fuzz regressions', () => {
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThan(0));

  it.each(fixtures)('%s: a verdict or a typed error in bounds, never VALID', { timeout: 60_000 }, async (name) => {
    runner ??= new CaseRunner([], await makeBasePdf(), { timeoutMs: CASE_MS, heapMb: 768 });
    const about = JSON.parse(readFileSync(join(REGRESSIONS_DIR, name.replace(/\.pdf$/, '.json')), 'utf8')) as { expect?: { text?: string } };
    const result = await runner.run(1, new Uint8Array(readFileSync(join(REGRESSIONS_DIR, name))), true);
    expect(result.kind, JSON.stringify(result)).toBe('outcome');
    if (result.kind !== 'outcome') return;
    const { outcome } = result;
    expect([outcome.verify.kind, outcome.reader.kind, outcome.text?.kind]).not.toContain('crash');
    if (outcome.verify.kind === 'report') expect(outcome.verify.verdict).not.toMatch(/^VALID/);
    if (about.expect?.text) expect(outcome.text?.detail).toBe(about.expect.text);
    expect(outcome.ms).toBeLessThan(CASE_MS);
  });
});

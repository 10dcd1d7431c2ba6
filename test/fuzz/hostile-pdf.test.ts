/**
 * Hostile PDFs (issue #7): mutated copies of our own and the corpus' signed files drive the
 * verifier and the stamping reader (our PDF reader as stamping uses it, and every fourth case
 * the pdf.js text reader the U2 check uses). Each case must end in a verdict or a typed error,
 * within a time bound and a memory bound, and no signature may be VALID or VALID_WITH_CHANGES
 * over bytes its signer did not sign.
 *
 * CI runs a fixed seed and a bounded count; `npm run fuzz` runs a longer campaign. Replay one
 * case with FUZZ_SEED=<seed> FUZZ_FROM=<case> FUZZ_CASES=1. A failing case's bytes are written
 * to test-artifacts/fuzz/ so it can become a fixture in test/fixtures/regressions/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeeds, makeCase, oracleViolations, rangeDigest, type SeedSet } from '../helpers/fuzz';
import { CaseRunner } from './harness';

const SEED = Number(process.env.FUZZ_SEED ?? 20260707) >>> 0;
const CASES = Number(process.env.FUZZ_CASES ?? 600);
const FROM = Number(process.env.FUZZ_FROM ?? 0);
const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 5000);
const MAX_RSS_MB = Number(process.env.FUZZ_MAX_RSS_MB ?? 1024);
const ARTIFACTS = join(process.cwd(), 'test-artifacts/fuzz');

let runner: CaseRunner | undefined;
afterAll(() => runner?.stop());

describe('hostile PDFs: verifier and stamping reader under mutation', () => {
  it(`${CASES} cases from seed ${SEED}: a verdict or a typed error, in bounds, never VALID over changed signed bytes`, { timeout: 120_000 + CASES * 2_000 }, async () => {
    const set: SeedSet = await loadSeeds();
    runner = new CaseRunner(set.trustAnchors, set.seeds[0]!.bytes, { timeoutMs: CASE_MS, heapMb: 768 });
    console.log(`fuzz: seed ${SEED}, cases ${FROM}..${FROM + CASES - 1}, ${set.seeds.length} seed files, ${CASE_MS} ms and ${MAX_RSS_MB} MB per case`);
    const failures: string[] = [];
    const mutators = new Map<string, number>();
    const verdicts = new Map<string, number>();
    let validChecked = 0;
    let slowest = { ms: 0, id: -1 };
    let peakRss = 0;
    for (let id = FROM; id < FROM + CASES; id++) {
      const { seed, mutation } = makeCase(set.seeds, SEED, id);
      for (const m of mutation.mutator.split('+')) mutators.set(m, (mutators.get(m) ?? 0) + 1);
      const result = await runner.run(id, mutation.bytes, id % 4 === 0);
      const problems: string[] = [];
      if (result.kind === 'timeout') problems.push(`no answer within ${CASE_MS} ms (hang?)`);
      else if (result.kind === 'died') problems.push(`case runner died: ${result.detail}`);
      else {
        const { outcome } = result;
        problems.push(...oracleViolations(seed, mutation.bytes, outcome));
        if (outcome.ms > CASE_MS) problems.push(`took ${outcome.ms.toFixed(0)} ms`);
        if (outcome.rssMb > MAX_RSS_MB) problems.push(`RSS ${outcome.rssMb.toFixed(0)} MB`);
        peakRss = Math.max(peakRss, outcome.rssMb);
        if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, id };
        const key = outcome.verify.kind === 'report' ? outcome.verify.verdict : outcome.verify.kind === 'typed-error' ? `error ${outcome.verify.code}` : 'crash';
        verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
        if (outcome.verify.kind === 'report') validChecked += outcome.verify.signatures.filter((s) => s.verdict === 'VALID' || s.verdict === 'VALID_WITH_CHANGES').length;
      }
      if (process.env.FUZZ_VERBOSE) console.log(`case ${id} ${mutation.mutator} ${result.kind === 'outcome' ? `${result.outcome.ms.toFixed(0)} ms` : result.kind}`);
      else if ((id - FROM + 1) % 100 === 0) console.log(`fuzz: ${id - FROM + 1} cases, ${failures.length} failing`);
      if (problems.length) {
        mkdirSync(ARTIFACTS, { recursive: true });
        const name = `seed${SEED}-case${id}`;
        writeFileSync(join(ARTIFACTS, `${name}.pdf`), mutation.bytes);
        writeFileSync(join(ARTIFACTS, `${name}.json`), JSON.stringify({ seed: SEED, case: id, from: seed.name, mutation: mutation.detail, problems }, null, 2));
        failures.push(`case ${id} (${seed.name}; ${mutation.detail}): ${problems.join(' | ')}`);
      }
    }
    console.log(`fuzz: mutators ${JSON.stringify(Object.fromEntries(mutators))}`);
    console.log(`fuzz: verifier outcomes ${JSON.stringify(Object.fromEntries(verdicts))}; ${validChecked} valid signatures checked against their signed bytes; slowest case ${slowest.id} ${slowest.ms.toFixed(0)} ms; peak child RSS ${peakRss.toFixed(0)} MB`);
    expect(failures, failures.join('\n')).toEqual([]);
    // Not vacuous: the oracle saw valid signatures (mutations outside the signed bytes) and
    // every mutator ran, when the campaign is long enough to expect it.
    if (CASES >= 200) {
      expect(validChecked).toBeGreaterThan(0);
      expect(mutators.size).toBe(12);
    }
  });

  it('the oracle itself: a flipped byte inside a signed range leaves no seed digest to match', async () => {
    const set = await loadSeeds(0);
    const seed = set.seeds[0]!;
    const mutated = seed.bytes.slice();
    mutated[100] = (mutated[100] as number) ^ 1;
    const outcome = { verify: { kind: 'report' as const, verdict: 'VALID', signatures: [{ field: 'Seal1', verdict: 'VALID', byteRange: rangesOf(seed.bytes) }] }, reader: { kind: 'ok' as const, pages: 2 }, ms: 1, rssMb: 1 };
    expect(oracleViolations(seed, mutated, outcome)).toHaveLength(1);
    expect(oracleViolations(seed, seed.bytes, outcome)).toEqual([]);
    expect(rangeDigest(seed.bytes, [0, 10, 2 ** 40, 1])).toBeUndefined();
  });
});

function rangesOf(bytes: Uint8Array): number[] {
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(Buffer.from(bytes).toString('latin1'));
  return (m?.slice(1, 5) ?? []).map(Number);
}

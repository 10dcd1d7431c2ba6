/**
 * Issue #11 in the fuzz campaign: the attack mutations (test/fuzz/attack-mutators.ts) applied to
 * the fuzz seeds (our own signed files and the corpus' small signed files). None of them
 * touches a signed byte except `byterange`, so the byte oracle of hostile-pdf.test.ts is blind
 * to them; their oracle is the verdict: a signature that was VALID or VALID_WITH_CHANGES on the
 * seed is neither after the mutation. Every case must also end in a report (no throw), with the
 * checks block agreeing with the findings (an error finding of a step means that check failed).
 *
 * `npm test` runs a bounded slice (200 cases, fixed seed); `npm run fuzz` runs FUZZ_CASES of
 * them (or FUZZ_ATTACK_CASES). Replay one case with FUZZ_SEED=<seed> FUZZ_FROM=<case> FUZZ_ATTACK_CASES=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareTrust, verifyPdf, type FileReport } from '../../src/main/core/verify/index';
import { Prng, caseSeed, loadSeeds } from '../helpers/fuzz';
import { ATTACK_MUTATORS, ATTACK_MUTATOR_NAMES } from './attack-mutators';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202) >>> 0;
const CASES = Number(process.env.FUZZ_ATTACK_CASES ?? process.env.FUZZ_CASES ?? 200);
const FROM = Number(process.env.FUZZ_FROM ?? 0);
const ARTIFACTS = join(process.cwd(), 'test-artifacts/fuzz');
const ACCEPTED = new Set(['VALID', 'VALID_WITH_CHANGES']);
const STEPS = ['coverage', 'integrity', 'trust', 'revocation', 'timestamp', 'changes', 'policy'] as const;

function inconsistent(report: FileReport): string[] {
  const out: string[] = [];
  for (const sig of report.signatures) {
    for (const step of STEPS) {
      if (sig.findings.some((f) => f.step === step && f.severity === 'error') && sig.checks[step] !== 'failed') out.push(`${sig.field}: ${step} ${sig.checks[step]} beside an error finding`);
    }
  }
  return out;
}

describe('attack mutations (issue #11): free-then-redefine, object streams, xref repointing, duplicate entries, overlays, CMS DER, byte ranges', () => {
  it(`${CASES} cases from seed ${SEED}: no seal that was valid on the seed stays VALID or VALID_WITH_CHANGES`, { timeout: 60_000 + CASES * 1_500 }, async () => {
    const set = await loadSeeds();
    const trust = prepareTrust({ trustAnchors: set.trustAnchors });
    // The seeds whose signatures are valid to begin with: only those can be fooled.
    const seeds: { name: string; bytes: Uint8Array; accepted: string[] }[] = [];
    for (const seed of set.seeds) {
      const report = await verifyPdf(seed.bytes, trust);
      const accepted = report.signatures.filter((s) => ACCEPTED.has(s.verdict)).map((s) => s.field);
      if (accepted.length > 0) seeds.push({ name: seed.name, bytes: seed.bytes, accepted });
    }
    expect(seeds.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    const ran = new Map<string, number>();
    const verdicts = new Map<string, number>();
    let skipped = 0;
    let slowest = 0;
    for (let id = FROM; id < FROM + CASES; id++) {
      const rng = new Prng(caseSeed(SEED, id));
      const seed = rng.pick(seeds);
      const mutatorName = ATTACK_MUTATOR_NAMES[id % ATTACK_MUTATOR_NAMES.length] as string;
      let mutation;
      try {
        mutation = ATTACK_MUTATORS[mutatorName]!(seed.bytes, rng);
      } catch {
        mutation = undefined; // a seed the generator cannot write an update for (broken xref …)
      }
      if (!mutation) {
        skipped++;
        continue;
      }
      ran.set(mutatorName, (ran.get(mutatorName) ?? 0) + 1);
      const problems: string[] = [];
      const started = performance.now();
      let report: FileReport | undefined;
      try {
        report = await verifyPdf(mutation.bytes, trust);
      } catch (error) {
        problems.push(`verifier threw: ${(error as Error).message}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
      if (report) {
        problems.push(...inconsistent(report));
        const aimed = mutation.signature;
        if (aimed) {
          // One signature was aimed at: that one must not pass (the others may stay valid).
          const sig = report.signatures.find((s) => s.byteRange?.join(',') === aimed.join(','));
          verdicts.set(`${mutatorName}:${sig?.verdict ?? 'gone'}`, (verdicts.get(`${mutatorName}:${sig?.verdict ?? 'gone'}`) ?? 0) + 1);
          if (sig && ACCEPTED.has(sig.verdict)) problems.push(`${sig.field} still ${sig.verdict}`);
        }
        for (const field of aimed ? [] : seed.accepted) {
          const sig = report.signatures.find((s) => s.field === field);
          const verdict = sig?.verdict ?? `(gone; file ${report.verdict})`;
          verdicts.set(`${mutatorName}:${sig?.verdict ?? 'gone'}`, (verdicts.get(`${mutatorName}:${sig?.verdict ?? 'gone'}`) ?? 0) + 1);
          if (sig ? ACCEPTED.has(sig.verdict) : ACCEPTED.has(report.verdict)) problems.push(`${field} still ${verdict}`);
        }
      }
      if (problems.length > 0) {
        mkdirSync(ARTIFACTS, { recursive: true });
        writeFileSync(join(ARTIFACTS, `attack-seed${SEED}-case${id}.pdf`), mutation.bytes);
        failures.push(`case ${id} ${mutation.mutator} on ${seed.name} (${mutation.detail}): ${problems.join(' | ')}`);
      }
    }
    console.log(`attack fuzz: seed ${SEED}, ${CASES} cases, ${skipped} not applicable; mutators ${JSON.stringify(Object.fromEntries(ran))}; slowest ${slowest.toFixed(0)} ms`);
    console.log(`attack fuzz: verdicts of the seeds' valid seals ${JSON.stringify(Object.fromEntries([...verdicts].sort()))}`);
    expect(failures, failures.join('\n')).toEqual([]);
    // Not vacuous: every mutator applied, most cases ran.
    if (CASES >= 100) {
      expect(ran.size).toBe(ATTACK_MUTATOR_NAMES.length);
      expect(skipped).toBeLessThan(CASES / 2);
    }
  });
});

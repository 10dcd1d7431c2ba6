/**
 * The command line against its anchors, whole processes side by side in one run (issue #15):
 *
 *   command                               yinjian                      anchor
 *   yinjian --help                        yinjian.mjs --help           pdfsig -v (a C tool's start-up)    budget 150 ms
 *   yinjian verify, 1-page sealed PDF     verify FILE --trust ROOT --crl CRL  pdfsig FILE                         budget 300 ms
 *   yinjian verify, 30 MB sealed PDF      verify FILE --trust ROOT --crl CRL  pdfsig FILE                         budget: faster than pdfsig
 *   yinjian stamp, 30 MB PDF              stamp (SoftHSM2 key, gate,   pdfsig -add-signature, NSS key      budget 1.5 × pdfsig,
 *                                         register, --pin-stdin)       in a temp NSS database              peak RSS ≤ size + 150 MB
 *
 * Each figure is the median of N runs (wall ms, from spawn to exit, and peak RSS from
 * /usr/bin/time). `npm run bench -- cli` runs it; YINJIAN_BENCH_QUICK=1 (what CI runs, through
 * test/bench/cli-bench.test.ts) takes one run of each on a 3 MB file and asserts
 * nothing about time. YINJIAN_BENCH_BIN runs another build of the CLI (e.g. an older commit's
 * bin) for a before/after table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { provisionOffice } from '../helpers/office';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../helpers/signed-pdf';
import { syntheticPdf } from './stamp';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Measure {
  readonly ms: number;
  readonly rssMb: number;
  /** User + system CPU of the process, from /usr/bin/time (10 ms steps): less swayed by a loaded machine than wall time. */
  readonly cpuMs: number;
}

interface Row {
  readonly command: string;
  readonly ours: Measure;
  readonly anchorName: string;
  readonly anchor: Measure;
  readonly budget: string;
  readonly within: string;
}

/** One process under /usr/bin/time: wall ms, peak RSS and CPU; throws when it fails (a bench of a failing command measures nothing). */
function once(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; ok?: (status: number | null, stdout: string) => boolean } = {}): Measure {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { encoding: 'utf8', env: options.env ?? process.env, input: options.stdin ?? '', maxBuffer: 1 << 26 });
  const ms = performance.now() - start;
  const ok = options.ok ?? ((status) => status === 0);
  if (!ok(r.status, r.stdout)) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [, kb, user, system] = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr) ?? [];
  return { ms, rssMb: Number(kb) / 1024, cpuMs: (Number(user) + Number(system)) * 1000 };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs `a` and `b` alternately `n` times (so load on the machine hits both alike) and returns their medians. */
function sideBySide(n: number, a: (i: number) => Measure, b: (i: number) => Measure): [Measure, Measure] {
  const as: Measure[] = [];
  const bs: Measure[] = [];
  for (let i = 0; i < n; i++) {
    as.push(a(i));
    bs.push(b(i));
  }
  return [
    { ms: median(as.map((m) => m.ms)), rssMb: Math.max(...as.map((m) => m.rssMb)), cpuMs: median(as.map((m) => m.cpuMs)) },
    { ms: median(bs.map((m) => m.ms)), rssMb: Math.max(...bs.map((m) => m.rssMb)), cpuMs: median(bs.map((m) => m.cpuMs)) },
  ];
}

/** A temp NSS database with a self-signed RSA-2048 signing certificate, for pdfsig -add-signature. */
function nssSigner(dir: string): { nssdir: string; nick: string } {
  const db = join(dir, 'nss');
  spawnSync('mkdir', ['-p', db]);
  const run = (args: string[]): void => {
    const r = spawnSync('certutil', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${r.stderr}`);
  };
  run(['-N', '-d', `sql:${db}`, '--empty-password']);
  const noise = join(dir, 'noise');
  writeFileSync(noise, Buffer.alloc(2048, 7).toString('hex'));
  run(['-S', '-n', 'bench-signer', '-s', 'CN=Bench Signer,O=Yinjian Bench', '-x', '-t', 'CTu,Cu,Cu', '-k', 'rsa', '-g', '2048', '-Z', 'SHA256', '-v', '24', '-d', `sql:${db}`, '-z', noise, '--keyUsage', 'digitalSignature,nonRepudiation']);
  return { nssdir: `sql:${db}`, nick: 'bench-signer' };
}

/** pdfsig exits 0 whatever the verdict: its output must name a signature. */
const pdfsigSawSignature = (status: number | null, stdout: string): boolean => status === 0 && /Signature #1/.test(stdout);

export async function benchCli(options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const quick = options.quick ?? process.env.YINJIAN_BENCH_QUICK === '1';
  const n = quick ? 1 : Number(process.env.YINJIAN_BENCH_RUNS ?? 5);
  const pages = quick ? 30 : 300;
  const log = options.log ?? ((line: string) => console.log(line));
  const bin = process.env.YINJIAN_BENCH_BIN ?? join(REPO, 'out', 'cli', 'yinjian.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-cli-'));
  const office = await provisionOffice();
  try {
    const rows: Row[] = [];
    const node = process.execPath;
    const env = { ...office.env, YINJIAN_DATA_DIR: office.workstationDir };
    // The bin itself, as `yinjian` (npx, npm link) runs it: its shebang's Node options apply.
    const yinjian = (args: readonly string[], o: { stdin?: string; ok?: (s: number | null, out: string) => boolean } = {}): Measure => once(bin, args, { env, ...o });

    // --help, and the floor under it: node starting and ending with nothing to do
    let floor: Measure;
    // NODE_EXTRA_CA_CERTS makes Node 20 parse its CA bundle at every start, before any of our
    // code runs (~45 ms of CPU per process on this project's machines, where it is set for the
    // package registry). The CLI keeps it (a TSA behind a company CA needs it); the floor is
    // also measured without it, so the table shows what is Node's start and what is ours.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    let floorWithoutExtraCa: Measure | undefined;
    {
      const [ours, anchor] = sideBySide(n, () => yinjian(['--help']), () => once('pdfsig', ['-v']));
      rows.push({ command: 'yinjian --help', ours, anchorName: 'pdfsig -v', anchor, budget: '≤ 150 ms', within: ours.ms <= 150 ? 'yes' : 'NO' });
      const withoutExtraCa = { ...process.env };
      delete withoutExtraCa.NODE_EXTRA_CA_CERTS;
      [floor, floorWithoutExtraCa] = extraCa
        ? sideBySide(n, () => once(node, ['-e', '0']), () => once(node, ['-e', '0'], { env: withoutExtraCa }))
        : [sideBySide(n, () => once(node, ['-e', '0']), () => once('pdfsig', ['-v']))[0], undefined];
    }

    // verify, 1 page and 30 MB, against a root given on the command line
    const seal = await makeTestSeal();
    const root = join(dir, 'root.der');
    writeFileSync(root, seal.root);
    // A receiver with the group root and its current CRL (issue #12: a root alone exits 1).
    const crl = join(dir, 'group-seal-ca.crl');
    writeFileSync(crl, await makeTestCrl(seal));
    const small = join(dir, 'one-page.pdf');
    writeFileSync(small, await signPdf(await makeBasePdf(1), seal));
    const bigSigned = join(dir, 'big-sealed.pdf');
    writeFileSync(bigSigned, await signPdf(syntheticPdf(pages), seal));
    const bigMb = statSync(bigSigned).size / 1024 / 1024;
    const verified = (status: number | null): boolean => status === 0;
    {
      const [ours, anchor] = sideBySide(n, () => yinjian(['verify', small, '--trust', root, '--crl', crl], { ok: verified }), () => once('pdfsig', [small], { ok: pdfsigSawSignature }));
      rows.push({ command: 'yinjian verify (1 page)', ours, anchorName: 'pdfsig', anchor, budget: '≤ 300 ms', within: ours.ms <= 300 ? 'yes' : 'NO' });
    }
    {
      const [ours, anchor] = sideBySide(n, () => yinjian(['verify', bigSigned, '--trust', root, '--crl', crl], { ok: verified }), () => once('pdfsig', [bigSigned], { ok: pdfsigSawSignature }));
      rows.push({ command: `yinjian verify (${bigMb.toFixed(1)} MB)`, ours, anchorName: 'pdfsig', anchor, budget: '< pdfsig', within: ours.ms < anchor.ms ? 'yes' : 'NO' });
    }

    // stamp: the whole command (key lookup, PIN, gate, pdf.js text, incremental update, SoftHSM2 signature, register rows, fsync)
    const input = join(dir, 'notice.pdf');
    const unsigned = syntheticPdf(pages);
    writeFileSync(input, unsigned);
    const inputMb = unsigned.length / 1024 / 1024;
    const nss = nssSigner(dir);
    const stampArgs = (i: number): string[] => [
      'stamp', input, '--out', join(dir, `stamped-${i}.pdf`), '--type', 'internal-document', '--approval', `BENCH-${i}`, '--approver', '孙主任',
      '--operator', office.seal.custodianStaffId, '--token', office.seal.label, '--pin-stdin',
    ];
    if (process.env.YINJIAN_BENCH_KEEP === '1') log(`stamp: ${[bin, ...stampArgs(0)].join(' ')} (PIN on stdin: ${office.seal.pin})`);
    {
      const [ours, anchor] = sideBySide(
        n,
        (i) => yinjian(stampArgs(i), { stdin: `${office.seal.pin}\n` }),
        (i) => once('pdfsig', ['-add-signature', '-nssdir', nss.nssdir, '-nick', nss.nick, '-reason', 'bench', input, join(dir, `pdfsig-${i}.pdf`)]),
      );
      const ratio = ours.ms / anchor.ms;
      const memoryOk = ours.rssMb <= inputMb + 150;
      rows.push({
        command: `yinjian stamp (${inputMb.toFixed(1)} MB)`,
        ours,
        anchorName: 'pdfsig -add-signature (NSS)',
        anchor,
        budget: `≤ 1.5× and RSS ≤ ${(inputMb + 150).toFixed(0)} MB`,
        within: ratio <= 1.5 && memoryOk ? 'yes' : `NO${ratio > 1.5 ? ' (time)' : ''}${memoryOk ? '' : ' (memory)'}`,
      });
    }

    const header = ['command', 'yinjian ms', 'cpu ms', 'peak MB', 'anchor', 'anchor ms', 'cpu ms', 'peak MB', 'ratio', 'cpu ratio', 'budget', 'within'];
    const cells = rows.map((r) => [
      r.command, r.ours.ms.toFixed(0), r.ours.cpuMs.toFixed(0), r.ours.rssMb.toFixed(0),
      r.anchorName, r.anchor.ms.toFixed(0), r.anchor.cpuMs.toFixed(0), r.anchor.rssMb.toFixed(0),
      (r.ours.ms / r.anchor.ms).toFixed(2), (r.anchor.cpuMs > 0 ? (r.ours.cpuMs / r.anchor.cpuMs).toFixed(2) : '—'), r.budget, r.within,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const fmt = (c: readonly string[]): string => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ');
    const table = [
      `yinjian CLI vs anchors: whole processes, median of ${n} run(s) each, alternating (${bin === join(REPO, 'out', 'cli', 'yinjian.mjs') ? 'out/cli/yinjian.mjs' : bin})`,
      fmt(header),
      fmt(widths.map((w) => '-'.repeat(w))),
      ...cells.map(fmt),
      `floor: \`node -e 0\` (Node ${process.versions.node} starting and exiting) ${floor.ms.toFixed(0)} ms (${floor.cpuMs.toFixed(0)} ms CPU), ${floor.rssMb.toFixed(0)} MB${floorWithoutExtraCa ? ` (NODE_EXTRA_CA_CERTS is set; without it ${floorWithoutExtraCa.ms.toFixed(0)} ms)` : ''}; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs`,
    ].join('\n');
    log(`\n${table}`);
    return table;
  } finally {
    // YINJIAN_BENCH_KEEP=1 keeps the office, token and files, and prints how to rerun a stamp (for profiling)
    if (process.env.YINJIAN_BENCH_KEEP === '1') {
      log(`kept ${dir}; env ${JSON.stringify({ ...office.env, YINJIAN_DATA_DIR: office.workstationDir })}`);
    } else {
      office.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}


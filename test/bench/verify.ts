/**
 * Verifier benchmark (issue #5): a 300-page (~30 MB) PDF with 3 signatures, and a batch of
 * 1000 small signed PDFs; our time and peak RSS beside pdfsig's on the same files. Our side
 * runs in a child Node process per case, so its peak RSS is its own (process.resourceUsage).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { makeBasePdf, makeTestSeal, signPdf } from '../helpers/signed-pdf';

const CHILD = `
import { readFileSync } from 'node:fs';
import { verifyPdf, prepareTrust } from ${JSON.stringify(fileURLToPath(new URL('../../src/main/core/verify/index.ts', import.meta.url)))};
const files = JSON.parse(process.argv[2]);
const trust = prepareTrust({ trustAnchors: [readFileSync(process.argv[3])] });
const verdicts = {};
for (const f of files) { const r = await verifyPdf(readFileSync(f), trust, {}, f); verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1; }
process.stdout.write(JSON.stringify({ verdicts, maxRssKb: process.resourceUsage().maxRSS }));
`;

async function bigPdf(pages: number, bytesPerPage: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    // Incompressible page content (an image-like stream), so the file really is ~30 MB.
    const data = randomBytes(bytesPerPage);
    const stream = PDFRawStream.of(doc.context.obj({ Type: 'XObject', Subtype: 'Image', Width: bytesPerPage / 3 / 10, Height: 10, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }), data);
    const ref = doc.context.register(stream);
    page.node.setXObject(PDFName.of(`Im${i}`), ref);
    page.pushOperators();
  }
  return doc.save({ useObjectStreams: false });
}

function timeOf(command: string, args: string[]): { ms: number; maxRssKb: number | undefined; stdout: string } {
  const start = performance.now();
  const useTime = existsSync('/usr/bin/time');
  const result = useTime ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }) : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  const rss = useTime ? Number(/(\d+)\s*$/.exec(result.stderr)?.[1]) : undefined;
  return { ms, maxRssKb: rss, stdout: result.stdout };
}

export async function benchVerify(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-verify-'));
  try {
    const seal = await makeTestSeal();
    const rootPath = join(dir, 'root.der');
    writeFileSync(rootPath, seal.root);
    const childPath = join(dir, 'child.mts');
    writeFileSync(childPath, CHILD);
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

    let big = await bigPdf(300, 100_000);
    for (let i = 1; i <= 3; i++) big = await signPdf(big, seal, { field: `Seal${i}` });
    const bigPath = join(dir, 'big.pdf');
    writeFileSync(bigPath, big);

    const small: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const path = join(dir, `small-${i}.pdf`);
      writeFileSync(path, await signPdf(await makeBasePdf(1, `Notice ${i}`), seal));
      small.push(path);
    }

    const rows: string[][] = [];
    const ours = (files: string[]): { ms: number; rss: number; verdicts: string } => {
      const start = performance.now();
      const out = execFileSync(tsx, [childPath, JSON.stringify(files), rootPath], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const ms = performance.now() - start;
      const parsed = JSON.parse(out) as { verdicts: Record<string, number>; maxRssKb: number };
      return { ms, rss: parsed.maxRssKb, verdicts: JSON.stringify(parsed.verdicts) };
    };
    const bigOurs = ours([bigPath]);
    const bigTheirs = timeOf('/usr/bin/pdfsig', ['-no-ocsp', bigPath]);
    rows.push([`300 pages, ${(big.length / 1e6).toFixed(1)} MB, 3 sigs`, bigOurs.ms.toFixed(0), String(bigOurs.rss), bigTheirs.ms.toFixed(0), String(bigTheirs.maxRssKb ?? '?'), bigOurs.verdicts]);

    const smallOurs = ours(small);
    let theirsMs = 0;
    let theirsRss = 0;
    for (const path of small) {
      const run = timeOf('/usr/bin/pdfsig', ['-no-ocsp', path]);
      theirsMs += run.ms;
      theirsRss = Math.max(theirsRss, run.maxRssKb ?? 0);
    }
    rows.push(['1000 small signed PDFs', smallOurs.ms.toFixed(0), String(smallOurs.rss), theirsMs.toFixed(0), String(theirsRss || '?'), smallOurs.verdicts]);

    console.log('\nOffline verifier vs pdfsig (ours: one Node process incl. ~startup; pdfsig: one process per file)');
    console.log('case                                 ours ms  ours peak RSS kB  pdfsig ms  pdfsig peak RSS kB  our verdicts');
    for (const r of rows) console.log(`${r[0]!.padEnd(36)} ${r[1]!.padStart(7)} ${r[2]!.padStart(17)} ${r[3]!.padStart(10)} ${r[4]!.padStart(19)}  ${r[5]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

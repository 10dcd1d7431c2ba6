/**
 * Issue #11 class 6: hostile inputs end in a typed verdict with well-formed JSON, within the
 * memory bound (1 GB), measured on the shipped CLI under /usr/bin/time -v. No wall-clock
 * asserts (the machine is shared); the verify benchmark reports the times.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { YINJIAN_BIN } from '../helpers/cli';
import { makeTestSeal, signPdf } from '../helpers/signed-pdf';
import { baseDocument } from './generator';
import { millionObjects, openParens, xrefMillions } from './resources';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-resources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAX_RSS_KB = 1024 * 1024;

function verifyUnderTime(file: string, root: string): { rssKb: number; code: number | null; json: { verdict?: string; files?: { verdict: string }[] } } {
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, YINJIAN_BIN, 'verify', file, '--trust', root, '--json', '--data-dir', join(dir, 'data')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  return { rssKb: rss ? Number(rss[1]) : Number.NaN, code: result.status, json: JSON.parse(result.stdout) as { verdict?: string; files?: { verdict: string }[] } };
}

describe('resource attacks (issue #11, class 6)', () => {
  it('millions of declared xref entries + 40 empty updates, 10 MB of "(", a million objects with a broken xref: typed verdict, JSON, under 1 GB', { timeout: 300_000 }, async () => {
    const seal = await makeTestSeal();
    const root = join(dir, 'root.der');
    writeFileSync(root, seal.root);
    const sealed = await signPdf(await baseDocument('objstm'), seal, { field: 'Seal1' });
    // xref-millions: 8M entries declared in a 46 KB file: refused at once (xrefEntriesPerFileByte).
    // xref-millions-padded: the same in a file big enough to hold them: all 8M built, 40 updates.
    const files = {
      'xref-millions': xrefMillions(sealed),
      'xref-millions-padded': xrefMillions(sealed, 8_000_000, 40, 8_100_000),
      'open-parens': openParens(),
      'million-objects': millionObjects(),
    };
    for (const [id, bytes] of Object.entries(files)) {
      const file = join(dir, `${id}.pdf`);
      writeFileSync(file, bytes);
      const run = verifyUnderTime(file, root);
      console.log(`${id}: ${bytes.length} bytes, peak RSS ${(run.rssKb / 1024).toFixed(0)} MB, exit ${run.code}, verdict ${run.json.verdict}`);
      expect([0, 1], id).toContain(run.code);
      expect(run.json.files?.[0]?.verdict, id).toMatch(/^(VALID|VALID_WITH_CHANGES|MODIFIED|INVALID|UNTRUSTED|REVOKED|POLICY_VIOLATION|UNSUPPORTED|UNSIGNED)$/);
      expect(run.rssKb, id).toBeLessThan(MAX_RSS_KB);
      if (id === 'xref-millions') {
        // The bound that was hit is named (FILE_LIMIT_EXCEEDED), and the file is not valid.
        const file = run.json.files?.[0] as { verdict: string; findings?: { code: string; params?: { limit?: string } }[] } | undefined;
        expect(file?.findings?.find((f) => f.code === 'FILE_LIMIT_EXCEEDED')?.params?.limit).toBe('xrefEntriesPerFileByte');
        expect(file?.verdict).toBe('INVALID');
      }
    }
  });
});

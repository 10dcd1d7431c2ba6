/**
 * `yinjian verify --report OUT.pdf` through the real binary, judged by poppler: the Chinese
 * verdict words and the seal code are extractable text, the CJK font is an embedded subset,
 * the page renders without complaint and the re-drawn impression is seal red. One report
 * covers every file of the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runYinjian } from '../../helpers/cli';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-verify-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data') };
let good: string;
let tampered: string;
let unsigned: string;
let root: string;
let crl: string;

beforeAll(async () => {
  // A seal name the seal rules accept (at most 12 characters), so the impression can be re-drawn.
  const seal = await makeTestSeal({ sealName: '办公室印章', sealCode: 'YJ-2024-0007' });
  const signed = await signPdf(await makeBasePdf(1), seal);
  good = join(dir, 'good.pdf');
  writeFileSync(good, signed);
  const bad = new Uint8Array(signed);
  const at = Buffer.from(bad).indexOf('/MediaBox [ 0 0 595');
  bad[at + 18] = 0x36;
  tampered = join(dir, 'tampered.pdf');
  writeFileSync(tampered, bad);
  unsigned = join(dir, 'unsigned.pdf');
  writeFileSync(unsigned, await makeBasePdf(1));
  root = join(dir, 'root.der');
  writeFileSync(root, seal.root);
  // Issue #12: a current CRL, so the valid seal exits 0 (without it: REVOCATION_NOT_CHECKED, exit 1).
  crl = join(dir, 'group-seal-ca.crl');
  writeFileSync(crl, await makeTestCrl(seal));
});

function pdftotext(path: string): string {
  return execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
}

/** Page 1 at 72 dpi as raw RGB (PPM P6), and the count of seal-red pixels in a column band. */
function redPixels(path: string, band: { x0: number; x1: number }): { count: number; stderr: string } {
  const prefix = join(dir, `page-${Math.random().toString(36).slice(2)}`);
  const run = spawnSync('/usr/bin/pdftoppm', ['-r', '72', '-f', '1', '-l', '1', path, prefix], { encoding: 'utf8' });
  const file = readdirSync(dir).find((f) => join(dir, f).startsWith(prefix) && f.endsWith('.ppm'));
  if (!file) throw new Error(`pdftoppm wrote nothing: ${run.stderr}`);
  const ppm = readFileSync(join(dir, file));
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('not a P6 image');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = ppm.subarray(header[0].length);
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = band.x0; x < Math.min(band.x1, width); x++) {
      const i = (y * width + x) * 3;
      // Seal red is RGB 230,0,18; the report's red text is 191,13,25 and never passes r > 215.
      if ((data[i] ?? 0) > 215 && (data[i + 1] ?? 255) < 60 && (data[i + 2] ?? 255) < 70) count++;
    }
  }
  return { count, stderr: run.stderr };
}

// The impression box: 96 pt wide at the right margin (50 pt) of an A4 page.
const IMPRESSION_BAND = { x0: 595 - 50 - 96, x1: 595 - 50 };

describe('yinjian verify --report', () => {
  it('writes one Chinese report covering every file, with verdicts and the seal code as text', async () => {
    const out = join(dir, 'report.pdf');
    const result = await runYinjian(['verify', good, tampered, unsigned, '--trust', root, '--report', out, '--json'], { env });
    expect(result.code).toBe(1);
    expect(result.json<{ reportPdf: string }>().reportPdf).toBe(out);
    const text = pdftotext(out);
    expect(text).toContain('印章验证报告');
    expect(text).toContain('有效 / valid (VALID)');
    expect(text).toContain('无效 / invalid (INVALID)');
    expect(text).toContain('未签名 / not signed (UNSIGNED)');
    expect(text).toContain('YJ-2024-0007');
    expect(text).toContain('DIGEST_MISMATCH');
    for (const path of [good, tampered, unsigned]) expect(text.replace(/\s+/g, '')).toContain(path);
    // No temp file left beside the report.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('embeds the CJK font as a subset (pdffonts)', async () => {
    const out = join(dir, 'fonts.pdf');
    expect((await runYinjian(['verify', good, '--trust', root, '--crl', crl, '--report', out], { env })).code).toBe(0);
    const fonts = execFileSync('/usr/bin/pdffonts', [out], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    // name, type, encoding, emb, sub, uni: every font is an embedded subset ("ABCDEF+Name").
    for (const line of fonts) expect(line).toMatch(/^[A-Z]{6}\+\S+.*\syes\s+yes\s+yes\s/);
  });

  it('renders without poppler errors, and the re-drawn impression is seal red; an unsigned file has none', async () => {
    const out = join(dir, 'render.pdf');
    expect((await runYinjian(['verify', good, '--trust', root, '--crl', crl, '--report', out], { env })).code).toBe(0);
    const sealed = redPixels(out, IMPRESSION_BAND);
    expect(sealed.stderr).toBe('');
    expect(sealed.count).toBeGreaterThan(500);
    const none = join(dir, 'render-unsigned.pdf');
    expect((await runYinjian(['verify', unsigned, '--trust', root, '--report', none], { env })).code).toBe(1);
    const blank = redPixels(none, IMPRESSION_BAND);
    expect(blank.stderr).toBe('');
    expect(blank.count).toBe(0);
  });

  it('an unwritable report path is bad input (exit 2) and leaves nothing behind', async () => {
    const out = join(dir, 'no-such-folder', 'report.pdf');
    const result = await runYinjian(['verify', good, '--trust', root, '--report', out], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('VERIFY_REPORT_NOT_WRITTEN');
    expect(existsSync(out)).toBe(false);
  });
});

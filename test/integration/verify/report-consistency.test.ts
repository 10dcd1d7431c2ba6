/**
 * Issue #11, "consistent report": the `checks` block agrees with the findings, through the
 * verifier API and the compiled CLI (`yinjian verify --json`).
 *  - A /ByteRange outside the file, overlapping another signature's /Contents, not from the
 *    start or not to a revision end: coverage AND integrity are 'failed' (never 'not-checked'
 *    beside 'coverage passed').
 *  - A CMS that is not DER (a padded INTEGER, a non-minimal or wrong length, bytes after the
 *    object) is its own finding, CMS_NOT_DER, an integrity error; the indefinite lengths real
 *    BER encoders write are the same finding as a warning. The mangled bytes lie outside what the
 *    signature protects, so without this check each of these files verified VALID.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTrust, verifyPdf, type FileReport, type SignatureReport } from '../../../src/main/core/verify/index';
import { runYinjian } from '../../helpers/cli';
import { makeBasePdf, makeTestCrl, makeTestSeal, signPdf } from '../../helpers/signed-pdf';

const dir = mkdtempSync(join(tmpdir(), 'yinjian-consistency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data') };

let signed: Uint8Array;
let twice: Uint8Array;
let rootDer: Uint8Array;
let rootFile: string;
let crlFile: string;

beforeAll(async () => {
  const seal = await makeTestSeal();
  rootDer = seal.root;
  signed = await signPdf(await makeBasePdf(1), seal);
  twice = await signPdf(signed, seal, { field: 'Seal2' });
  rootFile = join(dir, 'root.der');
  writeFileSync(rootFile, seal.root);
  // Issue #12: a current CRL, so revocation is checked and the control exits 0.
  crlFile = join(dir, 'group-seal-ca.crl');
  writeFileSync(crlFile, await makeTestCrl(seal));
});

// --- byte surgery on a signed file -----------------------------------------------------------

/** The last /ByteRange array of the file: its numbers and where its text lies. */
function byteRangeAt(bytes: Uint8Array, which: 'first' | 'last' = 'last'): { start: number; end: number; values: number[] } {
  const text = Buffer.from(bytes).toString('latin1');
  const start = which === 'last' ? text.lastIndexOf('/ByteRange') : text.indexOf('/ByteRange');
  const open = text.indexOf('[', start);
  const close = text.indexOf(']', open);
  let end = close + 1;
  while (text[end] === ' ') end++;
  return { start: open, end, values: text.slice(open + 1, close).trim().split(/\s+/).map(Number) };
}

function withByteRange(bytes: Uint8Array, values: readonly number[], which: 'first' | 'last' = 'last'): Uint8Array {
  const at = byteRangeAt(bytes, which);
  const replacement = `[${values.join(' ')}]`.padEnd(at.end - at.start, ' ');
  expect(replacement.length).toBe(at.end - at.start);
  const out = new Uint8Array(bytes);
  out.set(Buffer.from(replacement, 'latin1'), at.start);
  return out;
}

/** The /Contents hex of the last signature, decoded, and where its hex digits lie. */
function contentsAt(bytes: Uint8Array): { start: number; end: number; der: Buffer } {
  const at = byteRangeAt(bytes);
  const [, b, c] = at.values as [number, number, number];
  const hex = Buffer.from(bytes.subarray(b + 1, c - 1)).toString('latin1');
  return { start: b + 1, end: c - 1, der: Buffer.from(hex, 'hex') };
}

function withContents(bytes: Uint8Array, cms: Buffer): Uint8Array {
  const at = contentsAt(bytes);
  const width = (at.end - at.start) / 2;
  expect(cms.length).toBeLessThanOrEqual(width);
  const padded = Buffer.concat([cms, Buffer.alloc(width - cms.length)]);
  const out = new Uint8Array(bytes);
  out.set(Buffer.from(padded.toString('hex').toUpperCase(), 'latin1'), at.start);
  return out;
}

interface Tlv {
  tag: number;
  children?: Tlv[];
  content?: Buffer;
  /** Encode the length in this many extra bytes (non-minimal) or as indefinite. */
  lengthForm?: 'minimal' | 'indefinite' | 'leading-zero';
}

function parseTlv(der: Buffer, pos = 0): { node: Tlv; end: number } {
  const tag = der[pos] as number;
  let p = pos + 1;
  let length = der[p++] as number;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[p++] as number);
  }
  const end = p + length;
  if (tag & 0x20) {
    const children: Tlv[] = [];
    while (p < end) {
      const child = parseTlv(der, p);
      children.push(child.node);
      p = child.end;
    }
    return { node: { tag, children }, end };
  }
  return { node: { tag, content: der.subarray(p, end) }, end };
}

function encodeTlv(node: Tlv): Buffer {
  const body = node.children ? Buffer.concat(node.children.map(encodeTlv)) : (node.content as Buffer);
  if (node.lengthForm === 'indefinite') return Buffer.concat([Buffer.from([node.tag, 0x80]), body, Buffer.from([0, 0])]);
  let length: Buffer;
  if (body.length < 0x80 && node.lengthForm !== 'leading-zero') length = Buffer.from([body.length]);
  else {
    const bytes: number[] = [];
    for (let n = body.length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    if (node.lengthForm === 'leading-zero') bytes.unshift(0);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([node.tag]), length, body]);
}

/** ContentInfo → [0] → SignedData: the node of SignedData. */
function signedDataOf(root: Tlv): Tlv {
  return (root.children?.[1]?.children?.[0]) as Tlv;
}

function mangle(bytes: Uint8Array, how: (root: Tlv) => void, after?: (der: Buffer) => Buffer): Uint8Array {
  const { der } = contentsAt(bytes);
  const { node } = parseTlv(der);
  how(node);
  let out = encodeTlv(node);
  if (after) out = after(out);
  return withContents(bytes, out);
}

// --- the invariant every report must keep ----------------------------------------------------

const STEPS = ['coverage', 'integrity', 'trust', 'revocation', 'timestamp', 'changes', 'policy'] as const;

function inconsistencies(report: FileReport): string[] {
  const wrong: string[] = [];
  for (const sig of report.signatures) {
    for (const step of STEPS) {
      const errors = sig.findings.filter((f) => f.step === step && f.severity === 'error');
      if (errors.length > 0 && sig.checks[step] !== 'failed') wrong.push(`${sig.field}: ${step} is ${sig.checks[step]} beside ${errors.map((f) => f.code).join(',')}`);
    }
    if (sig.verdict === 'INVALID' && !STEPS.some((step) => sig.checks[step] === 'failed') && !sig.findings.some((f) => f.step === 'format' && f.severity === 'error')) {
      wrong.push(`${sig.field}: INVALID with no failed check`);
    }
    if ((sig.verdict === 'VALID' || sig.verdict === 'VALID_WITH_CHANGES') && STEPS.some((step) => sig.checks[step] === 'failed')) wrong.push(`${sig.field}: ${sig.verdict} with a failed check`);
  }
  return wrong;
}

async function viaApi(bytes: Uint8Array): Promise<FileReport> {
  const report = await verifyPdf(bytes, prepareTrust({ trustAnchors: [rootDer] }));
  expect(inconsistencies(report)).toEqual([]);
  return report;
}

let fileCount = 0;
async function viaCli(bytes: Uint8Array): Promise<{ code: number; report: FileReport }> {
  const file = join(dir, `case-${fileCount++}.pdf`);
  writeFileSync(file, bytes);
  const result = await runYinjian(['verify', file, '--trust', rootFile, '--crl', crlFile, '--json'], { env });
  const json = result.json<{ files: FileReport[] }>();
  const report = json.files[0] as FileReport;
  expect(inconsistencies(report)).toEqual([]);
  return { code: result.code, report };
}

const codes = (sig: SignatureReport | undefined): string[] => (sig?.findings ?? []).map((f) => f.code);

describe('the checks block agrees with the findings (issue #11)', () => {
  it('control: the signed file is VALID with every check passed, via the API and the CLI', async () => {
    const api = await viaApi(signed);
    expect(api.verdict).toBe('VALID');
    expect(api.signatures[0]?.checks).toMatchObject({ coverage: 'passed', integrity: 'passed' });
    expect(codes(api.signatures[0])).not.toContain('CMS_NOT_DER');
    const cli = await viaCli(signed);
    expect(cli.code).toBe(0);
    expect(cli.report.signatures[0]?.checks.integrity).toBe('passed');
  });

  it('a /ByteRange reaching past the end of the file: coverage and integrity failed, INVALID, exit 1', async () => {
    const { values } = byteRangeAt(signed);
    const [a, b, c, d] = values as [number, number, number, number];
    const attacked = withByteRange(signed, [a, b, c, d + 5000]);
    for (const report of [await viaApi(attacked), (await viaCli(attacked)).report]) {
      const sig = report.signatures[0];
      expect(codes(sig)).toContain('BYTE_RANGE_OUTSIDE_FILE');
      expect(sig?.checks.coverage).toBe('failed');
      expect(sig?.checks.integrity).toBe('failed');
      expect(sig?.verdict).toBe('INVALID');
    }
    expect((await viaCli(attacked)).code).toBe(1);
  });

  it('a /ByteRange that does not reach the signature\'s revision end, or does not start at 0: both checks failed', async () => {
    const [a, b, c, d] = byteRangeAt(signed).values as [number, number, number, number];
    for (const values of [
      [a, b, c, d - 10],
      [a + 1, b - 1, c, d],
    ]) {
      const report = (await viaCli(withByteRange(signed, values))).report;
      expect(report.signatures[0]?.checks).toMatchObject({ coverage: 'failed', integrity: 'failed' });
      expect(report.verdict).toBe('INVALID');
    }
  });

  it('two signatures whose ranges overlap (the first signature\'s range ends inside the second\'s /Contents): BYTE_RANGES_OVERLAP, failed', async () => {
    const first = byteRangeAt(twice, 'first');
    const second = contentsAt(twice);
    const [a, b, c] = first.values as [number, number, number, number];
    // Stretch the first signature's second range into the middle of the second /Contents.
    const attacked = withByteRange(twice, [a, b, c, second.start + 100 - c], 'first');
    const report = await viaApi(attacked);
    const sig = report.signatures.find((s) => s.field !== 'Seal2');
    expect(codes(sig)).toContain('BYTE_RANGES_OVERLAP');
    expect(sig?.checks).toMatchObject({ coverage: 'failed', integrity: 'failed' });
    expect((await viaCli(attacked)).code).toBe(1);
  });

  const malformed: [string, (bytes: Uint8Array) => Uint8Array, RegExp][] = [
    ['a padded INTEGER (SignedData version 00 01)', (bytes) => mangle(bytes, (root) => {
      const version = signedDataOf(root).children?.[0] as Tlv;
      version.content = Buffer.concat([Buffer.from([0]), version.content as Buffer]);
    }), /INTEGER padded/],
    ['a non-minimal length (a leading zero byte on the outer SEQUENCE)', (bytes) => mangle(bytes, (root) => {
      root.lengthForm = 'leading-zero';
    }), /not minimal/],
    ['a wrong length (the outer SEQUENCE claims more bytes than are there)', (bytes) => mangle(bytes, () => undefined, (der) => {
      const copy = Buffer.from(der);
      // 30 82 hi lo: claim 0x40 more bytes than the object has, over non-zero trailing bytes.
      const length = copy.readUInt16BE(2) + 0x40;
      copy.writeUInt16BE(length, 2);
      return Buffer.concat([copy, Buffer.alloc(0x20, 0x11)]);
    }), /wrong length|runs past/],
    ['bytes after the CMS object', (bytes) => mangle(bytes, () => undefined, (der) => Buffer.concat([der, Buffer.from('trailing bytes', 'latin1')])), /trailing bytes/],
  ];

  for (const [name, attack, detail] of malformed) {
    it(`CMS not DER — ${name}: CMS_NOT_DER, integrity failed, INVALID, exit 1`, async () => {
      const attacked = attack(signed);
      for (const report of [await viaApi(attacked), (await viaCli(attacked)).report]) {
        const sig = report.signatures[0];
        const der = sig?.findings.find((f) => f.code === 'CMS_NOT_DER');
        expect(der?.severity, name).toBe('error');
        expect(der?.en).toMatch(detail);
        expect(der?.zh).toContain('DER');
        expect(sig?.checks.integrity).toBe('failed');
        expect(sig?.verdict).toBe('INVALID');
      }
      expect((await viaCli(attacked)).code).toBe(1);
    });
  }

  it('an indefinite-length outer SEQUENCE (BER a streaming encoder writes): CMS_NOT_DER as a warning, integrity warning', async () => {
    const attacked = mangle(signed, (root) => {
      root.lengthForm = 'indefinite';
    });
    const report = (await viaCli(attacked)).report;
    const sig = report.signatures[0];
    const der = sig?.findings.find((f) => f.code === 'CMS_NOT_DER');
    expect(der?.severity).toBe('warning');
    expect(der?.en).toMatch(/indefinite length/);
    expect(sig?.checks.integrity).toBe('warning');
  });
});

/**
 * Independent judges of signed PDFs: poppler's pdfsig (with an NSS database trusting a test
 * root), mutool sign -v, qpdf --check and openssl cms -verify on each signature's byte ranges.
 * pdfsig and mutool exit 0 whatever they find, so their output is parsed here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PdfsigSignature {
  readonly index: number;
  readonly signatureValid: boolean;
  readonly signatureStatus: string;
  readonly certificateStatus: string;
  readonly certificateTrusted: boolean;
  readonly totalDocumentSigned: boolean;
  readonly subFilter: string | undefined;
  readonly signerName: string | undefined;
  readonly raw: string;
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** An NSS database in a temp folder trusting `roots` (DER or PEM) for signing. */
export function nssDatabase(roots: readonly (Uint8Array | string)[]): { dir: string; nssdir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-nss-'));
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'pipe' });
  roots.forEach((root, i) => {
    const file = join(dir, `root${i}.pem`);
    writeFileSync(file, typeof root === 'string' ? root : pem('CERTIFICATE', root));
    execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-n', `root${i}`, '-t', 'C,C,C', '-i', file], { stdio: 'pipe' });
  });
  return { dir, nssdir: `sql:${dir}`, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses `pdfsig` output into one record per "Signature #n:" block. */
export function parsePdfsig(output: string): PdfsigSignature[] {
  const blocks = output.split(/^Signature #(\d+):\s*$/m);
  const out: PdfsigSignature[] = [];
  for (let i = 1; i < blocks.length; i += 2) {
    const body = blocks[i + 1] ?? '';
    const field = (label: string): string | undefined => new RegExp(`^\\s*- ${label}: (.*)$`, 'm').exec(body)?.[1]?.trim();
    const signatureStatus = field('Signature Validation') ?? '';
    const certificateStatus = field('Certificate Validation') ?? '';
    out.push({
      index: Number(blocks[i]),
      signatureValid: signatureStatus === 'Signature is Valid.',
      signatureStatus,
      certificateStatus,
      certificateTrusted: certificateStatus === 'Certificate is Trusted.',
      totalDocumentSigned: /^\s*- Total document signed\s*$/m.test(body),
      subFilter: field('Signature Type'),
      signerName: field('Signer Certificate Common Name'),
      raw: body,
    });
  }
  return out;
}

/**
 * Without -no-ocsp, as the command line: poppler 22.12 with -no-ocsp reports "Unknown issue
 * with Certificate" for a chain NSS itself accepts. Our certificates carry no OCSP URL, so
 * nothing is fetched either way.
 */
export function pdfsig(file: string, nssdir: string): PdfsigSignature[] {
  const run = spawnSync('/usr/bin/pdfsig', ['-nssdir', nssdir, file], { encoding: 'utf8' });
  return parsePdfsig(`${run.stdout}\n${run.stderr}`);
}

export interface MutoolSignature {
  readonly name: string;
  readonly unchanged: boolean;
  readonly raw: string;
}

/** Parses `mutool sign -v`: one block per signature field, "Verifying signature NAME" onwards. */
export function parseMutoolSign(output: string): MutoolSignature[] {
  const out: MutoolSignature[] = [];
  const parts = output.split(/^(?=Verifying signature )/m).filter((p) => p.startsWith('Verifying signature '));
  for (const part of parts) {
    const name = /^Verifying signature (.*)$/m.exec(part)?.[1]?.trim() ?? '';
    out.push({ name, unchanged: /The document is unchanged since signing/.test(part), raw: part });
  }
  return out;
}

export function mutoolSignVerify(file: string): MutoolSignature[] {
  const run = spawnSync('/usr/bin/mutool', ['sign', '-v', file], { encoding: 'utf8' });
  return parseMutoolSign(`${run.stdout}\n${run.stderr}`);
}

export function qpdfCheck(file: string): { ok: boolean; output: string } {
  const run = spawnSync('/usr/bin/qpdf', ['--check', file], { encoding: 'utf8' });
  const output = `${run.stdout}\n${run.stderr}`;
  return { ok: run.status === 0 && /No syntax or stream encoding errors/.test(run.stdout) && !/WARNING|error/i.test(run.stderr), output };
}

/** Every /ByteRange [a b c d] and the /Contents hex it leaves out, in file order. */
export function signaturesOf(bytes: Uint8Array): { byteRange: [number, number, number, number]; cms: Uint8Array }[] {
  const text = Buffer.from(bytes).toString('latin1');
  const out: { byteRange: [number, number, number, number]; cms: Uint8Array }[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const range = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
    const hex = text.slice(range[1] + 1, range[2] - 1);
    let cms = Buffer.from(hex, 'hex');
    // Trim the zero padding after the DER: the outer SEQUENCE's length says where it ends.
    if (cms[0] === 0x30 && cms[1] !== undefined && cms[1] & 0x80) {
      const n = cms[1] & 0x7f;
      let len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (cms[2 + i] as number);
      cms = cms.subarray(0, 2 + n + len);
    }
    out.push({ byteRange: range, cms: new Uint8Array(cms) });
  }
  return out;
}

/** openssl cms -verify of one signature over its byte ranges, trusting `rootPem`. */
export function opensslVerify(bytes: Uint8Array, signature: { byteRange: [number, number, number, number]; cms: Uint8Array }, rootPem: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-cms-'));
  try {
    const [a, b, c, d] = signature.byteRange;
    writeFileSync(join(dir, 'content'), Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
    writeFileSync(join(dir, 'sig.der'), signature.cms);
    writeFileSync(join(dir, 'root.pem'), rootPem);
    const run = spawnSync(
      '/usr/bin/openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'content', '-CAfile', 'root.pem', '-purpose', 'any', '-out', '/dev/null'],
      { cwd: dir, encoding: 'utf8' },
    );
    return { ok: run.status === 0 && /Verification successful/.test(run.stderr), output: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { pem as pemOf };
export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

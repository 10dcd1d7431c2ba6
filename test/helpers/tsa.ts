/**
 * A real RFC 3161 timestamp authority on loopback for tests: a test root and a TSA certificate
 * (extendedKeyUsage critical timeStamping) made with openssl, and a node http server that
 * answers each application/timestamp-query by running `openssl ts -reply` on it. Nothing of
 * ours produces the tokens, so our client and our verifier are judged by an independent TSA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestTsa {
  readonly url: string;
  /** The test root that issued the TSA certificate (DER), to trust in the verifier. */
  readonly rootDer: Uint8Array;
  /** Queries answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const OPENSSL = '/usr/bin/openssl';

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `tsaDays`: how long the TSA certificate is valid from today (default 3650; long-term tests expire it on purpose). */
export async function startTestTsa(options: { tsaDays?: number } = {}): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-tsa-'));
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Yinjian Test TSA Root', '-days', '7300', '-set_serial', '1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Yinjian Test TSA']);
  writeFileSync(join(dir, 'tsa-ext.cnf'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n');
  openssl(dir, ['x509', '-req', '-in', 'tsa.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2', '-days', String(options.tsaDays ?? 3650), '-out', 'tsa.pem', '-extfile', 'tsa-ext.cnf']);
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = test_tsa',
      '[ test_tsa ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'signer_cert = $dir/tsa.pem',
      'certs = $dir/root.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  const rootPem = readFileSync(join(dir, 'root.pem'), 'latin1');
  const rootDer = new Uint8Array(Buffer.from(rootPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++requests;
      const query = join(dir, `q${n}.tsq`);
      const reply = join(dir, `r${n}.tsr`);
      try {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') throw new Error('not a timestamp query');
        writeFileSync(query, Buffer.concat(chunks));
        openssl(dir, ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', query, '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-chain', 'root.pem', '-out', reply]);
        const body = readFileSync(reply);
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply', 'Content-Length': body.length });
        res.end(body);
      } catch (error) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    rootDer,
    get requests() {
      return requests;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback URL where nothing listens: a port that was just free. */
export async function unusedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsa`;
}

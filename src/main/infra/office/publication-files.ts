import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { YinjianError } from '../../../shared/errors/index';
import type { Publication } from '../../core/office/index';

/**
 * Writes a file so that readers see the old content or the new, never half of it: a temp file
 * in the target folder, fsync, rename over the target, fsync of the folder.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'wx', 0o644);
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    try {
      const dirFd = openSync(dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // Windows cannot open a folder for fsync; the rename is still atomic there.
    }
  } catch (cause) {
    rmSync(temp, { force: true });
    throw new YinjianError('FILE_NOT_WRITABLE', { path }, { cause });
  }
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** Reads a certificate file, PEM or DER. */
export function readCertificateFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
  const text = bytes.toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  return pem ? new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64')) : new Uint8Array(bytes);
}

export interface PublishedFiles {
  readonly crl: string;
  readonly snapshot: string;
  readonly root: string;
}

/** File names of a publication in the --out folder. */
export function publicationFileNames(dir: string, sequence: number): PublishedFiles {
  return {
    crl: join(dir, 'group-seal-ca.crl'),
    snapshot: join(dir, `register-snapshot-${String(sequence).padStart(6, '0')}.p7m`),
    root: join(dir, 'group-root.pem'),
  };
}

/**
 * The publication in DIR: the CRL (DER, `openssl crl -inform DER`), the signed snapshot
 * (CMS, DER) under its sequence number, and the group root as PEM for the first import.
 */
export function writePublication(dir: string, publication: Publication): PublishedFiles {
  const files = publicationFileNames(dir, publication.sequence);
  writeFileAtomically(files.snapshot, publication.snapshot);
  writeFileAtomically(files.crl, publication.crl);
  writeFileAtomically(files.root, toPem('CERTIFICATE', publication.rootCertificate));
  return files;
}

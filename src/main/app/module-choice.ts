/**
 * Where the PKCS#11 module (the USB key's driver) may come from in the window: the vendor
 * catalog (native/pkcs11-modules.json) by id, or a file the user picked in a main-process
 * dialog. Never a path the renderer names: loading a library runs its constructors in the
 * main process, and the module sees every PIN (issue #14, hardening).
 *
 * A picked file is checked before anything loads it: an absolute path to a regular file of
 * sane size, in a shared-library format of this OS (ELF, PE, Mach-O), that exports the
 * PKCS#11 entry point C_GetFunctionList by name. Only then is it loaded, and it is saved to
 * the settings only once C_GetFunctionList and C_Initialize have answered (Pkcs11Library.load).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import { catalogModules } from '../infra/pkcs11/catalog';

/** Larger than any vendor driver we know (they are 0.5–20 MB); bounds the scan. */
const MAX_MODULE_BYTES = 64 * 1024 * 1024;
const ENTRY_POINT = Buffer.from('C_GetFunctionList', 'latin1');

type Format = 'elf' | 'pe' | 'mach-o';

function formatOf(head: Buffer): Format | undefined {
  if (head.length >= 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return 'elf';
  if (head.length >= 2 && head.toString('latin1', 0, 2) === 'MZ') return 'pe';
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0);
    if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return 'mach-o';
  }
  return undefined;
}

const EXPECTED: Record<string, Format> = { linux: 'elf', win32: 'pe', darwin: 'mach-o' };

/** Does the file's content contain the bytes `needle`? Read in chunks, never the whole file at once. */
function fileContains(path: string, needle: Buffer): boolean {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024 + needle.length);
    let carry = 0;
    for (;;) {
      const read = readSync(fd, chunk, carry, chunk.length - carry, null);
      if (read === 0) return false;
      const filled = carry + read;
      if (chunk.subarray(0, filled).includes(needle)) return true;
      carry = Math.min(needle.length - 1, filled);
      chunk.copy(chunk, 0, filled - carry, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The static checks on a picked driver file; throws MODULE_NOT_PKCS11 naming what failed.
 * Nothing here loads the file.
 */
export function checkModuleFile(path: string, platform: NodeJS.Platform = process.platform): void {
  const refuse = (detail: string): never => {
    throw new YinjianError('MODULE_NOT_PKCS11', { path, detail });
  };
  if (!isAbsolute(path)) refuse('not an absolute path');
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) refuse('not a regular file');
    size = stat.size;
  } catch (cause) {
    if (cause instanceof YinjianError) throw cause;
    return refuse('cannot be read');
  }
  if (size < 64 || size > MAX_MODULE_BYTES) refuse(`size ${size} bytes`);
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const format = formatOf(head);
  const expected = EXPECTED[platform] ?? 'elf';
  if (format !== expected) refuse(format ? `a ${format} library, not one for this system` : 'not a shared library');
  if (!fileContains(path, ENTRY_POINT)) refuse('no C_GetFunctionList entry point');
}

/** The installed path of a catalog module, by id; MODULE_NOT_IN_CATALOG when unknown or not installed here. */
export function catalogModulePath(id: string, exists: (path: string) => boolean, platform: NodeJS.Platform = process.platform): string {
  const module = catalogModules(platform).find((m) => m.id === id);
  const path = module?.paths.find((p) => (isAbsolute(p) || /^[A-Za-z]:\\/.test(p)) && exists(p));
  if (!path) throw new YinjianError('MODULE_NOT_IN_CATALOG', { id });
  return path;
}

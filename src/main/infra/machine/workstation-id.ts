import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';

/**
 * This computer's stable identity for seal binding (M4, S1): the OS machine id, hashed with an
 * application salt so the raw id never leaves the machine, shown as a short code a person can
 * read out to the office over the phone.
 */
const SALT = 'yinjian/workstation-id/v1';
/** Crockford base32: no I, L, O or U, so a code read aloud is not misheard. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface WorkstationIdentity {
  /** The code shown to people and bound into seal certificates: XXXX-XXXX-XXXX-XXXX. */
  readonly code: string;
  /** Where the machine id came from, for diagnostics. */
  readonly source: string;
}

function readFirst(paths: readonly string[]): { id: string; source: string } | undefined {
  for (const path of paths) {
    try {
      const id = readFileSync(path, 'utf8').trim();
      if (id) return { id, source: path };
    } catch {
      // try the next location
    }
  }
  return undefined;
}

/** The raw OS machine id: /etc/machine-id, the Windows MachineGuid, or the macOS platform UUID. */
export function readMachineId(platform: NodeJS.Platform = process.platform): { id: string; source: string } {
  if (platform === 'win32') {
    const out = execFileSync('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid'], { encoding: 'utf8' });
    const match = /MachineGuid\s+REG_SZ\s+(\S+)/.exec(out);
    if (match?.[1]) return { id: match[1], source: 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid' };
  } else if (platform === 'darwin') {
    const out = execFileSync('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice'], { encoding: 'utf8' });
    const match = /"IOPlatformUUID" = "([^"]+)"/.exec(out);
    if (match?.[1]) return { id: match[1], source: 'IOPlatformUUID' };
  } else {
    const found = readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id']);
    if (found) return found;
  }
  throw new YinjianError('WORKSTATION_ID_UNAVAILABLE', { detail: platform });
}

export function workstationCode(machineId: string): string {
  const digest = createHash('sha256').update(SALT).update('\0').update(machineId).digest();
  let bits = 0;
  let value = 0;
  let code = '';
  for (const byte of digest.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      code += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return code.match(/.{4}/g)!.join('-');
}

export function currentWorkstation(): WorkstationIdentity {
  try {
    const { id, source } = readMachineId();
    return { code: workstationCode(id), source };
  } catch (error) {
    if (error instanceof YinjianError) throw error;
    throw new YinjianError('WORKSTATION_ID_UNAVAILABLE', { detail: error instanceof Error ? error.message : String(error) }, { cause: error });
  }
}

import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaRawToDer } from '../../../src/main/infra/pkcs11/public-key';
import { workstationCode } from '../../../src/main/infra/machine/workstation-id';
import { splitPinLines } from '../../../src/main/cli/pin-input';
import { parseArgs } from '../../../src/main/cli/args';
import { catalogModules, installedCatalogCandidates } from '../../../src/main/infra/pkcs11/catalog';

describe('ECDSA r‖s to DER', () => {
  it('produces signatures node:crypto accepts, including r or s with a high bit or leading zeros', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 200; i++) {
      const data = Buffer.from(`payload ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    }
  });
});

describe('workstation code', () => {
  it('is stable, salted and readable aloud', () => {
    const code = workstationCode('4c4c4544-0042-3510-8052-b4c04f4d4e32');
    expect(code).toBe(workstationCode('4c4c4544-0042-3510-8052-b4c04f4d4e32'));
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(code).not.toBe(workstationCode('4c4c4544-0042-3510-8052-b4c04f4d4e33'));
  });
});

describe('PIN lines from standard input', () => {
  it('splits LF and CRLF lines into separate buffers and zeroes the raw input', () => {
    const raw = Buffer.from('old-pin\r\nnew-pin\nthird');
    const lines = splitPinLines(raw);
    expect(lines.map((l) => l.toString())).toEqual(['old-pin', 'new-pin', 'third']);
    expect(raw.every((byte) => byte === 0)).toBe(true);
  });
});

describe('argument parser', () => {
  const specs = { token: { type: 'string', description: '' }, json: { type: 'boolean', description: '' }, trust: { type: 'string', multiple: true, description: '' } } as const;
  it('reads values, flags, repeats and positionals', () => {
    const parsed = parseArgs(['a.pdf', '--token', 'S1', '--json', '--trust=x.pem', '--trust', 'y.pem', 'b.pdf'], specs);
    expect(parsed.options).toEqual({ token: 'S1', json: true, trust: ['x.pem', 'y.pem'] });
    expect(parsed.positionals).toEqual(['a.pdf', 'b.pdf']);
  });
  it('refuses unknown options and missing values (usage errors, exit 2)', () => {
    expect(() => parseArgs(['--tokn', 'x'], specs)).toThrowError(expect.objectContaining({ code: 'CLI_OPTION_MISSPELLED', category: 'usage' }));
    expect(() => parseArgs(['--token'], specs)).toThrowError(expect.objectContaining({ code: 'CLI_OPTION_VALUE_MISSING', category: 'usage' }));
  });
});

describe('vendor module catalog (native/pkcs11-modules.json)', () => {
  it('lists the common Chinese and international USB-key vendors for every OS', () => {
    for (const os of ['win32', 'linux', 'darwin'] as const) {
      const ids = catalogModules(os).map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['feitian-epass2003', 'watchdata-watchkey', 'longmai-gm3000', 'safenet-etoken', 'opensc', 'softhsm2']));
    }
  });
  it('offers only installed absolute paths, and bare names for the OS loader', () => {
    const candidates = installedCatalogCandidates('win32', () => false).map((c) => c.path);
    expect(candidates).toContain('eps2003csp11.dll');
    expect(candidates).not.toContain('C:\\Windows\\System32\\eps2003csp11.dll');
    const linux = installedCatalogCandidates('linux', (p) => p === '/usr/lib/softhsm/libsofthsm2.so').map((c) => c.path);
    expect(linux).toEqual(['/usr/lib/softhsm/libsofthsm2.so']);
  });
});

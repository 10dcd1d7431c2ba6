/** Issue #15: the argument parser (node:util parseArgs underneath), local time, one-line PIN reading. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { YinjianError } from '../../../src/shared/errors/index';
import { editDistance, nearest, parseArgs, type OptionSpecs } from '../../../src/main/cli/args';
import { LocalTime, localTimeFrom } from '../../../src/main/cli/local-time';
import { stdinPinSource } from '../../../src/main/cli/pin-input';

const SPECS: OptionSpecs = {
  'data-dir': { type: 'string', valueName: 'DIR', description: '' },
  json: { type: 'boolean', description: '' },
  out: { type: 'string', short: 'o', description: '' },
  trust: { type: 'string', multiple: true, description: '' },
  'trust-root': { type: 'string', deprecatedFor: 'trust', description: '' },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof YinjianError ? error.code : `not a YinjianError: ${String(error)}`;
  }
  return undefined;
}

describe('parseArgs', () => {
  it('refuses a value that looks like a flag: --data-dir --json never makes a folder "--json"', () => {
    expect(codeOf(() => parseArgs(['--data-dir', '--json'], SPECS, 'office list'))).toBe('CLI_OPTION_VALUE_LOOKS_LIKE_OPTION');
    expect(codeOf(() => parseArgs(['--out', '-x'], SPECS))).toBe('CLI_OPTION_VALUE_LOOKS_LIKE_OPTION');
    // Written with "=", a value may start with a dash; "-" alone is a value (standard input).
    expect(parseArgs(['--data-dir=--json'], SPECS).options['data-dir']).toBe('--json');
    expect(parseArgs(['--out', '-'], SPECS).options.out).toBe('-');
  });

  it('names a missing value, a value given to a switch, a repeated single option', () => {
    expect(codeOf(() => parseArgs(['--data-dir'], SPECS))).toBe('CLI_OPTION_VALUE_MISSING');
    expect(codeOf(() => parseArgs(['--json=yes'], SPECS))).toBe('CLI_OPTION_TAKES_NO_VALUE');
    expect(codeOf(() => parseArgs(['--out', 'a', '-o', 'b'], SPECS))).toBe('CLI_OPTION_REPEATED');
  });

  it('an unknown option is an error, with the nearest real option when one is close', () => {
    try {
      parseArgs(['--trst', 'r.pem'], SPECS, 'verify');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(YinjianError);
      expect((error as YinjianError).code).toBe('CLI_OPTION_MISSPELLED');
      expect((error as YinjianError).params).toMatchObject({ option: '--trst', suggestion: '--trust', command: 'verify' });
      expect((error as YinjianError).en).toContain('did you mean --trust?');
    }
    expect(codeOf(() => parseArgs(['--frobnicate'], SPECS, 'verify'))).toBe('CLI_OPTION_UNKNOWN');
    expect(codeOf(() => parseArgs(['-x'], SPECS))).toBe('CLI_OPTION_UNKNOWN');
  });

  it('keeps an old spelling working with a note, under the new name', () => {
    const parsed = parseArgs(['--trust-root', 'root.pem', '--trust', 'b.pem'], SPECS);
    expect(parsed.options.trust).toEqual(['root.pem', 'b.pem']);
    expect(parsed.options['trust-root']).toBeUndefined();
    expect(parsed.notes?.[0]).toContain('--trust-root is now --trust');
  });

  it('short forms, repeatable options, positionals and --', () => {
    const parsed = parseArgs(['a.pdf', '-o', 'x.pdf', '--trust', 'r1', '--trust=r2', '--', '--json'], SPECS);
    expect(parsed.options).toEqual({ out: 'x.pdf', trust: ['r1', 'r2'] });
    expect(parsed.positionals).toEqual(['a.pdf', '--json']);
  });

  it('suggestions: edit distance and unique prefixes', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearest('dat-dir', ['data-dir', 'json'])).toBe('data-dir');
    expect(nearest('pin', ['pin-stdin', 'page'])).toBe('pin-stdin');
    expect(nearest('zzzzzz', ['data-dir', 'json'])).toBeUndefined();
  });
});

describe('local time', () => {
  const beijing = new LocalTime();

  it('reads YYYY-MM-DD[ HH:MM] as Beijing time by default and prints local time with the offset', () => {
    // Issue #15: a delegation "from 2027-08-01" printed as 2027-07-31T16:00Z.
    const from = beijing.parse('--from', '2027-08-01');
    expect(from.toISOString()).toBe('2027-07-31T16:00:00.000Z');
    expect(beijing.format(from)).toBe('2027-08-01 00:00:00 +08:00');
    expect(beijing.parse('--to', '2027-08-15 18:00').toISOString()).toBe('2027-08-15T10:00:00.000Z');
    expect(beijing.parse('--to', '2027-08-15T18:00:30').toISOString()).toBe('2027-08-15T10:00:30.000Z');
    // An explicit offset is taken as written.
    expect(beijing.parse('--at', '2027-08-01T00:00:00Z').toISOString()).toBe('2027-08-01T00:00:00.000Z');
    expect(beijing.format('2027-07-31T16:00:00.000Z')).toBe('2027-08-01 00:00:00 +08:00');
  });

  it('refuses what it cannot read, naming the format', () => {
    for (const bad of ['2027-02-30', '2027-8-1', '01/08/2027', '2027-08-01 24:00', 'tomorrow', '2027-08-01 09:61']) {
      try {
        beijing.parse('--from', bad);
        expect.unreachable(bad);
      } catch (error) {
        expect((error as YinjianError).code).toBe('CLI_TIME_INVALID');
        expect((error as YinjianError).en).toContain('YYYY-MM-DD HH:MM');
      }
    }
  });

  it('another zone from $YINJIAN_TZ (or settings), daylight saving included; a bad zone is named', () => {
    const berlin = localTimeFrom({ YINJIAN_TZ: 'Europe/Berlin' }, 'Asia/Tokyo');
    expect(berlin.zone).toBe('Europe/Berlin');
    expect(berlin.parse('--at', '2027-08-01 12:00').toISOString()).toBe('2027-08-01T10:00:00.000Z');
    expect(berlin.parse('--at', '2027-01-15 12:00').toISOString()).toBe('2027-01-15T11:00:00.000Z');
    expect(berlin.format(new Date('2027-08-01T10:00:00Z'))).toBe('2027-08-01 12:00:00 +02:00');
    expect(localTimeFrom({}, 'Asia/Tokyo').zone).toBe('Asia/Tokyo');
    expect(localTimeFrom({}, undefined).zone).toBe('Asia/Shanghai');
    expect(codeOf(() => localTimeFrom({ YINJIAN_TZ: 'Mars/Olympus' }, undefined))).toBe('CLI_TIME_ZONE_INVALID');
  });
});

describe('--pin-stdin', () => {
  it('returns each PIN as soon as its line has arrived, without waiting for the end of input', async () => {
    const input = new PassThrough();
    const pins = stdinPinSource(input);
    input.write('1234');
    const first = pins.next({ zh: '', en: '' });
    input.write('56\r\n98');
    expect((await first).toString()).toBe('123456');
    const second = pins.next({ zh: '', en: '' });
    input.write('7654\nleft over');
    expect((await second).toString()).toBe('987654');
    pins.dispose();
    // The input is still open: nothing waited for its end.
    expect(input.writableEnded).toBe(false);
  });

  it('a last line without a newline counts; no line at all is PIN_INPUT_MISSING', async () => {
    const input = new PassThrough();
    const pins = stdinPinSource(input);
    input.end('11223344');
    expect((await pins.next({ zh: '', en: '' })).toString()).toBe('11223344');
    await expect(pins.next({ zh: '', en: '' })).rejects.toMatchObject({ code: 'PIN_INPUT_MISSING' });
  });
});

/**
 * CI runs the command-line benchmark once (issue #15): one run of each command against its
 * anchor on a 3 MB file, and prints the table. Nothing here asserts a time (speed is read from
 * `npm run bench -- cli`, never from a timed test); it checks that every row was measured.
 */
import { describe, expect, it } from 'vitest';
import { benchCli } from './cli';

describe('npm run bench -- cli (quick)', () => {
  it('measures every command beside its anchor and prints the table', async () => {
    const table = await benchCli({ quick: true });
    for (const row of ['yinjian --help', 'yinjian verify (1 page)', 'yinjian verify (3.', 'yinjian stamp (2.']) expect(table).toContain(row);
    for (const anchor of ['pdfsig -v', 'pdfsig -add-signature (NSS)']) expect(table).toContain(anchor);
    // Every row has figures on both sides: wall ms, CPU ms and peak MB, then the wall and CPU ratios.
    const rows = table.split('\n').filter((l) => l.startsWith('yinjian ') && !l.startsWith('yinjian CLI'));
    expect(rows).toHaveLength(4);
    for (const line of rows) expect(line).toMatch(/^yinjian .+?\s{2,}\d+\s{2,}\d+\s{2,}\d+\s{2,}.+?\s{2,}\d+\s{2,}\d+\s{2,}\d+\s{2,}\d+\.\d\d\s{2,}(\d+\.\d\d|—)\s/); // CPU ratio: — when the anchor's CPU is below /usr/bin/time's 10 ms
  });
});

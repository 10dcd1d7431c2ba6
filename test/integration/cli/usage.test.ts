/**
 * Issue #15, through the compiled `yinjian` as a user runs it: every help example parses and
 * the ones a test computer can run do run (in a temp folder, against an office provisioned on
 * SoftHSM2); flags that look like values are refused; misspellings get a suggestion; dates are
 * read and printed in local time (Beijing time by default); --pin-stdin reads one line per PIN
 * and does not wait for the end of input; "nothing found" names what was tried.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/main/cli/args';
import { COMMANDS, findCommand } from '../../../src/main/cli/command-table';
import { LocalTime } from '../../../src/main/cli/local-time';
import { GLOBAL_OPTIONS } from '../../../src/main/cli/main';
import { runYinjian, YINJIAN_BIN } from '../../helpers/cli';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

/** Splits an example line as a POSIX shell would for these examples (double quotes only). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

const DATE_OPTIONS = new Set(['valid-from', 'valid-to', 'lost-at', 'from', 'to', 'at']);

describe('help examples', () => {
  it('every example names its own command and parses against its options (dates included)', async () => {
    let count = 0;
    for (const entry of COMMANDS) {
      const command = await entry.load();
      for (const example of command.examples ?? []) {
        const argv = words(example.line);
        expect(argv[0], example.line).toBe('yinjian');
        const found = findCommand(argv.slice(1));
        expect(found?.name, example.line).toEqual(entry.name);
        const parsed = parseArgs(argv.slice(1 + entry.name.length), { ...GLOBAL_OPTIONS, ...command.options }, entry.name.join(' '));
        expect(parsed.notes ?? [], example.line).toEqual([]);
        if (!command.usage) expect(parsed.positionals, example.line).toEqual([]);
        for (const [name, value] of Object.entries(parsed.options)) {
          // stamp --at is a position (X,Y), every other --at a time.
          if (DATE_OPTIONS.has(name) && typeof value === 'string' && !(entry.name[0] === 'stamp' && name === 'at')) new LocalTime().parse(`--${name}`, value);
        }
        count++;
      }
    }
    expect(count).toBeGreaterThan(25);
  });

  describe('run on a test computer', () => {
    let office: OfficeFixture;
    let cwd: string;
    const sub = (line: string): string[] => {
      const map: Record<string, string> = { 行政部印章: office.seal.label, S100: office.seal.custodianStaffId, 'YJ-001': office.seal.sealCode };
      return words(line).slice(1).map((w) => map[w] ?? w);
    };
    const example = async (name: string, index = 0): Promise<string> => {
      const entry = COMMANDS.find((c) => c.name.join(' ') === name);
      const line = (await entry!.load()).examples?.[index]?.line;
      if (!line) throw new Error(`no example ${index} for ${name}`);
      return line;
    };
    const run = async (name: string, index: number, dataDir: string, stdin?: string) => {
      const result = await runYinjian([...sub(await example(name, index)), '--data-dir', dataDir], { env: office.env, cwd, ...(stdin !== undefined ? { stdin } : {}) });
      expect(result.code, `${await example(name, index)}\n${result.stderr}`).toBe(0);
      return result;
    };

    beforeAll(async () => {
      office = await provisionOffice({ unitKind: 'department' });
      cwd = mkdtempSync(join(tmpdir(), 'yinjian-examples-'));
      copyFileSync(office.rootPem, join(cwd, 'group-root.pem'));
    });
    afterAll(() => {
      office?.cleanup();
      rmSync(cwd, { recursive: true, force: true });
    });

    it('sample, stamp (PIN on standard input), verify, register show, workstation id', async () => {
      await run('workstation id', 0, office.workstationDir);
      await run('sample', 0, office.workstationDir);
      await run('sample', 1, office.workstationDir);
      expect(existsSync(join(cwd, '通知.pdf')) && existsSync(join(cwd, '合同.pdf'))).toBe(true);
      await run('stamp', 1, office.workstationDir, `${office.seal.pin}\n`);
      await run('verify', 0, office.workstationDir);
      await run('verify', 2, office.workstationDir);
      const shown = await run('register show', 0, office.workstationDir);
      // Printed times are local with their offset, not UTC.
      expect(shown.stdout).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/);
      await run('audit check', 0, office.workstationDir);
      await run('token list', 0, office.workstationDir);
    });

    it('office delegate / delegations / may-use: dates in Beijing time, printed with +08:00, roles spelt as the flag', async () => {
      await run('office list', 0, office.officeDir);
      const recorded = await run('office delegate', 0, office.officeDir);
      expect(recorded.stdout).toContain('2027-08-01 00:00:00 +08:00 – 2027-08-15 18:00:00 +08:00');
      const listed = await run('office delegations', 0, office.officeDir);
      expect(listed.stdout).toContain('2027-08-01 00:00:00 +08:00');
      expect(listed.stdout).toContain('department-head');
      expect(listed.stdout).not.toContain('department_head');
      const json = await runYinjian(['office', 'delegations', '--seal-code', office.seal.sealCode, '--json', '--data-dir', office.officeDir], { env: office.env });
      expect(json.json<{ delegations: { startsAt: string }[] }>().delegations[0]?.startsAt).toBe('2027-07-31T16:00:00.000Z');
      await run('office may-use', 0, office.officeDir);
      // The same wall time in another zone ($YINJIAN_TZ) is another instant.
      const tokyo = await runYinjian(['office', 'may-use', '--seal-code', office.seal.sealCode, '--staff-id', 'S200', '--at', '2027-08-01 00:30', '--json', '--data-dir', office.officeDir], {
        env: { ...office.env, YINJIAN_TZ: 'Asia/Tokyo' },
      });
      expect(tokyo.json<{ allowed: boolean; at: string }>()).toMatchObject({ allowed: false, at: '2027-07-31T15:30:00.000Z' });
      // A wrong role names the roles as the flag spells them.
      const wrongRole = await runYinjian([...sub(await example('office delegate', 0)).map((w) => (w === 'department-head' ? 'general-manager' : w)), '--json', '--data-dir', office.officeDir], { env: office.env });
      expect(wrongRole.stderr).toContain('department-head');
      expect(wrongRole.stderr).not.toContain('department_head');
    });

    it('--pin-stdin reads one line per PIN: the command ends while the pipe is still open', async () => {
      const child = spawn(process.execPath, [YINJIAN_BIN, 'token', 'change-pin', '--token', office.seal.serial, '--pin-stdin', '--data-dir', office.workstationDir], {
        env: office.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.write(`${office.seal.pin}\nNew#Pin-2027\n`);
      // The pipe stays open: a reader that waits for end of input never finishes (issue #15 saw an 8 s stall).
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.end();
      expect(code, stderr).toBe(0);
    });
  });
});

describe('arguments and messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-usage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, YINJIAN_DATA_DIR: join(dir, 'data') };

  it('--data-dir --json is refused and creates no folder named "--json"', async () => {
    const result = await runYinjian(['office', 'list', '--data-dir', '--json'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CLI_OPTION_VALUE_LOOKS_LIKE_OPTION');
    expect(result.stderr).toContain('--data-dir=--json');
    expect(readdirSync(dir)).not.toContain('--json');
  });

  it('misspelt commands and options get a suggestion; exit 2', async () => {
    const option = await runYinjian(['verify', 'a.pdf', '--trst', 'root.pem', '--json'], { env });
    expect(option.code).toBe(2);
    expect(option.json<{ error: { code: string; params: { suggestion: string } } }>().error).toMatchObject({ code: 'CLI_OPTION_MISSPELLED', params: { suggestion: '--trust' } });
    const command = await runYinjian(['tokn', 'list'], { env });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('did you mean "token"?');
    const sub = await runYinjian(['token', 'lst'], { env });
    expect(sub.stderr).toContain('did you mean "token list"?');
  });

  it('the old --trust-root spelling still works, with a note', async () => {
    const result = await runYinjian(['register', 'import', join(dir, 'absent.p7m'), '--trust-root', join(dir, 'root.pem')], { env });
    expect(result.stderr).toContain('--trust-root is now --trust');
    expect(result.stderr).toContain('FILE_NOT_READABLE');
  });

  it('a date that is not YYYY-MM-DD[ HH:MM] names the format and the zone', async () => {
    const result = await runYinjian(['verify', 'a.pdf', '--at', '08/01/2027'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CLI_TIME_INVALID');
    expect(result.stderr).toContain('Asia/Shanghai');
  });

  it('"no USB key found" names the module it asked; "no seals" names the data folder', async () => {
    const module = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
    const keys = await runYinjian(['token', 'list', '--module', module], { env });
    expect(keys.code, keys.stderr).toBe(0);
    expect(keys.stdout).toContain(`module tried: ${module}`);
    const seals = await runYinjian(['office', 'list'], { env });
    expect(seals.stdout).toContain(join(dir, 'data'));
  });
});

/**
 * `yinjian stamp` end to end: the real binary, a SoftHSM2 USB key holding the seal's key pair
 * (generated on the key) with its certificate and the group CA certificate, and a real register
 * file in the data folder. Judged by pdfsig; the register is read back after each run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSealArtwork, loadSealFont, sealToSvg } from '../../../src/main/core/appearance/index';
import { parseCertificate } from '../../../src/main/core/pki/index';
import { openRegister } from '../../../src/main/infra/db/index';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { syntheticPdf } from '../../bench/stamp';
import { runYinjian } from '../../helpers/cli';
import { nssDatabase, pdfsig } from '../../helpers/pdfsig';
import { groupCa, sealKeyOnToken } from '../../helpers/seal-on-token';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';
import { GROUP, NOTICE, OFFICE, makePdf, shippedFont } from './fixture';

const SO_PIN = '87654321';
const INITIAL_PIN = '20240701';
const PIN = 'Seal#2026';

let hsm: SoftHsmFixture;
let dir: string;
let dataDir: string;
let nss: ReturnType<typeof nssDatabase>;
let noticePath: string;
let contractPath: string;

beforeAll(async () => {
  hsm = provisionSoftHsm();
  dir = mkdtempSync(join(tmpdir(), 'yinjian-stamp-cli-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const { root, rootSigner } = await groupCa();
  nss = nssDatabase([root]);
  // SoftHSM reads its slot list at C_Initialize: create the tokens before loading the module.
  for (const label of ['集团办公室', '集团工会']) hsm.createToken({ label, soPin: SO_PIN, userPin: INITIAL_PIN });
  const port = new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
  const keys = [
    { label: '集团办公室', code: 'YJ-CLI-0001', ...(await sealKeyOnToken(port, { label: '集团办公室', sealCode: 'YJ-CLI-0001', initialPin: INITIAL_PIN, root, rootSigner })) },
    { label: '集团工会', code: 'YJ-CLI-0002', ...(await sealKeyOnToken(port, { label: '集团工会', sealCode: 'YJ-CLI-0002', initialPin: INITIAL_PIN, root, rootSigner, firstUseMarker: true })) },
  ];
  port.close();
  const register = openRegister(join(dataDir, 'register.sqlite'));
  register.workstations.add({ id: 'WS-1', name: '办公室专用机', machineId: currentWorkstation().code, registeredAt: new Date('2026-06-01T00:00:00Z') }, OFFICE);
  const font = loadSealFont(shippedFont());
  keys.forEach((k, i) => {
    register.units.add({ id: `U-${i}`, code: `UNIT-${i}`, name: k.label, kind: 'department' }, OFFICE);
    register.custodians.add({ staffId: `S10${i}`, name: `保管员${i}`, unitId: `U-${i}` }, OFFICE);
    const info = parseCertificate(k.der);
    register.lifecycle.issue(
      {
        id: `SEAL-${k.code}`,
        code: k.code,
        name: `${k.label}印章`,
        unitId: `U-${i}`,
        custodianStaffId: `S10${i}`,
        workstationId: 'WS-1',
        certificate: { serial: Buffer.from(info.serialNumber).toString('hex'), der: k.der, validFrom: info.notBefore, validTo: info.notAfter, keyType: 'EC_P256', tokenSerial: k.serial },
        appearance: { svg: sealToSvg(composeSealArtwork({ kind: 'department', unitName: GROUP, sealName: k.label }, font)), png: null },
        approval: { reference: `ISSUE-${k.code}`, approver: '集团总裁' },
      },
      OFFICE,
    );
  });
  register.close();
  // The custodian changes the initial PIN at first use (M4), through the CLI like in the office.
  const change = await runYinjian(['token', 'change-pin', '--token', '集团办公室', '--pin-stdin', '--module', hsm.modulePath, '--data-dir', dataDir], { env: hsm.env, stdin: `${INITIAL_PIN}\n${PIN}\n` });
  if (change.code !== 0) throw new Error(`change-pin failed: ${change.stderr}`);
  noticePath = join(dir, '通知.pdf');
  writeFileSync(noticePath, await makePdf([NOTICE]));
  contractPath = join(dir, '合同.pdf');
  writeFileSync(contractPath, await makePdf([[{ text: '授權委託書', size: 22 }, { text: '委托人：张三', size: 14 }]]));
});

afterAll(() => {
  nss?.dispose();
  hsm?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const base = (token: string, operator = 'S100'): string[] => ['--type', 'internal-document', '--approval', 'YY-2026-088', '--approver', '孙主任', '--operator', operator, '--token', token, '--pin-stdin', '--module', hsm.modulePath, '--data-dir', dataDir, '--json'];

describe('yinjian stamp', () => {
  it('seals one file with the key on SoftHSM; pdfsig says valid and trusted; the usage register has the row', async () => {
    const out = join(dir, '通知-盖章.pdf');
    const run = await runYinjian(['stamp', noticePath, '--out', out, '--keyword', '盖章处', ...base('集团办公室')], { env: hsm.env, stdin: `${PIN}\n` });
    expect(run.code, run.stderr).toBe(0);
    const files = run.json<{ files: { ok: boolean; field: string; sha256After: string }[] }>().files;
    expect(files).toMatchObject([{ ok: true, field: '印章1' }]);
    expect(pdfsig(out, nss.nssdir)[0]).toMatchObject({ signatureValid: true, certificateTrusted: true, totalDocumentSigned: true });
    const register = openRegister(join(dataDir, 'register.sqlite'));
    try {
      const rows = register.usage.find({ status: 'ok' });
      expect(rows.at(-1)).toMatchObject({ sealId: 'SEAL-YJ-CLI-0001', operatorStaffId: 'S100', sha256After: files[0]?.sha256After, outputPath: out });
      expect(register.audit.verify().ok).toBe(true);
      // The PIN never reaches the register or the audit trail.
      expect(JSON.stringify(register.audit.list(1, 10_000))).not.toContain(PIN);
    } finally {
      register.close();
    }
  });

  // Issue #15: the CLI hashes its first input as the thread pool reads it, in 4 MiB chunks.
  // A file of several chunks and a tail: the SHA-256s the register and the JSON name are the
  // file's and the sealed file's, and pdfsig finds the signed ranges' digest right.
  it('a 10 MB file read and hashed in chunks: sha256Before is the input\'s, sha256After the output\'s, pdfsig valid', async () => {
    const big = Buffer.from(syntheticPdf(100));
    expect(big.length).toBeGreaterThan(2 * 4 * 1024 * 1024);
    const input = join(dir, 'big.pdf');
    writeFileSync(input, big);
    const out = join(dir, 'big-sealed.pdf');
    const run = await runYinjian(['stamp', input, '--out', out, ...base('集团办公室')], { env: hsm.env, stdin: `${PIN}\n` });
    expect(run.code, run.stderr).toBe(0);
    const file = run.json<{ files: { sha256Before: string; sha256After: string }[] }>().files[0];
    const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    expect(file?.sha256Before).toBe(sha256(big));
    const sealed = readFileSync(out);
    expect(file?.sha256After).toBe(sha256(sealed));
    expect(sealed.subarray(0, big.length).equals(big)).toBe(true);
    expect(pdfsig(out, nss.nssdir)[0]).toMatchObject({ signatureValid: true, totalDocumentSigned: true });
  }, 60_000);

  // The first input is read ahead before the key is opened (issue #15): when that read fails
  // (a missing file, a folder), the batch reads it again and reports it; the next file seals.
  it('a first input that cannot be read (missing, a folder) is reported not begun; the next file is sealed', async () => {
    for (const [label, first] of [['missing', join(dir, 'absent.pdf')], ['folder', dir]] as const) {
      const outDir = join(dir, `unreadable-${label}`);
      mkdirSync(outDir);
      const run = await runYinjian(['stamp', first, noticePath, '--out-dir', outDir, ...base('集团办公室')], { env: hsm.env, stdin: `${PIN}\n` });
      expect(run.code, label).toBe(2);
      const files = run.json<{ files: { ok: boolean; begun?: boolean; error?: { code: string } }[] }>().files;
      expect(files[0], label).toMatchObject({ ok: false, begun: false, error: { code: 'FILE_NOT_READABLE' } });
      expect(files[1]?.ok, label).toBe(true);
      expect(existsSync(join(outDir, '通知.pdf')), label).toBe(true);
    }
  }, 60_000);

  it('batch: one PIN entry, each file gated and recorded on its own (a notice sealed, a power of attorney refused)', async () => {
    const outDir = join(dir, 'batch');
    mkdirSync(outDir);
    const run = await runYinjian(['stamp', noticePath, contractPath, '--out-dir', outDir, ...base('集团办公室')], { env: hsm.env, stdin: `${PIN}\n` });
    expect(run.code, run.stderr).toBe(1);
    const files = run.json<{ files: { ok: boolean; error?: { code: string } }[] }>().files;
    expect(files[0]?.ok).toBe(true);
    expect(files[1]).toMatchObject({ ok: false, error: { code: 'DOCUMENT_CONTENT_FORBIDDEN' } });
    expect(existsSync(join(outDir, '通知.pdf'))).toBe(true);
    expect(existsSync(join(outDir, '合同.pdf'))).toBe(false);
    const register = openRegister(join(dataDir, 'register.sqlite'));
    try {
      expect(register.usage.find({ status: 'failed' }).at(-1)).toMatchObject({ errorCode: 'DOCUMENT_CONTENT_FORBIDDEN' });
    } finally {
      register.close();
    }
  });

  it('M4: a key still on its initial PIN cannot seal', async () => {
    const out = join(dir, 'initial.pdf');
    const run = await runYinjian(['stamp', noticePath, '--out', out, ...base('集团工会', 'S101')], { env: hsm.env, stdin: `${INITIAL_PIN}\n` });
    expect(run.code).toBe(1);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('INITIAL_PIN_MUST_CHANGE');
    expect(existsSync(out)).toBe(false);
  });

  it('a wrong PIN, a missing approval and an output over the input are refused without output', async () => {
    const wrong = await runYinjian(['stamp', noticePath, '--out', join(dir, 'w.pdf'), ...base('集团办公室')], { env: hsm.env, stdin: 'Wrong#999\n' });
    expect(wrong.json<{ error: { code: string } }>().error.code).toBe('PIN_INCORRECT');
    const noApprover = await runYinjian(['stamp', noticePath, '--out', join(dir, 'a.pdf'), ...base('集团办公室').filter((a, i, all) => a !== '--approver' && all[i - 1] !== '--approver')], { env: hsm.env, stdin: `${PIN}\n` });
    expect(noApprover.code).toBe(2);
    const overInput = await runYinjian(['stamp', noticePath, '--out', noticePath, ...base('集团办公室')], { env: hsm.env, stdin: `${PIN}\n` });
    expect(overInput.json<{ error: { code: string } }>().error.code).toBe('STAMP_OUTPUT_IS_INPUT');
    for (const f of ['w.pdf', 'a.pdf']) expect(existsSync(join(dir, f))).toBe(false);
  });
});

/**
 * The office console's PIN-carrying channels (S2–S5 issue/re-issue, publish) and the usage
 * register's PDF export, through the handler table (schema parse, dispatch, error mapping) on
 * real SoftHSM2 tokens and a real SQLite register: the group CA is set up by OfficeService on
 * an office token, seals are issued and re-issued onto other tokens through `office.issue` /
 * `office.reissue`, the CRL of `office.publish` is checked by `openssl crl -verify` against the
 * published root, and the PDF by pdftotext / pdffonts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOf } from '../../../src/shared/ipc/contract';
import { OfficeService } from '../../../src/main/core/office/index';
import type { Actor } from '../../../src/main/core/register/index';
import { openRegister, type SealRegister } from '../../../src/main/infra/db/index';
import { shippedFontImpressions } from '../../../src/main/infra/office/index';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import { createOfficeFrontDoor } from '../../../src/main/app/office';
import { provisionSoftHsm, SOFTHSM_MODULE, type SoftHsmFixture } from '../../helpers/softhsm';

const CA = { label: '总裁办CA', soPin: '87654321', pin: '20240701' };
const SEAL = { label: '财务部印章', soPin: '13572468', pin: '11223344' };
const SPARE = { label: '备用印章Key', soPin: '24681357', pin: '55667788' };
const UNTOUCHED = { label: '未动的Key', soPin: '11112222', pin: '33334444' };
const OFFICER: Actor = { name: '王秘书', staffId: 'P0001', office: true };
const WORKSTATION = 'WS-CAIWU-01';

const bytes = (text: string): number[] => Array.from(Buffer.from(text, 'utf8'));
const zeroed = (pin: number[]): boolean => pin.length > 0 && pin.every((b) => b === 0);

let softhsm: SoftHsmFixture;
let port: Pkcs11UsbKeyPort;
let register: SealRegister;
let dir: string;
let handlers: HandlerTable;
let issued: { sealId: string; sealCode: string; certificateSerial: string; tokenSerial: string };

function issueRequest(overrides: Partial<RequestOf<'office.issue'>> = {}): RequestOf<'office.issue'> {
  return {
    caToken: CA.label,
    token: SEAL.label,
    unitName: '华夏建设集团财务部',
    unitKind: 'department',
    sealName: '财务专用章',
    sealCode: '1101000000001',
    custodianName: '张敏',
    custodianStaffId: 'E1024',
    workstationId: WORKSTATION,
    approval: { reference: '集团批〔2025〕12号', approver: '李总裁' },
    keyType: 'p256',
    caPin: bytes(CA.pin),
    soPin: bytes(SEAL.soPin),
    initialUserPin: bytes('135790'),
    ...overrides,
  };
}

beforeAll(async () => {
  softhsm = provisionSoftHsm();
  // SoftHSM2 reads its slots at C_Initialize: every token exists before the module loads.
  for (const token of [CA, SEAL, SPARE, UNTOUCHED]) softhsm.createToken({ label: token.label, soPin: token.soPin, userPin: token.pin });
  port = new Pkcs11UsbKeyPort(Pkcs11Library.load(SOFTHSM_MODULE));
  dir = mkdtempSync(join(tmpdir(), 'yinjian-ipc-office-'));
  register = openRegister(join(dir, 'register.sqlite'));
  await new OfficeService({ keys: port, register, impressions: shippedFontImpressions() }).initCa(
    { token: CA.label, groupName: '华夏建设集团', keyType: 'p256' },
    Buffer.from(CA.pin),
    OFFICER,
  );
  handlers = createHandlers({
    usbKeys: () => {
      throw new Error('not used');
    },
    workstationCode: () => 'OFFICE-PC',
    register: () => register,
    exportFolder: () => dir,
    office: createOfficeFrontDoor({ register: () => register, keys: () => port, actor: () => OFFICER, reportFolder: () => dir }),
  });
}, 300_000);

afterAll(() => {
  register?.close();
  port?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  softhsm?.cleanup();
});

describe('office.issue (S2, M4)', () => {
  it('refuses a missing approval with APPROVAL_REQUIRED before any key or register row is touched, and zeroes the PINs', async () => {
    const sealsBefore = register.seals.list().length;
    const auditBefore = register.audit.head()?.seq;
    const refused = await dispatch(handlers, 'office.issue', issueRequest({ token: UNTOUCHED.label, approval: { reference: '', approver: '' } }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'APPROVAL_REQUIRED' } });
    // The same refusal through the table: the request's PIN arrays are zeroed on failure too.
    const request = issueRequest({ token: UNTOUCHED.label, approval: { reference: ' ', approver: '李总裁' }, soPin: bytes(UNTOUCHED.soPin) });
    await expect(handlers['office.issue'](request)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
    expect([request.caPin, request.soPin, request.initialUserPin].map(zeroed)).toEqual([true, true, true]);
    expect(register.seals.list()).toHaveLength(sealsBefore);
    expect(register.audit.head()?.seq).toBe(auditBefore);
    // The key was not initialised: its old user PIN still opens it and it has no first-use marker.
    const key = port.findKey(UNTOUCHED.label);
    expect(await port.hasFirstUseMarker(key.serial)).toBe(false);
    const session = await port.openSession(key.serial, Buffer.from(UNTOUCHED.pin));
    expect(await session.listKeyPairs()).toHaveLength(0);
    await session.close();
  }, 60_000);

  it('issues the seal: ACTIVE in the register, key with the first-use marker, PIN arrays zeroed', async () => {
    const request = issueRequest();
    const result = await handlers['office.issue'](request);
    expect([request.caPin, request.soPin, request.initialUserPin].map(zeroed)).toEqual([true, true, true]);
    expect(result).toMatchObject({ sealCode: '1101000000001', sealName: '财务专用章', state: 'ACTIVE', tokenLabel: SEAL.label });
    const seal = register.seals.get(result.sealId);
    expect(seal?.state).toBe('ACTIVE');
    expect(seal?.workstationId).toBe(WORKSTATION);
    expect(seal?.certificate.serial).toBe(result.certificateSerial);
    expect(seal?.certificate.tokenSerial).toBe(result.tokenSerial);
    expect(await port.hasFirstUseMarker(result.tokenSerial)).toBe(true);
    // The initial PIN the office set opens the key and finds the seal's key pair.
    const session = await port.openSession(result.tokenSerial, Buffer.from('135790'));
    expect(await session.listKeyPairs()).toHaveLength(1);
    await session.close();
    expect(register.audit.verify().ok).toBe(true);
    issued = result;
  }, 120_000);

  it('a second issue of the same code is refused (SEAL_CODE_IN_USE) through dispatch', async () => {
    const refused = await dispatch(handlers, 'office.issue', issueRequest({ token: SPARE.label, soPin: bytes(SPARE.soPin) }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'SEAL_CODE_IN_USE' } });
  });

  it('the window lists a seal’s delegations and ends one early (M3, issue #14)', async () => {
    const approvalOf = { reference: '集团批〔2025〕20号', approver: '李总裁' };
    const delegated = await dispatch(handlers, 'office.delegate', {
      sealId: issued.sealId,
      proxyStaffId: 'S200',
      proxyName: '赵代理',
      approverName: '李总裁',
      approverStaffId: 'GM01',
      reason: '出差',
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(delegated, JSON.stringify(delegated)).toMatchObject({ ok: true });
    const id = (delegated as { value: { delegationId: string } }).value.delegationId;
    const listed = await dispatch(handlers, 'office.delegations', { sealId: issued.sealId });
    expect(listed).toMatchObject({ ok: true, value: [{ id, proxyName: '赵代理', revokedAt: null }] });
    expect(await dispatch(handlers, 'office.revokeDelegation', { sealId: issued.sealId, delegationId: id })).toMatchObject({ ok: true });
    const after = (await dispatch(handlers, 'office.delegations', { sealId: issued.sealId })) as { value: { revokedAt: string | null }[] };
    expect(after.value[0]?.revokedAt).not.toBeNull();
    // A loss withdrawn without its loss report is refused by the same rule the CLI applies.
    expect(await dispatch(handlers, 'office.withdrawLoss', { sealId: issued.sealId, approval: approvalOf })).toMatchObject({ ok: false });
  });
});

describe('office.reissue and office.publish (S4, S5)', () => {
  it('re-issues onto the spare key and publishes a CRL that openssl verifies against the root', async () => {
    const reissue: RequestOf<'office.reissue'> = {
      sealId: issued.sealId,
      caToken: CA.label,
      token: SPARE.label,
      cause: 'damage',
      approval: { reference: '集团批〔2025〕30号', approver: '李总裁' },
      keyType: 'p256',
      caPin: bytes(CA.pin),
      soPin: bytes(SPARE.soPin),
      initialUserPin: bytes('246810'),
    };
    const reissued = await dispatch(handlers, 'office.reissue', reissue);
    expect(reissued).toMatchObject({ ok: true, value: { sealCode: issued.sealCode, state: 'ACTIVE' } });
    const value = (reissued as { ok: true; value: { certificateSerial: string; tokenSerial: string } }).value;
    expect(value.certificateSerial).not.toBe(issued.certificateSerial);
    expect(value.tokenSerial).toBe(port.findKey(SPARE.label).serial);

    const publish = { caToken: CA.label, caPin: bytes(CA.pin) };
    const published = await handlers['office.publish'](publish);
    expect(zeroed(publish.caPin)).toBe(true);
    expect(published.folder).toBe(dir);
    for (const path of [published.crl, published.snapshot, published.root]) expect(existsSync(path)).toBe(true);
    // No temp file of the atomic writes is left behind.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const verify = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', published.crl, '-CAfile', published.root, '-noout', '-verify', '-text'], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(`${verify.stdout}${verify.stderr}`).toContain('verify OK');
    // The superseded certificate of the first issuance is on the CRL.
    expect(verify.stdout.replace(/\s/g, '').toUpperCase()).toContain(issued.certificateSerial.toUpperCase().replace(/^0+/, ''));
    expect(published.revokedSerials.map((s) => s.toLowerCase())).toContain(issued.certificateSerial.toLowerCase());
  }, 180_000);

  it('a wrong CA PIN is refused with the key error, and the PIN array is zeroed', async () => {
    const publish = { caToken: CA.label, caPin: bytes('00000000') };
    await expect(handlers['office.publish'](publish)).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    expect(zeroed(publish.caPin)).toBe(true);
  }, 60_000);
});

describe('register.exportPdf (U3)', () => {
  it('writes the filtered usage register as a Chinese PDF with an embedded font subset', async () => {
    const sealId = issued.sealId;
    const request = register.useRequests.record(
      {
        id: 'UR-2025-0001',
        sealId,
        applicantStaffId: 'E2001',
        applicantName: '刘洋',
        approverName: '陈主任',
        approvalReference: '财审〔2025〕7号',
        documentTitle: '关于二〇二五年度预算调整的通知',
        documentType: 'internal-formal-document',
        purpose: '下发',
        approvedAt: new Date('2025-03-03T01:00:00Z'),
      },
      OFFICER,
    );
    const after = 'ab12cd34'.repeat(8);
    const base = {
      sealId,
      useRequestId: request.id,
      documentType: 'internal-formal-document',
      pages: 3,
      sha256Before: 'ee'.repeat(32),
      outputPath: null,
      workstationId: WORKSTATION,
      errorCode: null,
    };
    register.usage.record({ ...base, operatorStaffId: 'E1024', operatorName: '张敏', documentTitle: '关于二〇二五年度预算调整的通知', sha256After: after, at: new Date('2025-03-03T02:15:00Z'), status: 'ok' }, OFFICER);
    register.usage.record({ ...base, operatorStaffId: 'E3003', operatorName: '赵代', documentTitle: '另一份不应出现的函件', sha256After: 'cd'.repeat(32), at: new Date('2025-03-04T02:15:00Z'), status: 'ok' }, OFFICER);

    const result = await dispatch(handlers, 'register.exportPdf', { filter: { staffId: 'E1024' } });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const path = (result as { ok: true; value: { path: string } }).value.path;
    expect(path.startsWith(dir)).toBe(true);
    expect(path.endsWith('.pdf')).toBe(true);
    const text = execFileSync('/usr/bin/pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    for (const header of ['用印登记簿', '时间', '印章', '经办人', '文件标题', '类型', '批准文号', '页数', '状态', 'SHA-256（盖章后）']) expect(text).toContain(header);
    expect(text).toContain('2025-03-03 10:15'); // Beijing time
    expect(text).toContain('张敏');
    expect(text).toContain('财务专用章');
    expect(text).toContain('财审〔2025〕7号');
    expect(text).toContain('内部正式文件');
    expect(text).toContain('成功');
    expect(text).toContain('ab12cd34…ab12cd34');
    expect(text.replace(/\s/g, '')).toContain('关于二〇二五年度预算调整的通知');
    // The filter applies: the other operator's row is not in it.
    expect(text).not.toContain('赵代');
    const fonts = execFileSync('/usr/bin/pdffonts', [path], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim() !== '');
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) {
      expect(line).toMatch(/^[A-Z]{6}\+/);
      expect(line).toMatch(/\byes\s+yes\b/); // emb sub
    }
  }, 60_000);
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { type IssuancePins, type IssuedSeal, type ValidityChoice } from '../../core/office/index';
import { OfficeTasks, type Published, type PublishTarget } from '../../app/office';
import { officePublicationPoints, setOfficePublicationPoints } from '../../core/office/publication-points';
import type { SealKeyType } from '../../core/ports/usb-key';
import type { Actor, ApproverRole, Delegation, Seal, UnitKind } from '../../core/register/index';
import type { OptionSpecs, ParsedArgs } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { dateOptionHelp, type LocalTime } from '../local-time';
import { EXIT_REFUSED, table } from '../output';

/**
 * `yinjian office …`: the President's Office console (M1) on the command line. The register
 * is the one in the data folder; the CA key is on the office USB key (--ca-token).
 */

function text(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

function required(args: ParsedArgs, name: string): string {
  const value = text(args, name);
  if (value === undefined || value.trim() === '') throw new YinjianError('USAGE', { detail: `--${name} is required` });
  return value;
}

/** A date option, YYYY-MM-DD[ HH:MM] in local time (Beijing time by default). */
function date(context: CliContext, args: ParsedArgs, name: string): Date | undefined {
  const value = text(args, name);
  return value === undefined ? undefined : context.time().parse(`--${name}`, value);
}

function keyType(args: ParsedArgs): SealKeyType | undefined {
  const value = text(args, 'key');
  if (value === undefined) return undefined;
  if (value !== 'rsa2048' && value !== 'p256') throw new YinjianError('USAGE', { detail: '--key must be rsa2048 or p256' });
  return value;
}

function validityOf(context: CliContext, args: ParsedArgs): ValidityChoice {
  const validFrom = date(context, args, 'valid-from');
  const validTo = date(context, args, 'valid-to');
  return { ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}), rollout: args.options.rollout === true };
}

/** Office commands name the person at the console (M5); the console itself is the office (M1). */
function officeActor(context: CliContext, args: ParsedArgs): Actor {
  return { name: text(args, 'operator')?.trim() || context.actor().name, staffId: text(args, 'operator-id')?.trim() ?? '', office: true };
}

/** The office's use cases (src/main/app/office.ts), shared with the window's office console. */
export function officeTasksOf(context: CliContext): OfficeTasks {
  return new OfficeTasks({ register: () => context.register(), keys: () => context.usbKeyPort(), usbKeys: () => context.usbKeys() });
}

async function readPins(context: CliContext, prompts: readonly { zh: string; en: string; confirm?: boolean }[]): Promise<Buffer[]> {
  const source = context.pinSource();
  const pins: Buffer[] = [];
  try {
    for (const prompt of prompts) {
      const pin = await source.next(prompt);
      pins.push(pin);
      if (prompt.confirm && !context.options.pinStdin) {
        const again = await source.next({ zh: `再次输入${prompt.zh}`, en: `${prompt.en} again` });
        const same = again.equals(pin);
        again.fill(0);
        if (!same) throw new YinjianError('USAGE', { detail: 'the two PINs differ' });
      }
    }
    return pins;
  } catch (error) {
    for (const pin of pins) pin.fill(0);
    throw error;
  }
}

const CA_PIN = { zh: '总裁办根证书 USB Key 的 PIN', en: 'PIN of the office CA USB key' };

async function issuancePins(context: CliContext): Promise<IssuancePins> {
  const [caPin, soPin, initialUserPin] = await readPins(context, [
    CA_PIN,
    { zh: '印章 USB Key 的管理员 PIN (SO PIN)', en: 'SO PIN of the seal USB key' },
    { zh: '要设置的初始用户 PIN（交给印章管理人员）', en: 'Initial user PIN to set (handed to the custodian)', confirm: true },
  ]);
  return { caPin: caPin!, soPin: soPin!, initialUserPin: initialUserPin! };
}

const OPERATOR: OptionSpecs = {
  operator: { type: 'string', valueName: 'NAME', description: '经办人姓名（记入审计日志；默认系统用户）/ operator\'s name for the audit log (default: the OS user)' },
  'operator-id': { type: 'string', valueName: 'ID', description: '经办人工号 / operator\'s staff id' },
};

const APPLICATION: OptionSpecs = {
  application: { type: 'string', valueName: 'REF', description: '书面申请/批准文号（规定 S3）/ reference of the written application and approval (S3)' },
  approver: { type: 'string', valueName: 'NAME', description: '批准人 / who approved it' },
};

const SEAL_CODE: OptionSpecs = {
  'seal-code': { type: 'string', valueName: 'C', description: '印章编码（登记簿编号）/ the seal code (register number)' },
};

const NEW_KEY: OptionSpecs = {
  'ca-token': { type: 'string', valueName: 'L', description: '根证书所在的总裁办 USB Key（序列号或标签）/ the office USB key holding the CA' },
  token: { type: 'string', valueName: 'L', description: '写入印章密钥的 USB Key（将被清空并初始化）/ the USB key that receives the seal key (erased and initialised)' },
  'token-label': { type: 'string', valueName: 'LABEL', description: '初始化后的 Key 标签（默认保留原标签）/ label after initialisation (default: keep the current one)' },
  'valid-from': { type: 'string', valueName: 'DATE', description: dateOptionHelp('启用时间（默认现在；规定 E1）', 'start (default now; E1)') },
  'valid-to': { type: 'string', valueName: 'DATE', description: dateOptionHelp('截止时间（默认 5 年后）', 'end (default 5 years on)') },
  rollout: { type: 'boolean', description: '新启用：自下一个 7 月 1 日起生效（规定 E1）/ new rollout: valid from the next 1 July (E1)' },
  key: { type: 'string', valueName: 'rsa2048|p256', description: '密钥类型（默认 rsa2048）/ key type (default rsa2048)' },
};

const PIN_ORDER =
  '--pin-stdin 时按行读取：根证书 Key 的 PIN、印章 Key 的 SO PIN、要设置的初始用户 PIN。\n' +
  'With --pin-stdin, one PIN per line: the CA key\'s PIN, the seal key\'s SO PIN, the initial user PIN to set.\n' +
  'The seal key is erased (C_InitToken), gets a new key pair generated on it, its certificate, the CA certificate\n' +
  'and the first-use marker: its custodian must change the PIN before it can sign (rule M4).';

function sealLines(seal: Seal, time: LocalTime): string[] {
  return [
    `印章编码 Seal code:    ${seal.code}`,
    `印章名称 Seal name:    ${seal.name}`,
    `单位 Unit:             ${seal.unitId} (${seal.kind})`,
    `状态 State:            ${seal.state}`,
    `管理人员 Custodian:    ${seal.custodianStaffId}`,
    `专用计算机 Workstation: ${seal.workstationId ?? '-'}`,
    `证书序列号 Serial:     ${seal.certificate.serial}`,
    `有效期 Validity:       ${time.format(seal.certificate.validFrom)} – ${time.format(seal.certificate.validTo)}`,
    `密钥盘 USB key:        ${seal.certificate.tokenSerial}`,
  ];
}

function sealJson(seal: Seal): Record<string, unknown> {
  return {
    id: seal.id,
    code: seal.code,
    name: seal.name,
    unit: seal.unitId,
    kind: seal.kind,
    state: seal.state,
    custodianStaffId: seal.custodianStaffId,
    workstationId: seal.workstationId,
    certificateSerial: seal.certificate.serial,
    validFrom: seal.certificate.validFrom.toISOString(),
    validTo: seal.certificate.validTo.toISOString(),
    tokenSerial: seal.certificate.tokenSerial,
    approval: seal.approval,
  };
}

function issuedOutput(verb: { zh: string; en: string }, issued: IssuedSeal, time: LocalTime): { json: Record<string, unknown>; text: string } {
  return {
    json: { seal: sealJson(issued.seal), token: { serial: issued.token.serial, label: issued.token.label }, certificateSha256: issued.certificate.sha256Fingerprint },
    text: [
      `${verb.zh} / ${verb.en}`,
      ...sealLines(issued.seal, time),
      `USB Key ${issued.token.label} (${issued.token.serial}): 初始 PIN 须在首次使用时修改（规定 M4）/ the initial PIN must be changed at first use (rule M4):`,
      `  yinjian token change-pin --token ${issued.token.serial}`,
    ].join('\n'),
  };
}

export const officeInitCa: Command = {
  options: {
    token: { type: 'string', valueName: 'L', description: '总裁办 USB Key（序列号或标签）/ the office USB key' },
    name: { type: 'string', valueName: 'GROUP', description: '集团名称（证书 O=）/ the group\'s name (O=)' },
    'common-name': { type: 'string', valueName: 'CN', description: '根证书名称（默认 GROUP电子印章根证书）/ CA common name' },
    years: { type: 'string', valueName: 'N', description: '有效年限，20–50（默认 25）/ validity in years, 20-50 (default 25)' },
    key: { type: 'string', valueName: 'rsa2048|p256', description: '密钥类型（默认 rsa2048）/ key type (default rsa2048)' },
    adopt: { type: 'boolean', description: '沿用 Key 上已有的根证书和密钥 / adopt the CA key and certificate already on the key' },
    ...OPERATOR,
  },
  details:
    'PIN：总裁办 USB Key 的用户 PIN（--pin-stdin 时一行）。\nPIN: the office USB key\'s user PIN (one line with --pin-stdin).\n' +
    'The CA key pair is generated on the key (sensitive, non-extractable); the root certificate is self-signed and stored beside it.',
  examples: [
    { line: 'yinjian office init-ca --token 总裁办根证书 --name 示例集团', zh: '在总裁办 USB Key 上建立根证书', en: 'create the group CA on the office USB key' },
  ],
  async run(context, args) {
    const token = required(args, 'token');
    const yearsText = text(args, 'years');
    const years = yearsText === undefined ? undefined : Number(yearsText);
    const adopt = args.options.adopt === true;
    const name = adopt ? text(args, 'name') : required(args, 'name');
    const actor = officeActor(context, args);
    const kt = keyType(args);
    const commonName = text(args, 'common-name');
    const ca = await officeTasksOf(context).initCa(
      { token, ...(name !== undefined ? { groupName: name } : {}), ...(commonName ? { commonName } : {}), ...(years !== undefined ? { years } : {}), ...(kt ? { keyType: kt } : {}), adopt },
      async () => (await readPins(context, [CA_PIN]))[0]!,
      actor,
    );
    const c = ca.certificate;
    return {
      json: { ca: { groupName: ca.groupName, subject: c.subject.text, serial: c.serialHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), sha256: c.sha256Fingerprint, tokenSerial: ca.tokenSerial, adopted: ca.adopted } },
      text: [
        `${ca.adopted ? '已沿用集团印章根证书 / Group seal CA adopted' : '已建立集团印章根证书 / Group seal CA created'}`,
        `主题 Subject:     ${c.subject.text}`,
        `有效期 Validity:  ${context.time().format(c.notBefore)} – ${context.time().format(c.notAfter)}`,
        `SHA-256:          ${c.sha256Fingerprint}`,
        `USB Key:          ${ca.tokenSerial}`,
      ].join('\n'),
    };
  },
};

export const officeIssue: Command = {
  options: {
    ...NEW_KEY,
    unit: { type: 'string', valueName: 'U', description: '单位名称（证书 OU=）/ the unit (OU=)' },
    'unit-kind': { type: 'string', valueName: 'company|department', description: '集团所属公司或集团部门 / a company or a department of the group' },
    'seal-name': { type: 'string', valueName: 'N', description: '印章名称（证书 CN=）/ the seal\'s name (CN=)' },
    ...SEAL_CODE,
    custodian: { type: 'string', valueName: 'NAME', description: '印章管理人员姓名（规定 M2）/ the custodian\'s name (M2)' },
    'staff-id': { type: 'string', valueName: 'ID', description: '印章管理人员工号 / the custodian\'s staff id' },
    workstation: { type: 'string', valueName: 'WS', description: '专用计算机标识（目标电脑上 yinjian workstation id 的输出；规定 M4）/ workstation id from `yinjian workstation id` on the target computer (M4)' },
    approval: { type: 'string', valueName: 'REF', description: '集团批准文号（规定 S2，必填）/ the group\'s approval reference (S2, required)' },
    approver: { type: 'string', valueName: 'NAME', description: '批准人（必填）/ who approved it (required)' },
    ...OPERATOR,
  },
  details: PIN_ORDER,
  examples: [
    { line: 'yinjian office issue --ca-token 总裁办根证书 --token 行政部印章 --unit 行政部 --unit-kind department --seal-name 行政部电子印章 --seal-code YJ-001 --custodian 张三 --staff-id S100 --workstation ABCD-EFGH-JKLM-NPQR --approval JT-2027-01 --approver 王总 --valid-from 2027-07-01', zh: '制发部门印章，7 月 1 日起生效（北京时间）', en: 'issue a department seal valid from 1 July (Beijing time)' },
  ],
  async run(context, args) {
    const kind = required(args, 'unit-kind');
    if (kind !== 'company' && kind !== 'department') throw new YinjianError('USAGE', { detail: '--unit-kind must be company or department' });
    const tokenLabel = text(args, 'token-label');
    const kt = keyType(args);
    const request = {
      caToken: required(args, 'ca-token'),
      token: required(args, 'token'),
      ...(tokenLabel ? { tokenLabel } : {}),
      unitName: required(args, 'unit'),
      unitKind: kind as UnitKind,
      sealName: required(args, 'seal-name'),
      sealCode: required(args, 'seal-code'),
      custodianName: required(args, 'custodian'),
      custodianStaffId: required(args, 'staff-id'),
      workstationId: required(args, 'workstation'),
      // S2: passed through even when missing, so the refusal is the rule's own APPROVAL_REQUIRED.
      approval: { reference: text(args, 'approval') ?? '', approver: text(args, 'approver') ?? '' },
      ...(kt ? { keyType: kt } : {}),
      ...validityOf(context, args),
    };
    // Refusals that need no PIN come first (S2, the register's rules, SEAL_KEY_IN_USE), inside
    // the task; reading the PINs first would make the custodian type three PINs for nothing.
    const issued = await officeTasksOf(context).issue(request, () => issuancePins(context), officeActor(context, args));
    return issuedOutput({ zh: '印章已制发', en: 'Seal issued' }, issued, context.time());
  },
};

function approvalOf(args: ParsedArgs): { reference: string; approver: string } {
  return { reference: text(args, 'application') ?? '', approver: text(args, 'approver') ?? '' };
}

export const officeChange: Command = {
  options: {
    ...NEW_KEY,
    ...SEAL_CODE,
    ...APPLICATION,
    'seal-name': { type: 'string', valueName: 'N', description: '新印章名称 / new seal name' },
    custodian: { type: 'string', valueName: 'NAME', description: '新印章管理人员姓名 / new custodian\'s name' },
    'staff-id': { type: 'string', valueName: 'ID', description: '新印章管理人员工号 / new custodian\'s staff id' },
    workstation: { type: 'string', valueName: 'WS', description: '新专用计算机标识 / new workstation id' },
    ...OPERATOR,
  },
  details: PIN_ORDER,
  async run(context, args) {
    const office = officeTasksOf(context);
    const actor = officeActor(context, args);
    const tokenLabel = text(args, 'token-label');
    const kt = keyType(args);
    const optional = (name: string): string | undefined => text(args, name)?.trim() || undefined;
    const sealName = optional('seal-name');
    const custodianName = optional('custodian');
    const custodianStaffId = optional('staff-id');
    const workstationId = optional('workstation');
    const request = {
      caToken: required(args, 'ca-token'),
      token: required(args, 'token'),
      sealCode: required(args, 'seal-code'),
      approval: approvalOf(args),
      ...(tokenLabel ? { tokenLabel } : {}),
      ...(kt ? { keyType: kt } : {}),
      ...(sealName ? { sealName } : {}),
      ...(custodianName ? { custodianName } : {}),
      ...(custodianStaffId ? { custodianStaffId } : {}),
      ...(workstationId ? { workstationId } : {}),
      ...validityOf(context, args),
    };
    const issued = await office.change(request, () => issuancePins(context), actor);
    return issuedOutput({ zh: '印章已变更', en: 'Seal changed' }, issued, context.time());
  },
};

export const officeReissue: Command = {
  options: {
    ...NEW_KEY,
    ...SEAL_CODE,
    ...APPLICATION,
    cause: { type: 'string', valueName: 'damage|loss', description: '补办原因：损坏或丢失（默认 damage）/ why: damage or loss (default damage)' },
    ...OPERATOR,
  },
  details: PIN_ORDER,
  async run(context, args) {
    const cause = text(args, 'cause') ?? 'damage';
    if (cause !== 'damage' && cause !== 'loss') throw new YinjianError('USAGE', { detail: '--cause must be damage or loss' });
    const office = officeTasksOf(context);
    const actor = officeActor(context, args);
    const tokenLabel = text(args, 'token-label');
    const kt = keyType(args);
    const request = {
      caToken: required(args, 'ca-token'),
      token: required(args, 'token'),
      sealCode: required(args, 'seal-code'),
      approval: approvalOf(args),
      cause: cause as 'damage' | 'loss',
      ...(tokenLabel ? { tokenLabel } : {}),
      ...(kt ? { keyType: kt } : {}),
      ...validityOf(context, args),
    };
    const issued = await office.reissue(request, () => issuancePins(context), actor);
    return issuedOutput({ zh: '印章已补办', en: 'Seal re-issued' }, issued, context.time());
  },
};

/**
 * `--ca-token L --out DIR` on cancel and report-loss publishes the CRL and the register
 * snapshot right after the change, so a revocation reaches workstations and verifiers at
 * once (S3, S5) instead of waiting for the next `office publish`.
 */
const PUBLISH_AT_ONCE = {
  'ca-token': { type: 'string', valueName: 'L', description: '同时立即发布：根证书所在的总裁办 USB Key（需 --out）/ publish at once: the office USB key holding the CA (needs --out)' },
  out: { type: 'string', short: 'o', valueName: 'DIR', description: '立即发布的输出目录 / output folder of the immediate publication' },
} as const;

function publishAtOnceRequested(args: ParsedArgs): PublishTarget | undefined {
  const caToken = text(args, 'ca-token');
  const out = text(args, 'out');
  if (caToken === undefined && out === undefined) return undefined;
  if (caToken === undefined || out === undefined) throw new YinjianError('USAGE', { detail: '--ca-token and --out go together' });
  return { caToken, folder: resolve(out) };
}

function publishedLine(published: Published): { json: Record<string, unknown>; line: string } {
  const { publication, files } = published;
  return {
    json: { published: { sequence: publication.sequence, files, revokedSerials: publication.revokedSerials } },
    line: `已立即发布第 ${publication.sequence} 号登记簿快照和 CRL / Published snapshot ${publication.sequence} and the CRL at once: ${files.crl}`,
  };
}

export const officeCancel: Command = {
  options: {
    ...SEAL_CODE,
    ...APPLICATION,
    token: { type: 'string', valueName: 'L', description: '交回的印章 USB Key（可选；需其用户 PIN）/ the returned seal USB key (optional; needs its user PIN)' },
    ...PUBLISH_AT_ONCE,
    ...OPERATOR,
  },
  details:
    'With --token, one PIN is read: the returned key\'s current user PIN. With --ca-token and --out, the CRL and snapshot are\n' +
    'published right away; its PIN (the office CA key\'s) is read next. A cancelled seal can never sign or be re-activated again.',
  async run(context, args) {
    const actor = officeActor(context, args);
    const sealCode = required(args, 'seal-code');
    const approval = approvalOf(args);
    const token = text(args, 'token');
    const publish = publishAtOnceRequested(args);
    // The PINs are read only after the PIN-free checks (approval, the seal's state) passed.
    const readCancelPins = async (): Promise<{ sealPin?: Buffer; caPin?: Buffer }> => {
      const prompts = [...(token === undefined ? [] : [{ zh: '交回的印章 Key 的用户 PIN', en: 'User PIN of the returned seal key' }]), ...(publish ? [CA_PIN] : [])];
      const pins = await readPins(context, prompts);
      return { ...(token !== undefined ? { sealPin: pins[0]! } : {}), ...(publish ? { caPin: pins[pins.length - 1]! } : {}) };
    };
    const result = await officeTasksOf(context).cancel({ sealCode, approval, ...(token !== undefined ? { token } : {}), ...(publish ? { publishTo: publish } : {}) }, readCancelPins, actor);
    const published = result.published ? publishedLine(result.published) : undefined;
    return {
      json: { seal: sealJson(result.seal), destroyedObjects: result.destroyedObjects, ...(published?.json ?? {}) },
      text: [
        '印章已注销 / Seal cancelled',
        ...sealLines(result.seal, context.time()),
        token === undefined ? '未交回 USB Key：密钥未销毁 / No key presented: key objects not destroyed' : `已销毁 Key 上的对象 / Objects destroyed on the key: ${result.destroyedObjects}`,
        ...(published ? [published.line] : []),
      ].join('\n'),
    };
  },
};

export const officeReportLoss: Command = {
  options: {
    ...SEAL_CODE,
    ...APPLICATION,
    'lost-at': { type: 'string', valueName: 'DATE', description: dateOptionHelp('丢失时间（默认现在）', 'when the key was lost (default now)') },
    ...PUBLISH_AT_ONCE,
    ...OPERATOR,
  },
  details: 'With --ca-token and --out, the CRL and snapshot are published right away (one PIN: the office CA key\'s), so verifiers learn of the loss at once.',
  examples: [
    { line: 'yinjian office report-loss --seal-code YJ-001 --application GS-2027-09 --approver 王总 --lost-at "2027-08-03 14:30"', zh: '登记挂失，丢失时间为北京时间 8 月 3 日 14:30', en: 'report a loss at 14:30 on 3 August, Beijing time' },
  ],
  async run(context, args) {
    const lostAt = date(context, args, 'lost-at');
    const actor = officeActor(context, args);
    const publish = publishAtOnceRequested(args);
    const result = await officeTasksOf(context).reportLoss(
      { sealCode: required(args, 'seal-code'), approval: approvalOf(args), ...(lostAt ? { lostAt } : {}), ...(publish ? { publishTo: publish } : {}) },
      async () => (await readPins(context, [CA_PIN]))[0]!,
      actor,
    );
    const seal = result.seal;
    const published = result.published ? publishedLine(result.published) : undefined;
    return {
      json: { seal: sealJson(seal), ...(published?.json ?? {}) },
      text: ['印章已挂失 / Seal reported lost', ...sealLines(seal, context.time()), ...(published ? [published.line] : [])].join('\n'),
    };
  },
};

function lossDecision(event: 'confirm' | 'withdraw'): Command {
  return {
    options: { ...SEAL_CODE, ...APPLICATION, ...OPERATOR },
    async run(context, args) {
      const office = officeTasksOf(context);
      const request = { sealCode: required(args, 'seal-code'), approval: approvalOf(args) };
      const actor = officeActor(context, args);
      const seal = event === 'confirm' ? office.confirmLoss(request, actor) : office.withdrawLoss(request, actor);
      return { json: { seal: sealJson(seal) }, text: [event === 'confirm' ? '挂失已确认 / Loss confirmed' : '挂失已撤销 / Loss withdrawn', ...sealLines(seal, context.time())].join('\n') };
    },
  };
}

export const officeConfirmLoss = lossDecision('confirm');
export const officeWithdrawLoss = lossDecision('withdraw');

/**
 * --approver-role takes the register's roles spelt as flags are (general-manager,
 * department-head); the register's own spelling is accepted too. Text output and errors use
 * the flag's spelling, --json the register's.
 */
const ROLE_OF: Readonly<Record<string, ApproverRole>> = {
  'general-manager': 'general_manager',
  'department-head': 'department_head',
  general_manager: 'general_manager',
  department_head: 'department_head',
};
const ROLE_FLAG: Readonly<Record<ApproverRole, string>> = { general_manager: 'general-manager', department_head: 'department-head' };

/** An approver-role refusal names the roles as the flag spells them. */
function withFlagRoles(error: unknown): unknown {
  if (!(error instanceof YinjianError) || error.code !== 'APPROVER_ROLE_MISMATCH') return error;
  const params = error.params ?? {};
  const flag = (value: unknown): string | undefined => (typeof value === 'string' ? (ROLE_FLAG[value as ApproverRole] ?? value) : undefined);
  return new YinjianError('APPROVER_ROLE_MISMATCH', { ...params, required: flag(params.required), given: flag(params.given) }, { cause: error });
}

export const officeDelegate: Command = {
  options: {
    ...SEAL_CODE,
    proxy: { type: 'string', valueName: 'NAME', description: '代理人姓名 / the proxy\'s name' },
    'proxy-staff-id': { type: 'string', valueName: 'ID', description: '代理人工号 / the proxy\'s staff id' },
    approver: { type: 'string', valueName: 'NAME', description: '批准人姓名 / the approver\'s name' },
    'approver-staff-id': { type: 'string', valueName: 'ID', description: '批准人工号 / the approver\'s staff id' },
    'approver-role': {
      type: 'string',
      valueName: 'general-manager|department-head',
      description: '公司印章须总经理批准，部门印章须部门负责人批准 / general manager for a company seal, department head for a department seal',
    },
    reason: { type: 'string', valueName: 'TEXT', description: '事由 / the reason' },
    from: { type: 'string', valueName: 'DATE', description: dateOptionHelp('开始（含）', 'start (inclusive)') },
    to: { type: 'string', valueName: 'DATE', description: dateOptionHelp('结束（不含；只写日期即该日 00:00）', 'end (exclusive; a date alone means 00:00 that day)') },
    ...OPERATOR,
  },
  examples: [
    { line: 'yinjian office delegate --seal-code YJ-001 --proxy 李四 --proxy-staff-id S200 --approver 赵主任 --approver-staff-id S010 --approver-role department-head --reason 出差 --from 2027-08-01 --to "2027-08-15 18:00"', zh: '登记代理：8 月 1 日 0 点起，至 8 月 15 日 18:00 止', en: 'record a proxy from 1 August 00:00 until 15 August 18:00' },
  ],
  async run(context, args) {
    const role = ROLE_OF[required(args, 'approver-role')];
    if (role === undefined) throw new YinjianError('USAGE', { detail: '--approver-role must be general-manager or department-head' });
    const office = officeTasksOf(context);
    const time = context.time();
    let delegation: Delegation;
    try {
      delegation = office.delegate(
        {
          sealCode: required(args, 'seal-code'),
          proxyName: required(args, 'proxy'),
          proxyStaffId: required(args, 'proxy-staff-id'),
          approverName: required(args, 'approver'),
          approverStaffId: required(args, 'approver-staff-id'),
          approverRole: role,
          reason: required(args, 'reason'),
          startsAt: time.parse('--from', required(args, 'from')),
          endsAt: time.parse('--to', required(args, 'to')),
        },
        officeActor(context, args),
      );
    } catch (error) {
      throw withFlagRoles(error);
    }
    return {
      json: { delegation: { ...delegation, startsAt: delegation.startsAt.toISOString(), endsAt: delegation.endsAt.toISOString(), createdAt: delegation.createdAt.toISOString() } },
      text: `代理已登记 / Delegation recorded: ${delegation.proxyName} (${delegation.proxyStaffId}) ${time.format(delegation.startsAt)} – ${time.format(delegation.endsAt)}\n编号 Id: ${delegation.id}`,
    };
  },
};

function delegationJson(d: Delegation): Record<string, unknown> {
  return { ...d, startsAt: d.startsAt.toISOString(), endsAt: d.endsAt.toISOString(), createdAt: d.createdAt.toISOString(), revokedAt: d.revokedAt?.toISOString() ?? null };
}

export const officeDelegations: Command = {
  options: { ...SEAL_CODE },
  examples: [
    { line: 'yinjian office delegations --seal-code YJ-001', zh: '列出某印章的代理登记', en: 'list a seal\'s delegations' },
  ],
  async run(context, args) {
    const list = officeTasksOf(context).delegations(required(args, 'seal-code'));
    const time = context.time();
    return {
      json: { delegations: list.map(delegationJson) },
      text: list.length
        ? table(
            ['编号 Id', '代理人 Proxy', '批准人 Approver', '开始 From', '结束 To', '撤销 Revoked'],
            list.map((d) => [d.id, `${d.proxyName} (${d.proxyStaffId})`, `${d.approverName} (${ROLE_FLAG[d.approverRole]})`, time.format(d.startsAt), time.format(d.endsAt), d.revokedAt ? time.format(d.revokedAt) : '—']),
          )
        : `印章 ${required(args, 'seal-code')} 没有代理登记（登记簿 ${context.dataDir}）/ No delegations for seal ${required(args, 'seal-code')} in the register in ${context.dataDir}`,
    };
  },
};

export const officeRevokeDelegation: Command = {
  options: {
    ...SEAL_CODE,
    delegation: { type: 'string', valueName: 'ID', description: '代理编号（见 office delegations）/ the delegation\'s id (see office delegations)' },
    ...OPERATOR,
  },
  async run(context, args) {
    const revoked = officeTasksOf(context).revokeDelegation(required(args, 'seal-code'), required(args, 'delegation'), officeActor(context, args));
    return {
      json: { delegation: delegationJson(revoked) },
      text: `代理已撤销 / Delegation revoked: ${revoked.proxyName} (${revoked.proxyStaffId}) ${revoked.revokedAt ? context.time().format(revoked.revokedAt) : ''}`,
    };
  },
};

export const officeMayUse: Command = {
  options: {
    ...SEAL_CODE,
    'staff-id': { type: 'string', valueName: 'ID', description: '工号 / staff id' },
    name: { type: 'string', valueName: 'NAME', description: '姓名 / name' },
    at: { type: 'string', valueName: 'DATE', description: dateOptionHelp('时间（默认现在）', 'time (default now)') },
  },
  examples: [
    { line: 'yinjian office may-use --seal-code YJ-001 --staff-id S200 --at "2027-08-02 10:00"', zh: '某人某时能否用印', en: 'may this person use the seal at that time' },
  ],
  async run(context, args) {
    const at = date(context, args, 'at') ?? new Date();
    const staffId = required(args, 'staff-id');
    const decision = officeTasksOf(context).mayUse(required(args, 'seal-code'), { staffId, name: text(args, 'name') ?? '' }, at);
    if (decision.allowed) {
      return {
        json: { allowed: true, capacity: decision.capacity, at: at.toISOString() },
        text: `可以使用 / Allowed (${decision.capacity === 'custodian' ? '印章管理人员 custodian' : `代理 proxy, ${decision.delegationId}`})`,
      };
    }
    const error = new YinjianError(decision.code, decision.params);
    return { json: { allowed: false, at: at.toISOString(), refusal: error.toPayload() }, text: `不可使用 / Not allowed: ${error.zh} / ${error.en}`, exitCode: EXIT_REFUSED };
  },
};

export const officeList: Command = {
  options: {},
  examples: [
    { line: 'yinjian office list', zh: '列出登记簿中的印章', en: 'list the seals in the register' },
  ],
  async run(context) {
    const seals = officeTasksOf(context).seals();
    return {
      json: { seals: seals.map(sealJson) },
      text: seals.length
        ? table(
            ['编码 Code', '名称 Name', '单位 Unit', '状态 State', '管理人员 Custodian', '证书序列号 Serial'],
            seals.map((s) => [s.code, s.name, s.unitId, s.state, s.custodianStaffId, s.certificate.serial]),
          )
        : `登记簿中没有印章（数据目录 ${context.dataDir}；用 --data-dir 或 $YINJIAN_DATA_DIR 指定其他目录）/ No seals in the register in ${context.dataDir} (choose another folder with --data-dir or $YINJIAN_DATA_DIR)`,
    };
  },
};

/** A comma-separated option (ASCII or full-width commas, 顿号): its words, trimmed. */
function wordsOf(args: ParsedArgs, name: string): string[] {
  const value = text(args, name);
  return value === undefined ? [] : value.split(/[,，、]/u).map((w) => w.trim()).filter((w) => w !== '');
}

export const officeDenyListCommand: Command = {
  options: {
    add: { type: 'string', valueName: 'W1,W2', description: '加入的词语（逗号分隔）/ words to add, comma-separated' },
    remove: { type: 'string', valueName: 'W1,W2', description: '移除的词语 / words to remove' },
    reset: { type: 'boolean', description: '恢复规定的默认列表 / back to the regulation\'s default list' },
    ...OPERATOR,
  },
  details:
    '修改随下一次 office publish 发布，各盖章专用机导入登记簿快照后生效。规定列明的合同、协议、委托书、介绍信始终禁用，与列表无关。\n' +
    'A change is published with the next `office publish` and applies on each workstation once it imports that snapshot.\n' +
    'Contracts, agreements, powers of attorney and letters of introduction stay forbidden whatever the list says (U2).',
  examples: [
    { line: 'yinjian office deny-list --add 承诺书,担保函', zh: '加入禁用文种', en: 'add document kinds to the deny list' },
  ],
  async run(context, args) {
    const words = officeTasksOf(context).editDenyList({ add: wordsOf(args, 'add'), remove: wordsOf(args, 'remove'), reset: args.options.reset === true }, officeActor(context, args));
    return {
      json: { denyList: [...words] },
      text: `禁用文种 Deny list (U2, ${words.length}): ${words.join('、')}`,
    };
  },
};

/** U2 (issue #13): whether a page OCR cannot read refuses, or needs the custodian's confirmation. */
export const officeScannedDocumentsCommand: Command = {
  options: {
    allow: { type: 'boolean', description: '允许扫描件（读不清的页须保管人逐份确认）/ allow scanned documents (unreadable pages need the custodian\'s confirmation)' },
    refuse: { type: 'boolean', description: '不允许扫描件（读不清的页一律拒绝，默认）/ refuse them (the default)' },
    ...OPERATOR,
  },
  details:
    '修改随下一次 office publish 发布，各盖章专用机导入登记簿快照后生效。识别出的内容照常核对：读作合同的扫描件仍被拒绝。\n' +
    'A change is published with the next `office publish` and applies on each workstation once it imports that snapshot.\n' +
    'What OCR does read is still checked: a scan that reads as a contract is refused whatever the setting.',
  examples: [{ line: 'yinjian office scanned-documents --allow', zh: '允许扫描件用印（须保管人确认）', en: 'allow scanned documents on the custodian\'s confirmation' }],
  async run(context, args) {
    const allow = args.options.allow === true;
    const refuse = args.options.refuse === true;
    if (allow && refuse) throw new YinjianError('USAGE', { detail: '--allow and --refuse exclude each other' });
    // The same use case as the office console's switch (app/office.ts OfficeTasks).
    const tasks = officeTasksOf(context);
    const allowed = allow || refuse ? tasks.setScannedDocuments(allow, officeActor(context, args)) : tasks.scannedDocuments();
    return {
      json: { scannedDocumentsAllowed: allowed },
      text: allowed
        ? '扫描件：允许，读不清的页须保管人逐份确认 / Scanned documents: allowed on the custodian\'s confirmation per document (U2)'
        : '扫描件：读不清的页一律拒绝 / Scanned documents: pages OCR cannot read are refused (U2)',
    };
  },
};

export const officePublicationPointsCommand: Command = {
  options: {
    crl: { type: 'string', multiple: true, valueName: 'URL|PATH', description: 'CRL 发布地址（可重复：内网 http 和/或共享目录）/ where the CRL is published (repeatable: intranet http and/or share path)' },
    'ca-cert': { type: 'string', multiple: true, valueName: 'URL|PATH', description: '根证书发布地址（可重复）/ where the CA certificate is published (repeatable)' },
    clear: { type: 'boolean', description: '清除设置（此后签发的证书不含这些扩展）/ remove the setting' },
    ...OPERATOR,
  },
  details:
    '共享目录路径写成 file: 网址（\\\\server\\share\\crl.crl → file://server/share/crl.crl）。已签发的证书不变，仍可凭登记簿快照验证。\n' +
    'Share paths become file: URLs. Certificates already issued are unchanged and keep verifying from the register snapshot.',
  async run(context, args) {
    const register = context.register();
    const crl = (args.options.crl as string[] | undefined) ?? [];
    const caIssuers = (args.options['ca-cert'] as string[] | undefined) ?? [];
    let points = officePublicationPoints(register);
    if (args.options.clear === true) {
      if (crl.length > 0 || caIssuers.length > 0) throw new YinjianError('USAGE', { detail: '--clear excludes --crl and --ca-cert' });
      points = setOfficePublicationPoints(register, { crl: [], caIssuers: [] }, officeActor(context, args));
    } else if (crl.length > 0 || caIssuers.length > 0) {
      points = setOfficePublicationPoints(register, { crl: crl.length > 0 ? crl : points.crl, caIssuers: caIssuers.length > 0 ? caIssuers : points.caIssuers }, officeActor(context, args));
    }
    return {
      json: { crl: [...points.crl], caIssuers: [...points.caIssuers] },
      text: [`CRL 发布地址 CRL distribution points: ${points.crl.join(' ') || '（无 none）'}`, `根证书发布地址 CA certificate (AIA caIssuers): ${points.caIssuers.join(' ') || '（无 none）'}`].join('\n'),
    };
  },
};

export const officePublish: Command = {
  options: {
    'ca-token': { type: 'string', valueName: 'L', description: '根证书所在的总裁办 USB Key / the office USB key holding the CA' },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: '输出目录 / output folder' },
    'next-update-days': { type: 'string', valueName: 'N', description: 'CRL 下次更新间隔天数（默认 30）/ days until the CRL\'s nextUpdate (default 30)' },
    ...OPERATOR,
  },
  details:
    'Writes DIR/group-seal-ca.crl (DER X.509 CRL: openssl crl -inform DER -in … -CAfile group-root.pem -verify),\n' +
    'DIR/register-snapshot-NNNNNN.p7m (CMS SignedData with the snapshot JSON) and DIR/group-root.pem.\n' +
    'One PIN: the office CA key\'s user PIN.',
  examples: [
    { line: 'yinjian office publish --ca-token 总裁办根证书 --out 发布', zh: '发布 CRL 和登记簿快照', en: 'publish the CRL and the register snapshot' },
  ],
  async run(context, args) {
    const days = text(args, 'next-update-days');
    const { publication, files } = await officeTasksOf(context).publish(
      { caToken: required(args, 'ca-token'), folder: resolve(required(args, 'out')), ...(days !== undefined ? { nextUpdateDays: Number(days) } : {}) },
      async () => (await readPins(context, [CA_PIN]))[0]!,
      officeActor(context, args),
    );
    return {
      json: { sequence: publication.sequence, issuedAt: publication.issuedAt.toISOString(), files, seals: publication.snapshotContent.seals.length, revokedSerials: publication.revokedSerials },
      text: [
        `已发布第 ${publication.sequence} 号登记簿快照 / Published register snapshot ${publication.sequence}`,
        `CRL:        ${files.crl} (${publication.revokedSerials.length} 张吊销证书 revoked)`,
        `快照 Snapshot: ${files.snapshot} (${publication.snapshotContent.seals.length} 枚印章 seals)`,
        `根证书 Root:  ${files.root}`,
      ].join('\n'),
    };
  },
};

/** Reads a file the command was given, as a typed input error when it cannot. */
export function readInputFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
}

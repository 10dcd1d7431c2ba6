import type { ErrorSpec } from './index';

/**
 * Errors of the local register (better-sqlite3) and of the register rules
 * (seal lifecycle S2–S5, custody M2, delegation M3, first use M4, audit M5).
 */
export const REGISTER_ERRORS = {
  REGISTER_NOT_OPENABLE: {
    category: 'input',
    zh: '登记簿数据库无法打开：{path}',
    en: 'The register database cannot be opened: {path}',
  },
  REGISTER_FOREIGN: {
    category: 'input',
    zh: '{path} 不是印鉴登记簿数据库，已拒绝打开（文件未被修改）',
    en: '{path} is not a Yinjian register database; it was refused and left untouched',
  },
  REGISTER_TOO_NEW: {
    category: 'input',
    zh: '登记簿版本 {found} 高于本程序支持的 {supported}，请升级印鉴',
    en: 'The register is at version {found}, newer than the {supported} this program supports; upgrade Yinjian',
  },
  REGISTER_NEEDS_UPGRADE: {
    category: 'input',
    zh: '登记簿 {path} 的版本 {found} 低于 {supported}，须先由印鉴打开升级后才能只读检查',
    en: 'The register {path} is at version {found}, below {supported}; open it once in Yinjian to upgrade it before a read-only check',
  },
  REGISTER_MIGRATION_FAILED: {
    category: 'internal',
    zh: '登记簿升级到版本 {version}（{name}）失败，登记簿保持原状：{detail}',
    en: 'Upgrading the register to version {version} ({name}) failed; the register was left as it was: {detail}',
  },
  REGISTER_RECORD_INVALID: {
    category: 'input',
    zh: '登记簿记录无效：{detail}',
    en: 'Invalid register record: {detail}',
  },
  REGISTER_FIELD_REQUIRED: {
    category: 'usage',
    zh: '缺少必填项：{field}',
    en: 'A required field is missing: {field}',
  },
  UNIT_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有单位 {unit}',
    en: 'Unit {unit} is not in the register',
  },
  CUSTODIAN_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有印章管理人员 {staffId}',
    en: 'Custodian {staffId} is not in the register',
  },
  CUSTODIAN_UNIT_MISMATCH: {
    category: 'refused',
    zh: '印章管理人员 {staffId} 不属于单位 {unit}，不能保管其印章',
    en: 'Custodian {staffId} does not belong to unit {unit} and cannot hold its seal',
  },
  WORKSTATION_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有专用计算机 {workstation}',
    en: 'Workstation {workstation} is not in the register',
  },
  SEAL_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有印章 {seal}',
    en: 'Seal {seal} is not in the register',
  },
  SEAL_CODE_IN_USE: {
    category: 'refused',
    zh: '印章编码 {code} 已被未注销的印章使用，不能再制发同编码的印章',
    en: 'Seal code {code} is held by a seal that is not cancelled; a second seal with that code cannot be issued',
  },
  SEAL_TRANSITION_ILLEGAL: {
    category: 'refused',
    zh: '印章 {seal} 当前状态为 {from}，不能执行“{event}”',
    en: 'Seal {seal} is {from}; "{event}" is not allowed from that state',
  },
  SEAL_KIND_MISMATCH: {
    category: 'refused',
    zh: '印章类型 {sealKind} 与单位类型 {unitKind} 不符',
    en: 'The seal kind {sealKind} does not match the unit kind {unitKind}',
  },
  SEAL_NOT_ACTIVE: {
    category: 'refused',
    zh: '印章 {seal} 当前状态为 {state}，不能用印',
    en: 'Seal {seal} is {state} and cannot be used',
  },
  SEAL_NOT_YET_VALID: {
    category: 'refused',
    zh: '印章 {seal} 自 {from} 起方可使用',
    en: 'Seal {seal} may be used only from {from}',
  },
  SEAL_EXPIRED: {
    category: 'refused',
    zh: '印章 {seal} 已于 {to} 过期',
    en: 'Seal {seal} expired at {to}',
  },
  SEAL_USE_NOT_PERMITTED: {
    category: 'refused',
    zh: '{person} 既不是印章 {seal} 的管理人员，也没有经批准的代理授权',
    en: '{person} is neither the custodian of seal {seal} nor an approved proxy',
  },
  OFFICE_ONLY: {
    category: 'refused',
    zh: '“{action}” 只能由集团总裁办公室办理',
    en: '"{action}" may be carried out by the President\'s Office only',
  },
  APPROVAL_REQUIRED: {
    category: 'refused',
    zh: '“{action}” 须有书面申请编号和批准人，缺少：{missing}',
    en: '"{action}" needs an application reference and an approver; missing: {missing}',
  },
  APPROVER_ROLE_MISMATCH: {
    category: 'refused',
    zh: '{unitKind} 印章的代理管理须由 {required} 批准，而批准人是 {given}',
    en: 'Proxy custody of a {unitKind} seal must be approved by the {required}, not the {given}',
  },
  CERTIFICATE_VALIDITY_INVALID: {
    category: 'input',
    zh: '证书有效期无效：{from} 至 {to}',
    en: 'Invalid certificate validity: {from} to {to}',
  },
  REISSUE_NEEDS_NEW_KEY: {
    category: 'refused',
    zh: '补办或重新制发须使用新的密钥盘，{tokenSerial} 是原密钥盘',
    en: 'A re-issue needs a new USB key; {tokenSerial} is the old one',
  },
  LOSS_TIME_INVALID: {
    category: 'input',
    zh: '挂失时间 {lostAt} 无效（不能晚于登记时间 {now}）',
    en: 'The reported loss time {lostAt} is invalid (it cannot be later than now, {now})',
  },
  DELEGATION_WINDOW_INVALID: {
    category: 'input',
    zh: '代理期限无效：{start} 至 {end}',
    en: 'Invalid delegation window: {start} to {end}',
  },
  DELEGATION_REVOKED: {
    category: 'refused',
    zh: '{person} 对印章 {seal} 的代理授权已于 {revokedAt} 被总裁办撤销',
    en: 'The proxy authority of {person} for seal {seal} was revoked by the office at {revokedAt}',
  },
  DELEGATION_OUTSIDE_WINDOW: {
    category: 'refused',
    zh: '{person} 对印章 {seal} 的代理授权在 {at} 不在有效期内',
    en: 'The proxy authority of {person} for seal {seal} is not in force at {at}',
  },
  DELEGATION_TO_CUSTODIAN: {
    category: 'usage',
    zh: '代理人不能是印章管理人员本人',
    en: 'The proxy cannot be the custodian themself',
  },
  DELEGATION_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有代理授权 {delegation}',
    en: 'Delegation {delegation} is not in the register',
  },
  USE_REQUEST_REQUIRED: {
    category: 'refused',
    zh: '用印须先登记经批准的用印申请',
    en: 'A stamping needs an approved use request recorded first',
  },
  USE_REQUEST_NOT_FOUND: {
    category: 'input',
    zh: '登记簿中没有用印申请 {request}',
    en: 'Use request {request} is not in the register',
  },
  USE_REQUEST_SEAL_MISMATCH: {
    category: 'refused',
    zh: '用印申请 {request} 批准的是印章 {approved}，不是 {seal}',
    en: 'Use request {request} approves seal {approved}, not {seal}',
  },
  SNAPSHOT_ROLLBACK: {
    category: 'refused',
    zh: '登记簿快照序号 {found} 不高于已导入的 {current}，拒绝回退',
    en: 'Register snapshot sequence {found} is not above the imported {current}; rollback refused',
  },
  AUDIT_DETAILS_SECRET: {
    category: 'internal',
    zh: '审计记录不得包含口令类字段：{key}',
    en: 'An audit record must not carry a secret-like field: {key}',
  },
  AUDIT_DETAILS_INVALID: {
    category: 'internal',
    zh: '审计记录的详情无法规范编码：{detail}',
    en: 'The audit record details cannot be canonically encoded: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

import type { ErrorSpec } from './index';

/**
 * Errors of issue #12: a time that cannot be bent (clock guard, trusted timestamps, fresh
 * revocation data), records anchored outside the database (the key's counter and chain head)
 * and the USB-key protections around them (a key holding a live seal, the initial PIN).
 */
export const TIME_RECORD_ERRORS = {
  SEAL_KEY_IN_USE: {
    category: 'refused',
    zh: 'USB Key {token} 上仍有印章 {seal}（状态 {state}）的密钥或证书，未注销前不能重新发放到此 Key；请先办理注销（S3）或使用另一枚 Key',
    en: 'USB key {token} holds the key or certificate of seal {seal} (state {state}), which is not cancelled; cancel that seal first (S3) or use another key',
  },
  PIN_IS_INITIAL: {
    category: 'refused',
    zh: '此 USB Key 的 PIN 码与总裁办发放时的初始 PIN 码相同（可能已被改回）：不能签章，请先修改 PIN 码（规定 M4）',
    en: 'This USB key\'s PIN is the initial PIN it was issued with (it may have been set back): it cannot sign; change the PIN first (regulation M4)',
  },
  CLOCK_BEHIND_RECORDS: {
    category: 'refused',
    zh: '本机时钟（{now}）早于本机已记录的最新时间（{seen}，{source}）：时钟可能被调回，不能盖章。请校准系统时间',
    en: 'This computer\'s clock ({now}) is earlier than the newest time already on record here ({seen}, {source}): the clock may have been set back, so nothing can be sealed. Correct the system time',
  },
  REGISTER_STALE: {
    category: 'refused',
    zh: '本机登记簿快照（第 {sequence} 号，{issuedAt} 发布）已过下次更新时间 {nextUpdate}：请导入总裁办最新发布的登记簿快照（register-snapshot-*.p7m，第 {sequence} 号之后）后再盖章',
    en: 'This computer\'s register snapshot (No. {sequence}, issued {issuedAt}) is past its next update {nextUpdate}: import the office\'s newest register snapshot (register-snapshot-*.p7m, after No. {sequence}) before sealing',
  },
  TSA_POLICY_NOT_CONFIGURED: {
    category: 'refused',
    zh: '集团规定印章必须带可信时间戳，但本机未配置时间戳服务器或其证书：请导入总裁办最新的登记簿快照',
    en: 'The group requires a trusted timestamp on every seal, but no timestamp server (or its certificate) is configured here: import the office\'s newest register snapshot',
  },
  TSA_ANSWER_UNTRUSTED: {
    category: 'refused',
    zh: '时间戳服务器 {url} 的时间戳不是由集团指定的时间戳机构签发（{detail}）。未盖章',
    en: 'The timestamp from {url} is not issued by the group\'s time-stamp authority ({detail}). Nothing was sealed',
  },
  CLOCK_SKEW: {
    category: 'refused',
    zh: '本机时钟（{local}）与可信时间戳时间（{trusted}）相差 {seconds} 秒，超过允许的 {tolerance} 秒：未盖章。请校准系统时间',
    en: 'This computer\'s clock ({local}) differs from the trusted timestamp ({trusted}) by {seconds} s, more than the {tolerance} s allowed: nothing was sealed. Correct the system time',
  },
  TSA_SETTINGS_INVALID: {
    category: 'input',
    zh: '时间戳设置无效：{detail}',
    en: 'The timestamp settings are invalid: {detail}',
  },
  KEY_COUNTER_MISMATCH: {
    category: 'refused',
    zh: 'USB Key 上的用印计数（{onKey}）与本机登记簿（{inRegister}）不一致：登记簿可能被替换或改写，不能盖章，请联系总裁办',
    en: 'The stamping counter on the USB key ({onKey}) does not match this computer\'s register ({inRegister}): the register may have been replaced or rewritten; nothing can be sealed, contact the office',
  },
  REPIN_INVALID: {
    category: 'input',
    zh: '重新确认链头无效：{detail}',
    en: 'The head re-pin is invalid: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

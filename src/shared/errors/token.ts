import type { ErrorSpec } from './index';

/**
 * Errors of the USB key (PKCS#11) layer. Every CKR_* return value the layer can meet maps to
 * one of these codes (src/main/infra/pkcs11/ckr.ts); `{ckr}` names the raw value for support.
 */
export const TOKEN_ERRORS = {
  MODULE_NOT_FOUND: {
    category: 'device',
    zh: '找不到 USB Key 驱动模块（PKCS#11）。已尝试：{tried}',
    en: 'No USB key driver module (PKCS#11) was found. Tried: {tried}',
  },
  MODULE_LOAD_FAILED: {
    category: 'device',
    zh: 'USB Key 驱动模块无法加载：{path}（{detail}）',
    en: 'The USB key driver module cannot be loaded: {path} ({detail})',
  },
  TOKEN_NOT_FOUND: {
    category: 'device',
    zh: '未找到 USB Key “{token}”，请确认已插入',
    en: 'USB key "{token}" was not found; check that it is plugged in',
  },
  TOKEN_AMBIGUOUS: {
    category: 'usage',
    zh: '“{token}” 匹配了多个 USB Key，请按 yinjian token list 所列的序列号指定',
    en: '"{token}" matches more than one USB key; name it by the serial `yinjian token list` shows',
  },
  TOKEN_NOT_PRESENT: {
    category: 'device',
    zh: 'USB Key 未插入或已拔出',
    en: 'The USB key is not present or has been removed',
  },
  DEVICE_REMOVED: {
    category: 'device',
    zh: 'USB Key 在操作过程中被拔出，操作未完成',
    en: 'The USB key was removed during the operation; nothing was completed',
  },
  DEVICE_ERROR: {
    category: 'device',
    zh: 'USB Key 设备故障（{ckr}）',
    en: 'The USB key reported a device failure ({ckr})',
  },
  TOKEN_NOT_INITIALIZED: {
    category: 'device',
    zh: 'USB Key 尚未初始化，请交总裁办发放',
    en: 'The USB key is not initialised; it must be issued by the President\'s Office',
  },
  TOKEN_WRITE_PROTECTED: {
    category: 'device',
    zh: 'USB Key 处于写保护状态',
    en: 'The USB key is write-protected',
  },
  PIN_INCORRECT: {
    category: 'refused',
    zh: 'PIN 码不正确。{triesZh}',
    en: 'Incorrect PIN. {triesEn}',
  },
  PIN_LOCKED: {
    category: 'refused',
    zh: 'PIN 码已锁定，请联系总裁办公室解锁',
    en: 'The PIN is locked; contact the President\'s Office to unlock it',
  },
  PIN_LEN_RANGE: {
    category: 'refused',
    zh: 'PIN 码长度不符合 USB Key 的要求',
    en: 'The PIN length is outside what the USB key accepts',
  },
  PIN_INVALID: {
    category: 'refused',
    zh: 'PIN 码含有 USB Key 不接受的字符',
    en: 'The PIN contains characters the USB key does not accept',
  },
  PIN_EXPIRED: {
    category: 'refused',
    zh: 'PIN 码已过期，必须先修改',
    en: 'The PIN has expired and must be changed first',
  },
  PIN_POLICY_LENGTH: {
    category: 'refused',
    zh: '新 PIN 码须为 {min}–{max} 位',
    en: 'The new PIN must be {min} to {max} characters long',
  },
  PIN_POLICY_ONE_CHARACTER: {
    category: 'refused',
    zh: '新 PIN 码不能全部是同一个字符',
    en: 'The new PIN must not be one character repeated',
  },
  PIN_POLICY_SEQUENCE: {
    category: 'refused',
    zh: '新 PIN 码不能是连续递增或递减的字符（如 123456、654321）',
    en: 'The new PIN must not be an ascending or descending run (such as 123456 or 654321)',
  },
  PIN_POLICY_SAME_AS_OLD: {
    category: 'refused',
    zh: '新 PIN 码不能与原 PIN 码相同',
    en: 'The new PIN must differ from the old one',
  },
  PIN_POLICY_CHARACTERS: {
    category: 'refused',
    zh: '新 PIN 码只能包含可打印的 ASCII 字符',
    en: 'The new PIN may contain printable ASCII characters only',
  },
  INITIAL_PIN_MUST_CHANGE: {
    category: 'refused',
    zh: '此 USB Key 仍在使用初始 PIN 码：首次使用必须先修改 PIN 码，之后才能签章（规定 二.4）',
    en: 'This USB key still has its initial PIN: change the PIN before anything else (regulation M4)',
  },
  NOT_LOGGED_IN: {
    category: 'refused',
    zh: '尚未登录 USB Key',
    en: 'Not logged in to the USB key',
  },
  SESSION_CLOSED: {
    category: 'device',
    zh: '与 USB Key 的会话已关闭，请重试',
    en: 'The session with the USB key has closed; try again',
  },
  KEY_NOT_FOUND: {
    category: 'refused',
    zh: 'USB Key 上找不到印章私钥（ID {keyId}）',
    en: 'The seal\'s private key (ID {keyId}) is not on the USB key',
  },
  CERTIFICATE_NOT_FOUND: {
    category: 'refused',
    zh: 'USB Key 上找不到印章证书（ID {keyId}）',
    en: 'The seal\'s certificate (ID {keyId}) is not on the USB key',
  },
  KEY_NOT_EXTRACTABLE: {
    category: 'refused',
    zh: '私钥不可导出',
    en: 'The private key cannot be extracted',
  },
  MECHANISM_UNSUPPORTED: {
    category: 'device',
    zh: 'USB Key 不支持该签名算法（{mechanism}）',
    en: 'The USB key does not support this signature mechanism ({mechanism})',
  },
  KEY_TYPE_UNSUPPORTED: {
    category: 'refused',
    zh: '不支持的密钥类型：{detail}',
    en: 'Unsupported key type: {detail}',
  },
  TOKEN_OPERATION_FAILED: {
    category: 'device',
    zh: 'USB Key 操作失败（{ckr}）',
    en: 'The USB key operation failed ({ckr})',
  },
  TOKEN_MARKER_UNSUPPORTED: {
    category: 'device',
    zh: '此型号 USB Key 不能存放首次使用标记（{module}）；初始 PIN 由本机登记簿强制修改（规定 M4）',
    en: 'This USB key model cannot hold the first-use marker ({module}); the register still enforces the initial-PIN change (rule M4)',
  },
  TOKEN_UNLOCK_UNSUPPORTED: {
    category: 'device',
    zh: '此型号 USB Key 不支持用 SO PIN 解锁或重置用户 PIN（{module}）：{remedyZh}',
    en: 'This USB key model cannot unlock or reset the user PIN with the SO PIN ({module}): {remedyEn}',
  },
  TOKEN_INIT_UNSUPPORTED: {
    category: 'device',
    zh: '此型号 USB Key 不能由本程序初始化（{module}）：{remedyZh}',
    en: 'This USB key model cannot be initialised by this program ({module}): {remedyEn}',
  },
  TOKEN_FULL: {
    category: 'device',
    zh: 'USB Key 存储空间已满（最多 {max} 个对象，已有 {count} 个）',
    en: 'The USB key is full (at most {max} objects, {count} present)',
  },
  PIN_LENGTH_UNSUPPORTED: {
    category: 'refused',
    zh: '此型号 USB Key 只接受 {min}–{max} 位的 PIN 码',
    en: 'This USB key model accepts PINs of {min} to {max} characters only',
  },
} as const satisfies Record<string, ErrorSpec>;

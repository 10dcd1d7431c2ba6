import type { ErrorSpec } from './index';

/**
 * Errors of the President's Office back office (M1, S2–S5): the group seal CA, issuance,
 * publication of the CRL and the signed register snapshot, and its import on workstations.
 */
export const OFFICE_ERRORS = {
  PUBLICATION_POINT_INVALID: {
    category: 'input',
    zh: '发布地址“{location}”无效：须为 http(s)、ldap 或 file 网址，或共享目录的绝对路径（\\\\服务器\\共享\\… 或 /…），不超过 {max} 个字符',
    en: 'The publication location "{location}" is invalid: an http(s), ldap or file URL, or an absolute share path (\\\\server\\share\\… or /…), of at most {max} characters, is needed',
  },
  DENY_WORD_INVALID: {
    category: 'input',
    zh: '禁用文种“{word}”无效：须为 1–{max} 个字符的词语，且列表不能为空',
    en: 'The deny-list word "{word}" is invalid: a word of 1 to {max} characters is needed, and the list cannot be empty',
  },
  DENY_WORD_NOT_LISTED: {
    category: 'input',
    zh: '禁用文种列表中没有“{word}”，无法移除',
    en: 'The deny list has no word "{word}" to remove',
  },
  OFFICE_CA_NOT_FOUND: {
    category: 'input',
    zh: 'USB Key {token} 上没有集团印章根证书及其密钥',
    en: 'USB key {token} holds no group seal CA certificate with its key',
  },
  OFFICE_CA_EXISTS: {
    category: 'refused',
    zh: 'USB Key {token} 上已有集团印章根证书；如要沿用，请加 --adopt',
    en: 'USB key {token} already holds a group seal CA; pass --adopt to adopt it',
  },
  OFFICE_CA_ALREADY_SET: {
    category: 'refused',
    zh: '本登记簿已登记集团印章根证书（{fingerprint}），不能再建立另一个',
    en: 'This register already has a group seal CA ({fingerprint}); another one cannot be set up',
  },
  OFFICE_CA_NOT_SET_UP: {
    category: 'usage',
    zh: '本登记簿尚未建立集团印章根证书，请先运行 yinjian office init-ca',
    en: 'This register has no group seal CA yet; run yinjian office init-ca first',
  },
  OFFICE_CA_MISMATCH: {
    category: 'refused',
    zh: 'USB Key {token} 上的根证书不是本登记簿的集团印章根证书',
    en: 'The CA on USB key {token} is not this register\'s group seal CA',
  },
  OFFICE_SAME_TOKEN: {
    category: 'refused',
    zh: '印章密钥盘不能是根证书所在的 USB Key {token}',
    en: 'The seal\'s USB key cannot be the CA\'s own USB key {token}',
  },
  OFFICE_TOKEN_NOT_SEAL_KEY: {
    category: 'refused',
    zh: 'USB Key {token} 上没有印章 {seal} 的密钥',
    en: 'USB key {token} does not hold the key of seal {seal}',
  },
  OFFICE_INPUT_INVALID: {
    category: 'usage',
    zh: '{field} 无效：{detail}',
    en: 'Invalid {field}: {detail}',
  },
  OFFICE_CUSTODIAN_NAME_MISMATCH: {
    category: 'refused',
    zh: '工号 {staffId} 在登记簿中登记的姓名是 {registered}，而不是 {given}',
    en: 'Staff id {staffId} is registered as {registered}, not {given}',
  },
  OFFICE_ISSUE_FAILED: {
    category: 'device',
    zh: '制发印章在写入 USB Key 时失败，登记簿未改动，密钥盘已清理：{detail}',
    en: 'Issuing the seal failed while writing the USB key; the register is unchanged and the key was cleaned up: {detail}',
  },
  SNAPSHOT_MALFORMED: {
    category: 'input',
    zh: '{path} 不是可读的登记簿快照：{detail}',
    en: '{path} is not a readable register snapshot: {detail}',
  },
  SNAPSHOT_SIGNATURE_INVALID: {
    category: 'refused',
    zh: '登记簿快照的签名无效（内容被篡改或损坏），已拒绝导入，未做任何改动',
    en: 'The register snapshot\'s signature is not valid (tampered or damaged); import refused, nothing changed',
  },
  SNAPSHOT_SIGNER_UNTRUSTED: {
    category: 'refused',
    zh: '登记簿快照不是由已信任的集团根证书签署（签署者：{signer}），已拒绝导入',
    en: 'The register snapshot is not signed by the trusted group root (signer: {signer}); import refused',
  },
  SNAPSHOT_ROOT_NOT_PINNED: {
    category: 'usage',
    zh: '本机尚未信任集团根证书；首次导入须用 --trust-root 指定总裁办发布的 group-root.pem',
    en: 'No group root is trusted here yet; the first import needs --trust-root with the office\'s group-root.pem',
  },
  SNAPSHOT_ROOT_PIN_MISMATCH: {
    category: 'refused',
    zh: '--trust-root 给出的根证书（{given}）与本机已信任的集团根证书（{pinned}）不同，拒绝更换',
    en: 'The root given with --trust-root ({given}) differs from the group root trusted here ({pinned}); refused',
  },
  SNAPSHOT_SCHEMA_INVALID: {
    category: 'input',
    zh: '登记簿快照内容不符合格式 {schema}：{detail}',
    en: 'The register snapshot content does not follow {schema}: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

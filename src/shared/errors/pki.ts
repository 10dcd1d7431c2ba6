import type { ErrorSpec } from './index';

/**
 * Errors of the PKI core (certificates, CRLs, CMS). Only input that cannot be read at all
 * becomes an error; a readable but invalid signature or chain is a finding in a result, so a
 * verifier can report it beside the others instead of stopping (architecture.md, "Habits").
 */
export const PKI_ERRORS = {
  CERTIFICATE_MALFORMED: {
    category: 'input',
    zh: '证书无法解析：{detail}',
    en: 'The certificate cannot be parsed: {detail}',
  },
  CRL_MALFORMED: {
    category: 'input',
    zh: '证书吊销列表（CRL）无法解析：{detail}',
    en: 'The certificate revocation list (CRL) cannot be parsed: {detail}',
  },
  CMS_MALFORMED: {
    category: 'input',
    zh: '签名数据（CMS）无法解析：{detail}',
    en: 'The signature data (CMS) cannot be parsed: {detail}',
  },
  TIMESTAMP_MALFORMED: {
    category: 'input',
    zh: '时间戳无法解析：{detail}',
    en: 'The timestamp token cannot be parsed: {detail}',
  },
  CERTIFICATE_REQUEST_INVALID: {
    category: 'usage',
    zh: '证书申请内容无效：{detail}',
    en: 'The certificate request is invalid: {detail}',
  },
  CA_CERTIFICATE_NOT_CA: {
    category: 'refused',
    zh: '该证书不是可签发印章证书的 CA 证书：{detail}',
    en: 'This certificate is not a CA certificate that can issue seal certificates: {detail}',
  },
  CA_KEY_MISMATCH: {
    category: 'refused',
    zh: 'CA 证书的公钥与 USB Key 中的密钥不一致',
    en: 'The CA certificate\'s public key does not match the key on the USB key',
  },
  SIGNER_KEY_MISMATCH: {
    category: 'refused',
    zh: '签名密钥与签名证书的公钥不一致',
    en: 'The signing key does not match the public key of the signing certificate',
  },
  SIGNER_FAILED: {
    category: 'device',
    zh: '签名失败：{detail}',
    en: 'Signing failed: {detail}',
  },
} as const satisfies Record<string, ErrorSpec>;

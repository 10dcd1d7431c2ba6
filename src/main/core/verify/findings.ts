/**
 * Verification findings: a stable code, the step it belongs to, a severity and a message in
 * Chinese and English (architecture.md "Habits"). A finding is a value in a report, never an
 * exception: the verifier reports what it found about a file; only bad usage throws.
 */

/** The verification step a finding belongs to (the steps 1–7, plus the file itself). */
export type FindingStep = 'file' | 'coverage' | 'integrity' | 'trust' | 'revocation' | 'timestamp' | 'changes' | 'policy' | 'format';

export type VerifySeverity = 'error' | 'warning' | 'info';

interface FindingSpec {
  readonly step: FindingStep;
  readonly severity: VerifySeverity;
  readonly zh: string;
  readonly en: string;
}

export const FINDING_CATALOG = {
  // --- the file ---
  FILE_NOT_PDF: { step: 'file', severity: 'error', zh: '文件不是 PDF 文档', en: 'The file is not a PDF document' },
  FILE_UNREADABLE: { step: 'file', severity: 'error', zh: 'PDF 结构无法读取：{detail}', en: 'The PDF structure cannot be read: {detail}' },
  FILE_ENCRYPTED: { step: 'file', severity: 'error', zh: 'PDF 已加密，无法验证', en: 'The PDF is encrypted and cannot be verified' },
  FILE_XREF_RECOVERED: {
    step: 'file',
    severity: 'warning',
    zh: '交叉引用表损坏，已通过扫描重建（{detail}）；修订历史不可信',
    en: 'The cross-reference was unusable and was rebuilt by scanning ({detail}); the revision history cannot be trusted',
  },
  HYBRID_XREF_MISMATCH: {
    step: 'file',
    severity: 'warning',
    zh: '混合交叉引用文件的经典表与交叉引用流对以下对象给出不同位置：{detail}；不同阅读器可能显示不同内容',
    en: 'The classic table and the cross-reference stream of a hybrid file disagree on: {detail}; different readers may show different content',
  },
  FILE_LIMIT_EXCEEDED: {
    step: 'file',
    severity: 'error',
    zh: '文件超出验证器的资源上限 {limit}（{detail}），不能完整验证',
    en: 'The file exceeds the verifier\'s resource limit {limit} ({detail}) and cannot be fully verified',
  },
  SIGNATURE_UNREADABLE: { step: 'format', severity: 'error', zh: '签名无法读取：{detail}', en: 'The signature cannot be read: {detail}' },
  // --- step 1: structure and coverage ---
  SIGNATURE_DICTIONARY_MISSING: { step: 'coverage', severity: 'error', zh: '签名域的值不是签名字典', en: 'The signature field value is not a signature dictionary' },
  BYTE_RANGE_MALFORMED: { step: 'coverage', severity: 'error', zh: '/ByteRange 格式错误：{detail}', en: '/ByteRange is malformed: {detail}' },
  BYTE_RANGE_NOT_FROM_START: { step: 'coverage', severity: 'error', zh: '签名范围不从文件开头开始', en: 'The signed byte range does not start at the beginning of the file' },
  BYTE_RANGE_GAP_NOT_CONTENTS: {
    step: 'coverage',
    severity: 'error',
    zh: '签名范围的空隙不恰好是 /Contents 十六进制串：{detail}',
    en: 'The gap in the signed byte range is not exactly the /Contents hex string: {detail}',
  },
  BYTE_RANGE_NOT_REVISION_END: {
    step: 'coverage',
    severity: 'error',
    zh: '签名范围没有在某一修订版的结尾处结束：{detail}',
    en: 'The signed byte range does not end at the end of a revision: {detail}',
  },
  CONTENTS_NOT_HEX: { step: 'coverage', severity: 'error', zh: '/Contents 不是十六进制串', en: '/Contents is not a hex string' },
  CONTENTS_DUPLICATED: { step: 'coverage', severity: 'error', zh: '签名字典中有多个 /Contents', en: 'The signature dictionary has more than one /Contents' },
  SIGNATURE_DICTIONARY_COMPRESSED: {
    step: 'coverage',
    severity: 'error',
    zh: '签名字典存放在对象流中，签名范围无法排除 /Contents',
    en: 'The signature dictionary is inside an object stream, so the byte range cannot exclude /Contents',
  },
  TRAILING_BYTES_UNCOVERED: {
    step: 'coverage',
    severity: 'error',
    zh: '文件末尾有 {count} 个字节不属于任何修订版，也不在签名范围内',
    en: '{count} bytes at the end of the file belong to no revision and are not signed',
  },
  BYTE_RANGES_OVERLAP: { step: 'coverage', severity: 'error', zh: '签名范围与另一个签名的 /Contents 重叠', en: 'The signed byte range overlaps another signature\'s /Contents' },
  // --- step 2: integrity ---
  BYTE_RANGE_OUTSIDE_FILE: {
    step: 'integrity',
    severity: 'error',
    zh: '签名范围超出文件（文件 {size} 字节，范围到 {end}）：被签名的字节已不存在',
    en: 'The signed byte range lies outside the file ({size} bytes, range ends at {end}): the signed bytes are gone',
  },
  CMS_NOT_DER: {
    step: 'integrity',
    severity: 'error',
    zh: '签名数据（CMS）不是规范的 DER 编码（ISO 32000 §12.8.3.3.1）：{detail}',
    en: 'The signature data (CMS) is not valid DER (ISO 32000 §12.8.3.3.1): {detail}',
  },
  CMS_UNREADABLE: { step: 'integrity', severity: 'error', zh: '签名数据（CMS）无法解码：{detail}', en: 'The signature data (CMS) cannot be decoded: {detail}' },
  DIGEST_MISMATCH: { step: 'integrity', severity: 'error', zh: '签名范围的摘要与签名中的摘要不符：文件已被篡改', en: 'The digest of the signed bytes differs from the signed digest: the file was altered' },
  SIGNATURE_INVALID: { step: 'integrity', severity: 'error', zh: '签名值校验失败：{detail}', en: 'The signature value does not verify: {detail}' },
  SIGNER_CERTIFICATE_MISSING: { step: 'integrity', severity: 'error', zh: '找不到签名者证书', en: 'The signer certificate is not present' },
  SIGNING_CERTIFICATE_MISMATCH: {
    step: 'integrity',
    severity: 'error',
    zh: '签名属性中的签名证书与实际签名者不符：{detail}',
    en: 'The signing-certificate attribute does not match the signer: {detail}',
  },
  CMS_STRUCTURE_INVALID: { step: 'integrity', severity: 'error', zh: '签名数据不符合要求：{detail}', en: 'The signature data is not acceptable: {detail}' },
  ALGORITHM_UNSUPPORTED: { step: 'integrity', severity: 'error', zh: '签名算法未知或不受支持：{detail}', en: 'The signature algorithm is unknown or unsupported: {detail}' },
  WEAK_DIGEST: { step: 'integrity', severity: 'warning', zh: '签名使用了不安全的摘要算法 SHA-1', en: 'The signature uses the weak digest algorithm SHA-1' },
  PADES_ATTRIBUTES_MISSING: {
    step: 'integrity',
    severity: 'warning',
    zh: '缺少 PAdES 要求的签名属性：{detail}',
    en: 'Signed attributes PAdES requires are missing: {detail}',
  },
  SUBFILTER_UNSUPPORTED: {
    step: 'format',
    severity: 'error',
    zh: '签名格式 {subFilter} 不受支持，无法验证（不视为有效）',
    en: 'The signature format {subFilter} is not supported and cannot be verified (not treated as valid)',
  },
  LEGACY_SUBFILTER: { step: 'format', severity: 'info', zh: '旧式签名格式 {subFilter}（非 PAdES）', en: 'Legacy signature format {subFilter} (not PAdES)' },
  // --- step 3: identity and trust ---
  CHAIN_UNTRUSTED: { step: 'trust', severity: 'error', zh: '签名者证书无法链接到受信任的根证书', en: 'The signer certificate does not chain to a trusted root' },
  CHAIN_PROBLEM: { step: 'trust', severity: 'error', zh: '证书链问题 {code}：{detail}', en: 'Certificate chain problem {code}: {detail}' },
  NO_TRUST_ANCHORS: { step: 'trust', severity: 'warning', zh: '没有配置受信任的根证书', en: 'No trust anchors are configured' },
  // --- step 4: revocation ---
  SEAL_REVOKED: {
    step: 'revocation',
    severity: 'error',
    zh: '印章已于 {revokedAt} 注销/挂失（{reason}），签名时间 {time} 在其后',
    en: 'The seal was revoked at {revokedAt} ({reason}); the signing time {time} is after it',
  },
  SEAL_REVOKED_LATER: {
    step: 'revocation',
    severity: 'warning',
    zh: '印章于 {revokedAt} 注销/挂失（{reason}），签名时间 {time}（{source}）在其前',
    en: 'The seal was revoked at {revokedAt} ({reason}); the signing time {time} ({source}) is before it',
  },
  SEAL_REVOKED_TIME_UNPROVEN: {
    step: 'revocation',
    severity: 'error',
    zh: '印章已于 {revokedAt} 挂失/注销（{reason}）；签名只有签名者自称的时间 {time}，没有可信时间戳证明签名在此之前作出，按已吊销处理',
    en: 'The seal was revoked at {revokedAt} ({reason}); the signature has only the time its signer claims ({time}) and no trusted timestamp proving it was made before, so it is treated as revoked',
  },
  REVOCATION_UNKNOWN: { step: 'revocation', severity: 'info', zh: '没有该证书的吊销信息', en: 'No revocation information for the certificate' },
  REVOCATION_FROM_EMBEDDED_DATA: {
    step: 'revocation',
    severity: 'info',
    zh: '吊销状态依据文件内嵌的验证数据（DSS）检查：{detail}',
    en: 'Revocation was checked from the validation data embedded in the file (DSS): {detail}',
  },
  PADES_LEVEL: { step: 'format', severity: 'info', zh: 'PAdES 级别：{level}', en: 'PAdES level: {level}' },
  ARCHIVE_TIMESTAMP_CHAINED: {
    step: 'timestamp',
    severity: 'info',
    zh: '存档时间戳链完整：时间戳机构证书在 {time} 有效（{basisZh}）',
    en: 'Archive timestamp chain holds: the TSA certificate was valid at {time} ({basis})',
  },
  ARCHIVE_CHAIN_BROKEN: {
    step: 'timestamp',
    severity: 'warning',
    zh: '存档时间戳链断开：{detail}；此时间戳不能延长签章的有效期',
    en: 'The archive timestamp chain is broken: {detail}; this timestamp cannot extend the seals\' validity',
  },
  LONG_TERM_PROOF: {
    step: 'trust',
    severity: 'info',
    zh: '印章证书已于 {expired} 过期；{source}证明签章在 {time} 已存在（证书有效期内）',
    en: 'The seal certificate expired on {expired}; {sourceEn} proves the seal existed at {time}, while it was valid',
  },
  SEAL_EXPIRED_NO_PROOF: {
    step: 'trust',
    severity: 'error',
    zh: '印章证书已于 {expired} 过期，且没有仍然有效的时间戳证明签章在过期前已存在（{detail}）',
    en: 'The seal certificate expired on {expired} and no timestamp that still holds proves the seal existed before then ({detail})',
  },
  TRUSTED_TIME: { step: 'revocation', severity: 'info', zh: '判定所依据的时间：{time}（{source}）', en: 'Time the decision is based on: {time} ({source})' },
  // --- step 5: timestamps ---
  TIMESTAMP_VALID: { step: 'timestamp', severity: 'info', zh: '时间戳有效：{time}', en: 'The timestamp is valid: {time}' },
  TIMESTAMP_INVALID: { step: 'timestamp', severity: 'error', zh: '时间戳无效：{detail}', en: 'The timestamp is invalid: {detail}' },
  TIMESTAMP_UNTRUSTED: { step: 'timestamp', severity: 'warning', zh: '时间戳机构不受信任，时间戳时间仅作参考', en: 'The timestamp authority is not trusted; its time is informational only' },
  // --- step 6: changes after signing ---
  CHANGES_ALLOWED: {
    step: 'changes',
    severity: 'info',
    zh: '签名后有允许的修改：{detail}',
    en: 'Allowed changes after signing: {detail}',
  },
  CHANGES_NOT_ALLOWED: {
    step: 'changes',
    severity: 'error',
    zh: '签名后有不允许的修改：{detail}',
    en: 'Changes after signing that are not allowed: {detail}',
  },
  DOCMDP_VIOLATED: {
    step: 'changes',
    severity: 'error',
    zh: '修改超出认证签名（DocMDP P={permission}）的许可：{detail}',
    en: 'Changes exceed what the certification signature (DocMDP P={permission}) permits: {detail}',
  },
  FIELD_LOCKED: { step: 'changes', severity: 'error', zh: '被签名锁定的表单域 {field} 在签名后被修改', en: 'Form field {field}, locked by the signature, changed after signing' },
  SIGNATURE_DICTIONARY_REWRITTEN: {
    step: 'changes',
    severity: 'error',
    zh: '签名字典在签名之后被重写（签名字典伪造）：{detail}',
    en: 'The signature dictionary was rewritten after signing (signature dictionary spoofing): {detail}',
  },
  XREF_AMBIGUOUS: {
    step: 'changes',
    severity: 'error',
    zh: '签名所覆盖的修订版 {revision} 的交叉引用表对同一对象（{objects}）给出多个不同位置：不同阅读器可能显示不同内容',
    en: 'The cross-reference of signed revision {revision} lists the same object ({objects}) more than once with different targets: viewers may show different content',
  },
  CHANGES_UNANALYSABLE: { step: 'changes', severity: 'error', zh: '无法分析签名后的修改：{detail}', en: 'The changes after signing cannot be analysed: {detail}' },
  // --- step 7: our policy ---
  FOREIGN_SIGNATURE: {
    step: 'policy',
    severity: 'info',
    zh: '非本集团印章的签名：不检查用印规定（U2、U3、M4）',
    en: 'Not a seal of the group: the sealing rules (U2, U3, M4) are not checked',
  },
  DOCUMENT_TYPE_MISSING: { step: 'policy', severity: 'error', zh: '签名中没有文件类型（U2）', en: 'The signature does not declare a document type (U2)' },
  DOCUMENT_TYPE_FORBIDDEN: { step: 'policy', severity: 'error', zh: '文件类型 {type} 不允许用电子印章（U2）', en: 'Document type {type} may not be sealed (U2)' },
  APPROVAL_REFERENCE_MISSING: { step: 'policy', severity: 'error', zh: '签名中没有用印审批编号（U3）', en: 'The signature carries no approval reference (U3)' },
  WORKSTATION_MISSING: { step: 'policy', severity: 'error', zh: '签名中没有专用计算机标识（M4）', en: 'The signature carries no workstation id (M4)' },
  WORKSTATION_MISMATCH: {
    step: 'policy',
    severity: 'error',
    zh: '签名所用计算机与印章绑定的专用计算机不符（M4、S1）',
    en: 'The signature was made on a computer other than the one the seal is bound to (M4, S1)',
  },
  SEAL_NOT_IN_REGISTER: { step: 'policy', severity: 'warning', zh: '登记簿中没有这枚印章', en: 'The seal is not in the register' },
} as const satisfies Record<string, FindingSpec>;

export type FindingCode = keyof typeof FINDING_CATALOG;

export interface VerifyFinding {
  readonly code: FindingCode;
  readonly step: FindingStep;
  readonly severity: VerifySeverity;
  readonly zh: string;
  readonly en: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

function fill(template: string, params: Readonly<Record<string, string | number>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params?.[name];
    return value === undefined ? '' : String(value);
  });
}

export function finding(code: FindingCode, params?: Readonly<Record<string, string | number | undefined>>, severity?: VerifySeverity): VerifyFinding {
  const spec: FindingSpec = FINDING_CATALOG[code];
  const clean: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) clean[key] = value;
  const hasParams = Object.keys(clean).length > 0;
  return {
    code,
    step: spec.step,
    severity: severity ?? spec.severity,
    zh: fill(spec.zh, clean),
    en: fill(spec.en, clean),
    ...(hasParams ? { params: clean } : {}),
  };
}

export function hasError(findings: readonly VerifyFinding[], step?: FindingStep): boolean {
  return findings.some((f) => f.severity === 'error' && (step === undefined || f.step === step));
}

/**
 * The verification report as JSON (a documented, versioned schema) and as readable text.
 *
 * JSON schema, version 1 (VERIFY_REPORT_SCHEMA_VERSION):
 *   { schemaVersion: 1, generatedAt: ISO time, verdict: worst file verdict,
 *     files: [ { path, verdict, size, revisions, emptySignatureFields[], findings[],
 *                signatures: [ { field, kind, subFilter, verdict, checks{coverage, integrity,
 *                  trust, revocation, timestamp, changes, policy}, findings[], signedRevision,
 *                  byteRange, coversWholeFile, signer, seal, chain[], claimedTime,
 *                  timestampTime, trustedTime, trustedTimeSource, digestAlgorithm,
 *                  signatureAlgorithm, changes[{revision, level, kind, object?, page?, detail?}],
 *                  docMdpPermission, policy{ours, documentType?, approvalReference?,
 *                  workstationId?, usageRecord?{counter, auditSeq, auditHash}}, reason, location, page, padesLevel? (B-B | B-T | B-LT | B-LTA),
 *                  revocationSource? (given | embedded | none) } ] } ] }
 *   seal is { code?, name?, unit?, kind? } (kind: company | department, from the seal-info
 *   extension). The CLI adds trust { zh, en, snapshotSequence? } (what the verdicts rest on)
 *   and reportPdf (the --report path) at the top level.
 *   A finding is { code, step, severity, zh, en, params? }. Adding fields keeps the version;
 *   renaming or removing one, or changing a meaning, bumps it.
 */
import type { FileReport } from './types';
import { worstVerdict } from './verdict';

export const VERIFY_REPORT_SCHEMA_VERSION = 1;

export interface VerifyReportJson {
  readonly schemaVersion: typeof VERIFY_REPORT_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly verdict: string;
  readonly files: readonly FileReport[];
}

export function reportJson(files: readonly FileReport[], generatedAt: Date): VerifyReportJson {
  return {
    schemaVersion: VERIFY_REPORT_SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    verdict: worstVerdict(files.map((f) => f.verdict)) ?? 'UNSIGNED',
    files,
  };
}

export const VERDICT_TEXT: Readonly<Record<string, { zh: string; en: string }>> = {
  VALID: { zh: '有效', en: 'valid' },
  VALID_WITH_CHANGES: { zh: '有效（签名后有允许的修改）', en: 'valid, with allowed changes after signing' },
  MODIFIED: { zh: '签名后被修改', en: 'modified after signing' },
  INVALID: { zh: '无效', en: 'invalid' },
  UNTRUSTED: { zh: '签名者不受信任', en: 'signer not trusted' },
  REVOKED: { zh: '印章已注销或挂失', en: 'seal revoked' },
  POLICY_VIOLATION: { zh: '违反用印规定', en: 'violates the sealing rules' },
  UNSUPPORTED: { zh: '格式不受支持', en: 'unsupported format' },
  UNSIGNED: { zh: '未签名', en: 'not signed' },
};

/** `formatTime` renders the ISO times it prints (the CLI passes local time with offset). */
/** Issue #12: a VALID resting on a trusted root alone is never printed as a plain VALID. */
function unchecked(sig: { readonly findings: readonly { readonly code: string }[] }): boolean {
  return sig.findings.some((f) => f.code === 'REVOCATION_NOT_CHECKED');
}

function qualifier(revocationUnchecked: boolean, verdict: string): string {
  return revocationUnchecked && (verdict === 'VALID' || verdict === 'VALID_WITH_CHANGES') ? '（吊销状态未检查 / revocation not checked）' : '';
}

export function reportText(files: readonly FileReport[], formatTime: (iso: string) => string = (iso) => iso): string {
  const lines: string[] = [];
  for (const file of files) {
    const v = VERDICT_TEXT[file.verdict];
    lines.push(`${file.path}: ${file.verdict} ${v?.zh ?? ''} / ${v?.en ?? ''}${qualifier(file.signatures.some(unchecked), file.verdict)}`);
    for (const f of file.findings) lines.push(`  [${f.severity}] ${f.code}: ${f.zh} / ${f.en}`);
    if (file.emptySignatureFields.length > 0) lines.push(`  空签名域 Empty signature fields: ${file.emptySignatureFields.join(', ')}`);
    for (const sig of file.signatures) {
      const sv = VERDICT_TEXT[sig.verdict];
      lines.push(`  ${sig.field} (${sig.kind}, ${sig.subFilter ?? '?'}): ${sig.verdict} ${sv?.zh ?? ''} / ${sv?.en ?? ''}${qualifier(unchecked(sig), sig.verdict)}`);
      if (sig.signer) lines.push(`    签名者 Signer: ${sig.signer.subject}`);
      if (sig.seal?.code) lines.push(`    印章编码 Seal code: ${sig.seal.code}`);
      if (sig.policy.usageRecord) {
        const u = sig.policy.usageRecord;
        lines.push(`    用印计数 Usage record: 第 ${u.counter} 次用印 stamping no. ${u.counter}；审计记录 audit row ${u.auditSeq}:${u.auditHash.slice(0, 16)}…`);
      }
      if (sig.trustedTime) lines.push(`    时间 Time: ${formatTime(sig.trustedTime)} (${sig.trustedTimeSource})`);
      if (sig.padesLevel) lines.push(`    PAdES 级别 level: ${sig.padesLevel}${sig.revocationSource === 'embedded' ? '；吊销状态依据内嵌验证数据 / revocation checked from embedded data (DSS)' : ''}`);
      for (const c of sig.changes) lines.push(`    修改 Change r${c.revision}: ${c.level} ${c.kind}${c.page !== undefined ? ` 第${c.page}页 page ${c.page}` : ''}${c.detail ? ` (${c.detail})` : ''}`);
      for (const f of sig.findings) if (f.severity !== 'info') lines.push(`    [${f.severity}] ${f.code}: ${f.zh} / ${f.en}`);
    }
  }
  return lines.join('\n');
}

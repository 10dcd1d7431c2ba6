/**
 * The office's inspection of one workstation export (S6): who exported it (CMS signature by a
 * seal the office bound to that workstation, under the group root), whether the audit log is
 * untampered (M5 hash chain), whether it is complete (it extends the head the office imported
 * last time from that workstation), and whether the usage register agrees with the audit log
 * (U3: every stamping has its usage row, and no usage row lacks its audit row). Then the
 * figures for the report. Pure: the caller supplies the office register's view and stores the
 * new head.
 *
 * A check that fails is a finding, never an exception: one bad export must not hide the
 * verdicts on the others in the same run.
 */
import { validateCertificatePath, verifyCmsSignature, type CertificateInfo } from '../pki/index';
import { verifyAuditChain, type AuditRecord } from '../register/index';
import { anchoredStampings, anchorFindings, type AnchoredStamping, type AnchorFinding, type InspectedKeyRecord } from './anchor-checks';
import {
  ExportFormatError,
  parseWorkstationExport,
  WORKSTATION_EXPORT_CONTENT_TYPE,
  type ChainHead,
  type ExportedUsageRow,
  type WorkstationExport,
} from './export-format';

export type InspectionFindingCode =
  | 'EXPORT_UNREADABLE'
  | 'EXPORT_UNSIGNED'
  | 'SIGNATURE_INVALID'
  | 'SIGNER_NOT_GROUP'
  | 'SIGNER_NOT_WORKSTATION_SEAL'
  | 'SIGNER_SEAL_REVOKED'
  | 'WORKSTATION_UNKNOWN'
  | 'AUDIT_ROW_EDITED'
  | 'AUDIT_ROW_DELETED'
  | 'AUDIT_ROWS_REORDERED'
  | 'HEAD_MISMATCH'
  | 'HISTORY_TRUNCATED'
  | 'HISTORY_REWRITTEN'
  | 'STAMP_WITHOUT_USAGE'
  | 'USAGE_WITHOUT_AUDIT'
  | 'USAGE_AUDIT_MISMATCH'
  | AnchorFinding['code'];

export interface InspectionFinding {
  readonly code: InspectionFindingCode;
  readonly severity: 'error' | 'warning';
  readonly zh: string;
  readonly en: string;
  /** The audit seq or usage id the finding is about, when there is one. */
  readonly seq?: number;
}

/** A seal the office register holds, with every certificate it ever had (re-issue, change). */
export interface KnownSeal {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly unit: string;
  /** The workstation the seal is bound to now (M4, S1). */
  readonly workstationId: string | null;
  readonly certificates: readonly { readonly der: Uint8Array; readonly serial: string; readonly revokedAt: Date | null }[];
}

/** What the office last imported from a workstation (kept in the office register). */
export interface ImportedHead extends ChainHead {
  readonly exportedAt: string;
  readonly inspectedAt: string;
  /** Issue #12: the USB key's usage record in that export, when it had one. */
  readonly key?: InspectedKeyRecord;
  /** Set when the office re-pinned this head by hand (after a wrong import): why and on whose approval. */
  readonly repin?: HeadRepin;
}

/** The office's re-pin of a workstation's head (the recovery from HISTORY_REWRITTEN after a wrong import). */
export interface HeadRepin {
  readonly reference: string;
  readonly approver: string;
  readonly reason: string;
  readonly at: string;
  /** The head that was replaced, "seq:hash" (null: none). */
  readonly replaced: string | null;
  readonly operator: string;
}

export interface InspectionContext {
  readonly groupRoot: CertificateInfo;
  readonly seals: readonly KnownSeal[];
  readonly lastImported: (workstationId: string) => ImportedHead | undefined;
  readonly at: Date;
}

export interface InspectionFigures {
  /** First and last audit time of the rows new since the last import (null: none). */
  readonly periodFrom: string | null;
  readonly periodTo: string;
  /** Audit seq the period starts after (the last imported head; 0 the first time). */
  readonly afterSeq: number;
  readonly newAuditRows: number;
  readonly stampingsByType: Readonly<Record<string, number>>;
  readonly stampings: number;
  readonly failedStampings: number;
  readonly refusals: number;
  readonly failedPinAttempts: number;
  /** Codes of the seals that stamped in the period, and of the seals bound to the workstation. */
  readonly sealCodes: readonly string[];
}

export interface InspectionResult {
  readonly source: string;
  readonly ok: boolean;
  readonly workstationId: string | null;
  readonly signed: boolean;
  /** The seal whose key signed the export, when the office knows it. */
  readonly signer: { readonly sealCode: string | null; readonly subject: string; readonly serial: string } | null;
  readonly exportedAt: string | null;
  readonly head: ChainHead | null;
  readonly previous: ImportedHead | null;
  readonly figures: InspectionFigures | null;
  readonly findings: readonly InspectionFinding[];
  /** Issue #12: the USB key's usage record the export carries (null: none or exported without the key). */
  readonly keyRecord: { readonly tokenSerial: string; readonly sealId: string; readonly counter: number; readonly auditSeq: number; readonly auditHash: string } | null;
  /** Every stamping attempt in the export that took a seal counter (for the received documents' check). */
  readonly stampings: readonly AnchoredStamping[];
}

function finding(code: InspectionFindingCode, zh: string, en: string, seq?: number, severity: 'error' | 'warning' = 'error'): InspectionFinding {
  return { code, severity, zh, en, ...(seq !== undefined ? { seq } : {}) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

interface Envelope {
  readonly content: Uint8Array;
  readonly signerCertificate: CertificateInfo | null;
  readonly signerFindings: InspectionFinding[];
  readonly signed: boolean;
}

/** A signed export is DER (starts with SEQUENCE 0x30); an unsigned one is JSON ('{'). */
async function openEnvelope(raw: Uint8Array, groupRoot: CertificateInfo, at: Date): Promise<Envelope | InspectionFinding> {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09 || raw[i] === 0xef || raw[i] === 0xbb || raw[i] === 0xbf)) i += 1;
  if (raw[i] === 0x7b) {
    return {
      content: raw,
      signerCertificate: null,
      signed: false,
      signerFindings: [
        finding('EXPORT_UNSIGNED', '导出文件未签名：无法确认由哪台计算机的印章导出', 'The export is not signed: nothing shows which seal exported it', undefined, 'warning'),
      ],
    };
  }
  let cms;
  try {
    cms = await verifyCmsSignature(raw);
  } catch (cause) {
    return finding('EXPORT_UNREADABLE', `无法读取导出文件：${cause instanceof Error ? cause.message : String(cause)}`, `The export cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (cms.contentType !== WORKSTATION_EXPORT_CONTENT_TYPE || cms.encapsulatedContent === undefined) {
    return finding('EXPORT_UNREADABLE', `不是工作站导出文件（内容类型 ${cms.contentType}）`, `Not a workstation export (content type ${cms.contentType})`);
  }
  const signer = cms.signers.length === 1 ? cms.signers[0] : undefined;
  const findings: InspectionFinding[] = [];
  if (signer === undefined || !cms.valid || !signer.valid || signer.certificate === undefined) {
    const codes = [...cms.findings, ...(signer?.findings ?? [])].filter((f) => f.severity === 'error').map((f) => f.code);
    // Tampered content (MESSAGE_DIGEST_MISMATCH) or signature: nothing inside can be trusted,
    // but the content is still read below so the report can say what it claims.
    findings.push(finding('SIGNATURE_INVALID', `签名无效，文件在签署后被修改（${codes.join(', ') || '无签名者'}）`, `The signature is not valid: the file changed after signing (${codes.join(', ') || 'no signer'})`));
    return { content: cms.encapsulatedContent, signerCertificate: signer?.certificate ?? null, signerFindings: findings, signed: true };
  }
  const path = validateCertificatePath({ leaf: signer.certificate, intermediates: cms.certificates, trustAnchors: [groupRoot], at });
  if (!path.trusted) {
    const codes = path.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    findings.push(finding('SIGNER_NOT_GROUP', `签名证书不是集团根证书签发的有效证书（${codes.join(', ')}）`, `The signing certificate is not a valid certificate under the group root (${codes.join(', ')})`));
  }
  return { content: cms.encapsulatedContent, signerCertificate: signer.certificate, signerFindings: findings, signed: true };
}

const BREAK: Readonly<Record<'edited' | 'deleted' | 'reordered', { code: InspectionFindingCode; zh: string; en: string }>> = {
  edited: { code: 'AUDIT_ROW_EDITED', zh: '审计日志第 {seq} 条被修改', en: 'Audit row {seq} was edited' },
  deleted: { code: 'AUDIT_ROW_DELETED', zh: '审计日志第 {seq} 条被删除', en: 'Audit row {seq} was deleted' },
  reordered: { code: 'AUDIT_ROWS_REORDERED', zh: '审计日志第 {seq} 条顺序被调换', en: 'Audit row {seq} was reordered' },
};

function detailsOf(row: AuditRecord): Record<string, unknown> {
  try {
    const parsed = JSON.parse(row.details) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const STAMP_ACTIONS: ReadonlySet<string> = new Set(['STAMP', 'STAMP_FAILED', 'STAMP_REFUSED']);

/** U3 × M5: the usage register is not hash-chained, so each usage row is held against its audit row. */
function crossCheck(content: WorkstationExport): InspectionFinding[] {
  const findings: InspectionFinding[] = [];
  const bySeq = new Map(content.audit.map((r) => [r.seq, r]));
  const usageBySeq = new Map<number, ExportedUsageRow>();
  for (const u of content.usage) {
    usageBySeq.set(u.auditSeq, u);
    const audit = bySeq.get(u.auditSeq);
    if (audit === undefined || !STAMP_ACTIONS.has(audit.action)) {
      findings.push(finding('USAGE_WITHOUT_AUDIT', `用印登记第 ${u.id} 条没有对应的审计记录`, `Usage row ${u.id} has no audit row`, u.id));
      continue;
    }
    const d = detailsOf(audit);
    const mismatched = (
      [
        ['sealId', u.sealId],
        ['documentType', u.documentType],
        ['documentTitle', u.documentTitle],
        ['pages', u.pages],
        ['sha256Before', u.sha256Before],
        ['sha256After', u.sha256After],
        ['workstationId', u.workstationId],
        ['errorCode', u.errorCode],
      ] as const
    ).filter(([key, value]) => (d[key] ?? null) !== value).map(([key]) => key);
    if ((audit.action === 'STAMP') !== (u.status === 'ok')) mismatched.push('status' as never);
    if (Date.parse(audit.at) !== Date.parse(u.at)) mismatched.push('at' as never);
    if (mismatched.length > 0) {
      findings.push(
        finding('USAGE_AUDIT_MISMATCH', `用印登记第 ${u.id} 条与审计日志第 ${audit.seq} 条不符（${mismatched.join(', ')}）`, `Usage row ${u.id} differs from audit row ${audit.seq} (${mismatched.join(', ')})`, u.id),
      );
    }
  }
  for (const row of content.audit) {
    // A refusal before any seal was chosen (no sealId) has no usage row by design.
    const needsUsage = row.action === 'STAMP' || (STAMP_ACTIONS.has(row.action) && detailsOf(row).sealId !== undefined);
    if (needsUsage && !usageBySeq.has(row.seq)) {
      findings.push(finding('STAMP_WITHOUT_USAGE', `审计日志第 ${row.seq} 条盖章记录没有对应的用印登记`, `Stamping audit row ${row.seq} has no usage row`, row.seq));
    }
  }
  return findings;
}

function figuresOf(content: WorkstationExport, afterSeq: number, seals: readonly KnownSeal[]): InspectionFigures {
  const rows = content.audit.filter((r) => r.seq > afterSeq);
  const usage = content.usage.filter((u) => u.auditSeq > afterSeq);
  const stampingsByType: Record<string, number> = {};
  for (const u of usage) if (u.status === 'ok') stampingsByType[u.documentType] = (stampingsByType[u.documentType] ?? 0) + 1;
  const codeOf = new Map(seals.map((s) => [s.id, s.code]));
  const codes = new Set<string>();
  for (const u of usage) codes.add(codeOf.get(u.sealId) ?? u.sealId);
  for (const s of seals) if (s.workstationId === content.workstationId) codes.add(s.code);
  const count = (...actions: string[]): number => rows.filter((r) => actions.includes(r.action)).length;
  return {
    periodFrom: rows[0]?.at ?? null,
    periodTo: content.exportedAt,
    afterSeq,
    newAuditRows: rows.length,
    stampingsByType,
    stampings: usage.filter((u) => u.status === 'ok').length,
    failedStampings: count('STAMP_FAILED'),
    refusals: count('STAMP_REFUSED', 'LOGIN_REFUSED', 'WORKSTATION_MISMATCH'),
    failedPinAttempts: count('PIN_FAILED'),
    sealCodes: [...codes].sort(),
  };
}

export async function inspectWorkstationExport(raw: Uint8Array, source: string, context: InspectionContext): Promise<InspectionResult> {
  const base = { source, signed: false, signer: null, exportedAt: null, head: null, previous: null, figures: null, workstationId: null, keyRecord: null, stampings: [] };
  const envelope = await openEnvelope(raw, context.groupRoot, context.at);
  if (!('content' in envelope)) return { ...base, ok: false, findings: [envelope] };
  const findings: InspectionFinding[] = [...envelope.signerFindings];
  let content: WorkstationExport;
  try {
    content = parseWorkstationExport(envelope.content);
  } catch (error) {
    const detail = error instanceof ExportFormatError ? error.message : String(error);
    findings.push(finding('EXPORT_UNREADABLE', `导出文件内容不符合格式：${detail}`, `The export's content is not in our format: ${detail}`));
    return { ...base, signed: envelope.signed, ok: false, findings };
  }
  const bound = context.seals.filter((s) => s.workstationId === content.workstationId);
  if (bound.length === 0) {
    findings.push(finding('WORKSTATION_UNKNOWN', `登记簿中没有绑定到计算机 ${content.workstationId} 的印章`, `No seal in the register is bound to workstation ${content.workstationId}`));
  }
  let signer: InspectionResult['signer'] = null;
  const cert = envelope.signerCertificate;
  if (cert !== null) {
    const owner = context.seals.find((s) => s.certificates.some((c) => sameBytes(c.der, cert.der)));
    const record = owner?.certificates.find((c) => sameBytes(c.der, cert.der));
    signer = { sealCode: owner?.code ?? null, subject: cert.subject.text, serial: cert.serialHex };
    if (owner === undefined || owner.workstationId !== content.workstationId) {
      // S6: the export must come from the seal the office bound to that computer (M4, S1),
      // not from any seal of the group.
      findings.push(
        finding(
          'SIGNER_NOT_WORKSTATION_SEAL',
          `签署导出文件的印章（${owner?.code ?? cert.subject.text}）不是绑定到计算机 ${content.workstationId} 的印章`,
          `The seal that signed the export (${owner?.code ?? cert.subject.text}) is not bound to workstation ${content.workstationId}`,
        ),
      );
    } else if (record?.revokedAt != null && record.revokedAt.getTime() <= Date.parse(content.exportedAt)) {
      findings.push(finding('SIGNER_SEAL_REVOKED', `签署导出文件的证书已于 ${record.revokedAt.toISOString()} 吊销`, `The signing certificate was revoked at ${record.revokedAt.toISOString()}`));
    }
  }
  const chain = verifyAuditChain(content.audit);
  if (!chain.ok) {
    const b = BREAK[chain.reason];
    findings.push(finding(b.code, `${b.zh.replace('{seq}', String(chain.seq))}（${chain.detail}）`, `${b.en.replace('{seq}', String(chain.seq))} (${chain.detail})`, chain.seq));
  }
  const last = content.audit.at(-1);
  const lastHead = last === undefined ? null : { seq: last.seq, hash: last.hash };
  if ((content.head?.seq ?? null) !== (lastHead?.seq ?? null) || (content.head?.hash ?? null) !== (lastHead?.hash ?? null)) {
    findings.push(finding('HEAD_MISMATCH', '导出文件声明的链头与最后一条审计记录不符（尾部被截去或追加）', 'The head the export declares is not its last audit row (rows cut or added at the end)'));
  }
  const previous = context.lastImported(content.workstationId) ?? null;
  if (previous !== null) {
    const anchored = content.audit.find((r) => r.seq === previous.seq);
    if (last === undefined || last.seq < previous.seq) {
      findings.push(
        finding(
          'HISTORY_TRUNCATED',
          `导出文件止于第 ${last?.seq ?? 0} 条，早于上次导入的第 ${previous.seq} 条（${previous.exportedAt}）：历史被截断或是旧文件`,
          `The export ends at row ${last?.seq ?? 0}, before row ${previous.seq} imported last time (${previous.exportedAt}): a truncated history or an old file`,
          previous.seq,
        ),
      );
    } else if (anchored === undefined || anchored.hash !== previous.hash) {
      findings.push(
        finding('HISTORY_REWRITTEN', `第 ${previous.seq} 条与上次导入时的链头不同：历史被改写`, `Row ${previous.seq} differs from the head imported last time: the history was rewritten`, previous.seq),
      );
    }
  }
  findings.push(...crossCheck(content));
  // Issue #12: the export against the USB key's usage record (M5, S6).
  findings.push(...anchorFindings(content, previous?.key));
  const anchor = content.key?.anchor ?? null;
  return {
    source,
    ok: !findings.some((f) => f.severity === 'error'),
    workstationId: content.workstationId,
    signed: envelope.signed,
    signer,
    exportedAt: content.exportedAt,
    head: lastHead,
    previous,
    figures: figuresOf(content, previous?.seq ?? 0, context.seals),
    findings,
    keyRecord: anchor === null || content.key === undefined ? null : { tokenSerial: content.key.tokenSerial, sealId: anchor.sealId, counter: anchor.counter, auditSeq: anchor.auditSeq, auditHash: anchor.auditHash },
    stampings: anchoredStampings(content.audit),
  };
}

/**
 * S6 on both sides, over the real register and files:
 * - the workstation writes its export (usage register + audit log + head), signed by its seal
 *   key when a USB-key session is given;
 * - the office inspects exports against its register, keeps the head it imported per
 *   workstation (settings `inspection.head.<workstation id>`), audits each inspection
 *   (INSPECTION_IMPORTED) and writes the report PDF.
 * Files are written whole or not at all (temp file, fsync, rename).
 */
import { readFileSync } from 'node:fs';
import { YinjianError } from '../../../shared/errors/index';
import {
  encodeWorkstationExport,
  exportedUsageRow,
  inspectWorkstationExport,
  renderInspectionReportPdf,
  WORKSTATION_EXPORT_CONTENT_TYPE,
  WORKSTATION_EXPORT_SCHEMA,
  WORKSTATION_EXPORT_VERSION,
  type ImportedHead,
  type InspectionResult,
  type KnownSeal,
  type WorkstationExport,
} from '../../core/inspection/index';
import { OFFICE_SETTING } from '../../core/office/index';
import { buildSignedSnapshot, parseCertificate, OID } from '../../core/pki/index';
import type { SignatureAlgorithm } from '../../core/ports/signer';
import type { UsbKeySession } from '../../core/ports/usb-key';
import { currentUsageAnchor, USAGE_ANCHOR_LABEL, type Actor, type AuditRecord } from '../../core/register/index';
import { checkReceivedSeal, type DocumentCheck, type ExportedStampings, type HeadRepin, type ReceivedSeal } from '../../core/inspection/index';
import { verifyPdf } from '../../core/verify/index';
import type { SealRegister } from '../db/index';
import { readShippedFont } from '../appearance/index';
import { AtomicFileOutput } from '../stamp/file-output';

export const INSPECTION_HEAD_SETTING_PREFIX = 'inspection.head.';

async function writeWhole(target: string, bytes: Uint8Array, code: 'INSPECTION_EXPORT_NOT_WRITTEN' | 'INSPECTION_REPORT_NOT_WRITTEN'): Promise<void> {
  try {
    const pending = await new AtomicFileOutput().prepare(target, [bytes]);
    await pending.commit();
  } catch (error) {
    throw new YinjianError(code, { path: target, detail: error instanceof YinjianError ? error.en : String(error) }, { cause: error });
  }
}

/** The seal certificate on the key (not the CA certificate stored beside it) and its signer. */
async function sealSignerOn(session: UsbKeySession, token: string): Promise<{ signer: Awaited<ReturnType<UsbKeySession['signer']>>; certificate: Uint8Array; caCertificates: Uint8Array[] }> {
  const stored = await session.listCertificates();
  const parsed = stored.flatMap((c) => {
    try {
      return [{ ...c, info: parseCertificate(c.der) }];
    } catch {
      return [];
    }
  });
  const own = parsed.find((c) => c.info.basicConstraints?.ca !== true && c.info.sealInfo !== undefined);
  if (own === undefined) throw new YinjianError('INSPECTION_SEAL_NOT_ON_KEY', { token });
  const algorithm: SignatureAlgorithm = own.info.publicKeyAlgorithm === OID.ecPublicKey ? 'ECDSA_P256_SHA256' : 'RSA_PKCS1_SHA256';
  const signer = await session.signer(own.keyId, algorithm);
  const caCertificates = parsed.filter((c) => c.info.basicConstraints?.ca === true).map((c) => c.der);
  return { signer, certificate: own.der, caCertificates };
}

export interface WorkstationExportRequest {
  readonly register: SealRegister;
  readonly workstationId: string;
  readonly out: string;
  readonly at: Date;
  readonly actor: Actor;
  /** An open session on this workstation's seal key (M4 checked by openForSigning); absent: unsigned. */
  readonly session?: UsbKeySession;
  readonly tokenSerial?: string;
}

export interface WorkstationExportResult {
  readonly path: string;
  readonly signed: boolean;
  readonly head: { seq: number; hash: string } | null;
  readonly usageRows: number;
  readonly auditRows: number;
  /** Issue #12: the USB key's usage record, as exported (null: exported without the key). */
  readonly key: WorkstationExport['key'] | null;
}

/**
 * The export records itself first (REGISTER_EXPORTED), then reads every row in the same
 * transaction, so the export's head is its own audit row and nothing slips in between.
 */
export async function writeWorkstationExport(request: WorkstationExportRequest): Promise<WorkstationExportResult> {
  const { register } = request;
  const signing = request.session === undefined ? undefined : await sealSignerOn(request.session, request.tokenSerial ?? '');
  // Issue #12 (M5, S6): the seal's usage record as the USB key holds it now, signed into the export.
  const keyRecord = request.session === undefined ? undefined : { tokenSerial: request.tokenSerial ?? request.session.key.serial, anchor: currentUsageAnchor(await request.session.readRecords(USAGE_ANCHOR_LABEL)) ?? null };
  const content: WorkstationExport = register.transaction(() => {
    register.audit.append({
      actor: request.actor,
      action: 'REGISTER_EXPORTED',
      subject: request.workstationId,
      at: request.at,
      details: { signed: signing !== undefined, tokenSerial: request.tokenSerial ?? null, usageRows: register.usage.find().length },
    });
    const audit: AuditRecord[] = [];
    for (let from = 1; ; ) {
      const page = register.audit.list(from, 1000);
      audit.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1]!.seq + 1;
    }
    const last = audit.at(-1);
    return {
      schema: WORKSTATION_EXPORT_SCHEMA,
      version: WORKSTATION_EXPORT_VERSION,
      workstationId: request.workstationId,
      exportedAt: request.at.toISOString(),
      head: last === undefined ? null : { seq: last.seq, hash: last.hash },
      usage: register.usage.find().sort((a, b) => a.id - b.id).map(exportedUsageRow),
      audit,
      ...(keyRecord !== undefined ? { key: keyRecord } : {}),
    };
  });
  const json = encodeWorkstationExport(content);
  const bytes =
    signing === undefined
      ? json
      : await buildSignedSnapshot({
          signer: signing.signer,
          signerCertificate: signing.certificate,
          caCertificates: signing.caCertificates,
          content: json,
          contentType: WORKSTATION_EXPORT_CONTENT_TYPE,
          signingTime: request.at,
        });
  await writeWhole(request.out, bytes, 'INSPECTION_EXPORT_NOT_WRITTEN');
  return { path: request.out, signed: signing !== undefined, head: content.head, usageRows: content.usage.length, auditRows: content.audit.length, key: content.key ?? null };
}

function knownSeals(register: SealRegister): KnownSeal[] {
  return register.seals.list().map((seal) => ({
    id: seal.id,
    code: seal.code,
    name: seal.name,
    unit: seal.unitId,
    workstationId: seal.workstationId,
    certificates: register.seals.certificates(seal.id).map((c) => ({ der: c.der, serial: c.serial, revokedAt: c.revokedAt })),
  }));
}

export function importedHead(register: Pick<SealRegister, 'settings'>, workstationId: string): ImportedHead | undefined {
  const saved = register.settings.get(INSPECTION_HEAD_SETTING_PREFIX + workstationId);
  if (saved === undefined) return undefined;
  return JSON.parse(saved) as ImportedHead;
}

export interface InspectionRun {
  readonly results: readonly InspectionResult[];
  /** Issue #12: the received sealed documents held against the exports (empty: none given). */
  readonly documents: readonly DocumentCheck[];
  readonly ok: boolean;
  readonly report: { readonly path: string; readonly bytes: number } | undefined;
}

export interface InspectionInput {
  /** Shown in the report and the audit row (a file name). */
  readonly source: string;
  readonly bytes: Uint8Array;
}

/**
 * Inspects the exports in order (two exports of one workstation in one run: the second must
 * extend the first). A passing export moves that workstation's imported head; a failing one
 * leaves it, so the next inspection is still held against the last good history. Every
 * inspection, passed or failed, gets its audit row.
 */
export async function inspectExports(
  register: SealRegister,
  inputs: readonly InspectionInput[],
  options: { at: Date; actor: Actor; reportPath?: string; documents?: readonly InspectionInput[] },
): Promise<InspectionRun> {
  const rootDer = register.settings.get(OFFICE_SETTING.caCertificate);
  if (rootDer === undefined) throw new YinjianError('INSPECTION_NO_GROUP_ROOT');
  const groupRoot = parseCertificate(Buffer.from(rootDer, 'base64'));
  const seals = knownSeals(register);
  const results: InspectionResult[] = [];
  for (const input of inputs) {
    const result = await inspectWorkstationExport(input.bytes, input.source, { groupRoot, seals, at: options.at, lastImported: (ws) => importedHead(register, ws) });
    register.transaction(() => {
      if (result.ok && result.workstationId !== null && result.head !== null && result.exportedAt !== null) {
        const head: ImportedHead = {
          seq: result.head.seq,
          hash: result.head.hash,
          exportedAt: result.exportedAt,
          inspectedAt: options.at.toISOString(),
          ...(result.keyRecord !== null ? { key: { sealId: result.keyRecord.sealId, counter: result.keyRecord.counter, auditSeq: result.keyRecord.auditSeq } } : {}),
        };
        register.settings.set(INSPECTION_HEAD_SETTING_PREFIX + result.workstationId, JSON.stringify(head));
      }
      register.audit.append({
        actor: options.actor,
        action: 'INSPECTION_IMPORTED',
        subject: result.workstationId ?? input.source,
        at: options.at,
        details: {
          source: input.source,
          ok: result.ok,
          signed: result.signed,
          signerSeal: result.signer?.sealCode ?? null,
          head: result.head === null ? null : `${result.head.seq}:${result.head.hash}`,
          findings: result.findings.map((f) => f.code),
        },
      });
    });
    results.push(result);
  }
  const documents = options.documents === undefined ? [] : await checkReceivedDocuments(groupRoot.der, seals, results, options.documents);
  if (documents.length > 0) {
    register.audit.append({
      actor: options.actor,
      action: 'INSPECTION_IMPORTED',
      subject: 'documents',
      at: options.at,
      details: {
        documents: documents.length,
        notInExport: documents.filter((d) => d.severity === 'error').map((d) => `${d.source}:${d.code}`),
      },
    });
  }
  const report = options.reportPath === undefined ? undefined : await writeInspectionReport(register, options.reportPath, results, options.at, documents);
  return { results, documents, ok: results.every((r) => r.ok) && documents.every((d) => d.severity !== 'error'), report };
}

/**
 * Issue #12 (S6): every seal of the group in the received documents, with its signed usage
 * record, held against the stampings of the exports inspected in the same run.
 */
async function checkReceivedDocuments(
  rootDer: Uint8Array,
  seals: readonly KnownSeal[],
  results: readonly InspectionResult[],
  documents: readonly InspectionInput[],
): Promise<DocumentCheck[]> {
  const exported = new Map<string, InspectionResult['stampings']>();
  for (const r of results) if (r.workstationId !== null && r.figures !== null) exported.set(r.workstationId, [...(exported.get(r.workstationId) ?? []), ...r.stampings]);
  const bySerial = new Map<string, KnownSeal>();
  for (const seal of seals) for (const c of seal.certificates) bySerial.set(c.serial.toLowerCase().replace(/^0+/, ''), seal);
  const checks: DocumentCheck[] = [];
  for (const doc of documents) {
    let report;
    try {
      report = await verifyPdf(doc.bytes, { trustAnchors: [rootDer] }, {}, doc.source);
    } catch (error) {
      checks.push({ source: doc.source, field: null, sealCode: null, counter: null, code: 'DOCUMENT_UNREADABLE', severity: 'warning', zh: `无法读取文件：${String(error)}`, en: `The file cannot be read: ${String(error)}` });
      continue;
    }
    const ours = report.signatures.filter((sig) => sig.kind !== 'document-timestamp' && sig.signer !== undefined && bySerial.has(sig.signer.serialHex.toLowerCase().replace(/^0+/, '')));
    if (ours.length === 0) {
      checks.push({ source: doc.source, field: null, sealCode: null, counter: null, code: 'DOCUMENT_NO_USAGE_RECORD', severity: 'warning', zh: '文件中没有集团印章', en: 'The file carries no seal of the group' });
      continue;
    }
    for (const sig of ours) {
      const seal = bySerial.get(sig.signer!.serialHex.toLowerCase().replace(/^0+/, ''))!;
      const received: ReceivedSeal = {
        source: doc.source,
        field: sig.field,
        sealCode: seal.code,
        sealId: seal.id,
        workstationId: sig.policy.workstationId ?? null,
        record: sig.policy.usageRecord ?? null,
        intact: sig.checks.integrity === 'passed',
      };
      checks.push(checkReceivedSeal(received, exported as ExportedStampings));
    }
  }
  return checks;
}

/**
 * Issue #12: the documented recovery from HISTORY_REWRITTEN after a wrong import (an export
 * from an empty or foreign data folder was inspected and its head pinned). The office re-pins
 * the workstation's head to a correct export, on an application reference with its approver and
 * a reason, all audited (INSPECTION_HEAD_REPINNED) and printed in the next inspection reports.
 * The export must pass every other check (signature, chain, usage/audit, the USB key's record):
 * a re-pin cannot bless a history the key or the chain contradicts.
 */
export async function repinWorkstationHead(
  register: SealRegister,
  input: InspectionInput,
  options: { at: Date; actor: Actor; reference: string; approver: string; reason: string },
): Promise<{ result: InspectionResult; replaced: ImportedHead | undefined; head: ImportedHead }> {
  for (const [name, value] of [['--reference', options.reference], ['--approver', options.approver], ['--reason', options.reason]] as const) {
    if (value.trim() === '') throw new YinjianError('REPIN_INVALID', { detail: `${name} is required` });
  }
  const rootDer = register.settings.get(OFFICE_SETTING.caCertificate);
  if (rootDer === undefined) throw new YinjianError('INSPECTION_NO_GROUP_ROOT');
  const groupRoot = parseCertificate(Buffer.from(rootDer, 'base64'));
  const result = await inspectWorkstationExport(input.bytes, input.source, { groupRoot, seals: knownSeals(register), at: options.at, lastImported: () => undefined });
  if (!result.ok || result.workstationId === null || result.head === null || result.exportedAt === null) {
    const codes = result.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    throw new YinjianError('REPIN_INVALID', { detail: `the export does not pass inspection (${codes.join(', ') || 'unreadable'})` });
  }
  if (!result.signed) throw new YinjianError('REPIN_INVALID', { detail: 'only a signed export (register export --token) can be re-pinned' });
  const workstationId = result.workstationId;
  const replaced = importedHead(register, workstationId);
  const repin: HeadRepin = {
    reference: options.reference.trim(),
    approver: options.approver.trim(),
    reason: options.reason.trim(),
    at: options.at.toISOString(),
    replaced: replaced === undefined ? null : `${replaced.seq}:${replaced.hash}`,
    operator: options.actor.name,
  };
  const head: ImportedHead = {
    seq: result.head.seq,
    hash: result.head.hash,
    exportedAt: result.exportedAt,
    inspectedAt: options.at.toISOString(),
    ...(result.keyRecord !== null ? { key: { sealId: result.keyRecord.sealId, counter: result.keyRecord.counter, auditSeq: result.keyRecord.auditSeq } } : {}),
    repin,
  };
  register.transaction(() => {
    register.settings.set(INSPECTION_HEAD_SETTING_PREFIX + workstationId, JSON.stringify(head));
    register.audit.append({
      actor: options.actor,
      action: 'INSPECTION_HEAD_REPINNED',
      subject: workstationId,
      at: options.at,
      details: { source: input.source, reference: repin.reference, approver: repin.approver, reason: repin.reason, replaced: repin.replaced, head: `${head.seq}:${head.hash}` },
    });
  });
  return { result, replaced, head };
}

/** The report PDF of inspections already made (the office console prints its session's). */
export async function writeInspectionReport(
  register: Pick<SealRegister, 'settings'>,
  target: string,
  results: readonly InspectionResult[],
  at: Date,
  documents: readonly DocumentCheck[] = [],
): Promise<{ path: string; bytes: number }> {
  const pdf = await renderInspectionReportPdf(results, readShippedFont(), at, register.settings.get(OFFICE_SETTING.groupName) ?? '', documents);
  await writeWhole(target, pdf, 'INSPECTION_REPORT_NOT_WRITTEN');
  return { path: target, bytes: pdf.length };
}

export function readExportFile(path: string): InspectionInput {
  try {
    return { source: path, bytes: readFileSync(path) };
  } catch (cause) {
    throw new YinjianError('FILE_NOT_READABLE', { path }, { cause });
  }
}

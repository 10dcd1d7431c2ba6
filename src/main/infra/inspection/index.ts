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
import type { Actor, AuditRecord } from '../../core/register/index';
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
}

/**
 * The export records itself first (REGISTER_EXPORTED), then reads every row in the same
 * transaction, so the export's head is its own audit row and nothing slips in between.
 */
export async function writeWorkstationExport(request: WorkstationExportRequest): Promise<WorkstationExportResult> {
  const { register } = request;
  const signing = request.session === undefined ? undefined : await sealSignerOn(request.session, request.tokenSerial ?? '');
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
  return { path: request.out, signed: signing !== undefined, head: content.head, usageRows: content.usage.length, auditRows: content.audit.length };
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
export async function inspectExports(register: SealRegister, inputs: readonly InspectionInput[], options: { at: Date; actor: Actor; reportPath?: string }): Promise<InspectionRun> {
  const rootDer = register.settings.get(OFFICE_SETTING.caCertificate);
  if (rootDer === undefined) throw new YinjianError('INSPECTION_NO_GROUP_ROOT');
  const groupRoot = parseCertificate(Buffer.from(rootDer, 'base64'));
  const seals = knownSeals(register);
  const results: InspectionResult[] = [];
  for (const input of inputs) {
    const result = await inspectWorkstationExport(input.bytes, input.source, { groupRoot, seals, at: options.at, lastImported: (ws) => importedHead(register, ws) });
    register.transaction(() => {
      if (result.ok && result.workstationId !== null && result.head !== null && result.exportedAt !== null) {
        const head: ImportedHead = { seq: result.head.seq, hash: result.head.hash, exportedAt: result.exportedAt, inspectedAt: options.at.toISOString() };
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
  const report = options.reportPath === undefined ? undefined : await writeInspectionReport(register, options.reportPath, results, options.at);
  return { results, ok: results.every((r) => r.ok), report };
}

/** The report PDF of inspections already made (the office console prints its session's). */
export async function writeInspectionReport(register: Pick<SealRegister, 'settings'>, target: string, results: readonly InspectionResult[], at: Date): Promise<{ path: string; bytes: number }> {
  const pdf = await renderInspectionReportPdf(results, readShippedFont(), at, register.settings.get(OFFICE_SETTING.groupName) ?? '');
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

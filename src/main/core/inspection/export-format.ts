/**
 * The workstation export of rule S6 (工作站导出): the usage register rows, the full audit log
 * rows with their hashes, the workstation id and the audit chain head, as canonical JSON.
 *
 * Schema `yinjian.workstation-export`, version 1:
 *   { schema, version, workstationId, exportedAt (ISO UTC),
 *     head: { seq, hash } | null,               the last audit row when exported
 *     usage: UsageRow[],                        every usage-register row (U3), ascending id
 *     audit: AuditRecord[],                     every audit row (M5), ascending seq
 *     key?: { tokenSerial, anchor: UsageAnchor | null } }
 *                                               issue #12: the seal's usage record read from the
 *                                               USB key at export time (signed exports only)
 *
 * Signed, the JSON is the encapsulated content of a CMS SignedData made by the workstation's
 * seal key (content type WORKSTATION_EXPORT_CONTENT_TYPE), so the office knows who exported it
 * and that nobody changed it since. Unsigned, it is the bare JSON: the office can still check
 * the hash chain and that it extends the head it imported last time, but anyone who can edit
 * the file can also recompute every hash after that head, so an unsigned export proves
 * nothing about who made it. Prefer signed; unsigned is for a workstation whose key is away.
 */
import { OID } from '../pki/index';
import { AUDIT_ACTIONS, canonicalJson, type AuditAction, type AuditRecord, type JsonValue } from '../register/index';
import { decodeUsageAnchor, encodeUsageAnchor, type UsageAnchor, type UsageEntry, type UsageStatus } from '../register/index';

export const WORKSTATION_EXPORT_SCHEMA = 'yinjian.workstation-export';
export const WORKSTATION_EXPORT_VERSION = 1;
/** CMS eContentType of a signed workstation export: ARC.7 of the project arc (pki/oids.ts). */
export const WORKSTATION_EXPORT_CONTENT_TYPE = OID.workstationExportContentType;

export interface ExportedUsageRow {
  readonly id: number;
  readonly sealId: string;
  readonly operatorStaffId: string;
  readonly operatorName: string;
  readonly useRequestId: string | null;
  readonly documentTitle: string;
  readonly documentType: string;
  readonly pages: number;
  readonly sha256Before: string;
  readonly sha256After: string | null;
  readonly outputPath: string | null;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly workstationId: string;
  readonly status: UsageStatus;
  readonly errorCode: string | null;
  readonly auditSeq: number;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface WorkstationExport {
  readonly schema: typeof WORKSTATION_EXPORT_SCHEMA;
  readonly version: typeof WORKSTATION_EXPORT_VERSION;
  readonly workstationId: string;
  readonly exportedAt: string;
  readonly head: ChainHead | null;
  readonly usage: readonly ExportedUsageRow[];
  readonly audit: readonly AuditRecord[];
  /** Issue #12: what the USB key said when the export was made (absent: exported without the key). */
  readonly key?: ExportedKeyRecord;
}

export interface ExportedKeyRecord {
  readonly tokenSerial: string;
  /** null: the key holds no usage record (no stamping anchored on it yet). */
  readonly anchor: UsageAnchor | null;
}

export function exportedUsageRow(e: UsageEntry): ExportedUsageRow {
  return {
    id: e.id,
    sealId: e.sealId,
    operatorStaffId: e.operatorStaffId,
    operatorName: e.operatorName,
    useRequestId: e.useRequestId,
    documentTitle: e.documentTitle,
    documentType: e.documentType,
    pages: e.pages,
    sha256Before: e.sha256Before,
    sha256After: e.sha256After,
    outputPath: e.outputPath,
    at: e.at.toISOString(),
    workstationId: e.workstationId,
    status: e.status,
    errorCode: e.errorCode,
    auditSeq: e.auditSeq,
  };
}

/** Canonical JSON (keys sorted at every depth), UTF-8: the bytes the workstation signs. */
export function encodeWorkstationExport(content: WorkstationExport): Uint8Array {
  return Buffer.from(canonicalJson(content as unknown as JsonValue, 'export'), 'utf8');
}

export class ExportFormatError extends Error {}

function sortKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
}

function fail(detail: string): never {
  throw new ExportFormatError(detail);
}

function obj(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${path} is not an object`);
  return value as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${path}.${key} is not a string`);
  return v;
}

function strOrNull(o: Record<string, unknown>, key: string, path: string): string | null {
  const v = o[key];
  if (v === null) return null;
  if (typeof v !== 'string') fail(`${path}.${key} is not a string or null`);
  return v;
}

function int(o: Record<string, unknown>, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${path}.${key} is not a non-negative integer`);
  return v;
}

const ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);
const HASH = /^[0-9a-f]{64}$/;

function head(value: unknown, path: string): ChainHead | null {
  if (value === null) return null;
  const o = obj(value, path);
  const seq = int(o, 'seq', path);
  const hash = str(o, 'hash', path);
  if (!HASH.test(hash)) fail(`${path}.hash is not a SHA-256 hex digest`);
  return { seq, hash };
}

/**
 * Reads an export's JSON strictly: anything that is not our schema is refused with the path of
 * the first wrong field (the caller reports it as a finding; hostile input never throws past it).
 */
export function parseWorkstationExport(bytes: Uint8Array): WorkstationExport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    fail(`not UTF-8 JSON: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const root = obj(parsed, 'export');
  if (root.schema !== WORKSTATION_EXPORT_SCHEMA) fail(`schema is not ${WORKSTATION_EXPORT_SCHEMA}`);
  if (root.version !== WORKSTATION_EXPORT_VERSION) fail(`version ${String(root.version)} is not supported`);
  const workstationId = str(root, 'workstationId', 'export');
  if (workstationId.trim() === '') fail('export.workstationId is empty');
  const exportedAt = str(root, 'exportedAt', 'export');
  if (Number.isNaN(Date.parse(exportedAt))) fail('export.exportedAt is not a time');
  if (!Array.isArray(root.usage)) fail('export.usage is not an array');
  if (!Array.isArray(root.audit)) fail('export.audit is not an array');
  const usage = root.usage.map((value: unknown, i): ExportedUsageRow => {
    const p = `export.usage[${i}]`;
    const o = obj(value, p);
    const status = str(o, 'status', p);
    if (status !== 'ok' && status !== 'failed') fail(`${p}.status is not ok or failed`);
    return {
      id: int(o, 'id', p),
      sealId: str(o, 'sealId', p),
      operatorStaffId: str(o, 'operatorStaffId', p),
      operatorName: str(o, 'operatorName', p),
      useRequestId: strOrNull(o, 'useRequestId', p),
      documentTitle: str(o, 'documentTitle', p),
      documentType: str(o, 'documentType', p),
      pages: int(o, 'pages', p),
      sha256Before: str(o, 'sha256Before', p),
      sha256After: strOrNull(o, 'sha256After', p),
      outputPath: strOrNull(o, 'outputPath', p),
      at: str(o, 'at', p),
      workstationId: str(o, 'workstationId', p),
      status,
      errorCode: strOrNull(o, 'errorCode', p),
      auditSeq: int(o, 'auditSeq', p),
    };
  });
  const audit = root.audit.map((value: unknown, i): AuditRecord => {
    const p = `export.audit[${i}]`;
    const o = obj(value, p);
    const action = str(o, 'action', p);
    if (!ACTIONS.has(action)) fail(`${p}.action ${action} is not a known audit action`);
    return {
      seq: int(o, 'seq', p),
      at: str(o, 'at', p),
      actorName: str(o, 'actorName', p),
      actorStaffId: str(o, 'actorStaffId', p),
      action: action as AuditAction,
      subject: str(o, 'subject', p),
      details: str(o, 'details', p),
      prevHash: str(o, 'prevHash', p),
      hash: str(o, 'hash', p),
    };
  });
  let key: ExportedKeyRecord | undefined;
  if (root.key !== undefined) {
    const k = obj(root.key, 'export.key');
    const tokenSerial = str(k, 'tokenSerial', 'export.key');
    let anchor: UsageAnchor | null = null;
    if (k.anchor !== null) {
      const decoded = decodeUsageAnchor(Buffer.from(JSON.stringify(k.anchor ?? {}), 'utf8'));
      if (decoded === undefined) fail('export.key.anchor is not a usage record');
      // Canonical form only: what was signed is exactly what is read.
      if (Buffer.compare(Buffer.from(encodeUsageAnchor(decoded)), Buffer.from(JSON.stringify(sortKeys(k.anchor)), 'utf8')) !== 0) fail('export.key.anchor has unknown fields');
      anchor = decoded;
    }
    key = { tokenSerial, anchor };
  }
  return {
    schema: WORKSTATION_EXPORT_SCHEMA,
    version: WORKSTATION_EXPORT_VERSION,
    workstationId,
    exportedAt,
    head: head(root.head, 'export.head'),
    usage,
    audit,
    ...(key !== undefined ? { key } : {}),
  };
}


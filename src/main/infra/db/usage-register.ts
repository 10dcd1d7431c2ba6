import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import { ERROR_CATALOG, YinjianError, isErrorCode } from '../../../shared/errors/index';
import { usageRegisterCsv, type Actor, type AuditDetails, type UseRequest, type UsageEntry, type UsageStatus } from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { isoTime, requireText, timeOf } from './column-codec';
import type { Seals } from './seals';

interface UseRequestRow {
  id: string;
  seal_id: string;
  applicant_staff_id: string;
  applicant_name: string;
  approver_name: string;
  approval_reference: string;
  document_title: string;
  document_type: string;
  purpose: string;
  approved_at: string;
  recorded_at: string;
}

function useRequestOf(r: UseRequestRow): UseRequest {
  return {
    id: r.id,
    sealId: r.seal_id,
    applicantStaffId: r.applicant_staff_id,
    applicantName: r.applicant_name,
    approverName: r.approver_name,
    approvalReference: r.approval_reference,
    documentTitle: r.document_title,
    documentType: r.document_type,
    purpose: r.purpose,
    approvedAt: timeOf(r.approved_at),
    recordedAt: timeOf(r.recorded_at),
  };
}

/** 用印申请 (U3): applicant, approver, document, purpose, approval reference. */
export class UseRequests {
  private readonly byId: Database.Statement<[string], UseRequestRow>;
  private readonly insert: Database.Statement<UseRequestRow>;
  private readonly recordInTransaction: (request: Omit<UseRequest, 'recordedAt'>, actor: Actor) => UseRequest;

  constructor(
    db: Database.Database,
    seals: Seals,
    audit: AuditLog,
    private readonly clock: () => Date,
  ) {
    this.byId = db.prepare('SELECT * FROM use_requests WHERE id = ?');
    this.insert = db.prepare(
      `INSERT INTO use_requests (id, seal_id, applicant_staff_id, applicant_name, approver_name, approval_reference,
         document_title, document_type, purpose, approved_at, recorded_at)
       VALUES (@id, @seal_id, @applicant_staff_id, @applicant_name, @approver_name, @approval_reference,
         @document_title, @document_type, @purpose, @approved_at, @recorded_at)`,
    );
    this.recordInTransaction = registerTransaction(db, (r: Omit<UseRequest, 'recordedAt'>, actor: Actor) => {
      requireText('useRequest.id', r.id);
      requireText('useRequest.applicantStaffId', r.applicantStaffId);
      requireText('useRequest.documentTitle', r.documentTitle);
      requireText('useRequest.documentType', r.documentType);
      requireText('useRequest.purpose', r.purpose);
      if (r.approverName.trim() === '' || r.approvalReference.trim() === '') {
        // U3: a use request without its approval is no use request.
        throw new YinjianError('APPROVAL_REQUIRED', { action: 'USE_REQUEST', missing: r.approverName.trim() === '' ? 'approver' : 'reference' });
      }
      const seal = seals.require(r.sealId);
      this.insert.run({
        id: r.id,
        seal_id: seal.id,
        applicant_staff_id: r.applicantStaffId,
        applicant_name: r.applicantName,
        approver_name: r.approverName,
        approval_reference: r.approvalReference,
        document_title: r.documentTitle,
        document_type: r.documentType,
        purpose: r.purpose,
        approved_at: isoTime(r.approvedAt, 'approvedAt'),
        recorded_at: isoTime(this.clock(), 'recordedAt'),
      });
      audit.append({
        actor,
        action: 'USE_REQUEST_RECORDED',
        subject: seal.code,
        details: { requestId: r.id, applicant: r.applicantStaffId, approver: r.approverName, approvalRef: r.approvalReference, documentTitle: r.documentTitle, documentType: r.documentType },
      });
      return this.require(r.id);
    });
  }

  /** U3: recorded before the key signs. */
  record(request: Omit<UseRequest, 'recordedAt'>, actor: Actor): UseRequest {
    return this.recordInTransaction(request, actor);
  }

  get(id: string): UseRequest | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : useRequestOf(row);
  }

  require(id: string): UseRequest {
    const r = this.get(id);
    if (r === undefined) throw new YinjianError('USE_REQUEST_NOT_FOUND', { request: id });
    return r;
  }
}

interface UsageRow {
  id: number;
  seal_id: string;
  operator_staff_id: string;
  operator_name: string;
  use_request_id: string | null;
  document_title: string;
  document_type: string;
  pages: number;
  sha256_before: string;
  sha256_after: string | null;
  output_path: string | null;
  at: string;
  workstation_id: string;
  /** `pending` only between a stamping's pending record and its completion (migration 005). */
  status: UsageStatus | 'pending';
  error_code: string | null;
  audit_seq: number;
  temp_path: string | null;
  owner_pid: number | null;
  /** U2: pages sealed on the custodian's scanned-document confirmation, "2,5" (migration 007). */
  scanned_confirmed_pages: string | null;
}

function confirmedPagesColumn(pages: readonly number[] | undefined): string | null {
  if (!pages || pages.length === 0) return null;
  if (!pages.every((p) => Number.isInteger(p) && p > 0)) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'scannedConfirmedPages' });
  return pages.join(',');
}

function usageOf(r: UsageRow): UsageEntry {
  if (r.status === 'pending') throw new YinjianError('INTERNAL', { detail: `usage row ${r.id} is still pending` });
  return {
    id: r.id,
    sealId: r.seal_id,
    operatorStaffId: r.operator_staff_id,
    operatorName: r.operator_name,
    useRequestId: r.use_request_id,
    documentTitle: r.document_title,
    documentType: r.document_type,
    pages: r.pages,
    sha256Before: r.sha256_before,
    sha256After: r.sha256_after,
    outputPath: r.output_path,
    at: timeOf(r.at),
    workstationId: r.workstation_id,
    status: r.status,
    errorCode: r.error_code,
    auditSeq: r.audit_seq,
    ...(r.scanned_confirmed_pages ? { scannedConfirmedPages: r.scanned_confirmed_pages.split(',').map(Number) } : {}),
  };
}

export type StampingRecord = Omit<UsageEntry, 'id' | 'auditSeq'>;

/**
 * A stamping about to be signed by the USB key, whose sealed bytes will be written to
 * `tempPath` and renamed onto `outputPath` (SECURITY.md, the crash window). `sha256After` is
 * null until the signature exists (`recordSealedBytes`).
 */
export type PendingStampingRecord = Omit<StampingRecord, 'status' | 'errorCode' | 'outputPath' | 'sha256After' | 'useRequestId'> & {
  readonly useRequestId: string;
  readonly sha256After: string | null;
  readonly outputPath: string;
  readonly tempPath: string;
  /** The process writing the file: recovery leaves a row alone while it runs. */
  readonly ownerPid: number;
  /** Issue #12: the seal's stamping counter this stamping takes (M5, S6). */
  readonly sealCounter?: number;
  /** U2 (issue #13): pages OCR could not read, let through on the custodian's confirmation. */
  readonly scannedConfirmedPages?: readonly number[];
};

export interface PendingStamping extends Omit<UsageEntry, 'status' | 'sha256After' | 'outputPath' | 'useRequestId'> {
  readonly status: 'pending';
  readonly useRequestId: string;
  /** null while the key was still signing: no sealed bytes exist to put in place. */
  readonly sha256After: string | null;
  readonly outputPath: string;
  readonly tempPath: string;
  readonly ownerPid: number;
}

function pendingOf(r: UsageRow): PendingStamping {
  if (r.status !== 'pending' || r.use_request_id === null || r.output_path === null || r.temp_path === null || r.owner_pid === null) {
    throw new YinjianError('INTERNAL', { detail: `usage row ${r.id} is not a pending stamping` });
  }
  return {
    ...usageOf({ ...r, status: 'ok' }),
    status: 'pending',
    useRequestId: r.use_request_id,
    sha256After: r.sha256_after,
    outputPath: r.output_path,
    tempPath: r.temp_path,
    ownerPid: r.owner_pid,
  };
}

export interface UsageFilter {
  readonly sealId?: string;
  /** The operator (custodian or proxy) who stamped. */
  readonly staffId?: string;
  /** Inclusive lower bound. */
  readonly from?: Date;
  /** Exclusive upper bound. */
  readonly to?: Date;
  readonly documentType?: string;
  readonly status?: UsageStatus;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a stamping's audit row says of it (M5), from either record. */
function detailsOf(sealId: string, e: StampingRecord | PendingStampingRecord): AuditDetails {
  return {
    sealId,
    useRequestId: e.useRequestId,
    documentTitle: e.documentTitle,
    documentType: e.documentType,
    pages: e.pages,
    sha256Before: e.sha256Before,
    sha256After: e.sha256After,
    outputPath: e.outputPath,
    workstationId: e.workstationId,
  };
}

type UsageColumns = Omit<UsageRow, 'id' | 'status' | 'error_code' | 'temp_path' | 'owner_pid'>;

/** The columns a usage row and a pending one share, from either record. */
function columnsOf(sealId: string, e: StampingRecord | PendingStampingRecord, auditSeq: number): UsageColumns {
  return {
    seal_id: sealId,
    operator_staff_id: e.operatorStaffId,
    operator_name: e.operatorName,
    use_request_id: e.useRequestId,
    document_title: e.documentTitle,
    document_type: e.documentType,
    pages: e.pages,
    sha256_before: e.sha256Before,
    sha256_after: e.sha256After,
    output_path: e.outputPath,
    at: isoTime(e.at, 'at'),
    workstation_id: e.workstationId,
    audit_seq: auditSeq,
    scanned_confirmed_pages: confirmedPagesColumn(e.scannedConfirmedPages),
  };
}

/** How a pending stamping ended; `details` go to its audit row (what recovery found and did). */
export type PendingOutcome =
  | { readonly status: 'ok'; readonly details?: AuditDetails }
  | { readonly status: 'failed'; readonly errorCode: string; readonly details?: AuditDetails };

/** 用印登记 (U3): one row per stamping, ok or failed, each chained into the audit log (M5). */
export class UsageRegister {
  private readonly insert: Database.Statement<Omit<UsageRow, 'id' | 'temp_path' | 'owner_pid'>>;
  private readonly byId: Database.Statement<[number | bigint], UsageRow>;
  private readonly recordInTransaction: (entry: StampingRecord, actor: Actor) => UsageEntry;
  private readonly recordPendingInTransaction: (entry: PendingStampingRecord, actor: Actor) => PendingStamping;
  private readonly settleInTransaction: (id: number, outcome: PendingOutcome, actor: Actor) => UsageEntry;
  private readonly pendingRows: Database.Statement<[], UsageRow>;
  private readonly sealedBytes: Database.Statement<{ id: number; sha256_after: string }>;

  constructor(
    private readonly db: Database.Database,
    seals: Seals,
    useRequests: UseRequests,
    audit: AuditLog,
  ) {
    this.insert = db.prepare(
      `INSERT INTO usage_register (seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
         pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, scanned_confirmed_pages)
       VALUES (@seal_id, @operator_staff_id, @operator_name, @use_request_id, @document_title, @document_type,
         @pages, @sha256_before, @sha256_after, @output_path, @at, @workstation_id, @status, @error_code, @audit_seq, @scanned_confirmed_pages)`,
    );
    this.byId = db.prepare('SELECT * FROM usage_register WHERE id = ?');
    this.pendingRows = db.prepare("SELECT * FROM usage_register WHERE status = 'pending' ORDER BY id");
    this.sealedBytes = db.prepare("UPDATE usage_register SET sha256_after = @sha256_after WHERE id = @id AND status = 'pending' AND sha256_after IS NULL");
    const approvedFor = (sealId: string, useRequestId: string | null): void => {
      // U3: a stamping that went through must rest on an approved request for this seal.
      if (useRequestId === null) throw new YinjianError('USE_REQUEST_REQUIRED');
      const request = useRequests.require(useRequestId);
      if (request.sealId !== sealId) throw new YinjianError('USE_REQUEST_SEAL_MISMATCH', { request: request.id, approved: request.sealId, seal: sealId });
    };
    const stampDetails = (r: UsageRow): AuditDetails => ({
      sealId: r.seal_id,
      useRequestId: r.use_request_id,
      documentTitle: r.document_title,
      documentType: r.document_type,
      pages: r.pages,
      sha256Before: r.sha256_before,
      sha256After: r.sha256_after,
      outputPath: r.output_path,
      workstationId: r.workstation_id,
      errorCode: r.error_code,
    });
    const insertPending = db.prepare(
      `INSERT INTO usage_register (seal_id, operator_staff_id, operator_name, use_request_id, document_title, document_type,
         pages, sha256_before, sha256_after, output_path, at, workstation_id, status, error_code, audit_seq, temp_path, owner_pid,
         scanned_confirmed_pages)
       VALUES (@seal_id, @operator_staff_id, @operator_name, @use_request_id, @document_title, @document_type,
         @pages, @sha256_before, @sha256_after, @output_path, @at, @workstation_id, 'pending', NULL, @audit_seq, @temp_path, @owner_pid,
         @scanned_confirmed_pages)`,
    );
    this.recordPendingInTransaction = registerTransaction(db, (e: PendingStampingRecord, actor: Actor) => {
      const seal = seals.require(e.sealId);
      requireText('operatorStaffId', e.operatorStaffId);
      requireText('workstationId', e.workstationId);
      requireText('outputPath', e.outputPath);
      requireText('tempPath', e.tempPath);
      if (!Number.isInteger(e.pages) || e.pages < 0) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'pages' });
      if (!SHA256_HEX.test(e.sha256Before) || (e.sha256After !== null && !SHA256_HEX.test(e.sha256After))) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'SHA-256 must be 64 lowercase hex digits' });
      }
      if (!Number.isInteger(e.ownerPid) || e.ownerPid <= 0) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'ownerPid' });
      approvedFor(seal.id, e.useRequestId);
      // M5: the seal is applied now; the audit row says so before the file exists, and names
      // the temp file so that recovery's later STAMP or STAMP_FAILED row can be read against it.
      const audited = audit.append({
        actor,
        action: 'STAMP_PENDING',
        subject: seal.code,
        at: e.at,
        details: {
          ...detailsOf(seal.id, e),
          tempPath: e.tempPath,
          // U2: the custodian confirmed a scanned document the gate could not read (audited).
          ...(e.scannedConfirmedPages && e.scannedConfirmedPages.length > 0 ? { scannedConfirmed: { pages: [...e.scannedConfirmedPages] } } : {}),
          // Issue #12: the seal's stamping counter this attempt takes (M5, S6).
          ...(e.sealCounter !== undefined ? { sealCounter: e.sealCounter } : {}),
        },
      });
      const result = insertPending.run({ ...columnsOf(seal.id, e, audited.seq), temp_path: e.tempPath, owner_pid: e.ownerPid });
      const row = this.byId.get(result.lastInsertRowid);
      if (row === undefined) throw new YinjianError('INTERNAL', { detail: 'usage row vanished' });
      return pendingOf(row);
    });
    const settle = db.prepare<{ id: number; status: UsageStatus; error_code: string | null; sha256_after: string | null; output_path: string | null; audit_seq: number }>(
      `UPDATE usage_register SET status = @status, error_code = @error_code, sha256_after = @sha256_after, output_path = @output_path, audit_seq = @audit_seq
       WHERE id = @id AND status = 'pending'`,
    );
    this.settleInTransaction = registerTransaction(db, (id: number, outcome: PendingOutcome, actor: Actor) => {
      const row = this.byId.get(id);
      if (row === undefined || row.status !== 'pending') throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `usage row ${id} is not pending` });
      const pending = pendingOf(row);
      const seal = seals.require(pending.sealId);
      const ok = outcome.status === 'ok';
      if (ok && pending.sha256After === null) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `usage row ${id} has no sealed bytes recorded: it cannot be ok` });
      }
      const final: UsageRow = ok
        ? { ...row, status: 'ok', error_code: null }
        : { ...row, status: 'failed', error_code: outcome.errorCode, sha256_after: null, output_path: null };
      if (!ok && outcome.errorCode.trim() === '') throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'a failed stamping needs its error code' });
      // The usage row points at the audit row of its final state, as a row recorded in one step
      // does: STAMP for ok, STAMP_FAILED otherwise, with the same fields (the office's
      // usage/audit cross-check, S6). The STAMP_PENDING row stays in the chain before it.
      const audited = audit.append({
        actor,
        action: ok ? 'STAMP' : 'STAMP_FAILED',
        subject: seal.code,
        at: pending.at,
        details: {
          ...stampDetails(final),
          usageId: pending.id,
          pendingSeq: pending.auditSeq,
          ...(ok ? {} : { sealedSha256: pending.sha256After, intendedOutputPath: pending.outputPath, tempPath: pending.tempPath }),
          ...(outcome.details ?? {}),
        },
      });
      const changed = settle.run({ id, status: final.status as UsageStatus, error_code: final.error_code, sha256_after: final.sha256_after, output_path: final.output_path, audit_seq: audited.seq });
      if (changed.changes !== 1) throw new YinjianError('INTERNAL', { detail: `usage row ${id} changed under us` });
      const settled = this.byId.get(id);
      if (settled === undefined) throw new YinjianError('INTERNAL', { detail: 'usage row vanished' });
      return usageOf(settled);
    });
    this.recordInTransaction = registerTransaction(db, (e: StampingRecord, actor: Actor) => {
      const seal = seals.require(e.sealId);
      requireText('operatorStaffId', e.operatorStaffId);
      requireText('workstationId', e.workstationId);
      if (!Number.isInteger(e.pages) || e.pages < 0) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'pages' });
      if (!SHA256_HEX.test(e.sha256Before) || (e.sha256After !== null && !SHA256_HEX.test(e.sha256After))) {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'SHA-256 must be 64 lowercase hex digits' });
      }
      if (e.status === 'ok') {
        approvedFor(seal.id, e.useRequestId);
        if (e.sha256After === null) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'sha256After is required for a stamping that succeeded' });
        if (e.errorCode !== null) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'a stamping that succeeded has no error code' });
      } else if (e.errorCode === null || e.errorCode.trim() === '') {
        throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'a failed stamping needs its error code' });
      } else if (e.useRequestId !== null) {
        useRequests.require(e.useRequestId);
      }
      const refused = e.status === 'failed' && e.errorCode !== null && isErrorCode(e.errorCode) && ERROR_CATALOG[e.errorCode].category === 'refused';
      const audited = audit.append({
        actor,
        action: e.status === 'ok' ? 'STAMP' : refused ? 'STAMP_REFUSED' : 'STAMP_FAILED',
        subject: seal.code,
        at: e.at,
        details: { ...detailsOf(seal.id, e), errorCode: e.errorCode },
      });
      const result = this.insert.run({ ...columnsOf(seal.id, e, audited.seq), status: e.status, error_code: e.errorCode });
      const row = this.byId.get(result.lastInsertRowid);
      if (row === undefined) throw new YinjianError('INTERNAL', { detail: 'usage row vanished' });
      return usageOf(row);
    });
  }

  /** One stamping's records (usage row + audit row) in one transaction. */
  record(entry: StampingRecord, actor: Actor): UsageEntry {
    return this.recordInTransaction(entry, actor);
  }

  /**
   * The crash window (SECURITY.md): a stamping's usage row and STAMP_PENDING audit row, in one
   * transaction, committed before the USB key signs (sha256After null, then
   * `recordSealedBytes`) or at the latest before its temp file is written. Settled by `settle`.
   */
  recordPending(entry: PendingStampingRecord, actor: Actor): PendingStamping {
    return this.recordPendingInTransaction(entry, actor);
  }

  /**
   * The USB key has signed: the pending row names the sealed bytes (their SHA-256) before a
   * byte of them is written, so recovery can tell a complete temp file from a torn one.
   */
  recordSealedBytes(id: number, sha256After: string): void {
    if (!SHA256_HEX.test(sha256After)) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: 'SHA-256 must be 64 lowercase hex digits' });
    const changed = this.sealedBytes.run({ id, sha256_after: sha256After });
    if (changed.changes !== 1) throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `usage row ${id} is not a pending stamping awaiting its signature` });
  }

  /**
   * Ends a pending stamping: ok once its file is in place, or failed (STAMP_INTERRUPTED, or
   * the error that stopped it) with no output. One transaction: the audit row of the outcome
   * (STAMP or STAMP_FAILED) and the row's new status pointing at it.
   */
  settle(id: number, outcome: PendingOutcome, actor: Actor): UsageEntry {
    return this.settleInTransaction(id, outcome, actor);
  }

  /** The time of the newest successful stamping (the clock guard's "newest time seen"). */
  newestOkAt(): Date | undefined {
    const row = this.db.prepare<[], { at: string | null }>("SELECT max(at) AS at FROM usage_register WHERE status = 'ok'").get();
    return row?.at ? timeOf(row.at) : undefined;
  }

  /** Stampings in flight or cut off by a crash, oldest first. */
  pending(): PendingStamping[] {
    return this.pendingRows.all().map(pendingOf);
  }

  find(filter: UsageFilter = {}): UsageEntry[] {
    // A pending row is a stamping in flight (or cut off, awaiting recovery): not yet an entry
    // of the register. `pending()` lists them.
    const where: string[] = ["status <> 'pending'"];
    const params: Record<string, string> = {};
    if (filter.sealId !== undefined) {
      where.push('seal_id = @sealId');
      params.sealId = filter.sealId;
    }
    if (filter.staffId !== undefined) {
      where.push('operator_staff_id = @staffId');
      params.staffId = filter.staffId;
    }
    if (filter.from !== undefined) {
      where.push('at >= @from');
      params.from = isoTime(filter.from, 'from');
    }
    if (filter.to !== undefined) {
      where.push('at < @to');
      params.to = isoTime(filter.to, 'to');
    }
    if (filter.documentType !== undefined) {
      where.push('document_type = @documentType');
      params.documentType = filter.documentType;
    }
    if (filter.status !== undefined) {
      where.push('status = @status');
      params.status = filter.status;
    }
    // Only fixed column names enter the SQL text; every value is a bound parameter.
    const sql = `SELECT * FROM usage_register WHERE ${where.join(' AND ')} ORDER BY at, id`;
    return this.db.prepare<Record<string, string>, UsageRow>(sql).all(params).map(usageOf);
  }

  /** The register as CSV for the office's inspection (S6). */
  exportCsv(filter: UsageFilter = {}): string {
    return usageRegisterCsv(this.find(filter));
  }
}

/**
 * The usage register (用印登记, U3) and use requests (用印申请, U3): the records and their
 * CSV export for the office's inspection (S6).
 */

/** The document types a custodian declares (U1, U2); the policy decides which are allowed. */
export type DocumentType = string;

/** U3: recorded before the key signs. */
export interface UseRequest {
  readonly id: string;
  readonly sealId: string;
  readonly applicantStaffId: string;
  readonly applicantName: string;
  readonly approverName: string;
  readonly approvalReference: string;
  readonly documentTitle: string;
  readonly documentType: DocumentType;
  readonly purpose: string;
  readonly approvedAt: Date;
  readonly recordedAt: Date;
}

export type UsageStatus = 'ok' | 'failed';

export interface UsageEntry {
  readonly id: number;
  readonly sealId: string;
  readonly operatorStaffId: string;
  readonly operatorName: string;
  /** The approved use request; null only for a stamping refused before approval was found. */
  readonly useRequestId: string | null;
  readonly documentTitle: string;
  readonly documentType: DocumentType;
  readonly pages: number;
  readonly sha256Before: string;
  readonly sha256After: string | null;
  readonly outputPath: string | null;
  readonly at: Date;
  readonly workstationId: string;
  readonly status: UsageStatus;
  readonly errorCode: string | null;
  /** The audit row written in the same transaction (M5). */
  readonly auditSeq: number;
  /**
   * U2 (issue #13): the 1-based pages the gate's OCR could not read, sealed on the custodian's
   * confirmation that this is a scanned document they have read (the office allows scanned
   * documents). Absent on every other row.
   */
  readonly scannedConfirmedPages?: readonly number[];
}

export const USAGE_CSV_COLUMNS = [
  'id',
  'at',
  'seal_id',
  'operator_staff_id',
  'operator_name',
  'use_request_id',
  'document_title',
  'document_type',
  'pages',
  'sha256_before',
  'sha256_after',
  'output_path',
  'workstation_id',
  'status',
  'error_code',
  'audit_seq',
  'scanned_confirmed_pages',
] as const;

/**
 * RFC 4180 quoting. A cell that a spreadsheet would run as a formula (a document title such
 * as "=HYPERLINK(...)") is prefixed with an apostrophe: the export is opened by office staff
 * in Excel/WPS, and titles come from documents we do not control.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function usageRegisterCsv(entries: Iterable<UsageEntry>): string {
  const lines = [USAGE_CSV_COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(
      [
        e.id,
        e.at.toISOString(),
        e.sealId,
        e.operatorStaffId,
        e.operatorName,
        e.useRequestId,
        e.documentTitle,
        e.documentType,
        e.pages,
        e.sha256Before,
        e.sha256After,
        e.outputPath,
        e.workstationId,
        e.status,
        e.errorCode,
        e.auditSeq,
        e.scannedConfirmedPages && e.scannedConfirmedPages.length > 0 ? e.scannedConfirmedPages.join(' ') : null,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  // CRLF per RFC 4180; the BOM makes Excel read the Chinese titles as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The register's read-side use cases the window needs (usage register, its exports, the audit
 * chain's state), the U2 text check the stamp screen runs before stamping, and the seal each
 * present USB key carries. The handler table calls these; the CLI's register and audit
 * commands print the same data.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { AuditStateDto, PageTextDto, ResponseOf, SealOnKeyDto, UsageEntryDto, UsageFilterDto } from '../../shared/ipc/contract';
import { DEFAULT_DENY_LIST, classifyDocumentText } from '../core/policy/index';
import { sealOfKey } from '../core/stamp/seal-of-key';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister, UsageFilter } from '../infra/db/index';
import { stampingDenyList } from '../infra/stamp/register-port';

function dateOf(text: string | undefined, field: string): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new YinjianError('USAGE', { detail: `${field} is not a date` });
  return date;
}

export function usageFilterOf(filter: UsageFilterDto): UsageFilter {
  return {
    ...(filter.sealId ? { sealId: filter.sealId } : {}),
    ...(filter.staffId ? { staffId: filter.staffId } : {}),
    ...(filter.documentType ? { documentType: filter.documentType } : {}),
    ...(filter.from ? { from: dateOf(filter.from, 'from') } : {}),
    ...(filter.to ? { to: dateOf(filter.to, 'to') } : {}),
  };
}

/** The public certificates on each present key, read once per insertion (no PIN needed). */
export type CertificatesOnKeys = Map<string, Promise<readonly { readonly der: Uint8Array }[]>>;

/**
 * The seal a key carries, found as stamping finds it (core/stamp/seal-of-key.ts): by its
 * serial on the office computer, by the certificate stored on the key on a workstation, whose
 * register is the office's snapshot and does not know which key holds a seal.
 */
async function sealOnKey(register: SealRegister | undefined, keys: UsbKeyService, serial: string, certificates: CertificatesOnKeys): Promise<SealOnKeyDto | null> {
  if (!register) return null;
  let seal = register.seals.get(register.usbKeys.get(serial)?.sealId ?? '');
  if (!seal) {
    try {
      seal = await sealOfKey(register.seals.list(), serial, () => {
        let read = certificates.get(serial);
        if (!read) {
          read = keys.publicCertificates(serial);
          // A failed read (the key went mid-read) is tried again at the next poll.
          read.catch(() => certificates.delete(serial));
          certificates.set(serial, read);
        }
        return read;
      });
    } catch {
      return null;
    }
  }
  return { code: seal.code, name: seal.name, unit: register.units.get(seal.unitId)?.name ?? seal.unitId, state: seal.state };
}


export function newCertificateCache(): CertificatesOnKeys {
  return new Map();
}

/** The present USB keys with the seal each carries (the key bar). */
export async function keysWithSeals(keys: UsbKeyService, known: SealRegister | undefined, certificatesOnKeys: CertificatesOnKeys): Promise<ResponseOf<'usbKey.list'>> {
  const present = await keys.list();
  // A key pulled out and plugged in again (or another key with its serial) is read afresh.
  for (const serial of certificatesOnKeys.keys()) if (!present.some((k) => k.serial === serial)) certificatesOnKeys.delete(serial);
  return Promise.all(
    present.map(async (key) => ({
      ...key,
      initialPinSources: [...key.initialPinSources],
      seal: await sealOnKey(known, keys, key.serial, certificatesOnKeys),
    })),
  );
}

/** U2 on the text the renderer read: the same deny list the stamping gate applies, the office's words included. */
export function checkDocumentText(known: SealRegister | undefined, pages: PageTextDto[]): ResponseOf<'stamp.checkText'> {
  const denyList = known ? stampingDenyList(known) : DEFAULT_DENY_LIST;
  const verdict = classifyDocumentText(pages, denyList);
  return verdict.forbidden ? { ...verdict, words: [...verdict.words] } : verdict;
}

function stampFileName(kind: string): string {
  return `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

export function usageEntries(reg: SealRegister, filter: UsageFilterDto): UsageEntryDto[] {
  return reg.usage.find(usageFilterOf(filter)).map((entry) => ({
    id: entry.id,
    at: entry.at.toISOString(),
    sealId: entry.sealId,
    sealName: reg.seals.get(entry.sealId)?.name,
    operatorName: entry.operatorName,
    operatorStaffId: entry.operatorStaffId,
    documentTitle: entry.documentTitle,
    documentType: entry.documentType,
    pages: entry.pages,
    status: entry.status,
    errorCode: entry.errorCode,
    outputPath: entry.outputPath,
  }));
}

/** The filtered usage register as CSV in the export folder; returns its path. */
export function exportUsageCsv(reg: SealRegister, filter: UsageFilterDto, folder: string): string {
  const csv = reg.usage.exportCsv(usageFilterOf(filter));
  const path = join(folder, `${stampFileName('usage-register')}.csv`);
  // A BOM so that Excel on Chinese Windows opens the UTF-8 file with the right characters.
  writeFileSync(path, `\ufeff${csv}`, 'utf8');
  return path;
}

/** The filtered usage register as a Chinese PDF in the export folder; returns its path. */
export async function exportUsagePdf(reg: SealRegister, filter: UsageFilterDto, folder: string): Promise<string> {
  // pdf-lib and the font load on the first export, not at start.
  const { writeUsageRegisterPdf } = await import('./register-export');
  const target = join(folder, `${stampFileName('用印登记簿')}.pdf`);
  return (await writeUsageRegisterPdf(reg, usageFilterOf(filter), target, new Date())).path;
}

/** The audit chain's state and its last 20 rows (M5). */
export function auditState(reg: SealRegister): AuditStateDto {
  const audit = reg.audit;
  const report = audit.verify();
  const head = audit.head();
  const from = Math.max(1, (head?.seq ?? 0) - 19);
  const recent = audit
    .list(from, 20)
    .reverse()
    .map((r) => ({ seq: r.seq, at: r.at, actorName: r.actorName, action: r.action, subject: r.subject }));
  return report.ok ? { ok: true, rows: report.rows, recent } : { ok: false, rows: head?.seq ?? 0, brokenSeq: report.seq, reason: report.reason, recent };
}

/**
 * Issue #12 (M5, S6): the workstation export held against what the register cannot rewrite:
 * the seal's usage record on its USB key (read into the export at export time) and the usage
 * records signed into the documents the office received. Pure; the findings join the export's.
 *
 *   - KEY_HEAD_NOT_IN_EXPORT: the key names a stamping row the export does not have (an export
 *     from an empty or older data folder, rows cut off);
 *   - KEY_HEAD_MISMATCH: the export has the row, but not as the key recorded it (the chain was
 *     re-hashed after an edit);
 *   - KEY_HEAD_BEHIND: the export holds stampings of the seal after the key's last one (rows
 *     made up in the register);
 *   - COUNTER_GAP: the seal's counters in the export skip or repeat a number;
 *   - KEY_COUNTER_WENT_BACK: the key's counter is lower than at the last inspection;
 *   - KEY_RECORD_NOT_EXPORTED: the export was made without the key (warning; an error once an
 *     earlier inspection of this workstation had the key's record).
 */
import type { AuditRecord } from '../register/index';
import type { WorkstationExport } from './export-format';

/** One stamping attempt that took a counter: its STAMP_PENDING row and how it ended. */
export interface AnchoredStamping {
  readonly sealId: string;
  readonly counter: number;
  readonly auditSeq: number;
  readonly auditHash: string;
  /** true: the stamping's file was put in place (a STAMP row names this pending row). */
  readonly ok: boolean;
}

export interface AnchorFinding {
  readonly code: 'KEY_RECORD_NOT_EXPORTED' | 'KEY_HEAD_NOT_IN_EXPORT' | 'KEY_HEAD_MISMATCH' | 'KEY_HEAD_BEHIND' | 'COUNTER_GAP' | 'KEY_COUNTER_WENT_BACK' | 'KEY_RECORD_OTHER_WORKSTATION';
  readonly severity: 'error' | 'warning';
  readonly zh: string;
  readonly en: string;
  readonly seq?: number;
}

/** The key's record as the office keeps it after a passing inspection. */
export interface InspectedKeyRecord {
  readonly sealId: string;
  readonly counter: number;
  readonly auditSeq: number;
}

function detailsOf(row: AuditRecord): Record<string, unknown> {
  try {
    const parsed = JSON.parse(row.details) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every STAMP_PENDING row that carries a seal counter, in chain order. */
export function anchoredStampings(audit: readonly AuditRecord[]): AnchoredStamping[] {
  const settledOk = new Set<number>();
  for (const row of audit) {
    if (row.action !== 'STAMP') continue;
    const pendingSeq = detailsOf(row).pendingSeq;
    if (typeof pendingSeq === 'number') settledOk.add(pendingSeq);
  }
  const out: AnchoredStamping[] = [];
  for (const row of audit) {
    if (row.action !== 'STAMP_PENDING') continue;
    const d = detailsOf(row);
    if (typeof d.sealCounter !== 'number' || typeof d.sealId !== 'string') continue;
    out.push({ sealId: d.sealId, counter: d.sealCounter, auditSeq: row.seq, auditHash: row.hash, ok: settledOk.has(row.seq) });
  }
  return out;
}

function f(code: AnchorFinding['code'], zh: string, en: string, seq?: number, severity: 'error' | 'warning' = 'error'): AnchorFinding {
  return { code, severity, zh, en, ...(seq !== undefined ? { seq } : {}) };
}

/**
 * Counters per seal: each attempt takes the key's counter + 1, so in chain order a seal's
 * counters rise by one; an attempt that failed before the key learnt it leaves the next one
 * the same number. Anything else (a skipped number, a number taken twice by stampings that
 * both went through, a number going down) is a gap in the history.
 */
function counterFindings(stampings: readonly AnchoredStamping[]): AnchorFinding[] {
  const findings: AnchorFinding[] = [];
  const last = new Map<string, AnchoredStamping>();
  const okCounters = new Map<string, Set<number>>();
  for (const s of stampings) {
    const before = last.get(s.sealId);
    if (before !== undefined) {
      const step = s.counter - before.counter;
      if (step !== 0 && step !== 1) {
        findings.push(
          f('COUNTER_GAP', `印章用印计数不连续：第 ${before.auditSeq} 条为第 ${before.counter} 次，第 ${s.auditSeq} 条为第 ${s.counter} 次`, `The seal's stamping counter is not continuous: row ${before.auditSeq} is no. ${before.counter}, row ${s.auditSeq} is no. ${s.counter}`, s.auditSeq),
        );
      }
    }
    const seen = okCounters.get(s.sealId) ?? new Set<number>();
    if (s.ok && seen.has(s.counter)) {
      findings.push(f('COUNTER_GAP', `印章第 ${s.counter} 次用印出现两次（第 ${s.auditSeq} 条）`, `The seal's stamping no. ${s.counter} appears twice (row ${s.auditSeq})`, s.auditSeq));
    }
    if (s.ok) seen.add(s.counter);
    okCounters.set(s.sealId, seen);
    last.set(s.sealId, s);
  }
  return findings;
}

export function anchorFindings(content: WorkstationExport, previous: InspectedKeyRecord | undefined): AnchorFinding[] {
  const stampings = anchoredStampings(content.audit);
  const findings = counterFindings(stampings);
  const key = content.key;
  if (key === undefined) {
    findings.push(
      previous === undefined
        ? f('KEY_RECORD_NOT_EXPORTED', '导出时未读取 USB Key 上的用印记录：无法用 Key 确认登记簿完整（请用 --token 导出）', 'The export was made without reading the USB key\'s usage record: the key cannot confirm the register is complete (export with --token)', undefined, 'warning')
        : f('KEY_RECORD_NOT_EXPORTED', `上次检查时 USB Key 记录为第 ${previous.counter} 次用印，本次导出未读取 Key：请用 --token 导出`, `At the last inspection the USB key recorded stamping no. ${previous.counter}; this export did not read the key: export with --token`),
    );
    return findings;
  }
  const anchor = key.anchor;
  if (anchor === null) {
    if (previous !== undefined && previous.counter > 0) {
      findings.push(f('KEY_COUNTER_WENT_BACK', `USB Key ${key.tokenSerial} 上没有用印记录，上次检查时为第 ${previous.counter} 次`, `USB key ${key.tokenSerial} holds no usage record; at the last inspection it recorded no. ${previous.counter}`));
    }
    return findings;
  }
  if (previous !== undefined && previous.sealId === anchor.sealId && anchor.counter < previous.counter) {
    findings.push(f('KEY_COUNTER_WENT_BACK', `USB Key 用印计数 ${anchor.counter} 小于上次检查时的 ${previous.counter}`, `The USB key's stamping counter ${anchor.counter} is lower than ${previous.counter} at the last inspection`));
  }
  if (anchor.workstationId !== content.workstationId) {
    findings.push(
      f('KEY_RECORD_OTHER_WORKSTATION', `USB Key 最近一次用印在计算机 ${anchor.workstationId}，不在本导出的计算机上：请同时检查该计算机的导出`, `The USB key's last stamping was on workstation ${anchor.workstationId}, not this export's: inspect that computer's export too`, undefined, 'warning'),
    );
    return findings;
  }
  const row = content.audit.find((r) => r.seq === anchor.auditSeq);
  const short = `${anchor.auditSeq}:${anchor.auditHash.slice(0, 16)}…`;
  if (row === undefined) {
    const lastSeq = content.audit.at(-1)?.seq ?? 0;
    findings.push(
      f(
        'KEY_HEAD_NOT_IN_EXPORT',
        `USB Key 记录第 ${anchor.counter} 次用印在审计记录第 ${anchor.auditSeq} 条（${anchor.at}），导出文件只到第 ${lastSeq} 条：登记簿不完整（可能来自空的或旧的数据目录）`,
        `The USB key records stamping no. ${anchor.counter} at audit row ${anchor.auditSeq} (${anchor.at}); the export ends at row ${lastSeq}: the register is incomplete (an empty or old data folder?)`,
        anchor.auditSeq,
      ),
    );
    return findings;
  }
  const d = detailsOf(row);
  if (row.hash !== anchor.auditHash || row.action !== 'STAMP_PENDING' || d.sealId !== anchor.sealId || d.sealCounter !== anchor.counter) {
    findings.push(
      f(
        'KEY_HEAD_MISMATCH',
        `审计记录第 ${anchor.auditSeq} 条与 USB Key 上的记录（第 ${anchor.counter} 次用印，${short}）不符：此前的历史被改写`,
        `Audit row ${anchor.auditSeq} differs from the USB key's record (stamping no. ${anchor.counter}, ${short}): the history before it was rewritten`,
        anchor.auditSeq,
      ),
    );
  }
  const after = stampings.filter((s) => s.sealId === anchor.sealId && s.auditSeq > anchor.auditSeq && s.ok);
  if (after.length > 0) {
    findings.push(
      f(
        'KEY_HEAD_BEHIND',
        `导出文件在 USB Key 最后记录（第 ${anchor.counter} 次）之后还有 ${after.length} 次成功用印（第 ${after[0]!.auditSeq} 条起）：Key 不知道这些用印`,
        `The export holds ${after.length} stamping(s) after the USB key's last record (no. ${anchor.counter}), from row ${after[0]!.auditSeq}: the key never recorded them`,
        after[0]!.auditSeq,
      ),
    );
  }
  return findings;
}

/** One seal found in a document the office received, as the verifier read it. */
export interface ReceivedSeal {
  readonly source: string;
  readonly field: string;
  /** Seal code from the certificate (null: not one of the group's seals in the register). */
  readonly sealCode: string | null;
  readonly sealId: string | null;
  /** The signed workstation id (ARC.4). */
  readonly workstationId: string | null;
  /** The signed usage record (ARC.8). */
  readonly record: { readonly counter: number; readonly auditSeq: number; readonly auditHash: string } | null;
  /** The signature's integrity holds: only then is what it signed worth comparing. */
  readonly intact: boolean;
}

export type DocumentCheckCode =
  | 'DOCUMENT_IN_EXPORT'
  | 'DOCUMENT_NOT_IN_EXPORT'
  | 'DOCUMENT_RECORDED_FAILED'
  | 'DOCUMENT_NOT_COVERED'
  | 'DOCUMENT_NO_USAGE_RECORD'
  | 'DOCUMENT_SIGNATURE_INVALID'
  | 'DOCUMENT_UNREADABLE';

export interface DocumentCheck {
  readonly source: string;
  readonly field: string | null;
  readonly sealCode: string | null;
  readonly counter: number | null;
  readonly code: DocumentCheckCode;
  readonly severity: 'ok' | 'warning' | 'error';
  readonly zh: string;
  readonly en: string;
}

/** The stampings of each inspected workstation export, by workstation id. */
export type ExportedStampings = ReadonlyMap<string, readonly AnchoredStamping[]>;

/**
 * S6 with the documents in circulation: each received document's signed usage record must be a
 * stamping of the export of the workstation it names, with the same row hash and counter, and
 * one that went through. A rewritten history (re-hashed after an edit) or an export from an
 * empty folder cannot contain it.
 */
export function checkReceivedSeal(seal: ReceivedSeal, exported: ExportedStampings): DocumentCheck {
  const base = { source: seal.source, field: seal.field, sealCode: seal.sealCode, counter: seal.record?.counter ?? null };
  const who = seal.sealCode ?? '?';
  if (!seal.intact) {
    return { ...base, code: 'DOCUMENT_SIGNATURE_INVALID', severity: 'warning', zh: `印章 ${who} 的签名不完整或已被破坏：其用印记录不予采信`, en: `The signature of seal ${who} does not hold: its usage record is not relied on` };
  }
  if (seal.record === null || seal.workstationId === null) {
    return { ...base, code: 'DOCUMENT_NO_USAGE_RECORD', severity: 'warning', zh: `印章 ${who} 的签名不带用印记录（旧版本盖章）`, en: `The signature of seal ${who} carries no usage record (sealed by an older version)` };
  }
  const stampings = exported.get(seal.workstationId);
  const r = seal.record;
  if (stampings === undefined) {
    return { ...base, code: 'DOCUMENT_NOT_COVERED', severity: 'warning', zh: `文件在计算机 ${seal.workstationId} 上盖章，本次未检查该计算机的导出`, en: `The document was sealed on workstation ${seal.workstationId}, whose export is not part of this inspection` };
  }
  const match = stampings.find((s) => s.auditSeq === r.auditSeq);
  if (match === undefined || match.auditHash !== r.auditHash || match.counter !== r.counter || (seal.sealId !== null && match.sealId !== seal.sealId)) {
    return {
      ...base,
      code: 'DOCUMENT_NOT_IN_EXPORT',
      severity: 'error',
      zh: `印章 ${who} 第 ${r.counter} 次用印（审计记录第 ${r.auditSeq} 条 ${r.auditHash.slice(0, 16)}…）不在计算机 ${seal.workstationId} 的导出中：登记簿被改写或不完整`,
      en: `Seal ${who}'s stamping no. ${r.counter} (audit row ${r.auditSeq} ${r.auditHash.slice(0, 16)}…) is not in workstation ${seal.workstationId}'s export: the register was rewritten or is incomplete`,
    };
  }
  if (!match.ok) {
    return {
      ...base,
      code: 'DOCUMENT_RECORDED_FAILED',
      severity: 'error',
      zh: `印章 ${who} 第 ${r.counter} 次用印在导出中记为失败，但文件已盖章流转`,
      en: `Seal ${who}'s stamping no. ${r.counter} is recorded as failed in the export, yet the sealed document is in circulation`,
    };
  }
  return { ...base, code: 'DOCUMENT_IN_EXPORT', severity: 'ok', zh: `印章 ${who} 第 ${r.counter} 次用印在导出中（审计记录第 ${r.auditSeq} 条）`, en: `Seal ${who}'s stamping no. ${r.counter} is in the export (audit row ${r.auditSeq})` };
}

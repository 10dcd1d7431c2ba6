/**
 * The office's use cases (M1, S2–S6, M3, M4) and the office console's front door over them.
 *
 * `OfficeTasks` is the one place an office task is assembled: the OfficeService with the
 * shipped impressions, the order of checks (the rules that need no PIN first, then the PINs,
 * then the key), publication into a folder, inspection of workstation exports, unlocking a
 * key. `yinjian office …` (src/main/cli/commands/office.ts) and the window's handler table
 * (`createOfficeFrontDoor` below) are adapters over it: PINs come later (the CLI reads them
 * only once the PIN-free checks passed; the window has them already), and each adapter presents
 * the result its own way.
 *
 * PINs: every PIN reaches a task as a Buffer the task (or the service below it) zeroes. The
 * window's request arrays are copied into such buffers here and zeroed by the handler table
 * (ipc/handlers.ts) once the call is over.
 *
 * The console is shown only while the office's CA key is plugged in (`officeKeyPresent`).
 */
import { basename, isAbsolute } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { InspectionResultDto, IssuedSealDto } from '../../shared/ipc/contract';
import type { InspectionResult } from '../core/inspection/index';
import { DEFAULT_DOCUMENT_TYPE_DENY_LIST, officeDenyList, setOfficeDenyList } from '../core/office/deny-list';
import { scannedDocumentsAllowed, setScannedDocumentsAllowed } from '../core/office/scanned-documents';
import {
  OfficeService,
  OFFICE_SETTING,
  parseOfficeDate,
  type ChangeRequest,
  type GroupCa,
  type InitCaRequest,
  type IssuancePins,
  type IssuedSeal,
  type IssueRequest,
  type Publication,
  type ReissueRequest,
  type DelegationRequest,
  type ValidityChoice,
} from '../core/office/index';
import type { UsbKeyPort } from '../core/ports/usb-key';
import type { Actor, ApproverRole, Delegation, Person, Seal, SealUseDecision } from '../core/register/index';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister } from '../infra/db/index';
import { inspectExports, readExportFile, repinWorkstationHead, writeInspectionReport, type InspectionInput, type InspectionRun } from '../infra/inspection/index';
import { shippedFontImpressions, writePublication, type PublishedFiles } from '../infra/office/index';
import type { MainDialogs } from './dialogs';
import type { OfficeFrontDoor } from './front-doors';

/** PINs the task asks for when it needs them (after the checks that need none). */
export type PinsLater<T> = () => Promise<T>;

/** Where a publication goes: the office CA key that signs it and the folder it is written into. */
export interface PublishTarget {
  readonly caToken: string;
  readonly folder: string;
  readonly nextUpdateDays?: number;
}

export interface Published {
  readonly publication: Publication;
  readonly files: PublishedFiles;
}

export interface OfficeTaskDeps {
  register(): SealRegister;
  keys(): UsbKeyPort;
  /** The USB-key service (M4 ledger, audit) for unlocking a key; only `unlock` needs it. */
  usbKeys?(): UsbKeyService;
}

function wipe(...pins: (Uint8Array | undefined)[]): void {
  for (const pin of pins) pin?.fill(0);
}

/** Serials of the USB keys the register saw the group CA set up on (audit CA_SET_UP). */
export function caKeySerials(register: SealRegister): Set<string> {
  const serials = new Set<string>();
  if (register.settings.get(OFFICE_SETTING.caCertificate) === undefined) return serials;
  for (let from = 1; ; from += 1000) {
    const rows = register.audit.list(from, 1000);
    for (const row of rows) {
      if (row.action !== 'CA_SET_UP') continue;
      try {
        const serial = (JSON.parse(row.details) as { tokenSerial?: unknown }).tokenSerial;
        if (typeof serial === 'string') serials.add(serial);
      } catch {
        // a details column that is not JSON names no key
      }
    }
    if (rows.length < 1000) return serials;
  }
}

/**
 * M1: the office console is for the office's computer with the office's CA key in: the register
 * holds the group CA certificate and a plugged-in key is the one the CA was set up on.
 */
export function officeKeyPresent(register: SealRegister | undefined, pluggedSerials: readonly string[]): boolean {
  if (!register) return false;
  const serials = caKeySerials(register);
  return pluggedSerials.some((s) => serials.has(s));
}

/** The office's use cases; one instance per front door (CLI run, window services). */
export class OfficeTasks {
  constructor(private readonly deps: OfficeTaskDeps) {}

  service(): OfficeService {
    return new OfficeService({ keys: this.deps.keys(), register: this.deps.register(), impressions: shippedFontImpressions() });
  }

  /** M1 `office init-ca`: the CA key pair generated on the office key, or adopted from it. */
  async initCa(request: InitCaRequest, pin: PinsLater<Buffer>, actor: Actor): Promise<GroupCa> {
    const office = this.service();
    return office.initCa(request, await pin(), actor);
  }

  /** S2 `office issue`: S2 and the register's rules, then SEAL_KEY_IN_USE, all before any PIN is asked. */
  async issue(request: IssueRequest, pins: PinsLater<IssuancePins>, actor: Actor): Promise<IssuedSeal> {
    const office = this.service();
    office.preflightIssue(request, actor);
    await office.assertKeyHoldsNoLiveSeal(request.token);
    return office.issue(request, await pins(), actor);
  }

  /** S3 变更: the approval and the seal's state first; the new key must not carry another live seal. */
  async change(request: ChangeRequest, pins: PinsLater<IssuancePins>, actor: Actor): Promise<IssuedSeal> {
    const office = this.service();
    const changing = office.preflightLifecycle(request.sealCode, 'CHANGE', request.approval, actor);
    await office.assertKeyHoldsNoLiveSeal(request.token, changing.id);
    return office.change(request, await pins(), actor);
  }

  /** S4, S5 补办: a new key pair on a new key, same seal identity. */
  async reissue(request: ReissueRequest, pins: PinsLater<IssuancePins>, actor: Actor): Promise<IssuedSeal> {
    const office = this.service();
    office.preflightLifecycle(request.sealCode, 'REISSUE', request.approval, actor);
    return office.reissue(request, await pins(), actor);
  }

  /** Signs the CRL and the register snapshot with the CA key and writes them (and the root) into the folder. */
  async publish(target: PublishTarget, pin: PinsLater<Buffer>, actor: Actor): Promise<Published> {
    if (!isAbsolute(target.folder)) throw new YinjianError('USAGE', { detail: 'the output folder must be an absolute path' });
    return this.publishWith(this.service(), target, await pin(), actor);
  }

  private async publishWith(office: OfficeService, target: PublishTarget, pin: Buffer, actor: Actor): Promise<Published> {
    const publication = await office.publish({ caToken: target.caToken, ...(target.nextUpdateDays !== undefined ? { nextUpdateDays: target.nextUpdateDays } : {}) }, pin, actor);
    return { publication, files: writePublication(target.folder, publication) };
  }

  /**
   * S3 注销: revoked in the register; with the returned key and its PIN its key objects are
   * destroyed; with a publish target the CRL and the snapshot go out at once.
   */
  async cancel(
    request: { sealCode: string; approval: { reference?: string; approver?: string }; token?: string; publishTo?: PublishTarget },
    pins: PinsLater<{ sealPin?: Buffer; caPin?: Buffer }>,
    actor: Actor,
  ): Promise<{ seal: Seal; destroyedObjects: number; published?: Published }> {
    const office = this.service();
    office.preflightLifecycle(request.sealCode, 'CANCEL', request.approval, actor);
    const { sealPin, caPin } = request.token !== undefined || request.publishTo !== undefined ? await pins() : {};
    try {
      const result = await office.cancel({ sealCode: request.sealCode, approval: request.approval, ...(request.token !== undefined ? { token: request.token } : {}) }, sealPin, actor);
      const published = request.publishTo && caPin ? await this.publishWith(office, request.publishTo, caPin, actor) : undefined;
      return { ...result, ...(published ? { published } : {}) };
    } finally {
      wipe(sealPin, caPin);
    }
  }

  /** S5 挂失: revoked at once from the loss time; published at once when a target is given. */
  async reportLoss(
    request: { sealCode: string; approval: { reference?: string; approver?: string }; lostAt?: Date; publishTo?: PublishTarget },
    caPin: PinsLater<Buffer> | undefined,
    actor: Actor,
  ): Promise<{ seal: Seal; published?: Published }> {
    const office = this.service();
    const pin = request.publishTo && caPin ? await caPin() : undefined;
    try {
      const seal = office.reportLoss({ sealCode: request.sealCode, approval: request.approval, ...(request.lostAt ? { lostAt: request.lostAt } : {}) }, actor);
      const published = request.publishTo && pin ? await this.publishWith(office, request.publishTo, pin, actor) : undefined;
      return { seal, ...(published ? { published } : {}) };
    } finally {
      wipe(pin);
    }
  }

  confirmLoss(request: { sealCode: string; approval: { reference?: string; approver?: string } }, actor: Actor): Seal {
    return this.service().confirmLoss(request, actor);
  }

  withdrawLoss(request: { sealCode: string; approval: { reference?: string; approver?: string } }, actor: Actor): Seal {
    return this.service().withdrawLoss(request, actor);
  }

  /** M3: a proxy for the custodian, approved by the general manager (company seal) or the department head. */
  delegate(request: DelegationRequest, actor: Actor): Delegation {
    return this.service().delegate(request, actor);
  }

  delegations(sealCode: string): Delegation[] {
    return this.service().delegations(sealCode);
  }

  revokeDelegation(sealCode: string, delegationId: string, actor: Actor): Delegation {
    return this.service().revokeDelegation(sealCode, delegationId, actor);
  }

  /** M3: may this person use the seal at that time, as custodian or proxy? */
  mayUse(sealCode: string, person: Person, at: Date): SealUseDecision {
    return this.service().mayUse(sealCode, person, at);
  }

  seals(): Seal[] {
    return this.deps.register().seals.list();
  }

  denyList(): readonly string[] {
    return officeDenyList(this.deps.register());
  }

  /**
   * U2: the office's deny list edited (words added, removed, or back to the regulation's
   * default), or replaced by `words`; published with the next snapshot, audited (SETTING_CHANGED).
   */
  editDenyList(edit: { add?: readonly string[]; remove?: readonly string[]; reset?: boolean; words?: readonly string[] }, actor: Actor): readonly string[] {
    const register = this.deps.register();
    const add = edit.add ?? [];
    const remove = edit.remove ?? [];
    if (edit.words !== undefined) return setOfficeDenyList(register, [...edit.words], actor);
    if (edit.reset && (add.length > 0 || remove.length > 0)) throw new YinjianError('USAGE', { detail: '--reset excludes --add and --remove' });
    const words = officeDenyList(register);
    if (!edit.reset && add.length === 0 && remove.length === 0) return words;
    const unknown = remove.filter((w) => !words.includes(w));
    if (unknown.length > 0) throw new YinjianError('DENY_WORD_NOT_LISTED', { word: unknown[0]! });
    return setOfficeDenyList(register, edit.reset ? [...DEFAULT_DOCUMENT_TYPE_DENY_LIST] : [...words.filter((w) => !remove.includes(w)), ...add], actor);
  }

  /** U2 (issue #13): whether scanned documents are allowed on the custodian's confirmation. */
  scannedDocuments(): boolean {
    return scannedDocumentsAllowed(this.deps.register().settings);
  }

  /** `office scanned-documents --allow|--refuse` and the console's switch: published with the next snapshot, audited (SETTING_CHANGED). */
  setScannedDocuments(allowed: boolean, actor: Actor): boolean {
    return setScannedDocumentsAllowed(this.deps.register(), allowed, actor);
  }

  /**
   * M4 `token reset-pin`: the office unlocks a key with its SO PIN and sets a new initial user
   * PIN, which the custodian must change before the key signs again.
   */
  async unlock(token: string, pins: PinsLater<{ soPin: Buffer; initialUserPin: Buffer }>): Promise<{ serial: string; label: string }> {
    if (!this.deps.usbKeys) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'unlock' });
    const service = this.deps.usbKeys();
    const key = await service.info(token);
    const { soPin, initialUserPin } = await pins();
    await service.resetUserPin(key.serial, soPin, initialUserPin);
    return { serial: key.serial, label: key.label };
  }

  /**
   * S6 `office inspect`: each export checked (signature, chain, continuity with the head
   * imported last time, usage rows); a passing one moves that workstation's head.
   */
  inspect(inputs: readonly InspectionInput[], options: { at: Date; actor: Actor; reportPath?: string; documents?: readonly InspectionInput[] }): Promise<InspectionRun> {
    return inspectExports(this.deps.register(), inputs, options);
  }

  /**
   * Issue #12: the recovery from HISTORY_REWRITTEN after a wrong import: the workstation's head
   * re-pinned to a signed export that passes every other check, on an application reference,
   * its approver and a reason (audited, printed in the next inspection report).
   */
  repin(input: InspectionInput, options: { at: Date; actor: Actor; reference: string; approver: string; reason: string }): ReturnType<typeof repinWorkstationHead> {
    return repinWorkstationHead(this.deps.register(), input, options);
  }

  /** The report PDF (Chinese) of inspections already made. */
  inspectionReport(target: string, results: readonly InspectionResult[], at: Date): Promise<{ path: string; bytes: number }> {
    return writeInspectionReport(this.deps.register(), target, results, at);
  }
}

// ---------------------------------------------------------------------------------- the window

export interface OfficeDeps extends OfficeTaskDeps {
  /** The person at the office console, for the audit log (M5). */
  actor(): Actor;
  /** The app's export folder: where a publication goes unless the person picks a folder. */
  reportFolder?(): string;
  /** The main process's dialogs: publication folder, workstation exports, the report's save path. */
  dialogs?: MainDialogs;
}

/** Copies of the request's PIN arrays for the service, which zeroes them when it is done. */
function issuancePins(request: { caPin: number[]; soPin: number[]; initialUserPin: number[] }): IssuancePins {
  return { caPin: Buffer.from(request.caPin), soPin: Buffer.from(request.soPin), initialUserPin: Buffer.from(request.initialUserPin) };
}

function validityOf(request: { validFrom?: string | undefined; validTo?: string | undefined; rollout?: boolean | undefined }): ValidityChoice {
  const validFrom = request.validFrom?.trim() ? parseOfficeDate('validFrom', request.validFrom) : undefined;
  const validTo = request.validTo?.trim() ? parseOfficeDate('validTo', request.validTo) : undefined;
  return { ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}), rollout: request.rollout === true };
}

function optional(value: string | undefined): string | undefined {
  return value?.trim() || undefined;
}

function issuedDto(issued: IssuedSeal): IssuedSealDto {
  return {
    sealId: issued.seal.id,
    sealCode: issued.seal.code,
    sealName: issued.seal.name,
    state: issued.seal.state,
    certificateSerial: issued.seal.certificate.serial,
    certificateSha256: issued.certificate.sha256Fingerprint,
    validFrom: issued.seal.certificate.validFrom.toISOString(),
    validTo: issued.seal.certificate.validTo.toISOString(),
    tokenSerial: issued.token.serial,
    tokenLabel: issued.token.label,
  };
}

/** A date the window sends: Beijing YYYY-MM-DD or "YYYY-MM-DD HH:MM" (as the CLI reads them, E1), or ISO with its zone. */
function dateOf(text: string, field: string): Date {
  const trimmed = text.trim();
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(trimmed);
  return parseOfficeDate(field, local ? `${local[1]}T${local[2]}:00+08:00` : trimmed);
}

export function inspectionDto(result: InspectionResult): InspectionResultDto {
  const f = result.figures;
  return {
    source: basename(result.source),
    ok: result.ok,
    workstationId: result.workstationId,
    signed: result.signed,
    signerSeal: result.signer?.sealCode ?? null,
    exportedAt: result.exportedAt,
    headSeq: result.head?.seq ?? null,
    previousSeq: result.previous?.seq ?? null,
    figures: f
      ? {
          periodFrom: f.periodFrom,
          periodTo: f.periodTo,
          newAuditRows: f.newAuditRows,
          stampings: f.stampings,
          failedStampings: f.failedStampings,
          refusals: f.refusals,
          failedPinAttempts: f.failedPinAttempts,
          stampingsByType: { ...f.stampingsByType },
        }
      : null,
    findings: result.findings.map((x) => ({ code: x.code, severity: x.severity, zh: x.zh, en: x.en, ...(x.seq !== undefined ? { seq: x.seq } : {}) })),
  };
}

/** The office console's channels over OfficeTasks: DTOs in, the tasks' typed refusals and DTOs out. */
export function createOfficeFrontDoor(deps: OfficeDeps): OfficeFrontDoor {
  const tasks = new OfficeTasks(deps);
  const sealCodeOf = (sealId: string): string => {
    const seal = deps.register().seals.get(sealId);
    if (!seal) throw new YinjianError('USAGE', { detail: 'unknown seal' });
    return seal.code;
  };
  const dialogs = (service: string): MainDialogs => deps.dialogs ?? (() => { throw new YinjianError('SERVICE_UNAVAILABLE', { service }); })();
  /** This console session's inspections, for the report. */
  const inspections: InspectionResult[] = [];
  return {
    'office.initCa': async ({ pin, ...request }) => {
      const ca = await tasks.initCa(
        {
          token: request.token,
          ...(optional(request.groupName) ? { groupName: request.groupName!.trim() } : {}),
          ...(optional(request.commonName) ? { commonName: request.commonName!.trim() } : {}),
          ...(request.years !== undefined ? { years: request.years } : {}),
          ...(request.keyType ? { keyType: request.keyType } : {}),
          adopt: request.adopt === true,
        },
        async () => Buffer.from(pin),
        deps.actor(),
      );
      const c = ca.certificate;
      return { groupName: ca.groupName, subject: c.subject.text, serial: c.serialHex, sha256: c.sha256Fingerprint, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), tokenSerial: ca.tokenSerial, adopted: ca.adopted };
    },
    'office.issue': async (request) => {
      const tokenLabel = optional(request.tokenLabel);
      const issued = await tasks.issue(
        {
          caToken: request.caToken,
          token: request.token,
          ...(tokenLabel ? { tokenLabel } : {}),
          unitName: request.unitName,
          unitKind: request.unitKind,
          sealName: request.sealName,
          sealCode: request.sealCode,
          custodianName: request.custodianName,
          custodianStaffId: request.custodianStaffId,
          workstationId: request.workstationId,
          // S2: passed through even when empty, so the refusal is the rule's own APPROVAL_REQUIRED.
          approval: request.approval,
          ...(request.keyType ? { keyType: request.keyType } : {}),
          ...validityOf(request),
        },
        async () => issuancePins(request),
        deps.actor(),
      );
      return issuedDto(issued);
    },
    'office.change': async (request) => {
      const changes = { tokenLabel: optional(request.tokenLabel), sealName: optional(request.sealName), custodianName: optional(request.custodianName), custodianStaffId: optional(request.custodianStaffId), workstationId: optional(request.workstationId) };
      const changed = await tasks.change(
        {
          caToken: request.caToken,
          token: request.token,
          sealCode: sealCodeOf(request.sealId),
          approval: request.approval,
          ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
          ...(request.keyType ? { keyType: request.keyType } : {}),
          ...validityOf(request),
        },
        async () => issuancePins(request),
        deps.actor(),
      );
      return issuedDto(changed);
    },
    'office.reissue': async (request) => {
      const tokenLabel = optional(request.tokenLabel);
      const reissued = await tasks.reissue(
        {
          caToken: request.caToken,
          token: request.token,
          sealCode: sealCodeOf(request.sealId),
          approval: request.approval,
          cause: request.cause,
          ...(tokenLabel ? { tokenLabel } : {}),
          ...(request.keyType ? { keyType: request.keyType } : {}),
          ...validityOf(request),
        },
        async () => issuancePins(request),
        deps.actor(),
      );
      return issuedDto(reissued);
    },
    'office.publish': async ({ caToken, caPin, chooseFolder }) => {
      // The folder is the main process's own: its dialog's answer or the export folder (issue #14).
      let folder: string | undefined;
      if (chooseFolder) {
        folder = await dialogs('office.publish').pickFolder('publish');
        if (folder === undefined) throw new YinjianError('FOLDER_NOT_CHOSEN');
      } else folder = deps.reportFolder?.();
      if (folder === undefined) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'office.publish' });
      const { publication, files } = await tasks.publish({ caToken, folder }, async () => Buffer.from(caPin), deps.actor());
      return { sequence: publication.sequence, folder, ...files, revokedSerials: [...publication.revokedSerials] };
    },
    // S3 without the returned key: revoked in the register; destroying the key objects needs the key's PIN (CLI).
    'office.cancel': async ({ sealId, approval }) => {
      await tasks.cancel({ sealCode: sealCodeOf(sealId), approval }, async () => ({}), deps.actor());
      return { ok: true };
    },
    'office.reportLoss': async ({ sealId, lostAt, approval }) => {
      await tasks.reportLoss({ sealCode: sealCodeOf(sealId), approval, ...(lostAt.trim() ? { lostAt: dateOf(lostAt, 'lostAt') } : {}) }, undefined, deps.actor());
      return { ok: true };
    },
    'office.confirmLoss': async ({ sealId, approval }) => {
      tasks.confirmLoss({ sealCode: sealCodeOf(sealId), approval }, deps.actor());
      return { ok: true };
    },
    'office.withdrawLoss': async ({ sealId, approval }) => {
      tasks.withdrawLoss({ sealCode: sealCodeOf(sealId), approval }, deps.actor());
      return { ok: true };
    },
    'office.delegate': async (request) => {
      const seal = deps.register().seals.get(request.sealId);
      if (!seal) throw new YinjianError('USAGE', { detail: 'unknown seal' });
      // M3: a company seal's proxy is approved by its general manager, a department's by its head.
      // Named by the person, it is checked (APPROVER_ROLE_MISMATCH); otherwise the seal's kind says which.
      const approverRole: ApproverRole = request.approverRole ?? (seal.kind === 'company' ? 'general_manager' : 'department_head');
      const delegation = tasks.delegate(
        {
          sealCode: seal.code,
          proxyName: request.proxyName,
          proxyStaffId: request.proxyStaffId,
          approverName: request.approverName,
          approverStaffId: request.approverStaffId ?? '',
          approverRole,
          reason: request.reason,
          startsAt: dateOf(request.startsAt, 'startsAt'),
          endsAt: dateOf(request.endsAt, 'endsAt'),
        },
        deps.actor(),
      );
      return { delegationId: delegation.id };
    },
    'office.delegations': async ({ sealId }) =>
      tasks
        .delegations(sealCodeOf(sealId))
        .map((d) => ({ id: d.id, proxyName: d.proxyName, proxyStaffId: d.proxyStaffId, approverName: d.approverName, reason: d.reason, startsAt: d.startsAt.toISOString(), endsAt: d.endsAt.toISOString(), revokedAt: d.revokedAt?.toISOString() ?? null })),
    'office.revokeDelegation': async ({ sealId, delegationId }) => {
      const revoked = tasks.revokeDelegation(sealCodeOf(sealId), delegationId, deps.actor());
      return { revokedAt: (revoked.revokedAt ?? new Date()).toISOString() };
    },
    'office.mayUse': async ({ sealId, staffId, name, at }) => {
      const time = at?.trim() ? dateOf(at, 'at') : new Date();
      const decision = tasks.mayUse(sealCodeOf(sealId), { staffId: staffId.trim(), name: name?.trim() ?? '' }, time);
      if (decision.allowed) return { allowed: true, at: time.toISOString(), capacity: decision.capacity, ...(decision.capacity === 'proxy' ? { delegationId: decision.delegationId } : {}) };
      const refusal = new YinjianError(decision.code, decision.params);
      return { allowed: false, at: time.toISOString(), refusal: { code: refusal.code, zh: refusal.zh, en: refusal.en } };
    },
    'office.unlock': async ({ token, soPin, initialUserPin }) => tasks.unlock(token, async () => ({ soPin: Buffer.from(soPin), initialUserPin: Buffer.from(initialUserPin) })),
    'office.inspect': async () => {
      const path = await dialogs('office.inspect').pickFile('workstation-export');
      if (path === undefined) return { cancelled: true };
      const run = await tasks.inspect([readExportFile(path)], { at: new Date(), actor: deps.actor() });
      const result = run.results[0]!;
      inspections.push(result);
      return { cancelled: false, result: inspectionDto(result) };
    },
    'office.saveInspectionReport': async () => {
      if (inspections.length === 0) throw new YinjianError('INSPECTION_NOTHING_INSPECTED');
      const at = new Date();
      const save = dialogs('office.saveInspectionReport').saveFile;
      if (!save) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'office.saveInspectionReport' });
      const target = await save('inspection-report', `用印检查报告-${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}.pdf`);
      if (target === undefined) return { cancelled: true };
      if (!isAbsolute(target)) throw new YinjianError('USAGE', { detail: 'the report path must be absolute' });
      const written = await tasks.inspectionReport(target, inspections, at);
      return { cancelled: false, path: written.path, inspections: inspections.length };
    },
    'office.denyList': async () => ({ words: [...tasks.denyList()] }),
    // U2: published with the next snapshot; audited (SETTING_CHANGED) with the list before and after.
    'office.setDenyList': async ({ words }) => ({ words: [...tasks.editDenyList({ words }, deps.actor())] }),
    'office.scannedDocuments': async () => ({ allowed: tasks.scannedDocuments() }),
    'office.setScannedDocuments': async ({ allowed }) => ({ allowed: tasks.setScannedDocuments(allowed, deps.actor()) }),
    'office.seals': async () => {
      const register = deps.register();
      return tasks.seals().map((seal) => ({
        id: seal.id,
        code: seal.code,
        name: seal.name,
        unit: register.units.get(seal.unitId)?.name ?? seal.unitId,
        state: seal.state,
        custodian: register.custodians.get(seal.custodianStaffId)?.name ?? seal.custodianStaffId,
      }));
    },
  };
}

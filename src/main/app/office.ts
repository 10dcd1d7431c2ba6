/**
 * The office console's front door (M1, S3, S5, M3) over OfficeService, as `yinjian office`
 * composes it (src/main/cli/commands/office.ts). The console is shown only while the office's
 * CA key is plugged in (`officeKeyPresent`).
 *
 * Issue, change and re-issue (S2–S5) take the CLI's three PINs (the CA key's, the seal key's SO
 * PIN, the initial user PIN to set) and publish the CA key's: each is copied into a buffer the
 * service zeroes, and the request's arrays are zeroed by the handler table (handlers.ts). The
 * checks that need no PIN (approval, register rules) run first, as in `yinjian office`.
 *
 * S6: `office.importWorkstation` inspects one workstation export (infra/inspection, as
 * `yinjian office inspect`), moving that workstation's imported head when it passes;
 * `office.inspectionReport` prints the report of this console session's inspections.
 */
import { isAbsolute, join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import { OfficeService, OFFICE_SETTING, parseOfficeDate, type IssuancePins, type IssuedSeal, type ValidityChoice } from '../core/office/index';
import type { UsbKeyPort } from '../core/ports/usb-key';
import { officeDenyList, setOfficeDenyList } from '../core/office/deny-list';
import type { Actor, ApproverRole } from '../core/register/index';
import type { SealRegister } from '../infra/db/index';
import { shippedFontImpressions, writePublication } from '../infra/office/index';
import type { IssuedSealDto } from '../../shared/ipc/contract';
import type { InspectionFindingCode, InspectionResult } from '../core/inspection/index';
import { inspectExports, writeInspectionReport } from '../infra/inspection/index';
import type { OfficeFrontDoor } from './front-doors';

export interface OfficeDeps {
  register(): SealRegister;
  keys(): UsbKeyPort;
  /** The person at the office console, for the audit log (M5). */
  actor(): Actor;
  /** Where the inspection report PDF is written (the app's export folder); publish's default folder too. */
  reportFolder?(): string;
  /** The main process's folder dialog, for a publication somewhere else than the export folder. */
  pickFolder?(): Promise<string | undefined>;
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

/** S6 "complete": nothing missing from the history (the other error findings say "tampered"). */
const COMPLETENESS: ReadonlySet<InspectionFindingCode> = new Set<InspectionFindingCode>(['AUDIT_ROW_DELETED', 'HEAD_MISMATCH', 'HISTORY_TRUNCATED', 'STAMP_WITHOUT_USAGE', 'USAGE_WITHOUT_AUDIT', 'EXPORT_UNREADABLE']);

function dateOf(text: string, field: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new YinjianError('USAGE', { detail: `${field} is not a date` });
  return date;
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

export function createOfficeFrontDoor(deps: OfficeDeps): OfficeFrontDoor {
  const service = (): OfficeService => new OfficeService({ keys: deps.keys(), register: deps.register(), impressions: shippedFontImpressions() });
  const sealCodeOf = (sealId: string): string => {
    const seal = deps.register().seals.get(sealId);
    if (!seal) throw new YinjianError('USAGE', { detail: 'unknown seal' });
    return seal.code;
  };
  const inspections: InspectionResult[] = [];
  return {
    'office.issue': async (request) => {
      const office = service();
      const actor = deps.actor();
      const issueRequest = {
        caToken: request.caToken,
        token: request.token,
        ...(optional(request.tokenLabel) ? { tokenLabel: request.tokenLabel!.trim() } : {}),
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
      };
      office.preflightIssue(issueRequest, actor);
      return issuedDto(await office.issue(issueRequest, issuancePins(request), actor));
    },
    'office.change': async (request) => {
      const office = service();
      const actor = deps.actor();
      const sealCode = sealCodeOf(request.sealId);
      office.preflightLifecycle(sealCode, 'CHANGE', request.approval, actor);
      const sealName = optional(request.sealName);
      const custodianName = optional(request.custodianName);
      const custodianStaffId = optional(request.custodianStaffId);
      const workstationId = optional(request.workstationId);
      const tokenLabel = optional(request.tokenLabel);
      const changed = await office.change(
        {
          caToken: request.caToken,
          token: request.token,
          sealCode,
          approval: request.approval,
          ...(tokenLabel ? { tokenLabel } : {}),
          ...(request.keyType ? { keyType: request.keyType } : {}),
          ...(sealName ? { sealName } : {}),
          ...(custodianName ? { custodianName } : {}),
          ...(custodianStaffId ? { custodianStaffId } : {}),
          ...(workstationId ? { workstationId } : {}),
          ...validityOf(request),
        },
        issuancePins(request),
        actor,
      );
      return issuedDto(changed);
    },
    'office.reissue': async (request) => {
      const office = service();
      const actor = deps.actor();
      const sealCode = sealCodeOf(request.sealId);
      office.preflightLifecycle(sealCode, 'REISSUE', request.approval, actor);
      const tokenLabel = optional(request.tokenLabel);
      const reissued = await office.reissue(
        {
          caToken: request.caToken,
          token: request.token,
          sealCode,
          approval: request.approval,
          cause: request.cause,
          ...(tokenLabel ? { tokenLabel } : {}),
          ...(request.keyType ? { keyType: request.keyType } : {}),
          ...validityOf(request),
        },
        issuancePins(request),
        actor,
      );
      return issuedDto(reissued);
    },
    'office.publish': async ({ caToken, caPin, chooseFolder }) => {
      // The folder is the main process's own: its dialog's answer or the export folder (issue #14).
      let folder: string | undefined;
      if (chooseFolder) {
        if (!deps.pickFolder) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'office.publish' });
        folder = await deps.pickFolder();
        if (folder === undefined) throw new YinjianError('FOLDER_NOT_CHOSEN');
      } else folder = deps.reportFolder?.();
      if (folder === undefined) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'office.publish' });
      if (!isAbsolute(folder)) throw new YinjianError('USAGE', { detail: 'the output folder must be an absolute path' });
      const publication = await service().publish({ caToken }, Buffer.from(caPin), deps.actor());
      const files = writePublication(folder, publication);
      return { sequence: publication.sequence, folder, ...files, revokedSerials: [...publication.revokedSerials] };
    },
    'office.importWorkstation': async ({ document }) => {
      const run = await inspectExports(deps.register(), [{ source: document.name, bytes: Buffer.from(document.base64, 'base64') }], { at: new Date(), actor: deps.actor() });
      const result = run.results[0]!;
      inspections.push(result);
      const errors = result.findings.filter((f) => f.severity === 'error');
      return {
        complete: !errors.some((f) => COMPLETENESS.has(f.code)),
        untampered: !errors.some((f) => !COMPLETENESS.has(f.code) || f.code === 'EXPORT_UNREADABLE'),
        workstation: result.workstationId ?? '',
      };
    },
    'office.inspectionReport': async () => {
      if (inspections.length === 0) throw new YinjianError('USAGE', { detail: 'no workstation export was imported in this session' });
      if (deps.reportFolder === undefined) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'office.inspectionReport' });
      const at = new Date();
      const target = join(deps.reportFolder(), `用印检查报告-${at.toISOString().replace(/[:.]/g, '-')}.pdf`);
      return { path: (await writeInspectionReport(deps.register(), target, inspections, at)).path };
    },
    'office.denyList': async () => ({ words: [...officeDenyList(deps.register())] }),
    // U2: published with the next snapshot; audited (SETTING_CHANGED) with the list before and after.
    'office.setDenyList': async ({ words }) => ({ words: [...setOfficeDenyList(deps.register(), words, deps.actor())] }),
    'office.seals': async () => {
      const register = deps.register();
      return register.seals.list().map((seal) => ({
        id: seal.id,
        code: seal.code,
        name: seal.name,
        unit: register.units.get(seal.unitId)?.name ?? seal.unitId,
        state: seal.state,
        custodian: register.custodians.get(seal.custodianStaffId)?.name ?? seal.custodianStaffId,
      }));
    },
    'office.confirmLoss': async ({ sealId, approval }) => {
      service().confirmLoss({ sealCode: sealCodeOf(sealId), approval }, deps.actor());
      return { ok: true };
    },
    'office.withdrawLoss': async ({ sealId, approval }) => {
      service().withdrawLoss({ sealCode: sealCodeOf(sealId), approval }, deps.actor());
      return { ok: true };
    },
    'office.delegations': async ({ sealId }) =>
      service()
        .delegations(sealCodeOf(sealId))
        .map((d) => ({ id: d.id, proxyName: d.proxyName, proxyStaffId: d.proxyStaffId, approverName: d.approverName, reason: d.reason, startsAt: d.startsAt.toISOString(), endsAt: d.endsAt.toISOString(), revokedAt: d.revokedAt?.toISOString() ?? null })),
    'office.revokeDelegation': async ({ sealId, delegationId }) => {
      const revoked = service().revokeDelegation(sealCodeOf(sealId), delegationId, deps.actor());
      return { revokedAt: (revoked.revokedAt ?? new Date()).toISOString() };
    },
    'office.reportLoss': async ({ sealId, lostAt, approval }) => {
      service().reportLoss({ sealCode: sealCodeOf(sealId), approval, ...(lostAt ? { lostAt: dateOf(lostAt, 'lostAt') } : {}) }, deps.actor());
      return { ok: true };
    },
    // S3 without the returned key: revoked in the register; destroying the key objects needs the key's PIN (CLI).
    'office.cancel': async ({ sealId, approval }) => {
      await service().cancel({ sealCode: sealCodeOf(sealId), approval }, undefined, deps.actor());
      return { ok: true };
    },
    'office.delegate': async (request) => {
      const register = deps.register();
      const seal = register.seals.get(request.sealId);
      if (!seal) throw new YinjianError('USAGE', { detail: 'unknown seal' });
      // M3: a company seal's proxy is approved by its general manager, a department's by its head.
      const approverRole: ApproverRole = seal.kind === 'company' ? 'general_manager' : 'department_head';
      const delegation = service().delegate(
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
  };
}

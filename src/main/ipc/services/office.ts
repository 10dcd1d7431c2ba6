/**
 * The office console's front door (M1, S3, S5, M3) over OfficeService, as `yinjian office`
 * composes it (src/main/cli/commands/office.ts). The console is shown only while the office's
 * CA key is plugged in (`officeKeyPresent`). Channels whose contract does not yet carry the
 * PINs the service needs (issue, change, re-issue, publish: CA PIN, SO PIN, initial PIN) stay
 * unwired here and answer SERVICE_UNAVAILABLE.
 *
 * S6: `office.importWorkstation` inspects one workstation export (infra/inspection, as
 * `yinjian office inspect`), moving that workstation's imported head when it passes;
 * `office.inspectionReport` prints the report of this console session's inspections.
 */
import { join } from 'node:path';
import { YinjianError } from '../../../shared/errors/index';
import { OfficeService, OFFICE_SETTING } from '../../core/office/index';
import type { UsbKeyPort } from '../../core/ports/usb-key';
import type { Actor, ApproverRole } from '../../core/register/index';
import type { SealRegister } from '../../infra/db/index';
import { shippedFontImpressions } from '../../infra/office/index';
import type { InspectionFindingCode, InspectionResult } from '../../core/inspection/index';
import { inspectExports, writeInspectionReport } from '../../infra/inspection/index';
import type { OfficeFrontDoor } from '../handlers';

export interface OfficeDeps {
  register(): SealRegister;
  keys(): UsbKeyPort;
  /** The person at the office console, for the audit log (M5). */
  actor(): Actor;
  /** Where the inspection report PDF is written (the app's export folder). */
  reportFolder?(): string;
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

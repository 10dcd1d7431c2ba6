/**
 * Use case: the workstation's S6 export (用印登记簿和审计日志, for the office's inspection), as
 * `yinjian register export` and the window's register screen both run it. With a USB key the
 * export is signed by this computer's seal key: the PIN is asked only once the key is found,
 * and UsbKeyService.openForSigning zeroes it and refuses a key still on its initial PIN (M4).
 */
import { isAbsolute } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { Actor } from '../core/register/index';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister } from '../infra/db/index';
import { writeWorkstationExport, type WorkstationExportResult } from '../infra/inspection/index';
import type { MainDialogs } from './dialogs';
import type { WorkstationExportFrontDoor } from './front-doors';

export interface WorkstationExportTask {
  readonly register: SealRegister;
  readonly usbKeys: () => UsbKeyService;
  readonly workstationId: string;
  readonly out: string;
  readonly actor: Actor;
  readonly at?: Date;
  /** The seal key to sign with (serial or label); absent: an unsigned export. */
  readonly token?: string;
  /** Asked once the key is found (a prompt names the key); the service zeroes the buffer. */
  readonly pin?: (key: { serial: string; label: string }) => Promise<Buffer>;
}

export async function exportForInspection(task: WorkstationExportTask): Promise<WorkstationExportResult & { workstationId: string }> {
  let session;
  let tokenSerial: string | undefined;
  if (task.token !== undefined) {
    const service = task.usbKeys();
    const key = await service.info(task.token);
    tokenSerial = key.serial;
    if (task.pin === undefined) throw new YinjianError('PIN_INPUT_MISSING');
    session = await service.openForSigning(key.serial, await task.pin({ serial: key.serial, label: key.label }));
  }
  try {
    const result = await writeWorkstationExport({
      register: task.register,
      workstationId: task.workstationId,
      out: task.out,
      at: task.at ?? new Date(),
      actor: task.actor,
      ...(session !== undefined ? { session } : {}),
      ...(tokenSerial !== undefined ? { tokenSerial } : {}),
    });
    return { ...result, workstationId: task.workstationId };
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** The export's file name the save dialog suggests: workstation and date, signed or not. */
export function suggestedExportName(workstationId: string, at: Date, signed: boolean): string {
  const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  return `用印检查导出-${workstationId}-${day}.${signed ? 'p7m' : 'json'}`;
}

export interface WorkstationExportDeps {
  register(): SealRegister;
  usbKeys(): UsbKeyService;
  workstationCode(): string;
  actor(): Actor;
  dialogs?: MainDialogs;
}

/** The window's S6 export: the file goes where the person chose in the main process's save dialog. */
export function createWorkstationExportFrontDoor(deps: WorkstationExportDeps): WorkstationExportFrontDoor {
  return {
    async export(request) {
      try {
        if (request.token !== undefined && request.pin === undefined) throw new YinjianError('PIN_INPUT_MISSING');
        const save = deps.dialogs?.saveFile;
        if (!save) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'export.workstation' });
        const workstationId = deps.workstationCode();
        const out = await save('workstation-export', suggestedExportName(workstationId, new Date(), request.token !== undefined));
        if (out === undefined) return { cancelled: true };
        if (!isAbsolute(out)) throw new YinjianError('USAGE', { detail: 'the export path must be absolute' });
        const pin = request.pin;
        const result = await exportForInspection({
          register: deps.register(),
          usbKeys: deps.usbKeys,
          workstationId,
          out,
          actor: deps.actor(),
          ...(request.token !== undefined && pin !== undefined ? { token: request.token, pin: async () => pin } : {}),
        });
        return { cancelled: false, path: result.path, signed: result.signed, usageRows: result.usageRows, auditRows: result.auditRows, headSeq: result.head?.seq ?? null, workstation: workstationId };
      } finally {
        request.pin?.fill(0);
      }
    },
  };
}

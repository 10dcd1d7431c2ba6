import { YinjianError, windowErrorOf } from '../../shared/errors/index';
import {
  CHANNELS,
  isChannel,
  maxRequestBytesOf,
  requestSize,
  type Channel,
  type DocumentInput,
  type IpcResult,
  type RequestOf,
  type ResponseOf,
} from '../../shared/ipc/contract';
import { createDocumentCheck } from '../app/document-check';
import type { DocumentBytes, MainServices, SealRegister } from '../app/front-doors';
import { auditState, checkDocumentText, exportUsageCsv, exportUsagePdf, keysWithSeals, newCertificateCache, usageEntries } from '../app/register-queries';

export type { AppStatus, DocumentBytes, MainServices, OfficeFrontDoor, SetupFrontDoor, StampingFrontDoor, VerificationFrontDoor } from '../app/front-doors';

type Handler<C extends Channel> = (request: RequestOf<C>) => Promise<ResponseOf<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

function unavailable(service: string): never {
  throw new YinjianError('SERVICE_UNAVAILABLE', { service });
}

/** A document as the use cases take it: a view on the ArrayBuffer that crossed, not a copy. */
function decode(document: DocumentInput): DocumentBytes {
  return { name: document.name, path: undefined, bytes: new Uint8Array(document.bytes) };
}

/** The PIN arrays of a request (caPin, soPin, initialUserPin, pin, …): every field named *pin holding bytes. */
function pinArraysOf(request: object): number[][] {
  return Object.entries(request).flatMap(([name, value]) => (/pin$/i.test(name) && Array.isArray(value) ? [value as number[]] : []));
}

/** The transport-free handler table: the app binds it to Electron IPC, tests call it directly or over the test host. */
export function createHandlers(services: MainServices): HandlerTable {
  const register = (): SealRegister => services.register?.() ?? unavailable('register');
  const certificatesOnKeys = newCertificateCache();
  const standaloneCheck = createDocumentCheck({ register: () => services.register?.() });
  const exportFolder = (): string => services.exportFolder?.() ?? unavailable('export');
  /**
   * An office channel, answered by the office's front door (app/office.ts). Channels that carry
   * PINs: the front door copies them into buffers the tasks zero; the request's own arrays are
   * zeroed here once the call is over, refused or not (M4).
   */
  const office = <C extends Extract<Channel, `office.${string}`>>(channel: C): Handler<C> => {
    return async (request) => {
      try {
        const handler = services.office?.[channel] as Handler<C> | undefined;
        return handler ? await handler(request) : unavailable(channel);
      } finally {
        for (const pin of pinArraysOf(request)) pin.fill(0);
      }
    };
  };

  return {
    'app.status': async () => {
      const status = services.appStatus?.() ?? { demoMode: false, moduleReady: true, modulePath: null, demoAvailable: false, officeConsole: false };
      return { ...status, workstationCode: services.workstationCode() };
    },
    'setup.modules': async () => (services.setup ?? unavailable('setup')).modules(),
    'setup.useModule': async ({ moduleId }) => (services.setup ?? unavailable('setup')).useCatalogModule(moduleId),
    'setup.pickModule': async () => (services.setup ?? unavailable('setup')).pickModule(),
    'setup.doctor': async ({ moduleId }) => (services.setup ?? unavailable('setup')).doctor(moduleId),
    'setup.startDemo': async () => {
      await (services.setup ?? unavailable('setup')).startDemo();
      return { demoMode: true };
    },

    'trust.state': async () => (services.trust ?? unavailable('trust')).state(),
    'trust.pickRoot': async () => (services.trust ?? unavailable('trust')).pickRoot(),
    'trust.importSnapshot': async (request) => (services.trust ?? unavailable('trust')).importSnapshot(request),
    'trust.importCrl': async () => (services.trust ?? unavailable('trust')).importCrl(),

    'export.workstation': async (request) => {
      const pin = request.pin ? Buffer.from(request.pin) : undefined;
      request.pin?.fill(0);
      if (!services.workstationExport) {
        pin?.fill(0);
        unavailable('export.workstation');
      }
      // The service takes ownership of the PIN buffer and zeroes it (M4, PIN hygiene).
      return services.workstationExport.export({ ...(request.token !== undefined ? { token: request.token } : {}), ...(pin ? { pin } : {}) });
    },

    'usbKey.list': async () => {
      services.rescanUsbKeys?.();
      return keysWithSeals(services.usbKeys(), services.register?.(), certificatesOnKeys);
    },
    'usbKey.changePin': async ({ token, oldPin, newPin }) => {
      try {
        // The service takes ownership of these buffers and zeroes them (M4, PIN hygiene).
        await services.usbKeys().changePin(token, Buffer.from(oldPin), Buffer.from(newPin));
      } finally {
        oldPin.fill(0);
        newPin.fill(0);
      }
      return { changed: true };
    },
    'workstation.id': async () => ({ code: services.workstationCode() }),

    // The same deny list the stamping gate applies (the office's words included, U2).
    'stamp.checkText': async ({ pages }) => checkDocumentText(services.register?.(), pages),
    // U2 as the stamping gate applies it, OCR included (issue #13); progress pushed as ocr.progress.
    // Without a stamping service (a receiver's window) the check still runs, without pushed progress.
    'stamp.checkDocument': async ({ document }) => (services.stamping?.checkDocument ?? standaloneCheck.check)(decode(document)),
    'stamp.stopCheck': async () => ({ stopping: services.stamping?.stopCheck?.() ?? standaloneCheck.stop() }),
    'stamp.impression': async ({ token }) => (services.stamping ?? unavailable('stamp.impression')).impression(token),
    'stamp.seal': async ({ pin, documents, ...rest }) => {
      const pinBuffer = Buffer.from(pin);
      pin.fill(0);
      if (!services.stamping) {
        pinBuffer.fill(0);
        unavailable('stamp.seal');
      }
      return { outcomes: await services.stamping.seal({ ...rest, pin: pinBuffer, documents: documents.map(decode) }) };
    },

    'stamp.progress': async () => (services.stamping ?? unavailable('stamp.progress')).progress(),
    'stamp.stop': async () => ({ stopping: (services.stamping ?? unavailable('stamp.stop')).stop() }),

    'verify.files': async ({ documents }) => ({ reports: await (services.verification ?? unavailable('verify.files')).verify(documents.map(decode)) }),
    // Issue #14: the request carries nothing; the paths come from the main process's dialog.
    'verify.pickFiles': async () => {
      const verification = services.verification ?? unavailable('verify.pickFiles');
      return (verification.pickAndVerify ?? unavailable('verify.pickFiles'))();
    },
    'verify.exportReport': async ({ document }) => ({ path: await (services.verification ?? unavailable('verify.exportReport')).exportReport(decode(document)) }),

    'register.usage': async ({ filter }) => usageEntries(register(), filter),
    'register.exportCsv': async ({ filter }) => ({ path: exportUsageCsv(register(), filter, exportFolder()) }),
    'register.exportPdf': async ({ filter }) => ({ path: await exportUsagePdf(register(), filter, exportFolder()) }),
    'register.audit': async () => auditState(register()),

    'office.initCa': office('office.initCa'),
    'office.issue': office('office.issue'),
    'office.change': office('office.change'),
    'office.cancel': office('office.cancel'),
    'office.reportLoss': office('office.reportLoss'),
    'office.confirmLoss': office('office.confirmLoss'),
    'office.withdrawLoss': office('office.withdrawLoss'),
    'office.delegations': office('office.delegations'),
    'office.revokeDelegation': office('office.revokeDelegation'),
    'office.mayUse': office('office.mayUse'),
    'office.unlock': office('office.unlock'),
    'office.reissue': office('office.reissue'),
    'office.delegate': office('office.delegate'),
    'office.publish': office('office.publish'),
    'office.inspect': office('office.inspect'),
    'office.saveInspectionReport': office('office.saveInspectionReport'),
    'office.denyList': office('office.denyList'),
    'office.setDenyList': office('office.setDenyList'),
    'office.scannedDocuments': office('office.scannedDocuments'),
    'office.setScannedDocuments': office('office.setScannedDocuments'),
    'office.seals': office('office.seals'),
  };
}

/**
 * Runs one request through the contract: unknown channels, oversized and malformed payloads are
 * refused with USAGE before any handler runs; every error crosses as {code, zh, en}.
 */
export async function dispatch(handlers: HandlerTable, channel: unknown, payload: unknown): Promise<IpcResult<unknown>> {
  try {
    if (!isChannel(channel)) throw new YinjianError('USAGE', { detail: 'unknown IPC channel' });
    const size = requestSize(payload);
    if (size === undefined) throw new YinjianError('USAGE', { detail: `malformed request for ${channel}` });
    if (size > maxRequestBytesOf(channel)) throw new YinjianError('USAGE', { detail: 'request too large' });
    const parsed = CHANNELS[channel].request.safeParse(payload);
    if (!parsed.success) throw new YinjianError('USAGE', { detail: `malformed request for ${channel}` });
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    const value = CHANNELS[channel].response.parse(await handler(parsed.data));
    return { ok: true, value };
  } catch (caught) {
    return { ok: false, error: windowErrorOf(caught) };
  }
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import {
  CHANNELS,
  isChannel,
  maxRequestBytesOf,
  type Channel,
  type DocumentInput,
  type FileReportDto,
  type IpcResult,
  type RequestOf,
  type ResponseOf,
  type SealOnKeyDto,
  type StampOutcomeDto,
  type UsageFilterDto,
} from '../../shared/ipc/contract';
import { DEFAULT_DENY_LIST, classifyDocumentText } from '../core/policy/index';
import { sealOfKey } from '../core/stamp/seal-of-key';
import { stampingDenyList } from '../infra/stamp/register-port';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister, UsageFilter } from '../infra/db/index';

/** What the app knows about itself at start (first-run setup, demo mode, office console). */
export interface AppStatus {
  readonly demoMode: boolean;
  readonly moduleReady: boolean;
  readonly modulePath: string | null;
  readonly demoAvailable: boolean;
  readonly officeConsole: boolean;
  /** Demo mode only: the demo seal key's PIN, shown on screen (it guards a software demo key). */
  readonly demoPin?: string;
}

/** A document the renderer handed over, decoded. */
export interface DocumentBytes {
  readonly name: string;
  /** Where the main process itself read the file (a dialog's pick, a sealed copy); never a renderer's path. */
  readonly path: string | undefined;
  readonly bytes: Uint8Array;
}

/**
 * The stamping service as the front door needs it (src/main/core/stamp, being written).
 * Owns the PIN buffer it is given and zeroes it.
 */
export interface StampingFrontDoor {
  seal(request: Omit<RequestOf<'stamp.seal'>, 'documents' | 'pin'> & { documents: DocumentBytes[]; pin: Buffer }): Promise<StampOutcomeDto[]>;
  impression(token: string): Promise<ResponseOf<'stamp.impression'>>;
  progress(): ResponseOf<'stamp.progress'>;
  /** Asks the running batch to stop before its next document; false when none runs. */
  stop(): boolean;
}

/** The verification service as the front door needs it (src/main/core/verify, being written). */
export interface VerificationFrontDoor {
  verify(documents: DocumentBytes[]): Promise<FileReportDto[]>;
  exportReport(document: DocumentBytes): Promise<string>;
}

/** The office console's services (src/main/core/office, being written): one method per channel. */
export type OfficeFrontDoor = {
  [C in Extract<Channel, `office.${string}`>]?: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
};

/** First-run setup: the module catalog, a driver the person picks, and the demo token. */
export interface SetupFrontDoor {
  modules(): ResponseOf<'setup.modules'>;
  /** A catalog driver by id, at its installed path (never a path from the renderer). */
  useCatalogModule(id: string): Promise<ResponseOf<'setup.useModule'>>;
  /** A driver file picked in the main process's dialog, checked and loaded before it is saved. */
  pickModule(): Promise<ResponseOf<'setup.pickModule'>>;
  startDemo(): Promise<void>;
}

export interface MainServices {
  usbKeys(): UsbKeyService;
  workstationCode(): string;
  /** Makes the slot list current (SoftHSM2 reads it only at C_Initialize). */
  rescanUsbKeys?(): void;
  /** The register (usage register, audit log, seals); absent when it cannot be opened. */
  register?(): SealRegister;
  appStatus?(): AppStatus;
  /** Where exports (CSV, reports) are written. */
  exportFolder?(): string;
  setup?: SetupFrontDoor;
  stamping?: StampingFrontDoor;
  verification?: VerificationFrontDoor;
  office?: OfficeFrontDoor;
}

type Handler<C extends Channel> = (request: RequestOf<C>) => Promise<ResponseOf<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

function unavailable(service: string): never {
  throw new YinjianError('SERVICE_UNAVAILABLE', { service });
}

function decode(document: DocumentInput): DocumentBytes {
  return { name: document.name, path: undefined, bytes: new Uint8Array(Buffer.from(document.base64, 'base64')) };
}

function dateOf(text: string | undefined, field: string): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new YinjianError('USAGE', { detail: `${field} is not a date` });
  return date;
}

function usageFilterOf(filter: UsageFilterDto): UsageFilter {
  return {
    ...(filter.sealId ? { sealId: filter.sealId } : {}),
    ...(filter.staffId ? { staffId: filter.staffId } : {}),
    ...(filter.documentType ? { documentType: filter.documentType } : {}),
    ...(filter.from ? { from: dateOf(filter.from, 'from') } : {}),
    ...(filter.to ? { to: dateOf(filter.to, 'to') } : {}),
  };
}

/** The public certificates on each present key, read once per insertion (no PIN needed). */
type CertificatesOnKeys = Map<string, Promise<readonly { readonly der: Uint8Array }[]>>;

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

/** The PIN arrays of an office request (issuance: three; publication: the CA key's). */
function pinsOf(request: { caPin: number[]; soPin?: number[]; initialUserPin?: number[] }): number[][] {
  return [request.caPin, request.soPin, request.initialUserPin].filter((pin): pin is number[] => Array.isArray(pin));
}

function stampFileName(kind: string): string {
  return `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/** The transport-free handler table: the app binds it to Electron IPC, tests call it directly or over the test host. */
export function createHandlers(services: MainServices): HandlerTable {
  const register = (): SealRegister => services.register?.() ?? unavailable('register');
  const certificatesOnKeys: CertificatesOnKeys = new Map();
  const exportFolder = (): string => services.exportFolder?.() ?? unavailable('export');
  const office = <C extends Extract<Channel, `office.${string}`>>(channel: C): Handler<C> => {
    return async (request) => {
      const handler = services.office?.[channel] as Handler<C> | undefined;
      return handler ? handler(request) : unavailable(channel);
    };
  };
  /**
   * Office channels that carry PINs: the front door copies them into buffers the service zeroes;
   * the request's own arrays are zeroed here once the call is over, refused or not (M4).
   */
  const officeWithPins = <C extends 'office.issue' | 'office.change' | 'office.reissue' | 'office.publish'>(channel: C): Handler<C> => {
    const inner = office(channel);
    return async (request) => {
      try {
        return await inner(request);
      } finally {
        for (const pin of pinsOf(request)) pin.fill(0);
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
    'setup.startDemo': async () => {
      await (services.setup ?? unavailable('setup')).startDemo();
      return { demoMode: true };
    },

    'usbKey.list': async () => {
      services.rescanUsbKeys?.();
      const known = services.register?.();
      const keys = services.usbKeys();
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

    'stamp.checkText': async ({ pages }) => {
      // The same deny list the stamping gate applies (the office's words included, U2).
      const known = services.register?.();
      const denyList = known ? stampingDenyList(known) : DEFAULT_DENY_LIST;
      const verdict = classifyDocumentText(pages, denyList);
      return verdict.forbidden ? { ...verdict, words: [...verdict.words] } : verdict;
    },
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
    'verify.exportReport': async ({ document }) => ({ path: await (services.verification ?? unavailable('verify.exportReport')).exportReport(decode(document)) }),

    'register.usage': async ({ filter }) => {
      const reg = register();
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
    },
    'register.exportCsv': async ({ filter }) => {
      const csv = register().usage.exportCsv(usageFilterOf(filter));
      const path = join(exportFolder(), `${stampFileName('usage-register')}.csv`);
      // A BOM so that Excel on Chinese Windows opens the UTF-8 file with the right characters.
      writeFileSync(path, `\ufeff${csv}`, 'utf8');
      return { path };
    },
    'register.exportPdf': async ({ filter }) => {
      // pdf-lib and the font load on the first export, not at start.
      const { writeUsageRegisterPdf } = await import('./services/register-export');
      const target = join(exportFolder(), `${stampFileName('用印登记簿')}.pdf`);
      return { path: (await writeUsageRegisterPdf(register(), usageFilterOf(filter), target, new Date())).path };
    },
    'register.audit': async () => {
      const audit = register().audit;
      const report = audit.verify();
      const head = audit.head();
      const from = Math.max(1, (head?.seq ?? 0) - 19);
      const recent = audit
        .list(from, 20)
        .reverse()
        .map((r) => ({ seq: r.seq, at: r.at, actorName: r.actorName, action: r.action, subject: r.subject }));
      return report.ok
        ? { ok: true, rows: report.rows, recent }
        : { ok: false, rows: head?.seq ?? 0, brokenSeq: report.seq, reason: report.reason, recent };
    },

    'office.issue': officeWithPins('office.issue'),
    'office.change': officeWithPins('office.change'),
    'office.cancel': office('office.cancel'),
    'office.reportLoss': office('office.reportLoss'),
    'office.reissue': officeWithPins('office.reissue'),
    'office.delegate': office('office.delegate'),
    'office.publish': officeWithPins('office.publish'),
    'office.importWorkstation': office('office.importWorkstation'),
    'office.inspectionReport': office('office.inspectionReport'),
    'office.denyList': office('office.denyList'),
    'office.setDenyList': office('office.setDenyList'),
    'office.seals': async () => {
      const handler = services.office?.['office.seals'];
      if (handler) return handler({});
      const reg = register();
      return reg.seals.list().map((seal) => ({
        id: seal.id,
        code: seal.code,
        name: seal.name,
        unit: reg.units.get(seal.unitId)?.name ?? seal.unitId,
        state: seal.state,
        custodian: reg.custodians.get(seal.custodianStaffId)?.name ?? seal.custodianStaffId,
      }));
    },
  };
}

/**
 * Runs one request through the contract: unknown channels, oversized and malformed payloads are
 * refused with USAGE before any handler runs; every error crosses as {code, zh, en}.
 */
export async function dispatch(handlers: HandlerTable, channel: unknown, payload: unknown): Promise<IpcResult<unknown>> {
  try {
    if (!isChannel(channel)) throw new YinjianError('USAGE', { detail: 'unknown IPC channel' });
    let size: number;
    try {
      size = JSON.stringify(payload ?? null).length;
    } catch {
      throw new YinjianError('USAGE', { detail: `malformed request for ${channel}` });
    }
    if (size > maxRequestBytesOf(channel)) throw new YinjianError('USAGE', { detail: 'request too large' });
    const parsed = CHANNELS[channel].request.safeParse(payload);
    if (!parsed.success) throw new YinjianError('USAGE', { detail: `malformed request for ${channel}` });
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    const value = CHANNELS[channel].response.parse(await handler(parsed.data));
    return { ok: true, value };
  } catch (caught) {
    const error = caught instanceof YinjianError ? caught : new YinjianError('INTERNAL', { detail: 'unexpected failure' }, { cause: caught });
    return { ok: false, error: { code: error.code, zh: error.zh, en: error.en } };
  }
}

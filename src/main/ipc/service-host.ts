/**
 * The handler table behind one message port (issue #14: heavy work off the main process).
 *
 * Host side (`serveHandlerTable`, in a utilityProcess or a worker thread): answers each call
 * with `dispatch` (the same contract checks as in-process), pushes the app's events, and asks
 * the main process for its dialogs (paths come only from a person at a main-process dialog).
 *
 * Main side (`connectServiceHost`): forwards calls, transferring documents' ArrayBuffers;
 * answers dialog requests with the real dialogs; passes events on after parsing them against
 * the contract. When the host dies (a hostile PDF exhausting its memory), the calls in flight
 * fail with IPC_TRANSPORT_FAILED, and the next call starts a fresh host: the window survives.
 */
import { YinjianError, windowErrorOf } from '../../shared/errors/index';
import type { IpcResult } from '../../shared/ipc/contract';
import type { EventMessage } from '../../shared/ipc/events';
import type { MainDialogs } from '../app/dialogs';
import { transferablesOf, type HostInit, type HostMessage, type HostPort, type HostToMain } from '../app/host/host-port';
import { dispatch, type HandlerTable } from './handlers';

export interface HostedServices {
  readonly handlers: HandlerTable;
  readonly events?: { subscribe(listener: (message: EventMessage) => void): () => void };
  close(): void;
}

/** Runs in the host: composes the services once `init` arrives, then answers calls until shutdown. */
export function serveHandlerTable(port: HostPort, compose: (init: HostInit, dialogs: MainDialogs) => HostedServices): void {
  let services: HostedServices | undefined;
  let nextDialog = 1;
  const dialogWaits = new Map<number, { resolve(answer: Extract<HostMessage, { t: 'dialog-answer' }>): void; reject(error: Error): void }>();
  const askFor = (method: keyof MainDialogs, purpose?: string, suggestedName?: string): Promise<Extract<HostMessage, { t: 'dialog-answer' }>> =>
    new Promise((resolve, reject) => {
      const id = nextDialog++;
      dialogWaits.set(id, { resolve, reject });
      port.postMessage({ t: 'dialog', id, method, ...(purpose ? { purpose } : {}), ...(suggestedName ? { suggestedName } : {}) });
    });
  const ask = async (method: keyof MainDialogs, purpose?: string, suggestedName?: string): Promise<string | undefined> => {
    const { path } = await askFor(method, purpose, suggestedName);
    return typeof path === 'string' ? path : undefined;
  };
  const dialogs: MainDialogs = {
    pickModuleFile: () => ask('pickModuleFile'),
    pickFolder: (purpose) => ask('pickFolder', purpose),
    pickFile: (purpose) => ask('pickFile', purpose),
    // Issue #14: the S6 export and the inspection report are saved where the person chooses.
    saveFile: (purpose, suggestedName) => ask('saveFile', purpose, suggestedName),
    // Issue #14: PDFs to verify, picked in the main process; only their paths cross to this host.
    pickFiles: async (purpose) => {
      const { paths } = await askFor('pickFiles', purpose);
      return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : undefined;
    },
  };
  port.onMessage((message) => {
    if (message.t === 'init') {
      services ??= compose(message.init, dialogs);
      services.events?.subscribe((event) => port.postMessage({ t: 'event', event: event.event, payload: event.payload }));
      port.postMessage({ t: 'ready' });
    } else if (message.t === 'call') {
      const answer = services
        ? dispatch(services.handlers, message.channel, message.payload)
        : Promise.resolve(failure(new YinjianError('SERVICE_UNAVAILABLE', { service: 'host' })));
      void answer.then((result) => port.postMessage({ t: 'result', id: message.id, result }));
    } else if (message.t === 'dialog-answer') {
      const wait = dialogWaits.get(message.id);
      dialogWaits.delete(message.id);
      if (message.failed !== undefined) wait?.reject(new YinjianError('IPC_TRANSPORT_FAILED', { detail: message.failed }));
      else wait?.resolve(message);
    } else if (message.t === 'shutdown') {
      services?.close();
      services = undefined;
      port.close();
    }
  });
}

function failure(error: YinjianError): IpcResult<never> {
  return { ok: false, error: windowErrorOf(error) };
}

export interface ServiceHostConnection {
  /** One request through the host's handler table. */
  invoke(channel: unknown, payload: unknown): Promise<IpcResult<unknown>>;
  /** Ends the host (the app quits). */
  close(): void;
}

export interface ConnectOptions {
  /** Starts a host and returns its port (a utilityProcess, a worker thread). */
  start(): HostPort;
  /** What the host composes from; a function is asked when a host starts (lazily). */
  readonly init: HostInit | (() => HostInit);
  /** The main process's dialogs the host may ask for. */
  readonly dialogs?: MainDialogs;
  /** Where the host's events go (the app's AppEvents.forward: parsed before they reach the window). */
  forward?(event: unknown, payload: unknown): void;
}

/** Runs in the main process: the host's port, restarted after a crash. */
export function connectServiceHost(options: ConnectOptions): ServiceHostConnection {
  let port: HostPort | undefined;
  let nextId = 1;
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();

  const answerDialog = async (current: HostPort, message: Extract<HostToMain, { t: 'dialog' }>): Promise<void> => {
    try {
      const dialogs = options.dialogs;
      if (!dialogs) throw new Error('no dialogs');
      if (message.method === 'pickFiles') {
        if (!dialogs.pickFiles) throw new Error('no multiple-file dialog');
        // The main process copies nothing but these paths (issue #14): the host reads the files.
        const paths = await dialogs.pickFiles('verify');
        current.postMessage({ t: 'dialog-answer', id: message.id, ...(paths ? { paths: [...paths] } : {}) });
        return;
      }
      let path: string | undefined;
      if (message.method === 'pickModuleFile') path = await dialogs.pickModuleFile();
      else if (message.method === 'pickFolder') path = await dialogs.pickFolder(message.purpose === 'publish' ? 'publish' : 'export');
      else if (message.method === 'saveFile') {
        if (!dialogs.saveFile) throw new Error('no save dialog');
        path = await dialogs.saveFile(message.purpose === 'inspection-report' ? 'inspection-report' : 'workstation-export', message.suggestedName ?? '');
      } else path = await dialogs.pickFile(message.purpose as Parameters<MainDialogs['pickFile']>[0]);
      current.postMessage({ t: 'dialog-answer', id: message.id, path });
    } catch (caught) {
      current.postMessage({ t: 'dialog-answer', id: message.id, failed: caught instanceof Error ? caught.message : String(caught) });
    }
  };

  const open = (): HostPort => {
    if (port) return port;
    const current = options.start();
    port = current;
    current.onMessage((message: HostMessage) => {
      if (message.t === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else if (message.t === 'event') options.forward?.(message.event, message.payload);
      else if (message.t === 'dialog') void answerDialog(current, message);
    });
    current.onClose((reason) => {
      if (port === current) port = undefined;
      const lost = failure(new YinjianError('IPC_TRANSPORT_FAILED', { detail: `service host ended (${reason})` }));
      for (const resolve of pending.values()) resolve(lost);
      pending.clear();
    });
    current.postMessage({ t: 'init', init: typeof options.init === 'function' ? options.init() : options.init });
    return current;
  };

  return {
    invoke(channel, payload) {
      const current = open();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        try {
          current.postMessage({ t: 'call', id, channel: String(channel), payload }, transferablesOf(payload));
        } catch {
          pending.delete(id);
          resolve(failure(new YinjianError('USAGE', { detail: `malformed request for ${String(channel)}` })));
        }
      });
    },
    close() {
      port?.postMessage({ t: 'shutdown' });
      port = undefined;
    },
  };
}

/**
 * Channels whose work is long and CPU-bound (verifying, reading a document's text, inspecting an
 * export): in the app they run in a host of their own, so a folder being verified never delays
 * the answers the window waits for (the key list, the register, a PIN change). The inspection
 * pair stays together: the report covers that host's inspections.
 */
export const HEAVY_CHANNELS: ReadonlySet<string> = new Set(['verify.files', 'verify.pickFiles', 'verify.exportReport', 'stamp.checkText', 'office.importWorkstation', 'office.inspectionReport', 'register.exportPdf']);

/** One answer function over two hosts: heavy channels to the verifier, the rest to the service host. */
export function routeChannels(services: ServiceHostConnection, heavy: ServiceHostConnection, heavyChannels: ReadonlySet<string> = HEAVY_CHANNELS): ServiceHostConnection {
  return {
    invoke: async (channel, payload) => {
      if (typeof channel === 'string' && heavyChannels.has(channel)) return heavy.invoke(channel, payload);
      const result = await services.invoke(channel, payload);
      // Demo mode moves the data folder: the verifier reads it at its start, so it starts afresh.
      if (channel === 'setup.startDemo' && result.ok) heavy.close();
      return result;
    },
    close: () => {
      services.close();
      heavy.close();
    },
  };
}

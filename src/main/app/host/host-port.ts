/**
 * One message port between the main process and the process (or thread) that runs the use
 * cases (architecture.md: app/ runs in a utilityProcess in the app, in worker threads where
 * Electron is absent). The same host code runs over either: an Electron utilityProcess's
 * parentPort/UtilityProcess, or node:worker_threads' parentPort/Worker. Only structured-clone
 * data crosses; documents cross as ArrayBuffers, transferred where the transport can.
 */
import { isArrayBuffer, type IpcResult } from '../../../shared/ipc/contract';
import type { MainDialogs } from '../dialogs';

/** A two-way message port, whatever carries it. */
export interface HostPort {
  postMessage(message: HostMessage, transfer?: ArrayBuffer[]): void;
  /** Subscribes to incoming messages; returns the unsubscribe. */
  onMessage(listener: (message: HostMessage) => void): () => void;
  /** The other side went away (crashed, exited, closed). */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

/** What the host needs to compose the app's services (the main process knows it, the host cannot ask Electron). */
export interface HostInit {
  /** Electron's userData folder: settings.json, register.sqlite, demo/. */
  readonly appDataDir: string;
  /** Where exports and reports go. */
  readonly exportFolder: string;
  /**
   * This computer's workstation code (M4, S1). Absent in the app: the host reads the machine's id
   * itself, off the main process (on Windows that runs reg.exe, on macOS ioreg, synchronously).
   */
  readonly workstationCode?: string;
  readonly envModule?: string;
  readonly softHsmModule?: string;
  /**
   * Run below normal priority (nice 10): the verifier host, so that on a busy computer the
   * threads that answer the window get the processor first; a batch takes a little longer.
   */
  readonly lowPriority?: boolean;
}

export type DialogMethod = keyof MainDialogs;

/** Main process → host. */
export type MainToHost =
  | { readonly t: 'init'; readonly init: HostInit }
  | { readonly t: 'call'; readonly id: number; readonly channel: string; readonly payload: unknown }
  | { readonly t: 'dialog-answer'; readonly id: number; readonly path?: string | undefined; readonly failed?: string }
  | { readonly t: 'shutdown' };

/** Host → main process. */
export type HostToMain =
  | { readonly t: 'ready' }
  | { readonly t: 'result'; readonly id: number; readonly result: IpcResult<unknown> }
  | { readonly t: 'event'; readonly event: string; readonly payload: unknown }
  | { readonly t: 'dialog'; readonly id: number; readonly method: DialogMethod; readonly purpose?: string; /** saveFile: the name the save dialog suggests. */ readonly suggestedName?: string };

export type HostMessage = MainToHost | HostToMain;

/** The ArrayBuffers of the documents in a request, to transfer rather than copy. */
export function transferablesOf(payload: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4 || value === null || typeof value !== 'object') return;
    if (isArrayBuffer(value)) {
      // A document's bytes (contract: documentInput): the main process has no further use for them.
      if (value.byteLength > 0) found.add(value);
      return;
    }
    if (value instanceof Uint8Array) {
      // Only a view that owns its whole buffer: transferring a shared pool would detach others.
      if (value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) found.add(value.buffer);
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item, depth + 1);
  };
  visit(payload, 0);
  return [...found];
}

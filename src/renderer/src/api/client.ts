import type { Channel, IpcError, RequestOf, ResponseOf, YinjianApi } from '../../../shared/ipc/contract';
import type { EventName, EventOf } from '../../../shared/ipc/events';

declare global {
  interface Window {
    /** The one API the preload exposes (src/preload); in the browser tests, the loopback transport. */
    yinjian: YinjianApi;
  }
}

/** A refusal or failure the main process reported, with its stable code and both messages. */
export class IpcFailure extends Error {
  constructor(readonly error: IpcError) {
    super(`${error.code}: ${error.en}`);
    this.name = 'IpcFailure';
  }
}

let installed: YinjianApi | undefined;

/** Lets a store test run against the real handler table without a window. */
export function installApi(api: YinjianApi | undefined): void {
  installed = api;
}

function currentApi(): YinjianApi {
  return installed ?? window.yinjian;
}

/** Calls one contract channel; a refusal throws IpcFailure. */
export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  let result;
  try {
    result = await currentApi().invoke(channel, request);
  } catch (caught) {
    const detail = caught instanceof Error ? caught.message : String(caught);
    throw new IpcFailure({ code: 'IPC_TRANSPORT_FAILED', zh: `与后台服务的连接中断：${detail}`, en: `The connection to the background service failed: ${detail}` });
  }
  if (!result.ok) throw new IpcFailure(result.error);
  return result.value;
}

/** The IpcError of anything thrown by `call`. */
export function ipcErrorOf(caught: unknown): IpcError {
  if (caught instanceof IpcFailure) return caught.error;
  const detail = caught instanceof Error ? caught.message : String(caught);
  return { code: 'INTERNAL', zh: `内部错误：${detail}`, en: `Internal error: ${detail}` };
}

/**
 * Subscribes to an event the main process pushes (src/shared/ipc/events.ts): the window follows
 * key insertion and batch progress as they happen instead of polling. Returns the unsubscribe.
 */
export function subscribe<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
  return currentApi().on(event, listener);
}

import { YinjianError } from '../../shared/errors/index';
import { CHANNELS, MAX_REQUEST_BYTES, type Channel, type IpcResult, type RequestOf, type ResponseOf } from '../../shared/ipc/contract';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';

export interface MainServices {
  usbKeys(): UsbKeyService;
  workstationCode(): string;
}

type Handler<C extends Channel> = (request: RequestOf<C>) => Promise<ResponseOf<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

/** The transport-free handler table: the app binds it to Electron IPC, tests call it directly. */
export function createHandlers(services: MainServices): HandlerTable {
  return {
    'usbKey.list': async () => (await services.usbKeys().list()).map((key) => ({ ...key, initialPinSources: [...key.initialPinSources] })),
    'usbKey.changePin': async ({ token, oldPin, newPin }) => {
      await services.usbKeys().changePin(token, Buffer.from(oldPin), Buffer.from(newPin));
      oldPin.fill(0);
      newPin.fill(0);
      return { changed: true };
    },
    'workstation.id': async () => ({ code: services.workstationCode() }),
  };
}

/**
 * Runs one request through the contract: unknown channels, oversized and malformed payloads are
 * refused with USAGE before any handler runs; every error crosses as {code, zh, en}.
 */
export async function dispatch(handlers: HandlerTable, channel: unknown, payload: unknown): Promise<IpcResult<unknown>> {
  try {
    if (typeof channel !== 'string' || !Object.prototype.hasOwnProperty.call(CHANNELS, channel)) {
      throw new YinjianError('USAGE', { detail: 'unknown IPC channel' });
    }
    const name = channel as Channel;
    if (JSON.stringify(payload ?? null).length > MAX_REQUEST_BYTES) throw new YinjianError('USAGE', { detail: 'request too large' });
    const parsed = CHANNELS[name].request.safeParse(payload);
    if (!parsed.success) throw new YinjianError('USAGE', { detail: `malformed request for ${name}` });
    const handler = handlers[name] as (request: unknown) => Promise<unknown>;
    const value = CHANNELS[name].response.parse(await handler(parsed.data));
    return { ok: true, value };
  } catch (caught) {
    const error = caught instanceof YinjianError ? caught : new YinjianError('INTERNAL', { detail: 'unexpected failure' }, { cause: caught });
    return { ok: false, error: { code: error.code, zh: error.zh, en: error.en } };
  }
}

import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { YinjianError } from '../../shared/errors/index';
import { IPC_CHANNEL } from '../../shared/ipc/transport';
import { dispatch, type HandlerTable } from './handlers';

export { IPC_CHANNEL };

/** The refusal a request from an untrusted frame gets, before its payload is even parsed. */
export function senderRefused(): { ok: false; error: { code: string; zh: string; en: string } } {
  const error = new YinjianError('IPC_SENDER_REFUSED');
  return { ok: false, error: { code: error.code, zh: error.zh, en: error.en } };
}

/**
 * Binds the handler table to Electron IPC. The decision who may call is the pure policy the
 * caller passes (windows/security.ts isTrustedSender: the app's own main frame, by the exact
 * app:// origin); a request from any other frame is refused before parsing.
 */
export function bindIpc(handlers: HandlerTable, isTrustedSender: (frameUrl: string | undefined, isMainFrame: boolean) => boolean): void {
  ipcMain.handle(IPC_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => {
    const frame = event.senderFrame;
    const isMainFrame = frame !== null && frame !== undefined && frame === event.sender.mainFrame;
    if (!isTrustedSender(frame?.url, isMainFrame)) return senderRefused();
    return dispatch(handlers, channel, payload);
  });
}

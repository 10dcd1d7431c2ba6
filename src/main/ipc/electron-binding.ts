import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
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
 * Binds the handler table to Electron IPC. Only the app's own main frame may call: a request
 * from any other sender frame (an iframe, a navigated-away page) is refused before parsing.
 */
export function bindIpc(handlers: HandlerTable, isTrustedSender: (sender: WebContents, frameUrl: string) => boolean): void {
  ipcMain.handle(IPC_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !isTrustedSender(event.sender, frame.url)) {
      return senderRefused();
    }
    return dispatch(handlers, channel, payload);
  });
}

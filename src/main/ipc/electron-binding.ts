import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { dispatch, type HandlerTable } from './handlers';

/** The single IPC channel name; the contract's channel travels inside the message. */
export const IPC_CHANNEL = 'yinjian:invoke';

/**
 * Binds the handler table to Electron IPC. Only the app's own main frame may call: a request
 * from any other sender frame (an iframe, a navigated-away page) is refused before parsing.
 */
export function bindIpc(handlers: HandlerTable, isTrustedSender: (sender: WebContents, frameUrl: string) => boolean): void {
  ipcMain.handle(IPC_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !isTrustedSender(event.sender, frame.url)) {
      return { ok: false, error: { code: 'USAGE', zh: '拒绝来自未知页面的请求', en: 'Request from an unknown frame refused' } };
    }
    return dispatch(handlers, channel, payload);
  });
}

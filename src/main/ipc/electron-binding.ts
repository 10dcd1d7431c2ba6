import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_CHANNEL, type EventMessage } from '../../shared/ipc/events';
import { YinjianError, windowErrorOf } from '../../shared/errors/index';
import { IPC_CHANNEL } from '../../shared/ipc/transport';
import type { IpcResult } from '../../shared/ipc/contract';

export { IPC_CHANNEL };

/** The refusal a request from an untrusted frame gets, before its payload is even parsed. */
export function senderRefused(): { ok: false; error: { code: string; zh: string; en: string } } {
  return { ok: false, error: windowErrorOf(new YinjianError('IPC_SENDER_REFUSED')) };
}

/**
 * Binds the handler table to Electron IPC. `answer` runs a request through the table: in the
 * app, in the service host (service-host.ts: a utilityProcess); `dispatch` over an in-process
 * table works too. The decision who may call is the pure policy the caller passes
 * (windows/security.ts isTrustedSender: the app's own main frame, by the exact app:// origin);
 * a request from any other frame is refused before it is passed on.
 */
export function bindIpc(answer: (channel: unknown, payload: unknown) => Promise<IpcResult<unknown>>, isTrustedSender: (frameUrl: string | undefined, isMainFrame: boolean) => boolean): void {
  ipcMain.handle(IPC_CHANNEL, async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => {
    const frame = event.senderFrame;
    const isMainFrame = frame !== null && frame !== undefined && frame === event.sender.mainFrame;
    if (!isTrustedSender(frame?.url, isMainFrame)) return senderRefused();
    return answer(channel, payload);
  });
}

/**
 * Pushes the application's events (already parsed against src/shared/ipc/events.ts) to the
 * window's web contents: one channel, the event's name inside. Returns the unsubscribe.
 */
export function pushEvents(events: { subscribe(listener: (message: EventMessage) => void): () => void }, target: () => WebContents | undefined): () => void {
  return events.subscribe((message) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, message.event, message.payload);
  });
}

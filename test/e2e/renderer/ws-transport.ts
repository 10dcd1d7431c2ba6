import type { IpcResult, YinjianApi } from '../../../src/shared/ipc/contract';
import type { TransportRequest, TransportResponse } from '../../../src/shared/ipc/transport';
import type { EventMessage } from '../../../src/shared/ipc/events';
import { decodeFrame, encodeFrame } from '../harness/frames';

/**
 * The browser tests' stand-in for the preload: the same `window.yinjian` API, carried over a
 * loopback WebSocket to the test host, which runs the main process's handler table with the
 * real services. The per-run secret comes in the page's URL fragment (never sent to a server
 * in a request line) and is offered as the WebSocket subprotocol; the host refuses any other.
 * Messages travel as binary frames (frames.ts), so documents cross as ArrayBuffers as they do
 * over Electron IPC. This file lives under test/ and is imported only by the browser-test entry.
 */
export function installWebSocketTransport(): void {
  const secret = new URLSearchParams(location.hash.slice(1)).get('secret');
  if (!secret) throw new Error('test transport: no secret in the page URL');
  const socket = new WebSocket(`ws://${location.host}/ipc`, [`yinjian.${secret}`]);
  socket.binaryType = 'arraybuffer';
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('test transport: connection refused')), { once: true });
  });
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  let nextId = 1;
  const listeners = new Set<{ event: string; listener: (payload: unknown) => void }>();
  socket.addEventListener('message', (event) => {
    const message = decodeFrame(event.data as ArrayBuffer) as TransportResponse | EventMessage;
    if ('event' in message) {
      for (const entry of listeners) if (entry.event === message.event) entry.listener(message.payload);
      return;
    }
    pending.get(message.id)?.(message.result as IpcResult<unknown>);
    pending.delete(message.id);
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'IPC_TRANSPORT_FAILED', zh: '测试连接已关闭', en: 'test transport closed' } });
    pending.clear();
  });
  const api: YinjianApi = {
    invoke: async (channel, request) => {
      await opened;
      const id = nextId++;
      const message: TransportRequest = { id, channel, payload: request };
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: IpcResult<unknown>) => void);
        socket.send(encodeFrame(message));
      });
    },
    on: (event, listener) => {
      const entry = { event, listener: listener as (payload: unknown) => void };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
  };
  Object.defineProperty(window, 'yinjian', { value: Object.freeze(api), writable: false, configurable: false });
}

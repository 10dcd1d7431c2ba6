import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNEL } from '../shared/ipc/transport';
import { EVENT_CHANNEL } from '../shared/ipc/events';
import type { YinjianApi } from '../shared/ipc/contract';

// Exposes exactly one typed API object; no logic lives here. The main process checks the
// sender frame and parses every request against the contract (src/main/ipc), and parses every
// event it pushes against src/shared/ipc/events.ts before sending it. Documents go as
// ArrayBuffers: the bridge and ipcRenderer.invoke structured-clone them (binary, no base64).
const api: YinjianApi = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_CHANNEL, channel, request),
  on: (event, listener) => {
    const forward = (_sender: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) (listener as (payload: unknown) => void)(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => void ipcRenderer.off(EVENT_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('yinjian', Object.freeze(api));

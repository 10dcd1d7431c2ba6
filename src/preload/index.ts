import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL } from '../shared/ipc/transport';
import type { YinjianApi } from '../shared/ipc/contract';

// Exposes exactly one typed API object; no logic lives here. The main process checks the
// sender frame and parses every request against the contract (src/main/ipc).
const api: YinjianApi = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_CHANNEL, channel, request),
};

contextBridge.exposeInMainWorld('yinjian', Object.freeze(api));

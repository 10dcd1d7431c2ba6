import { contextBridge, ipcRenderer } from 'electron';
import type { YinjianApi } from '../shared/ipc/contract';

// Exposes exactly one typed API object; no logic lives here.
const api: YinjianApi = {
  invoke: (channel, request) => ipcRenderer.invoke('yinjian:invoke', channel, request),
};

contextBridge.exposeInMainWorld('yinjian', api);

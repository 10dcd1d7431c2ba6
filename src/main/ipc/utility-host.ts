/**
 * The main side of the service host in the app: an Electron utilityProcess running out/main/host.js
 * (src/main/host.ts). Thin and typed: the protocol is host-port.ts's, the same as worker threads'.
 */
import { utilityProcess } from 'electron';
import type { HostMessage, HostPort } from '../app/host/host-port';

export function startUtilityHost(entryPath: string, serviceName = 'Yinjian services'): HostPort {
  const child = utilityProcess.fork(entryPath, [], { serviceName, stdio: 'inherit' });
  const closeListeners: ((reason: string) => void)[] = [];
  child.on('exit', (code) => {
    for (const listener of closeListeners) listener(`exit ${code}`);
  });
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => {
      const handler = (message: unknown): void => listener(message as HostMessage);
      child.on('message', handler);
      return () => void child.off('message', handler);
    },
    onClose: (listener) => void closeListeners.push(listener),
    close: () => void child.kill(),
  };
}

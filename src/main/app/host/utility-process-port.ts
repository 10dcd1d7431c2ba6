/**
 * The host port inside an Electron utilityProcess: `process.parentPort`. Typed by its shape so
 * app/ needs no Electron import; the main side (UtilityProcess) is bound in ipc/utility-host.ts.
 */
import type { HostMessage, HostPort } from './host-port';

/** The part of Electron's ParentPort (process.parentPort in a utility process) the host uses. */
export interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export function utilityParentPort(parentPort: ElectronParentPort): HostPort {
  return {
    // Electron's postMessage transfers only MessagePortMain: ArrayBuffers are copied (structured clone).
    postMessage: (message) => parentPort.postMessage(message),
    onMessage: (listener) => {
      const handler = (event: { data: unknown }): void => listener(event.data as HostMessage);
      parentPort.on('message', handler);
      return () => void parentPort.off('message', handler);
    },
    onClose: () => undefined,
    close: () => process.exit(0),
  };
}

/** process.parentPort when this process is an Electron utility process. */
export function electronParentPort(): ElectronParentPort | undefined {
  return (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
}

/**
 * The service host's entry (issue #14): the application's use cases and the handler table, off
 * the main process. In the app it runs as an Electron utilityProcess (out/main/host.js); where
 * Electron is absent (the browser-test host, tests, the benchmark) as a worker thread. Either
 * way the same code: one composition (createAppServices), one handler table, one port.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { createAppServices } from './app/app-services';
import { currentWorkstation } from './infra/machine/workstation-id';
import type { HostPort } from './app/host/host-port';
import { electronParentPort, utilityParentPort } from './app/host/utility-process-port';
import { workerParentPort } from './app/host/worker-thread-port';
import { createHandlers } from './ipc/handlers';
import { serveHandlerTable } from './ipc/service-host';

function hostPort(): HostPort {
  if (parentPort) return workerParentPort(parentPort);
  const electron = electronParentPort();
  if (electron) return utilityParentPort(electron);
  throw new Error('service host: start it as a worker thread or an Electron utility process');
}

serveHandlerTable(hostPort(), (init, dialogs) => {
  if (init.lowPriority) {
    try {
      // On Linux the calling thread only (a worker thread), elsewhere the process (a utility process).
      setPriority(0, 10);
    } catch {
      // not permitted: normal priority
    }
  }
  // Read once, here rather than in the main process (a synchronous reg.exe / ioreg call there would stall the window).
  let machineCode: string | undefined;
  const services = createAppServices({
    appDataDir: init.appDataDir,
    exportFolder: () => init.exportFolder,
    workstationCode: () => init.workstationCode ?? (machineCode ??= currentWorkstation().code),
    dialogs,
    ...(init.envModule ? { envModule: init.envModule } : {}),
    ...(init.softHsmModule ? { softHsmModule: init.softHsmModule } : {}),
  });
  return { handlers: createHandlers(services), events: services.events, close: () => services.close() };
});

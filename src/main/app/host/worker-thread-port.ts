/**
 * The host port over node:worker_threads, where Electron is absent (the plain-Node browser-test
 * host, tests, the benchmark). Worker threads share the process's environment (SHARE_ENV), so
 * SOFTHSM2_CONF set for demo mode reaches the PKCS#11 module as it does in a utility process.
 */
import { SHARE_ENV, Worker, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import type { HostMessage, HostPort } from './host-port';

/** The main side: starts the host's entry file in a worker thread. */
export function startWorkerHost(entry: URL | string, options: { execArgv?: string[]; resourceLimits?: { maxOldGenerationSizeMb?: number } } = {}): HostPort {
  const worker = new Worker(entry, {
    env: SHARE_ENV,
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  const closeListeners: ((reason: string) => void)[] = [];
  let closed = false;
  const closeWith = (reason: string): void => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(reason);
  };
  worker.on('error', (error) => closeWith(error instanceof Error ? error.message : String(error)));
  worker.on('exit', (code) => closeWith(`exit ${code}`));
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
    onMessage: (listener) => {
      const handler = (message: HostMessage): void => listener(message);
      worker.on('message', handler);
      return () => void worker.off('message', handler);
    },
    onClose: (listener) => void closeListeners.push(listener),
    close: () => void worker.terminate(),
  };
}

/** The host side: the worker's parentPort. */
export function workerParentPort(parentPort: NodeMessagePort): HostPort {
  return {
    postMessage: (message, transfer) => parentPort.postMessage(message, transfer ?? []),
    onMessage: (listener) => {
      const handler = (message: HostMessage): void => listener(message);
      parentPort.on('message', handler);
      return () => void parentPort.off('message', handler);
    },
    onClose: (listener) => void parentPort.on('close', () => listener('closed')),
    close: () => parentPort.close(),
  };
}

import { startWorkerHost } from '../../src/main/app/host/worker-thread-port';
import type { HostPort } from '../../src/main/app/host/host-port';

/** The service host (src/main/host.ts) in a worker thread, its TypeScript loaded by tsx (service-host-worker.mjs). */
export function startTestWorkerHost(options: { maxOldGenerationSizeMb?: number } = {}): HostPort {
  return startWorkerHost(new URL('./service-host-worker.mjs', import.meta.url), {
    ...(options.maxOldGenerationSizeMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb } } : {}),
  });
}

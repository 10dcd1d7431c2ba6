// The service host's TypeScript entry in a worker thread, loaded through tsx (tests, the benchmark).
import { register } from 'tsx/esm/api';

register();
await import('../../src/main/host.ts');

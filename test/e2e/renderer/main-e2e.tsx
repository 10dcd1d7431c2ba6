// Browser-test entry: install the loopback transport first, then start the real renderer.
import { installWebSocketTransport } from './ws-transport';
installWebSocketTransport();
await import('../../../src/renderer/src/main');

import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import type { IpcResult } from '../../../src/shared/ipc/contract';
import type { TransportRequest, TransportResponse } from '../../../src/shared/ipc/transport';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/windows/security';
import type { EventMessage } from '../../../src/shared/ipc/events';
import { decodeFrame, encodeFrame } from './frames';

/** Where pushed events come from (the app's AppEvents): each page connection subscribes. */
export interface EventSource {
  subscribe(listener: (message: EventMessage) => void): () => void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface TestHost {
  /** The page URL with the per-run secret in its fragment. */
  readonly url: string;
  readonly origin: string;
  /** Requests the host answered, by channel, for assertions. */
  readonly calls: string[];
  close(): Promise<void>;
}

/** What answers the page's requests: the app's service hosts (connectServiceHost's invoke), as src/main/index.ts binds them. */
export type Answer = (channel: unknown, payload: unknown) => Promise<IpcResult<unknown>>;

/**
 * Serves the browser-test build of the renderer and answers its WebSocket with the main
 * process's handler table (`dispatch`: the same contract checks the Electron binding runs):
 * in this thread when given the table, or through the service hosts (worker threads, as the
 * app runs them in utility processes) when given their answer function.
 * Binds to 127.0.0.1 only; a connection must come from the page's own origin and offer the
 * per-run secret as its subprotocol, so nothing else on the machine can drive the services.
 * The page is served with the app's CSP header, as the Electron session does.
 */
export async function startTestHost(rendererDir: string, handlers: HandlerTable | Answer, options: { events?: EventSource } = {}): Promise<TestHost> {
  const answer: Answer = typeof handlers === 'function' ? handlers : (channel, payload) => dispatch(handlers, channel, payload);
  const secret = randomBytes(24).toString('hex');
  const calls: string[] = [];
  const root = normalize(rendererDir);
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const sockets = new WebSocketServer({
    server,
    path: '/ipc',
    // Documents cross as binary with no cap of the transport's own (issue #14); 1 GiB bounds a test.
    maxPayload: 1024 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(`yinjian.${secret}`) ? `yinjian.${secret}` : false),
    verifyClient: ({ origin: from, req }: { origin: string; req: IncomingMessage }) => from === origin && String(req.headers['sec-websocket-protocol'] ?? '').split(/,\s*/).includes(`yinjian.${secret}`),
  });
  sockets.on('connection', (socket) => {
    // Pushed events travel on the same socket as answers, told apart by their `event` field.
    const unsubscribe = options.events?.subscribe((message) => {
      if (socket.readyState === socket.OPEN) socket.send(encodeFrame(message));
    });
    socket.on('close', () => unsubscribe?.());
    socket.on('message', async (data, isBinary) => {
      let request: TransportRequest;
      try {
        if (!isBinary) throw new Error('text frame');
        request = decodeFrame(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])) as TransportRequest;
      } catch {
        socket.close(1003, 'not a frame');
        return;
      }
      calls.push(String(request.channel));
      const result = await answer(request.channel, request.payload);
      const response: TransportResponse = { id: request.id, result };
      socket.send(encodeFrame(response));
    });
  });
  return {
    url: `${origin}/index.html#secret=${secret}`,
    origin,
    calls,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

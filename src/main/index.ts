import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import { createAppEvents } from './app/events';
import type { HostInit } from './app/host/host-port';
import { bindIpc, pushEvents } from './ipc/electron-binding';
import { connectServiceHost, routeChannels } from './ipc/service-host';
import { startUtilityHost } from './ipc/utility-host';
import { registerAppScheme, serveRenderer } from './windows/app-protocol';
import { electronDialogs } from './windows/dialogs';
import { createMainWindow, guardAllWebContents, hardenSession, rendererPaths } from './windows/main-window';
import { isTrustedSender } from './windows/security';

// The Electron entry: starts the service host and the window; nothing else (architecture.md).
app.setName('Yinjian');
const dev = !app.isPackaged;
// The dev server only in development; the installed app serves itself from app://yinjian.
const rendererUrl = dev ? process.env.ELECTRON_RENDERER_URL : undefined;

// Before 'ready': the renderer's own privileged scheme, and the guard on every web contents.
registerAppScheme();
guardAllWebContents(rendererUrl);

// The use cases, the USB-key module and the register run in a utility process (src/main/host.ts,
// issue #14): verification, stamping, inspection and text reading never block this process,
// and a document that exhausts the host's memory ends the host, not the app. The host starts
// with the first request; its composition is lazy, so the window shows at once.
const events = createAppEvents();
const exportFolder = join(app.getPath('documents'), 'Yinjian');
/** Asked when a host starts: the first request, not the app's start. */
const init = (): HostInit => {
  mkdirSync(exportFolder, { recursive: true });
  return {
    appDataDir: app.getPath('userData'),
    exportFolder,
    ...(process.env.YINJIAN_PKCS11_MODULE ? { envModule: process.env.YINJIAN_PKCS11_MODULE } : {}),
  };
};
const hostEntry = join(import.meta.dirname, 'host.js');
const connect = (serviceName: string, lowPriority = false) =>
  connectServiceHost({ start: () => startUtilityHost(hostEntry, serviceName), init: () => ({ ...init(), lowPriority }), dialogs: electronDialogs(), forward: (event, payload) => events.forward(event, payload) });
// Two hosts of the same code: verification and text reading in one, everything else (the USB
// key, stamping, the office) in the other, so a long verification never delays a key answer.
const services = routeChannels(connect('Yinjian services'), connect('Yinjian verifier', true));

app.whenReady().then(() => {
  hardenSession();
  const paths = rendererPaths(join(import.meta.dirname));
  serveRenderer(paths.rendererDir);
  bindIpc(services.invoke, (frameUrl, isMainFrame) => isTrustedSender(frameUrl, isMainFrame, rendererUrl));
  const window = createMainWindow({ preloadPath: paths.preloadPath, ...(rendererUrl ? { rendererUrl } : {}), dev });
  // Key insert/remove and batch progress are pushed to the window, never polled (issue #14).
  pushEvents(events, () => (window.isDestroyed() ? undefined : window.webContents));
});

app.on('window-all-closed', () => {
  services.close();
  app.quit();
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import { currentWorkstation } from './infra/machine/workstation-id';
import { bindIpc, pushEvents } from './ipc/electron-binding';
import { createHandlers } from './ipc/handlers';
import { createAppServices } from './app/app-services';
import { registerAppScheme, serveRenderer } from './windows/app-protocol';
import { electronDialogs } from './windows/dialogs';
import { createMainWindow, guardAllWebContents, hardenSession, rendererPaths } from './windows/main-window';
import { isTrustedSender } from './windows/security';

// Composition root: builds infra, services and windows; nothing else.
app.setName('Yinjian');
const dev = !app.isPackaged;
// The dev server only in development; the installed app serves itself from app://yinjian.
const rendererUrl = dev ? process.env.ELECTRON_RENDERER_URL : undefined;

// Before 'ready': the renderer's own privileged scheme, and the guard on every web contents.
registerAppScheme();
guardAllWebContents(rendererUrl);

// Built before the window, but lazy: no USB-key module, database or token is touched until the
// window asks, so the window shows at once. In demo mode this points SoftHSM2 at the demo's
// token store (SOFTHSM2_CONF) before anything can load the module.
const services = createAppServices({
  appDataDir: app.getPath('userData'),
  exportFolder: () => {
    const folder = join(app.getPath('documents'), 'Yinjian');
    mkdirSync(folder, { recursive: true });
    return folder;
  },
  workstationCode: (() => {
    let code: string | undefined;
    return () => (code ??= currentWorkstation().code);
  })(),
  dialogs: electronDialogs(),
  ...(process.env.YINJIAN_PKCS11_MODULE ? { envModule: process.env.YINJIAN_PKCS11_MODULE } : {}),
});

app.whenReady().then(() => {
  hardenSession();
  const paths = rendererPaths(join(import.meta.dirname));
  serveRenderer(paths.rendererDir);
  bindIpc(createHandlers(services), (frameUrl, isMainFrame) => isTrustedSender(frameUrl, isMainFrame, rendererUrl));
  const window = createMainWindow({ preloadPath: paths.preloadPath, ...(rendererUrl ? { rendererUrl } : {}), dev });
  // Key insert/remove and batch progress are pushed to the window, never polled (issue #14).
  pushEvents(services.events, () => (window.isDestroyed() ? undefined : window.webContents));
});

app.on('window-all-closed', () => {
  services.close();
  app.quit();
});

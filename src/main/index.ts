import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import { YinjianError } from '../shared/errors/index';
import { CliContext } from './cli/context';
import { Pkcs11Library } from './infra/pkcs11/library';
import { catalogModules } from './infra/pkcs11/catalog';
import { currentWorkstation } from './infra/machine/workstation-id';
import { bindIpc } from './ipc/electron-binding';
import { createHandlers } from './ipc/handlers';
import { createMainWindow, hardenSession, rendererPaths } from './windows/main-window';

// Composition root: builds infra, services and windows; nothing else.
// The stamping, verification and office services are wired here as they land (see the
// handlers that still answer SERVICE_UNAVAILABLE in src/main/ipc/handlers.ts).
app.setName('Yinjian');
const dev = !app.isPackaged;
const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

let context: CliContext | undefined;
function services(): CliContext {
  context ??= new CliContext({ json: false, pinStdin: false, dataDir: app.getPath('userData') });
  return context;
}

function moduleReady(): { ready: boolean; path: string | null } {
  try {
    services().usbKeyPort();
    return { ready: true, path: process.env.YINJIAN_PKCS11_MODULE || services().settings().pkcs11Module || null };
  } catch {
    return { ready: false, path: null };
  }
}

app.whenReady().then(() => {
  hardenSession();
  const handlers = createHandlers({
    usbKeys: () => services().usbKeys(),
    rescanUsbKeys: () => services().usbKeyPort().rescan(),
    register: () => services().register(),
    workstationCode: () => currentWorkstation().code,
    exportFolder: () => {
      const folder = join(app.getPath('documents'), 'Yinjian');
      mkdirSync(folder, { recursive: true });
      return folder;
    },
    appStatus: () => {
      const module = moduleReady();
      return { demoMode: false, moduleReady: module.ready, modulePath: module.path, demoAvailable: existsSync(SOFTHSM_MODULE), officeConsole: false };
    },
    setup: {
      modules: () => catalogModules().map((m) => ({ id: m.id, vendor: m.vendor, product: m.product, installedPath: m.paths.find((p) => existsSync(p)) ?? null })),
      useModule: async (path) => {
        // One module per process: release the current one before trying the chosen one.
        const settings = services().settings();
        services().close();
        context = undefined;
        Pkcs11Library.load(path).close();
        writeFileSync(join(services().ensureDataDir(), 'settings.json'), JSON.stringify({ ...settings, pkcs11Module: path }, null, 2));
        return services().usbKeyPort().listKeys().length;
      },
      // Demo mode needs the demo CA and DEMO seal issued onto a SoftHSM2 token by the office
      // service, which is being written; until then the setup screen says so.
      startDemo: async () => {
        throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'setup.startDemo' });
      },
    },
  });
  const rendererUrl = dev ? process.env.ELECTRON_RENDERER_URL : undefined;
  bindIpc(handlers, (_sender, url) => (rendererUrl ? url.startsWith(rendererUrl) : url.startsWith('file://')));
  const paths = rendererPaths(join(import.meta.dirname));
  createMainWindow({ ...paths, rendererUrl, dev });
});

app.on('window-all-closed', () => {
  context?.close();
  app.quit();
});

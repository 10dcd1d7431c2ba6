import { app } from 'electron';
import { join } from 'node:path';
import { UsbKeyService } from './core/usb-key/usb-key-service';
import { Pkcs11Library } from './infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from './infra/pkcs11/pkcs11-usb-key';
import { currentWorkstation } from './infra/machine/workstation-id';
import { bindIpc } from './ipc/electron-binding';
import { createHandlers } from './ipc/handlers';
import { createMainWindow, hardenSession, rendererPaths } from './windows/main-window';

// Composition root: builds infra, services and windows; nothing else.
app.setName('Yinjian');
const dev = !app.isPackaged;
let port: Pkcs11UsbKeyPort | undefined;

function usbKeyPort(): Pkcs11UsbKeyPort {
  port ??= new Pkcs11UsbKeyPort(Pkcs11Library.resolve({ env: process.env.YINJIAN_PKCS11_MODULE || undefined }));
  return port;
}

app.whenReady().then(() => {
  hardenSession();
  const handlers = createHandlers({
    usbKeys: () => new UsbKeyService(usbKeyPort()),
    workstationCode: () => currentWorkstation().code,
  });
  const rendererUrl = dev ? process.env.ELECTRON_RENDERER_URL : undefined;
  bindIpc(handlers, (_sender, url) => (rendererUrl ? url.startsWith(rendererUrl) : url.startsWith('file://')));
  const paths = rendererPaths(join(import.meta.dirname));
  createMainWindow({ ...paths, rendererUrl, dev });
});

app.on('window-all-closed', () => {
  port?.close();
  app.quit();
});

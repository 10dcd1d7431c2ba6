/**
 * The services behind the handler table, composed once for the app (src/main/index.ts) and for
 * the browser tests (test/e2e), so both run the same wiring. Everything is lazy: the window
 * opens before any USB-key module or database is touched, and the first request pays for it.
 * In demo mode the services run on the demo's own data folder and the SoftHSM2 module
 * (src/main/demo/demo-mode.ts).
 */
import { existsSync } from 'node:fs';
import { YinjianError } from '../../shared/errors/index';
import type { DoctorReportDto } from '../../shared/ipc/contract';
import type { Actor } from '../core/register/index';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import { DEMO, demoLayout, enterDemoEnvironment, provisionDemo, readDemoState, softHsmModule, type DemoState } from '../demo/demo-mode';
import type { SealRegister } from '../infra/db/index';
import { catalogModules } from '../infra/pkcs11/catalog';
import { Pkcs11Library } from '../infra/pkcs11/library';
import { AppComposition, osActor } from './composition';
import type { MainDialogs } from './dialogs';
import { catalogModulePath, checkModuleFile } from './module-choice';
import type { MainServices } from './front-doors';
import { createOfficeFrontDoor, officeKeyPresent } from './office';
import { createStampingFrontDoor } from './stamping';
import { createVerificationFrontDoor } from './verification';
import { diagnoseLoadedModule, diagnoseModule } from './token-doctor';
import { createWorkstationExportFrontDoor } from './workstation-export';
import { createWorkstationTrust } from './workstation-trust';
import { createAppEvents, type AppEvents } from './events';
import { createUsbKeyEvents } from './usb-key-events';

export interface AppServicesOptions {
  /** The app's data folder (Electron's userData): settings.json, register.sqlite, demo/. */
  readonly appDataDir: string;
  /** Where exports and sealed copies of path-less documents go. */
  exportFolder(): string;
  workstationCode(): string;
  /** YINJIAN_PKCS11_MODULE, when set. */
  readonly envModule?: string;
  /** The SoftHSM2 module for demo mode; default: the first installed one. */
  readonly softHsmModule?: string;
  /** Who acts at this computer, for the audit log (M5); default: the OS account. */
  actor?(): Actor;
  /** The main process's dialogs (Electron's in the app, scripted in the browser tests). */
  readonly dialogs?: MainDialogs;
}

export type AppServices = MainServices & { close(): void; demo(): DemoState | undefined; composition: AppComposition; events: AppEvents };

export function createAppServices(options: AppServicesOptions): AppServices {
  const softhsm = options.softHsmModule ?? softHsmModule();
  let demo = readDemoState(options.appDataDir);
  // SoftHSM2 reads SOFTHSM2_CONF at C_Initialize: point it at the demo store before any load.
  if (demo) enterDemoEnvironment(options.appDataDir);
  // While the demo is being set up, its provisioning owns SoftHSM2: the window's key polling
  // must not load a second instance that the provisioning's C_Finalize would pull away.
  let provisioning = false;
  // The one composition root (composition.ts), as the CLI's context builds it too. In demo mode
  // the person at the keys is the demo custodian, so the audit log reads as a story.
  const app = new AppComposition({
    settingsDir: options.appDataDir,
    dataDir: () => (demo ? demoLayout(options.appDataDir).dataDir : options.appDataDir),
    ...(options.envModule ? { envModule: options.envModule } : {}),
    forcedModule: () => {
      if (provisioning) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'demo' });
      if (!demo) return undefined;
      if (!softhsm) throw new YinjianError('MODULE_NOT_FOUND', { tried: 'SoftHSM2' });
      return softhsm;
    },
    actor: () => (options.actor ? options.actor() : demo ? { name: DEMO.custodianName, staffId: DEMO.custodianStaffId } : osActor()),
  });
  const keyPort = () => app.keyPort();
  const sealRegister = (): SealRegister => app.register();
  const events = createAppEvents();
  // Key insert/remove pushed to the window (the watcher starts with the first key list).
  const keyEvents = createUsbKeyEvents({ port: keyPort, events });
  const release = (): void => {
    keyEvents.release();
    app.close();
  };
  const usbKeys = (): UsbKeyService => app.usbKeys();
  /** Loads the chosen driver (C_GetFunctionList, C_Initialize) and saves it only once it answered. */
  const useModule = async (path: string): Promise<{ keys: number; path: string }> => {
    // One module per process: release the current one before trying the chosen one.
    release();
    Pkcs11Library.load(path).close();
    app.saveSettings({ pkcs11Module: path });
    return { keys: keyPort().listKeys().length, path };
  };
  const verification = createVerificationFrontDoor({ register: () => sealRegister(), reportFolder: options.exportFolder, events, ...(options.dialogs ? { dialogs: options.dialogs } : {}) });

  return {
    composition: app,
    events,
    usbKeys,
    workstationCode: options.workstationCode,
    // The window's key list and the watcher look at the same slots: listing through the watcher
    // means a change the window sees is also one the watcher has seen (and announces when undone).
    rescanUsbKeys: () => {
      if (!keyEvents.lookNow()) keyPort().rescan();
    },
    register: sealRegister,
    exportFolder: options.exportFolder,
    demo: () => demo,
    appStatus: () => {
      let moduleReady = false;
      let officeConsole = false;
      try {
        const p = keyPort();
        moduleReady = true;
        officeConsole = officeKeyPresent(sealRegister(), p.listKeys().map((k) => k.serial));
      } catch {
        // no module yet: the first-run setup says what to do
      }
      return {
        demoMode: demo !== undefined,
        moduleReady,
        modulePath: app.modulePath,
        demoAvailable: softhsm !== undefined,
        officeConsole,
        ...(demo ? { demoPin: demo.pin } : {}),
      };
    },
    setup: {
      modules: () => catalogModules().map((m) => ({ id: m.id, vendor: m.vendor, product: m.product, installedPath: m.paths.find((p) => existsSync(p)) ?? null })),
      useCatalogModule: async (id) => useModule(catalogModulePath(id, existsSync)),
      pickModule: async () => {
        const picked = await options.dialogs?.pickModuleFile();
        if (picked === undefined) return { cancelled: true as const };
        // Checked before anything loads it: a real shared library exporting C_GetFunctionList.
        checkModuleFile(picked);
        return { cancelled: false as const, ...(await useModule(picked)) };
      },
      doctor: async (moduleId) => {
        // The report's arrays are readonly; the DTO (shared/ipc/contract.ts) is the same shape.
        if (moduleId === undefined) return diagnoseLoadedModule(keyPort()) as DoctorReportDto;
        // One module per process: release the one in use; the next request loads it again.
        release();
        return diagnoseModule({ explicit: catalogModulePath(moduleId, existsSync) }) as DoctorReportDto;
      },
      startDemo: async () => {
        if (!softhsm) throw new YinjianError('MODULE_NOT_FOUND', { tried: 'SoftHSM2' });
        // The demo loads SoftHSM2 with its own config: finalise whatever module is loaded first.
        release();
        provisioning = true;
        try {
          demo = await provisionDemo({ appDataDir: options.appDataDir, modulePath: softhsm, workstationCode: options.workstationCode() });
        } finally {
          provisioning = false;
          // Anything opened meanwhile (the register of the real data folder) belongs to before.
          release();
        }
      },
    },
    trust: createWorkstationTrust({ register: sealRegister, actor: () => app.actor(), ...(options.dialogs ? { dialogs: options.dialogs } : {}) }),
    stamping: createStampingFrontDoor({ usbKeys, register: sealRegister, workstationCode: options.workstationCode, outputFolder: options.exportFolder, verification, events }),
    verification,
    office: createOfficeFrontDoor({ register: sealRegister, keys: keyPort, usbKeys, actor: () => ({ ...app.actor(), office: true }), reportFolder: options.exportFolder, ...(options.dialogs ? { dialogs: options.dialogs } : {}) }),
    workstationExport: createWorkstationExportFrontDoor({ register: sealRegister, usbKeys, workstationCode: options.workstationCode, actor: () => app.actor(), ...(options.dialogs ? { dialogs: options.dialogs } : {}) }),
    close: () => {
      keyEvents.stop();
      app.close();
    },
  };
}

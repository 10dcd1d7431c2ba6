import { mkdirSync } from 'node:fs';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { Actor } from '../core/register/index';
import type { AppComposition } from '../app/composition';
import { defaultDataDir, readSettings, type AppSettings } from '../app/settings-file';
import type { SealRegister } from '../infra/db/index';
import type { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';
import { localTimeFrom, type LocalTime } from './local-time';
import { stdinPinSource, terminalPinSource, type PinSource } from './pin-input';

export { defaultDataDir };

export interface GlobalOptions {
  readonly module?: string;
  readonly json: boolean;
  readonly dataDir?: string;
  readonly pinStdin: boolean;
}

/**
 * What every command needs, built lazily: the data folder, the saved settings, the PKCS#11
 * module and the services over it. Nothing touches the USB key until a command asks.
 *
 * The composition root (the register's SQLite, the PKCS#11 layer) is a module of its own,
 * loaded by loadApp(): main.ts awaits it before running any command but a `light` one
 * (`yinjian verify`, which loads it only to read a local register), so verifying never pays
 * for loading what only stamping and the key commands use (issue #15).
 */
export class CliContext {
  readonly dataDir: string;
  private composition: AppComposition | undefined;
  private pins: PinSource | undefined;
  private localTime: LocalTime | undefined;

  constructor(readonly options: GlobalOptions) {
    this.dataDir = options.dataDir ?? process.env.YINJIAN_DATA_DIR ?? defaultDataDir();
  }

  /** Loads the app's one composition root (src/main/app/composition.ts), shared with the window. */
  async loadApp(): Promise<AppComposition> {
    if (!this.composition) {
      const { AppComposition } = await import('../app/composition');
      this.composition ??= new AppComposition({
        settingsDir: this.dataDir,
        ...(this.options.module ? { explicitModule: this.options.module } : {}),
        ...(process.env.YINJIAN_PKCS11_MODULE ? { envModule: process.env.YINJIAN_PKCS11_MODULE } : {}),
      });
    }
    return this.composition;
  }

  /** The composition root; loadApp() has run (main.ts sees to it for every command that is not `light`). */
  get app(): AppComposition {
    if (!this.composition) throw new Error('CliContext.app before loadApp(): a light command must load the composition root itself');
    return this.composition;
  }

  /** Local time for date options and printed times: $YINJIAN_TZ, settings.json timeZone, else Beijing time. */
  time(): LocalTime {
    this.localTime ??= localTimeFrom(process.env, process.env.YINJIAN_TZ ? undefined : this.settings().timeZone);
    return this.localTime;
  }

  ensureDataDir(): string {
    mkdirSync(this.dataDir, { recursive: true });
    return this.dataDir;
  }

  settings(): AppSettings {
    return this.composition ? this.composition.settings() : readSettings(this.dataDir);
  }

  usbKeyPort(): Pkcs11UsbKeyPort {
    return this.app.keyPort();
  }

  /** The PKCS#11 module file in use, once loaded: "nothing found" messages name it. */
  modulePath(): string | undefined {
    return this.composition?.modulePath ?? undefined;
  }

  /** The local register (登记簿) in the data folder, created on first use. */
  register(): SealRegister {
    return this.app.register();
  }

  /** Who is acting, for the audit log (M5): the OS account running the command. */
  actor(): Actor {
    return this.app.actor();
  }

  /** The USB-key service with the register as third source of the initial-PIN state (M4) and as audit log (M5). */
  usbKeys(): UsbKeyService {
    return this.app.usbKeys();
  }

  pinSource(): PinSource {
    this.pins ??= this.options.pinStdin ? stdinPinSource() : terminalPinSource();
    return this.pins;
  }

  close(): void {
    this.pins?.dispose();
    this.composition?.close();
  }
}

/**
 * The one composition root (architecture.md, app/): settings, the actor, the PKCS#11 module's
 * resolution, the register and the USB-key service, built once and lazily. The window's
 * services (app-services.ts) and the CLI's context (cli/context.ts) are both made of it, so a
 * setting, a module choice or an audit actor means the same thing at both front doors.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../core/register/index';
import { UsbKeyService } from '../core/usb-key/usb-key-service';
import { openRegister, type SealRegister } from '../infra/db/index';
import { Pkcs11Library } from '../infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';
import { readSettings, settingsPathIn, type AppSettings } from './settings-file';

export { defaultDataDir, type AppSettings } from './settings-file';

/** Who acts at this computer when nobody said otherwise (M5): the OS account. */
export function osActor(): Actor {
  try {
    return { name: userInfo().username, staffId: '' };
  } catch {
    // no user database entry (containers)
    return { name: 'unknown', staffId: '' };
  }
}

export interface CompositionOptions {
  /** Where settings.json lives. */
  readonly settingsDir: string;
  /** Where register.sqlite lives (demo mode moves it); default settingsDir. */
  dataDir?(): string;
  /** The module chosen for this run: --module, YINJIAN_PKCS11_MODULE; before the saved setting. */
  readonly explicitModule?: string;
  readonly envModule?: string;
  /** A module that overrides every choice (demo mode: SoftHSM2 on the demo store). */
  forcedModule?(): string | undefined;
  actor?(): Actor;
  clock?(): Date;
}

export class AppComposition {
  private port: Pkcs11UsbKeyPort | undefined;
  private sealRegister: SealRegister | undefined;
  private loadedModule: string | null = null;

  constructor(private readonly options: CompositionOptions) {}

  get settingsPath(): string {
    return settingsPathIn(this.options.settingsDir);
  }

  dataDir(): string {
    return this.options.dataDir?.() ?? this.options.settingsDir;
  }

  settings(): AppSettings {
    return readSettings(this.options.settingsDir);
  }

  saveSettings(patch: AppSettings): void {
    mkdirSync(this.options.settingsDir, { recursive: true });
    writeFileSync(this.settingsPath, JSON.stringify({ ...this.settings(), ...patch }, null, 2));
  }

  /** The path of the module loaded now; null before the first use. */
  get modulePath(): string | null {
    return this.loadedModule;
  }

  /**
   * The USB keys' PKCS#11 module, loaded on first use: the forced module (demo), else an
   * explicit choice, the environment, the saved setting, then the vendor catalog.
   */
  keyPort(): Pkcs11UsbKeyPort {
    if (this.port) return this.port;
    const forced = this.options.forcedModule?.();
    const library = forced
      ? Pkcs11Library.load(forced)
      : Pkcs11Library.resolve({
          ...(this.options.explicitModule ? { explicit: this.options.explicitModule } : {}),
          ...(this.options.envModule ? { env: this.options.envModule } : {}),
          ...(this.settings().pkcs11Module ? { saved: this.settings().pkcs11Module } : {}),
        });
    this.loadedModule = library.path;
    this.port = new Pkcs11UsbKeyPort(library);
    return this.port;
  }

  /** The local register (登记簿) in the data folder, created on first use. */
  register(): SealRegister {
    if (!this.sealRegister) {
      const dir = this.dataDir();
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
      this.sealRegister = openRegister(join(dir, 'register.sqlite'));
    }
    return this.sealRegister;
  }

  actor(): Actor {
    return this.options.actor?.() ?? osActor();
  }

  /** The USB-key service with the register as third source of the initial-PIN state (M4) and as audit log (M5). */
  usbKeys(): UsbKeyService {
    const register = this.register();
    return new UsbKeyService(this.keyPort(), register.usbKeys, this.options.clock ?? (() => new Date()), {
      record: (action, tokenSerial, details) => void register.audit.append({ actor: this.actor(), action, subject: tokenSerial, ...(details ? { details } : {}) }),
    });
  }

  /** Releases the module and the register (a module switch, demo set-up, the end of the run). */
  close(): void {
    this.port?.close();
    this.port = undefined;
    this.sealRegister?.close();
    this.sealRegister = undefined;
  }
}

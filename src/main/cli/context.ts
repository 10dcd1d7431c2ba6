import { mkdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { Actor } from '../core/register/index';
import { openRegister, type SealRegister } from '../infra/db/index';
import { Pkcs11Library } from '../infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';
import { localTimeFrom, type LocalTime } from './local-time';
import { stdinPinSource, terminalPinSource, type PinSource } from './pin-input';

export interface GlobalOptions {
  readonly module?: string;
  readonly json: boolean;
  readonly dataDir?: string;
  readonly pinStdin: boolean;
}

/** The OS user-data folder, where Electron keeps the app's data too (app.getPath('userData')). */
export function defaultDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Yinjian');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Yinjian');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Yinjian');
}

interface Settings {
  pkcs11Module?: string;
  /** IANA zone for the times the command line reads and prints (default Asia/Shanghai). */
  timeZone?: string;
}

/**
 * What every command needs, built lazily: the data folder, the saved settings, the PKCS#11
 * module and the services over it. Nothing touches the USB key until a command asks.
 */
export class CliContext {
  readonly dataDir: string;
  private port: Pkcs11UsbKeyPort | undefined;
  private pins: PinSource | undefined;
  private sealRegister: SealRegister | undefined;
  private localTime: LocalTime | undefined;
  private loadedModulePath: string | undefined;

  constructor(readonly options: GlobalOptions) {
    this.dataDir = options.dataDir ?? process.env.YINJIAN_DATA_DIR ?? defaultDataDir();
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

  settings(): Settings {
    const path = join(this.dataDir, 'settings.json');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Settings) : {};
    } catch (error) {
      throw new YinjianError('SETTINGS_INVALID', { path }, { cause: error });
    }
  }

  usbKeyPort(): Pkcs11UsbKeyPort {
    if (!this.port) {
      const library = Pkcs11Library.resolve({
        explicit: this.options.module,
        env: process.env.YINJIAN_PKCS11_MODULE || undefined,
        saved: this.settings().pkcs11Module,
      });
      this.loadedModulePath = library.path;
      this.port = new Pkcs11UsbKeyPort(library);
    }
    return this.port;
  }

  /** The PKCS#11 module file in use, once loaded: "nothing found" messages name it. */
  modulePath(): string | undefined {
    return this.loadedModulePath;
  }

  /** The local register (登记簿) in the data folder, created on first use. */
  register(): SealRegister {
    this.sealRegister ??= openRegister(join(this.ensureDataDir(), 'register.sqlite'));
    return this.sealRegister;
  }

  /** Who is acting, for the audit log (M5): the OS account running the command. */
  actor(): Actor {
    let name = 'unknown';
    try {
      name = userInfo().username;
    } catch {
      // no user database entry (containers): keep "unknown"
    }
    return { name, staffId: '' };
  }

  /** The USB-key service with the register as third source of the initial-PIN state (M4) and as audit log (M5). */
  usbKeys(): UsbKeyService {
    const register = this.register();
    const actor = this.actor();
    return new UsbKeyService(this.usbKeyPort(), register.usbKeys, () => new Date(), {
      record: (action, tokenSerial, details) => register.audit.append({ actor, action, subject: tokenSerial, ...(details ? { details } : {}) }),
    });
  }

  pinSource(): PinSource {
    this.pins ??= this.options.pinStdin ? stdinPinSource() : terminalPinSource();
    return this.pins;
  }

  close(): void {
    this.pins?.dispose();
    this.port?.close();
    this.sealRegister?.close();
  }
}

import pkcs11js from 'pkcs11js';
import { YinjianError } from '../../../shared/errors/index';
import { ckrOf } from './ckr';
import { installedCatalogCandidates } from './catalog';
import { profileFor, type TokenProfile } from './profile';

/** How to initialise a module: NSS's softoken needs its library parameters (database folder and flags). */
export interface LoadOptions {
  readonly libraryParameters?: string;
}

/**
 * Logged-in sessions open on each module in this process, over every Pkcs11Library loading
 * it. Cryptoki state is per process, not per handle: re-initialising a static-slot-list module
 * (SoftHSM2) through one handle kills the sessions opened through another, so the key
 * watcher's rescan asks this count, not its own.
 */
const sessionsOpen = new Map<string, number>();

/**
 * A loaded and initialised PKCS#11 module. One per process and module path: Cryptoki keeps
 * global state, and C_Initialize twice in one process returns CKR_CRYPTOKI_ALREADY_INITIALIZED.
 */
export class Pkcs11Library {
  private closed = false;
  /**
   * Bumped by every re-initialisation. Session handles from an older generation are dead:
   * using one is reported as DEVICE_REMOVED, which is what a pulled key looks like.
   */
  generation = 0;

  /** Who made the module, as its C_GetInfo says (blank-padded text trimmed); '' if it does not say. */
  readonly manufacturer: string;
  /** The module's own description of itself (C_GetInfo libraryDescription, trimmed). */
  readonly libraryDescription: string;
  /** Module version as C_GetInfo reports it, "major.minor". */
  readonly libraryVersion: string;
  /** The module's quirks, from the vendor catalog, matched by manufacturer and description. */
  readonly profile: TokenProfile;

  private constructor(
    readonly api: pkcs11js.PKCS11,
    readonly path: string,
    private readonly initOptions: pkcs11js.InitializationOptions | undefined,
  ) {
    let manufacturer = '';
    let description = '';
    let version = '';
    try {
      const info = api.C_GetInfo();
      manufacturer = info.manufacturerID.trim();
      description = info.libraryDescription.trim();
      version = `${info.libraryVersion.major}.${info.libraryVersion.minor}`;
    } catch {
      // a module that cannot describe itself is treated as a plain vendor module
    }
    this.manufacturer = manufacturer;
    this.libraryDescription = description;
    this.libraryVersion = version;
    this.profile = profileFor(manufacturer, description);
  }

  /** Loads one module file; a missing or broken module names the path it tried. */
  static load(path: string, options: LoadOptions = {}): Pkcs11Library {
    const api = new pkcs11js.PKCS11();
    try {
      api.load(path);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const missing = /no such file|cannot open shared object|not found|could not be found/i.test(detail);
      throw missing
        ? new YinjianError('MODULE_NOT_FOUND', { tried: path }, { cause: error })
        : new YinjianError('MODULE_LOAD_FAILED', { path, detail }, { cause: error });
    }
    const initOptions = options.libraryParameters ? { libraryParameters: options.libraryParameters } : undefined;
    try {
      api.C_Initialize(initOptions);
    } catch (error) {
      if (ckrOf(error) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        try {
          api.close();
        } catch {
          // the module is already unusable; the initialisation error is what matters
        }
        const detail = error instanceof Error ? error.message : String(error);
        throw new YinjianError('MODULE_LOAD_FAILED', { path, detail }, { cause: error });
      }
    }
    return new Pkcs11Library(api, path, initOptions);
  }

  /**
   * Resolves the module to use, in this order: an explicit path (--module), the
   * YINJIAN_PKCS11_MODULE environment variable, the saved setting, then the vendor catalog
   * in native/. An explicit choice that fails is an error; it never falls through to the
   * catalog, so the user learns their setting is wrong.
   */
  static resolve(choice: { explicit?: string; env?: string; saved?: string; libraryParameters?: string }): Pkcs11Library {
    const chosen = choice.explicit ?? choice.env ?? choice.saved;
    if (chosen) return Pkcs11Library.load(chosen, choice.libraryParameters ? { libraryParameters: choice.libraryParameters } : {});
    const tried: string[] = [];
    for (const candidate of installedCatalogCandidates()) {
      tried.push(candidate.path);
      try {
        return Pkcs11Library.load(candidate.path);
      } catch {
        // try the next vendor's module
      }
    }
    throw new YinjianError('MODULE_NOT_FOUND', { tried: tried.length ? tried.join(', ') : '(catalog: none installed)' });
  }

  /**
   * Quirk (profile `staticSlotList`): some modules (SoftHSM2, openCryptoki) read their slot
   * list once at C_Initialize and never notice keys added or removed afterwards. For them,
   * noticing an inserted or pulled key means finalising and initialising again, which
   * invalidates every open session. It also keeps a key's PIN state as it was at C_Initialize,
   * so a PIN the office reset on another computer (another process) is only seen after
   * initialising again. Known from the module's own C_GetInfo, not its file name: a wrapper
   * (a PKCS#11 proxy, the test's fault module) keeps the quirk of what it wraps.
   */
  get slotListIsStatic(): boolean {
    return this.profile.staticSlotList;
  }

  /** Counts a logged-in session as open until the returned function is called (once). */
  trackSession(): () => void {
    sessionsOpen.set(this.path, (sessionsOpen.get(this.path) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (sessionsOpen.get(this.path) ?? 1) - 1;
      if (left > 0) sessionsOpen.set(this.path, left);
      else sessionsOpen.delete(this.path);
    };
  }

  /** Logged-in sessions open on this module in this process, through any handle. */
  get sessionsOpenInProcess(): number {
    return sessionsOpen.get(this.path) ?? 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  reinitialize(): void {
    if (this.closed) return;
    try {
      this.api.C_Finalize();
    } catch {
      // a module whose device vanished may refuse to finalise; initialise anyway
    }
    this.generation++;
    try {
      this.api.C_Initialize(this.initOptions);
    } catch (error) {
      if (ckrOf(error) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.api.C_Finalize();
    } catch {
      // finalising a module whose device vanished may fail; the handle is released below
    }
    try {
      this.api.close();
    } catch {
      // already closed
    }
  }
}

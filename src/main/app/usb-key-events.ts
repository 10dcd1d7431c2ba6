/**
 * Key insert/remove pushed to the window ('usbKey.changed'), from the project's key watcher
 * (infra/pkcs11/usb-key-watcher.ts): the main process looks at the slot list, the window no
 * longer asks for the key list every second. The watcher follows the module in use: when the
 * module is released (a module switch, demo set-up) it stops, and the next start watches the
 * new one. A module that cannot be loaded yet (first run) is tried again later.
 */
import type { UsbKeyInfo } from '../core/ports/usb-key';
import type { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';
import { UsbKeyWatcher, type UsbKeyChange } from '../infra/pkcs11/usb-key-watcher';
import type { AppEvents } from './events';

export interface UsbKeyEventsOptions {
  /** The module's port in use now; throws while none can be loaded. */
  port(): Pkcs11UsbKeyPort;
  readonly events: AppEvents;
  /** How often the watcher looks at the slots (ms). */
  readonly intervalMs?: number;
  /** How long to wait before trying a module that could not be loaded (ms). */
  readonly retryMs?: number;
}

export interface UsbKeyEvents {
  /** Starts watching (idempotent). */
  start(): void;
  stop(): void;
  /** The module is about to be released: stop now; `start` watches the next one. */
  release(): void;
  /**
   * Starts watching if needed and looks at the slots now, announcing any change; false when no
   * watcher could look (the caller then makes the slot list current itself).
   */
  lookNow(): boolean;
}

const keyOf = (key: UsbKeyInfo): { serial: string; label: string } => ({ serial: key.serial, label: key.label });

export function createUsbKeyEvents(options: UsbKeyEventsOptions): UsbKeyEvents {
  let watcher: UsbKeyWatcher | undefined;
  let retry: NodeJS.Timeout | undefined;
  let wanted = false;
  // What the last watcher saw, so that its successor announces what changed in between.
  let lastSeen: UsbKeyInfo[] | undefined;

  const drop = (): void => {
    if (watcher) lastSeen = watcher.knownKeys;
    watcher?.stop();
    watcher?.removeAllListeners();
    watcher = undefined;
  };
  const later = (): void => {
    if (retry || !wanted) return;
    retry = setTimeout(() => {
      retry = undefined;
      attach();
    }, options.retryMs ?? 2000);
    retry.unref();
  };
  const attach = (): void => {
    if (!wanted || watcher) return;
    let port: Pkcs11UsbKeyPort;
    try {
      port = options.port();
    } catch {
      later();
      return;
    }
    const next = new UsbKeyWatcher(port, options.intervalMs ?? 500, lastSeen);
    next.on('change', (change: UsbKeyChange) => options.events.emit('usbKey.changed', { inserted: change.inserted.map(keyOf), removed: change.removed.map(keyOf), changed: change.changed.map(keyOf) }));
    // A failing look (the module released under it, a driver error): watch afresh later.
    next.on('error', () => {
      if (watcher !== next) return;
      drop();
      later();
    });
    watcher = next;
    try {
      next.start();
    } catch {
      drop();
      later();
    }
  };

  return {
    start() {
      wanted = true;
      attach();
    },
    stop() {
      wanted = false;
      lastSeen = undefined;
      clearTimeout(retry);
      retry = undefined;
      drop();
    },
    release() {
      drop();
      later();
    },
    lookNow() {
      wanted = true;
      attach();
      return watcher?.lookNow() ?? false;
    },
  };
}

import { EventEmitter } from 'node:events';
import type { UsbKeyInfo } from '../../core/ports/usb-key';
import type { Pkcs11UsbKeyPort } from './pkcs11-usb-key';

export interface UsbKeyChange {
  readonly inserted: readonly UsbKeyInfo[];
  readonly removed: readonly UsbKeyInfo[];
  /** Keys still present whose token flags changed (PIN locked, unlocked by the office, to be changed). */
  readonly changed: readonly UsbKeyInfo[];
}

const flagsOf = (key: UsbKeyInfo): string => JSON.stringify(key.flags);

/**
 * Notices a USB key being inserted or removed, or its token flags changing (a PIN locked, or
 * unlocked by the office from another process), within about a second by polling the slot list.
 * C_WaitForSlotEvent would be nicer but blocks a thread and is unsupported by many vendor
 * modules (SoftHSM2 included), so polling is the portable choice. Keys are compared by
 * serial, never by slot id.
 */
export class UsbKeyWatcher extends EventEmitter<{ change: [UsbKeyChange]; error: [unknown] }> {
  private timer: NodeJS.Timeout | undefined;
  private known: Map<string, UsbKeyInfo>;
  /** Whether the first look reports changes against `known` (a watcher taking over from another). */
  private readonly reportFirstLook: boolean;

  /**
   * `known`: what an earlier watcher of the same keys last saw. A watcher that takes over (after
   * a failing look, a module switch) then reports what changed meanwhile at its first look,
   * instead of silently taking the present keys as its starting point: a key pulled out and
   * plugged back in while no watcher was running is still announced.
   */
  constructor(
    private readonly port: Pkcs11UsbKeyPort,
    private readonly intervalMs = 500,
    known?: readonly UsbKeyInfo[],
  ) {
    super();
    this.known = new Map((known ?? []).map((key) => [key.serial, key]));
    this.reportFirstLook = known !== undefined;
  }

  /** The keys seen at the last look. */
  get knownKeys(): UsbKeyInfo[] {
    return [...this.known.values()];
  }

  /** Takes one look now; returns what changed since the last look. */
  poll(): UsbKeyChange {
    this.port.rescan();
    const current = new Map(this.port.listKeys().map((key) => [key.serial, key]));
    const inserted = [...current.values()].filter((key) => !this.known.has(key.serial));
    const removed = [...this.known.values()].filter((key) => !current.has(key.serial));
    const changed = [...current.values()].filter((key) => {
      const before = this.known.get(key.serial);
      return before !== undefined && flagsOf(before) !== flagsOf(key);
    });
    this.known = current;
    return { inserted, removed, changed };
  }

  /** Starts looking; throws if the first look fails. */
  start(): void {
    if (this.timer) return;
    const first = this.poll();
    this.timer = setInterval(() => this.look(), this.intervalMs);
    this.timer.unref();
    if (this.reportFirstLook) this.announce(first);
  }

  /**
   * Looks now, announcing what changed (as a timed look does); false if the look failed (the
   * failure is emitted as 'error'). Whoever lists the keys for the window looks through here,
   * so the window never knows of a change the watcher has not seen: a key pulled out and
   * plugged back in between two timed looks is still announced when it comes back.
   */
  lookNow(): boolean {
    return this.look();
  }

  private look(): boolean {
    let change: UsbKeyChange;
    try {
      change = this.poll();
    } catch (error) {
      this.emit('error', error);
      return false;
    }
    this.announce(change);
    return true;
  }

  private announce(change: UsbKeyChange): void {
    if (change.inserted.length || change.removed.length || change.changed.length) this.emit('change', change);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

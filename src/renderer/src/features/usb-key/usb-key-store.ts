import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { IpcError, UsbKeyStatusDto } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';

export interface UsbKeyState {
  /** undefined until the first answer. */
  readonly keys: readonly UsbKeyStatusDto[] | undefined;
  readonly error: IpcError | undefined;
  refresh(): Promise<void>;
}

/**
 * The USB keys present, refreshed when the main process pushes 'usbKey.changed' (its key
 * watcher notices insertion and removal within about a second) and after the window's own
 * actions (set-up, PIN change).
 */
export function createUsbKeyStore() {
  return createStore<UsbKeyState>((set) => ({
    keys: undefined,
    error: undefined,
    refresh: async () => {
      try {
        set({ keys: await call('usbKey.list', {}), error: undefined });
      } catch (caught) {
        set({ keys: [], error: ipcErrorOf(caught) });
      }
    },
  }));
}

export const usbKeyStore = createUsbKeyStore();

export function useUsbKeys<T>(selector: (state: UsbKeyState) => T): T {
  return useStore(usbKeyStore, selector);
}

/**
 * M4: the first present key still on its initial PIN; the forced PIN-change dialog is about it.
 * A key that locked on its initial PIN keeps the dialog, which then says it is locked: the
 * custodian must see why the key cannot be used, and pulling it out stays the only way on.
 */
export function keyNeedingPinChange(keys: readonly UsbKeyStatusDto[] | undefined): UsbKeyStatusDto | undefined {
  return keys?.find((key) => key.initialPin);
}

/** The key to stamp with: the first present key whose PIN has been changed. */
export function signingKey(keys: readonly UsbKeyStatusDto[] | undefined): UsbKeyStatusDto | undefined {
  // A key carrying a seal comes first: an office CA key (no seal on it) is not for stamping.
  return keys?.find((key) => !key.initialPin && key.seal) ?? keys?.find((key) => !key.initialPin);
}

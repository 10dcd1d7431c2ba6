import { create } from 'zustand';
import type { IpcError, ResponseOf } from '../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../api/client';

export type Screen = 'stamp' | 'verify' | 'register' | 'trust' | 'office' | 'setup';

interface AppState {
  readonly screen: Screen;
  readonly status: ResponseOf<'app.status'> | undefined;
  readonly statusError: IpcError | undefined;
  go(screen: Screen): void;
  loadStatus(): Promise<void>;
}

export const useApp = create<AppState>((set) => ({
  screen: 'stamp',
  status: undefined,
  statusError: undefined,
  go: (screen) => set({ screen }),
  loadStatus: async () => {
    try {
      const status = await call('app.status', {});
      // First run with no USB-key module: the guided setup comes first.
      set((s) => ({ status, statusError: undefined, screen: !status.moduleReady && !status.demoMode ? 'setup' : s.screen }));
    } catch (caught) {
      set({ statusError: ipcErrorOf(caught) });
    }
  },
}));

import { useRef, useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import { pinArrayOf } from '../../../../shared/usb-key/pin-rules';
import { ipcErrorOf } from '../../api/client';

export interface PinAction {
  /** A call is under way: the form's submit button says so and a second submit is ignored. */
  readonly busy: boolean;
  /** The last call's typed refusal, cleared when the next one starts. */
  readonly error: IpcError | undefined;
  /**
   * Runs one call that carries PINs, the same way in every form: the typed PINs become byte
   * arrays, the form empties its password fields at once (`clearFields`), and the arrays are
   * zeroed when the call is over, whatever its outcome (PIN hygiene, M4). Ignored while busy.
   */
  run(pins: readonly string[], clearFields: () => void, call: (pins: number[][]) => Promise<void>): Promise<void>;
}

/** The busy flag, the error and the PIN handling of a form that sends PINs to the main process. */
export function usePinAction(): PinAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  // A second submit in the same frame must see the first one's busy state, not the render's.
  const running = useRef(false);

  async function run(pins: readonly string[], clearFields: () => void, call: (pins: number[][]) => Promise<void>): Promise<void> {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    const arrays = pins.map(pinArrayOf);
    clearFields();
    try {
      await call(arrays);
    } catch (caught) {
      setError(ipcErrorOf(caught));
    } finally {
      for (const array of arrays) array.fill(0);
      running.current = false;
      setBusy(false);
    }
  }

  return { busy, error, run };
}

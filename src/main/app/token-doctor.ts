/**
 * `yinjian token doctor` and the set-up screen's doctor panel (issue 17): one use case. It
 * probes what the app needs from a USB-key driver and its keys without a PIN and without
 * changing any key (infra/pkcs11/doctor.ts), and answers the report both adapters render: the
 * CLI as text or JSON, the window as a panel (features/setup/DoctorPanel.tsx).
 */
import { diagnose, type DoctorReport } from '../infra/pkcs11/doctor';
import { Pkcs11Library } from '../infra/pkcs11/library';
import type { Pkcs11UsbKeyPort } from '../infra/pkcs11/pkcs11-usb-key';

export type { DoctorCheck, DoctorReport, DoctorToken, Verdict as DoctorVerdict } from '../infra/pkcs11/doctor';

/** Where the module comes from, as every command resolves it (explicit, env, saved, catalog), with its C_Initialize parameters. */
export interface DoctorModuleChoice {
  readonly explicit?: string;
  readonly env?: string;
  readonly saved?: string;
  readonly libraryParameters?: string;
}

/** Loads the chosen module, probes it and releases it (the CLI, or the window on a driver not yet in use). */
export function diagnoseModule(choice: DoctorModuleChoice): DoctorReport {
  const library = Pkcs11Library.resolve(choice);
  try {
    return diagnose(library);
  } finally {
    library.close();
  }
}

/** Probes the module the app already has loaded (one module per process): the slot list made current first. */
export function diagnoseLoadedModule(port: Pkcs11UsbKeyPort): DoctorReport {
  port.rescan();
  return diagnose(port.module);
}

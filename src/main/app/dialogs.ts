/**
 * The main process's own file dialogs, as the use cases need them. In the app they are
 * Electron's native dialogs (src/main/windows/dialogs.ts); in the browser tests a scripted
 * chooser stands in for the person at the dialog. Paths reach the main process only this way,
 * never from the renderer (issue #14, hardening).
 */
export interface MainDialogs {
  /** The person picks a USB-key driver file (.so/.dll/.dylib); undefined when cancelled. */
  pickModuleFile(): Promise<string | undefined>;
  /** The person picks a folder to write into; undefined when cancelled. */
  pickFolder(purpose: 'publish' | 'export'): Promise<string | undefined>;
  /**
   * The person picks one file: something the office published (the group root, a register
   * snapshot, the group CRL), or at the office a workstation's S6 export; undefined when cancelled.
   */
  pickFile(purpose: OpenPurpose): Promise<string | undefined>;
  /**
   * The person picks PDFs to verify (one or many); undefined when cancelled. Issue #14: the
   * verifier reads them where they lie, so their bytes never pass through the main process.
   */
  pickFiles?(purpose: 'verify'): Promise<readonly string[] | undefined>;
  /** The person chooses where to save a file (suggested name given); undefined when cancelled. */
  saveFile?(purpose: SavePurpose, suggestedName: string): Promise<string | undefined>;
}

export type OpenPurpose = 'group-root' | 'snapshot' | 'crl' | 'workstation-export';
export type SavePurpose = 'workstation-export' | 'inspection-report';

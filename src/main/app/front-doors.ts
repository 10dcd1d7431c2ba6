/**
 * What the application layer offers its front doors (the IPC handler table, the browser-test
 * host): one service per task, each a use case of this folder. The handler table maps channels
 * onto these and knows nothing below them.
 */
import type { Channel, RequestOf, ResponseOf, FileReportDto, StampOutcomeDto } from '../../shared/ipc/contract';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister } from '../infra/db/index';
import type { WorkstationTrust } from './workstation-trust';

/** What the app knows about itself at start (first-run setup, demo mode, office console). */
export interface AppStatus {
  readonly demoMode: boolean;
  readonly moduleReady: boolean;
  readonly modulePath: string | null;
  readonly demoAvailable: boolean;
  readonly officeConsole: boolean;
  /** Demo mode only: the demo seal key's PIN, shown on screen (it guards a software demo key). */
  readonly demoPin?: string;
}

/** A document the renderer handed over, decoded. */
export interface DocumentBytes {
  readonly name: string;
  /** Where the main process itself read the file (a dialog's pick, a sealed copy); never a renderer's path. */
  readonly path: string | undefined;
  readonly bytes: Uint8Array;
}

/**
 * The stamping service as the front door needs it (src/main/core/stamp, being written).
 * Owns the PIN buffer it is given and zeroes it.
 */
export interface StampingFrontDoor {
  seal(request: Omit<RequestOf<'stamp.seal'>, 'documents' | 'pin'> & { documents: DocumentBytes[]; pin: Buffer }): Promise<StampOutcomeDto[]>;
  impression(token: string): Promise<ResponseOf<'stamp.impression'>>;
  progress(): ResponseOf<'stamp.progress'>;
  /** Asks the running batch to stop before its next document; false when none runs. */
  stop(): boolean;
  /** U2 as the stamping gate applies it, OCR included, with `ocr.progress` events (issue #13). */
  checkDocument?(document: DocumentBytes): Promise<ResponseOf<'stamp.checkDocument'>>;
  /** Cancels the running document check (the OCR worker is ended); false when none runs. */
  stopCheck?(): boolean;
}

/** The verification service as the front door needs it (src/main/core/verify, being written). */
export interface VerificationFrontDoor {
  verify(documents: DocumentBytes[]): Promise<FileReportDto[]>;
  exportReport(document: DocumentBytes): Promise<string>;
  /** Issue #14: PDFs picked in the main process's dialog, read here by path (never a path from the window). */
  pickAndVerify?(): Promise<ResponseOf<'verify.pickFiles'>>;
}

/** The office console's services (src/main/core/office, being written): one method per channel. */
export type OfficeFrontDoor = {
  [C in Extract<Channel, `office.${string}`>]?: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
};

/** First-run setup: the module catalog, a driver the person picks, and the demo token. */
export interface SetupFrontDoor {
  modules(): ResponseOf<'setup.modules'>;
  /** A catalog driver by id, at its installed path (never a path from the renderer). */
  useCatalogModule(id: string): Promise<ResponseOf<'setup.useModule'>>;
  /** A driver file picked in the main process's dialog, checked and loaded before it is saved. */
  pickModule(): Promise<ResponseOf<'setup.pickModule'>>;
  startDemo(): Promise<void>;
  /** The key doctor on a catalog driver by id, or on the driver in use (app/token-doctor.ts). */
  doctor(moduleId?: string): Promise<ResponseOf<'setup.doctor'>>;
}

/** S6 on the workstation: the export for the office's inspection, saved where the person chose. */
export interface WorkstationExportFrontDoor {
  /** Owns the PIN buffer and zeroes it. */
  export(request: { token?: string; pin?: Buffer }): Promise<ResponseOf<'export.workstation'>>;
}

export interface MainServices {
  usbKeys(): UsbKeyService;
  workstationCode(): string;
  /** Makes the slot list current (SoftHSM2 reads it only at C_Initialize). */
  rescanUsbKeys?(): void;
  /** The register (usage register, audit log, seals); absent when it cannot be opened. */
  register?(): SealRegister;
  appStatus?(): AppStatus;
  /** Where exports (CSV, reports) are written. */
  exportFolder?(): string;
  setup?: SetupFrontDoor;
  stamping?: StampingFrontDoor;
  verification?: VerificationFrontDoor;
  office?: OfficeFrontDoor;
  /** Workstation and receiver trust: group root, register snapshots (workstation-trust.ts). */
  trust?: WorkstationTrust;
  workstationExport?: WorkstationExportFrontDoor;
}


export type { SealRegister };

/**
 * The stamping front door (盖章): what `stamp.seal` and `stamp.impression` need, composed the
 * way `yinjian stamp` composes it (src/main/cli/commands/stamp.ts): the seal found by the USB
 * key's serial in the register, or on a workstation by the certificate on the key
 * (core/stamp/seal-of-key.ts), its certificate and CA certificate read from the key, the PIN
 * through UsbKeyService.openForSigning (M4: refused while the key still has its initial PIN).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';
import type { PlacementDto, StampOutcomeDto } from '../../shared/ipc/contract';
import type { Seal } from '../core/register/index';
import { sealOfKey, type BatchProgress, type PlacementRequest } from '../core/stamp/index';
import type { UsbKeyService } from '../core/usb-key/usb-key-service';
import type { SealRegister } from '../infra/db/index';
import { preloadPdfJs } from '../infra/stamp/pdfjs-text';
import { createDocumentCheck } from './document-check';
import { stampDocuments } from './stamp-batch';
import type { AppEvents } from './events';
import type { DocumentBytes, StampingFrontDoor, VerificationFrontDoor } from './front-doors';

/** Suffix of a sealed copy's file name; the input is never overwritten. */
export const SEALED_SUFFIX = '-已盖章';

export interface StampingDeps {
  usbKeys(): UsbKeyService;
  register(): SealRegister;
  workstationCode(): string;
  /** Where a sealed copy goes when the document came without a path (browser, drag from mail). */
  outputFolder(): string;
  /** Verifies each sealed copy right after stamping, so the screen shows its verdict. */
  verification?: VerificationFrontDoor;
  clock?: () => Date;
  /** Where 'stamp.progress' is pushed (the window's progress bar follows it, no polling). */
  events?: AppEvents;
}

/** The seal this USB key carries: by its serial on the office computer, by its certificate on a workstation. */
async function sealOfUsbKey(register: SealRegister, keys: UsbKeyService, tokenSerial: string): Promise<Seal> {
  return sealOfKey(register.seals.list(), tokenSerial, () => keys.publicCertificates(tokenSerial));
}

/** The screen's placement choice as the pipeline's; a seam seal covers every page (骑缝章). */
export function placementRequestOf(placement: PlacementDto, seamSeal: boolean): PlacementRequest {
  if (seamSeal) return { kind: 'seam' };
  if (placement.kind === 'keyword') return { kind: 'keyword', keyword: placement.keyword };
  if (placement.kind === 'position') return { kind: 'page', page: placement.page, at: { x: placement.x, y: placement.y, unit: 'pt' } };
  return { kind: 'page' };
}

/**
 * `通知.pdf` → `通知-已盖章.pdf` beside the input (or in the output folder), never over an
 * existing file nor over one named earlier in the same batch (`taken`).
 */
export function sealedPathFor(document: DocumentBytes, fallbackFolder: string, taken: Set<string> = new Set()): string {
  const folder = document.path ? dirname(document.path) : fallbackFolder;
  const stem = basename(document.name, extname(document.name)) || 'document';
  for (let n = 1; ; n++) {
    const candidate = join(folder, `${stem}${SEALED_SUFFIX}${n === 1 ? '' : `-${n}`}.pdf`);
    if (!existsSync(candidate) && !taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

function mmOf(value: string | undefined): number | undefined {
  const m = /^\s*([0-9.]+)\s*mm\s*$/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}

export function createStampingFrontDoor(deps: StampingDeps): StampingFrontDoor {
  // U2 in the stamp screen (issue #13): the stamping gate itself, OCR included.
  const documentCheck = createDocumentCheck({ register: deps.register, ...(deps.events ? { events: deps.events } : {}) });
  /** The one batch that may run at a time: a key logs in once per batch. */
  let running: { progress: BatchProgress; stop: boolean } | undefined;
  return {
    async impression(token) {
      // The window asks for the impression when a seal key appears at the stamp screen: load
      // pdf.js (stamping's text check, ~0.3–0.5 s) now, while the custodian fills in the form,
      // not when the first document is sealed.
      preloadPdfJs();
      const keys = deps.usbKeys();
      const key = await keys.info(token);
      const seal = await sealOfUsbKey(deps.register(), keys, key.serial);
      const svg = seal.appearance.svg;
      if (!svg) throw new YinjianError('SERVICE_UNAVAILABLE', { service: 'stamp.impression' });
      const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
      const widthMm = mmOf(/\bwidth="([^"]*)"/.exec(root)?.[1]) ?? 42;
      const heightMm = mmOf(/\bheight="([^"]*)"/.exec(root)?.[1]) ?? widthMm;
      return { svg, widthMm, heightMm };
    },

    checkDocument: (document) => documentCheck.check(document),
    stopCheck: () => documentCheck.stop(),

    progress() {
      if (!running) return { active: false, done: 0, total: 0 };
      const { done, total, current } = running.progress;
      return { active: true, done, total, ...(current !== undefined ? { current } : {}) };
    },

    stop() {
      if (!running) return false;
      running.stop = true;
      return true;
    },

    async seal(request) {
      const { pin } = request;
      try {
        if (running) throw new YinjianError('STAMP_BATCH_RUNNING');
        const batch = { progress: { done: 0, total: request.documents.length } as BatchProgress, stop: false };
        running = batch;
        const push = (active: boolean): void => {
          const { done, total, current } = batch.progress;
          deps.events?.emit('stamp.progress', { active, done, total, ...(active && current !== undefined ? { current } : {}) });
        };
        push(true);
        const taken = new Set<string>();
        try {
          // The one stamping use case (stamp-batch.ts), as `yinjian stamp` runs it; the seal's
          // custodian stamps at the seal's own dedicated workstation (M2, M4).
          const { results } = await stampDocuments(
            { register: deps.register, usbKeys: deps.usbKeys, workstationCode: deps.workstationCode, ...(deps.clock ? { clock: deps.clock } : {}) },
            {
              token: request.token,
              declaredType: request.documentType,
              approval: { reference: request.approvalReference, approver: request.approver },
              placement: placementRequestOf(request.placement, request.seamSeal),
              // U2: the custodian's confirmation of a scanned document (core refuses it unless the office allows scans).
              ...(request.scannedConfirmed ? { scannedConfirmed: true } : {}),
              documents: request.documents.map((document) => ({ name: document.name, outputPath: sealedPathFor(document, deps.outputFolder(), taken), read: () => document.bytes })),
              pin: () => pin,
            },
            {
              onProgress: (progress) => {
                batch.progress = progress;
                push(true);
              },
              stopRequested: () => batch.stop,
            },
          );
          const outcomes: StampOutcomeDto[] = [];
          for (const result of results) {
            if (!result.ok) {
              const { code, zh, en } = result.error;
              outcomes.push({ name: result.document.name, ok: false, begun: result.begun, error: { code, zh, en } });
              continue;
            }
            const outputPath = result.outcome.outputPath;
            let verdict: StampOutcomeDto['verdict'];
            if (deps.verification) {
              const [report] = await deps.verification.verify([{ name: basename(outputPath), path: outputPath, bytes: new Uint8Array(readFileSync(outputPath)) }]);
              verdict = report?.verdict;
            }
            outcomes.push({ name: result.document.name, ok: true, outputPath, ...(verdict ? { verdict } : {}) });
          }
          return outcomes;
        } finally {
          running = undefined;
          push(false);
        }
      } finally {
        pin.fill(0);
      }
    },
  };
}

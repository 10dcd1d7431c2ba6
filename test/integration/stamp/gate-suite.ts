/**
 * The setting every gate suite that stamps through the pipeline shares (U2, issue 13): one stamp
 * fixture and seal, a scratch folder, and the process's OCR worker closed when the file is done
 * (tesseract-ocr.ts keeps it across documents). Call at a test file's top level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { StampRequest } from '../../../src/main/core/stamp/index';
import { closeSharedOcr } from '../../../src/main/infra/ocr/tesseract-ocr';
import { gateOutcome, stampFixture, type IssuedSeal, type StampFixture } from './fixture';

export interface GateSuite {
  readonly fx: StampFixture;
  readonly seal: IssuedSeal;
  /** A scratch folder, removed after the file. */
  readonly work: string;
  /** gateOutcome with this suite's fixture and seal. */
  outcome(request: StampRequest): ReturnType<typeof gateOutcome>;
}

export function gateSuite(sealCode: string, folderPrefix: string): GateSuite {
  let fx: StampFixture | undefined;
  let seal: IssuedSeal | undefined;
  let work: string | undefined;
  beforeAll(async () => {
    fx = await stampFixture();
    seal = await fx.issueSeal(sealCode);
    work = mkdtempSync(join(tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    await closeSharedOcr();
    fx?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`gateSuite: ${name} is set up in beforeAll`);
    return value;
  };
  return {
    get fx() {
      return ready(fx, 'fx');
    },
    get seal() {
      return ready(seal, 'seal');
    },
    get work() {
      return ready(work, 'work');
    },
    outcome: (request) => gateOutcome(ready(fx, 'fx'), ready(seal, 'seal'), request),
  };
}

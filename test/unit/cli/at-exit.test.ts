import { describe, expect, it } from 'vitest';
import { acquireSharedOcr } from '../../../src/main/infra/ocr/tesseract-ocr';
import { closeAllBeforeExit, closeBeforeExit } from '../../../src/main/infra/process/at-exit';

/**
 * The CLI ends what a command left running (the shared OCR engine's worker) through the at-exit
 * registry, without importing the OCR module itself (issue #15: `--help` and `verify` load none
 * of it). The engine must sign in when it is created, or a CLI process that read a scan would
 * wait for the engine's idle timer before exiting.
 */
describe('closing before a CLI process exits', () => {
  it('the shared OCR engine signs in when created and is ended by closeAllBeforeExit', async () => {
    const first = acquireSharedOcr();
    first.release();
    const again = acquireSharedOcr();
    expect(again.engine).toBe(first.engine);
    again.release();
    await closeAllBeforeExit();
    const second = acquireSharedOcr();
    expect(second.engine).not.toBe(first.engine);
    second.release();
    await closeAllBeforeExit();
    const third = acquireSharedOcr();
    expect(third.engine).not.toBe(second.engine);
    third.release();
    await closeAllBeforeExit();
  });

  it('runs each closer once, however often it signed in, and forgets it', async () => {
    let calls = 0;
    const close = async (): Promise<void> => {
      calls++;
    };
    closeBeforeExit(close);
    closeBeforeExit(close);
    await closeAllBeforeExit();
    await closeAllBeforeExit();
    expect(calls).toBe(1);
  });
});

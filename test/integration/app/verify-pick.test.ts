import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src/main/app/app-services';
import { MAX_PICKED_FILE_BYTES } from '../../../src/main/app/verification';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import type { EventMessage } from '../../../src/shared/ipc/events';
import { documentPdf } from '../../e2e/harness/documents';
import { makeTestSeal, signPdf } from '../../helpers/signed-pdf';

/**
 * Issue #14: files to verify can be picked in the main process's own open dialog; the verifier
 * reads them where they lie. The channel takes nothing from the window: whatever path a
 * compromised renderer puts in the request is refused before any handler runs, and the only
 * paths read are the ones the (scripted) dialog returned. Each file gets its verdict or a typed
 * refusal of its own (too large, unreadable), Chinese and English.
 */
describe('verify.pickFiles: paths only from the main process’s dialog', () => {
  let dir: string;
  let services: AppServices;
  let handlers: HandlerTable;
  let sealedPath: string;
  let secretPath: string;
  const asked: string[] = [];
  const events: EventMessage[] = [];
  let picks: string[] | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yinjian-verify-pick-'));
    mkdirSync(join(dir, 'app'));
    const seal = await makeTestSeal();
    sealedPath = join(dir, '会议通知.pdf');
    writeFileSync(sealedPath, await signPdf(await documentPdf('关于召开年度工作会议的通知', ['各部门：']), seal));
    // A file a compromised page would like read: a PDF, so that reading it would show as a verdict.
    secretPath = join(dir, 'secret.pdf');
    writeFileSync(secretPath, await signPdf(await documentPdf('机密', ['不得外传']), seal));
    services = createAppServices({
      appDataDir: join(dir, 'app'),
      exportFolder: () => dir,
      workstationCode: () => 'WS-PICK',
      dialogs: {
        pickModuleFile: async () => undefined,
        pickFolder: async () => undefined,
        pickFile: async () => undefined,
        pickFiles: async (purpose) => {
          asked.push(purpose);
          return picks;
        },
      },
    });
    services.events.subscribe((message) => events.push(message));
    handlers = createHandlers(services);
  });

  afterAll(() => {
    services?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses any request that names a path, before the dialog is asked or a file is read', async () => {
    picks = [sealedPath];
    const bytes = new ArrayBuffer(8);
    for (const payload of [
      { path: secretPath },
      { paths: [secretPath] },
      { files: [secretPath] },
      { documents: [{ name: 'secret.pdf', path: secretPath }] },
      { documents: [{ name: 'secret.pdf', path: secretPath, bytes }] },
      [secretPath],
      secretPath,
    ]) {
      expect(await dispatch(handlers, 'verify.pickFiles', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    }
    expect(asked).toEqual([]);
    expect(events.filter((e) => e.event === 'verify.progress')).toEqual([]);
  });

  it('verifies the files the person picked, read by the verifier, with progress pushed', async () => {
    picks = [sealedPath];
    const result = await dispatch(handlers, 'verify.pickFiles', {});
    expect(asked).toEqual(['verify']);
    expect(result).toMatchObject({ ok: true, value: { cancelled: false, files: [{ name: '会议通知.pdf', report: { name: '会议通知.pdf', signatures: [{ field: expect.any(String) }] } }] } });
    const value = (result as { value: { files: { report?: { verdict: string; size: number } }[] } }).value;
    // Signed by a test seal this computer does not trust: a real verdict on the real file.
    expect(value.files[0]?.report?.verdict).toBe('UNTRUSTED');
    const progress = events.filter((e) => e.event === 'verify.progress').map((e) => e.payload);
    expect(progress.at(0)).toMatchObject({ active: true, done: 0, total: 1, current: '会议通知.pdf' });
    expect(progress.at(-1)).toMatchObject({ active: false, done: 1, total: 1 });
  });

  it('gives each file its own typed refusal: too large, missing, a folder; the others still verify', async () => {
    const large = join(dir, 'huge.pdf');
    writeFileSync(large, '');
    truncateSync(large, MAX_PICKED_FILE_BYTES + 1); // sparse: nothing is written
    const folder = join(dir, 'folder.pdf');
    mkdirSync(folder);
    picks = [large, join(dir, 'missing.pdf'), folder, sealedPath];
    const result = await dispatch(handlers, 'verify.pickFiles', {});
    expect(result.ok).toBe(true);
    const files = (result as { value: { files: { name: string; report?: { verdict: string }; error?: { code: string; zh: string; en: string } }[] } }).value.files;
    expect(files.map((f) => f.name)).toEqual(['huge.pdf', 'missing.pdf', 'folder.pdf', '会议通知.pdf']);
    expect(files[0]).toMatchObject({ error: { code: 'VERIFY_FILE_TOO_LARGE', zh: expect.stringContaining('过大'), en: expect.stringContaining('too large') } });
    expect(files[0]?.report).toBeUndefined();
    expect(files[1]).toMatchObject({ error: { code: 'FILE_NOT_READABLE', zh: '无法读取文件：missing.pdf', en: 'Cannot read file: missing.pdf' } });
    expect(files[2]).toMatchObject({ error: { code: 'FILE_NOT_READABLE' } });
    // The refusal names the file, not the folder it lies in.
    expect(JSON.stringify(files.slice(0, 3))).not.toContain(dir);
    expect(files[3]).toMatchObject({ report: { verdict: 'UNTRUSTED' } });
  });

  it('a cancelled dialog verifies nothing; too many files is one typed refusal', async () => {
    picks = undefined;
    expect(await dispatch(handlers, 'verify.pickFiles', {})).toEqual({ ok: true, value: { cancelled: true } });
    picks = Array.from({ length: 51 }, () => sealedPath);
    expect(await dispatch(handlers, 'verify.pickFiles', {})).toMatchObject({ ok: false, error: { code: 'VERIFY_TOO_MANY_FILES' } });
  });
});

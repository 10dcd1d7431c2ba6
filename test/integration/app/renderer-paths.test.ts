import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import { createAppServices, type AppServices } from '../../../src/main/app/app-services';
import { checkModuleFile } from '../../../src/main/app/module-choice';
import { SOFTHSM_MODULE, provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';
import { arrayBufferOf } from '../../helpers/array-buffer';

/**
 * Issue #14, hardening: a compromised renderer names paths. The exploit is a real shared
 * library whose constructor writes a marker file: before the fix, `setup.useModule` loaded any
 * path the page sent into the main process (constructor run, library saved to settings.json,
 * where it would see every PIN). Now no channel takes a path: the driver comes from the catalog
 * by id or from the main process's own dialog, checked before anything loads it.
 */
describe('a renderer cannot load a library, name an output folder or a document path', () => {
  let dir: string;
  let evil: string;
  let marker: string;
  let hsm: SoftHsmFixture;
  let services: AppServices;
  let handlers: HandlerTable;
  /** What the person picks in the main process's dialogs (scripted here). */
  const picks: { module: string | undefined; folder: string | undefined } = { module: undefined, folder: undefined };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'yinjian-paths-'));
    marker = join(dir, 'constructor-ran');
    const source = join(dir, 'evil.c');
    // Runs at dlopen, before any PKCS#11 call: exactly what loading a renderer-named path allowed.
    writeFileSync(source, `#include <stdio.h>\n__attribute__((constructor)) static void pwn(void) { FILE *f = fopen("${marker}", "w"); if (f) { fputs("owned", f); fclose(f); } }\nint not_pkcs11(void) { return 0; }\n`);
    evil = join(dir, 'libevil.so');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', evil, source]);
    hsm = provisionSoftHsm();
    services = createAppServices({
      appDataDir: join(dir, 'app'),
      exportFolder: () => dir,
      workstationCode: () => 'WS-PATHS',
      dialogs: { pickModuleFile: async () => picks.module, pickFolder: async () => picks.folder, pickFile: async () => undefined },
    });
    execFileSync('mkdir', ['-p', join(dir, 'app')]);
    handlers = createHandlers(services);
  });

  afterAll(() => {
    services?.close();
    hsm?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const settingsPath = (): string => join(dir, 'app', 'settings.json');

  it('refuses setup.useModule with a path (the old request) before anything is loaded', async () => {
    const result = await dispatch(handlers, 'setup.useModule', { path: evil });
    expect(result).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const extra = await dispatch(handlers, 'setup.useModule', { moduleId: 'softhsm2', path: evil });
    expect(extra).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const traversal = await dispatch(handlers, 'setup.useModule', { moduleId: '../../tmp/libevil' });
    expect(traversal).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(settingsPath())).toBe(false);
  });

  it('refuses a catalog id that is unknown or not installed here', async () => {
    const result = await dispatch(handlers, 'setup.useModule', { moduleId: 'no-such-vendor' });
    expect(result).toMatchObject({ ok: false, error: { code: 'MODULE_NOT_IN_CATALOG' } });
  });

  it('refuses a picked file that is not a PKCS#11 module without loading it (its constructor never runs)', async () => {
    picks.module = evil;
    const result = await dispatch(handlers, 'setup.pickModule', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'MODULE_NOT_PKCS11' } });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(settingsPath())).toBe(false);
    const text = join(dir, 'notes.so');
    writeFileSync(text, 'C_GetFunctionList '.repeat(10));
    expect(() => checkModuleFile(text, 'linux')).toThrow(expect.objectContaining({ code: 'MODULE_NOT_PKCS11' }));
    expect(() => checkModuleFile('relative/libsofthsm2.so', 'linux')).toThrow(expect.objectContaining({ code: 'MODULE_NOT_PKCS11' }));
    expect(() => checkModuleFile(dir, 'linux')).toThrow(expect.objectContaining({ code: 'MODULE_NOT_PKCS11' }));
    // The right format for another OS is not a module for this one.
    expect(() => checkModuleFile(SOFTHSM_MODULE, 'win32')).toThrow(expect.objectContaining({ code: 'MODULE_NOT_PKCS11' }));
  });

  it('a cancelled dialog changes nothing', async () => {
    picks.module = undefined;
    expect(await dispatch(handlers, 'setup.pickModule', {})).toEqual({ ok: true, value: { cancelled: true } });
    expect(existsSync(settingsPath())).toBe(false);
  });

  it('takes a real PKCS#11 module the person picked, saves it, and shows it (app.status modulePath)', async () => {
    picks.module = SOFTHSM_MODULE;
    const result = await dispatch(handlers, 'setup.pickModule', {});
    expect(result).toEqual({ ok: true, value: { cancelled: false, keys: 0, path: SOFTHSM_MODULE } });
    expect(JSON.parse(readFileSync(settingsPath(), 'utf8'))).toEqual({ pkcs11Module: SOFTHSM_MODULE });
    const status = await dispatch(handlers, 'app.status', {});
    expect(status).toMatchObject({ ok: true, value: { moduleReady: true, modulePath: SOFTHSM_MODULE } });
  });

  it('uses a catalog module by id at its installed path', async () => {
    const result = await dispatch(handlers, 'setup.useModule', { moduleId: 'softhsm2' });
    expect(result).toMatchObject({ ok: true, value: { path: SOFTHSM_MODULE } });
  });

  it('refuses an output folder named by the renderer for a publication', async () => {
    const result = await dispatch(handlers, 'office.publish', { caToken: 'X', caPin: [1, 2, 3, 4], outputFolder: '/etc' });
    expect(result).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('asks the main process’s folder dialog instead; a cancelled dialog writes nothing', async () => {
    picks.folder = undefined;
    const pin = [1, 2, 3, 4, 5, 6];
    const result = await dispatch(handlers, 'office.publish', { caToken: 'X', caPin: pin, chooseFolder: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'FOLDER_NOT_CHOSEN' } });
  });

  it('refuses a document path from the renderer (a sealed copy never goes where the page says)', async () => {
    const document = { name: 'a.pdf', path: '/etc/cron.d/a.pdf', bytes: arrayBufferOf(new TextEncoder().encode('%PDF-1.7')) };
    for (const [channel, payload] of [
      ['verify.files', { documents: [document] }],
      ['verify.exportReport', { document }],
      ['stamp.seal', { token: 'T', pin: [1, 2, 3, 4], documents: [document], documentType: 'internal-letter', approvalReference: 'R', approver: 'A', placement: { kind: 'last-page' }, seamSeal: false }],
    ] as const) {
      expect(await dispatch(handlers, channel, payload), channel).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    }
  });
});

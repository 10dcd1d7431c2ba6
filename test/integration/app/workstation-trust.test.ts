import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src/main/app/app-services';
import { createHandlers, dispatch, type HandlerTable } from '../../../src/main/ipc/handlers';
import { provisionOffice, type OfficeFixture } from '../../helpers/office';

/**
 * Issue #14: a workstation or a receiver imports the office's publication in the window. The
 * first snapshot only under the group root picked in the main process's dialog and confirmed
 * by its SHA-256 fingerprint; later ones only newer (M1, rollback refused); what is trusted and
 * since when is shown. The app's own composition, a real published snapshot (office publish).
 */
describe('workstation and receiver trust through the handler table', () => {
  let office: OfficeFixture;
  let dir: string;
  let services: AppServices;
  let handlers: HandlerTable;
  const picks: { root?: string; snapshot?: string; crl?: string } = {};

  beforeAll(async () => {
    office = await provisionOffice();
    dir = mkdtempSync(join(tmpdir(), 'yinjian-receiver-'));
    services = createAppServices({
      appDataDir: dir,
      exportFolder: () => dir,
      workstationCode: () => 'WS-RECEIVER',
      dialogs: { pickModuleFile: async () => undefined, pickFolder: async () => undefined, pickFile: async (purpose) => (purpose === 'group-root' ? picks.root : purpose === 'crl' ? picks.crl : picks.snapshot) },
    });
    handlers = createHandlers(services);
  }, 120_000);

  afterAll(() => {
    services?.close();
    office?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trusts nothing at first, and takes no CRL before a root is trusted', async () => {
    expect(await dispatch(handlers, 'trust.state', {})).toEqual({ ok: true, value: { root: null, snapshot: null, crl: null } });
    picks.crl = join(office.publicationDir, 'group-seal-ca.crl');
    expect(await dispatch(handlers, 'trust.importCrl', {})).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_ROOT_NOT_PINNED' } });
  });

  it('refuses the first import without a picked and confirmed root', async () => {
    picks.snapshot = join(office.publicationDir, 'register-snapshot-000001.p7m');
    expect(await dispatch(handlers, 'trust.importSnapshot', {})).toMatchObject({ ok: false, error: { code: 'TRUST_ROOT_NOT_CONFIRMED' } });
    picks.root = office.rootPem;
    const picked = await dispatch(handlers, 'trust.pickRoot', {});
    expect(picked).toMatchObject({ ok: true, value: { cancelled: false } });
    const sha256 = (picked as { value: { sha256: string } }).value.sha256;
    expect(sha256).toMatch(/^[0-9a-f]{64}$/i);
    // A fingerprint that differs by one digit is not a confirmation.
    const wrong = `${sha256.slice(0, -1)}${sha256.endsWith('0') ? '1' : '0'}`;
    expect(await dispatch(handlers, 'trust.importSnapshot', { confirmedRootSha256: wrong })).toMatchObject({ ok: false, error: { code: 'TRUST_ROOT_NOT_CONFIRMED' } });
    expect((await dispatch(handlers, 'trust.state', {})) as unknown).toEqual({ ok: true, value: { root: null, snapshot: null, crl: null } });
  });

  it('imports the first snapshot under the confirmed root, and shows what is trusted since when', async () => {
    const picked = (await dispatch(handlers, 'trust.pickRoot', {})) as { value: { sha256: string } };
    // Read out by phone in groups with colons: compared as hex digits.
    const spoken = picked.value.sha256.toUpperCase().match(/../g)!.join(':');
    const result = await dispatch(handlers, 'trust.importSnapshot', { confirmedRootSha256: spoken });
    expect(result).toMatchObject({ ok: true, value: { cancelled: false, sequence: 1, group: office.groupName, pinned: true, rootSha256: picked.value.sha256 } });
    const state = await dispatch(handlers, 'trust.state', {});
    expect(state).toMatchObject({ ok: true, value: { root: { sha256: picked.value.sha256 }, snapshot: { sequence: 1, group: office.groupName, seals: 1 } } });
    const value = (state as { value: { root: { since: string | null } } }).value;
    expect(value.root.since).not.toBeNull();
    // The CRL published beside the snapshot is kept with it, as `yinjian register import` does.
    expect(state).toMatchObject({ ok: true, value: { crl: { crlNumber: '1', revoked: 0, importedAt: expect.any(String) } } });
  });

  it('refuses the same (or an older) snapshot again: no rollback', async () => {
    const again = await dispatch(handlers, 'trust.importSnapshot', {});
    expect(again).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_ROLLBACK' } });
  });

  it('imports a newer CRL picked in the dialog; refuses an older one and a file that is no CRL (GROUP_CRL_REFUSED)', async () => {
    const newer = join(dir, 'publication-2');
    const published = await office.cli(['office', 'publish', '--ca-token', office.ca.label, '--out', newer, '--pin-stdin'], { stdin: `${office.ca.pin}\n` });
    expect(published.code, published.stderr).toBe(0);
    picks.crl = join(newer, 'group-seal-ca.crl');
    expect(await dispatch(handlers, 'trust.importCrl', {})).toMatchObject({ ok: true, value: { cancelled: false, crlNumber: '2', revoked: 0, nextUpdate: expect.any(String) } });
    picks.crl = join(office.publicationDir, 'group-seal-ca.crl');
    expect(await dispatch(handlers, 'trust.importCrl', {})).toMatchObject({ ok: false, error: { code: 'GROUP_CRL_REFUSED' } });
    picks.crl = office.rootPem;
    expect(await dispatch(handlers, 'trust.importCrl', {})).toMatchObject({ ok: false, error: { code: 'GROUP_CRL_REFUSED' } });
    expect(await dispatch(handlers, 'trust.state', {})).toMatchObject({ ok: true, value: { crl: { crlNumber: '2' } } });
    picks.crl = undefined;
    expect(await dispatch(handlers, 'trust.importCrl', {})).toEqual({ ok: true, value: { cancelled: true } });
  }, 60_000);

  it('a cancelled dialog changes nothing', async () => {
    picks.snapshot = undefined;
    expect(await dispatch(handlers, 'trust.importSnapshot', {})).toEqual({ ok: true, value: { cancelled: true } });
    expect(await dispatch(handlers, 'trust.importSnapshot', { path: '/tmp/x.p7m' })).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});

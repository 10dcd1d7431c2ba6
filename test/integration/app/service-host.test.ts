import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppEvents } from '../../../src/main/app/events';
import type { HostPort } from '../../../src/main/app/host/host-port';
import { connectServiceHost, type ServiceHostConnection } from '../../../src/main/ipc/service-host';
import type { EventMessage } from '../../../src/shared/ipc/events';
import { documentPdf } from '../../e2e/harness/documents';
import { startTestWorkerHost } from '../../helpers/service-host';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';
import { arrayBufferOf } from '../../helpers/array-buffer';
import { currentWorkstation } from '../../../src/main/infra/machine/workstation-id';

async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/**
 * The handler table off the main thread (issue #14): src/main/host.ts in a real worker thread,
 * on a SoftHSM2 token store and a temporary data folder, over the same port protocol the
 * app's utilityProcess uses. Nothing of the services is loaded in this (the main) thread.
 */
describe('service host in a worker thread', () => {
  let hsm: SoftHsmFixture;
  let dataDir: string;
  let connection: ServiceHostConnection;
  const ports: HostPort[] = [];
  const seen: EventMessage[] = [];
  const dialogsAsked: string[] = [];

  beforeAll(() => {
    hsm = provisionSoftHsm();
    hsm.createToken({ label: '行政部印章', soPin: '87654321', userPin: '20240701' });
    dataDir = mkdtempSync(join(tmpdir(), 'yinjian-host-'));
    const events = createAppEvents();
    events.subscribe((m) => seen.push(m));
    connection = connectServiceHost({
      start: () => {
        const port = startTestWorkerHost();
        ports.push(port);
        return port;
      },
      init: { appDataDir: dataDir, exportFolder: dataDir, workstationCode: 'WS-HOST-0001', envModule: hsm.modulePath },
      dialogs: {
        pickModuleFile: async () => {
          dialogsAsked.push('module');
          return hsm.modulePath;
        },
        pickFolder: async () => undefined,
        pickFile: async (purpose) => {
          dialogsAsked.push(purpose);
          return undefined;
        },
        saveFile: async (purpose, suggestedName) => {
          dialogsAsked.push(`save:${purpose}:${suggestedName.endsWith('.json') ? 'json' : 'other'}`);
          return undefined;
        },
      },
      forward: (event, payload) => events.forward(event, payload),
    });
  });

  afterAll(async () => {
    connection?.close();
    await new Promise((r) => setTimeout(r, 200));
    for (const port of ports) port.close();
    hsm?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the contract from the worker: status, the keys on the token, refusals with their codes', async () => {
    expect(isMainThread).toBe(true);
    const status = await connection.invoke('app.status', {});
    expect(status).toMatchObject({ ok: true, value: { workstationCode: 'WS-HOST-0001', demoMode: false } });
    const keys = await connection.invoke('usbKey.list', {});
    expect(keys.ok && (keys.value as { label: string }[]).map((k) => k.label)).toEqual(['行政部印章']);
    // The contract's checks run in the host as in-process: a malformed request is USAGE, an unknown channel too.
    expect(await connection.invoke('usbKey.changePin', { token: 'x', oldPin: 'not bytes', newPin: [] })).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(await connection.invoke('shell.openExternal', {})).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('verifies a document in the worker', async () => {
    const pdf = await documentPdf('关于召开年度工作会议的通知', ['各部门：', '定于下周一召开年度工作会议。']);
    const bytes = arrayBufferOf(pdf);
    const result = connection.invoke('verify.files', { documents: [{ name: '通知.pdf', bytes }] });
    // The document's ArrayBuffer was transferred to the worker, not copied: this thread's is detached.
    expect(bytes.byteLength).toBe(0);
    expect(await result).toMatchObject({ ok: true, value: { reports: [{ name: '通知.pdf', verdict: 'UNSIGNED', size: pdf.length }] } });
    // …and pushed its progress through the port, parsed in this thread before anyone sees it.
    expect(seen.filter((m) => m.event === 'verify.progress').map((m) => (m.payload as { active: boolean }).active)).toEqual([true, false]);
  });

  it('reads the workstation code itself when the main process does not name it (as in the app: no machine-id call on the main process)', async () => {
    const own = connectServiceHost({ start: () => startTestWorkerHost(), init: { appDataDir: dataDir, exportFolder: dataDir } });
    try {
      expect(await own.invoke('workstation.id', {})).toEqual({ ok: true, value: { code: currentWorkstation().code } });
    } finally {
      own.close();
    }
  });

  it('asks the main thread for its dialogs: a path comes only from there', async () => {
    const picked = await connection.invoke('setup.pickModule', {});
    expect(picked).toMatchObject({ ok: true, value: { cancelled: false, path: hsm.modulePath, keys: 1 } });
    expect(await connection.invoke('trust.pickRoot', {})).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(dialogsAsked).toEqual(['module', 'group-root']);
    // The S6 export's save dialog too, with the name it suggests (issue #14).
    expect(await connection.invoke('export.workstation', {})).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(dialogsAsked).toEqual(['module', 'group-root', 'save:workstation-export:json']);
  });

  it('pushes a key insertion from the worker', async () => {
    seen.length = 0;
    await connection.invoke('usbKey.list', {});
    hsm.createToken({ label: '财务部印章', soPin: '87654321', userPin: '20240701' });
    await until(() => seen.some((m) => m.event === 'usbKey.changed'));
    const change = seen.find((m) => m.event === 'usbKey.changed')!.payload as { inserted: { label: string }[] };
    expect(change.inserted.map((k) => k.label)).toEqual(['财务部印章']);
  });

  it('a host that dies fails the calls in flight with IPC_TRANSPORT_FAILED, and the next call starts a fresh one', async () => {
    const pdf = await documentPdf('通知', ['正文']);
    const inFlight = connection.invoke('verify.files', { documents: Array.from({ length: 20 }, (_, i) => ({ name: `${i}.pdf`, bytes: arrayBufferOf(pdf) })) });
    ports.at(-1)!.close();
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'IPC_TRANSPORT_FAILED' } });
    const before = ports.length;
    expect(await connection.invoke('app.status', {})).toMatchObject({ ok: true });
    expect(ports.length).toBe(before + 1);
  });
});

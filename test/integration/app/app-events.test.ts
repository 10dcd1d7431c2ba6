import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppEvents } from '../../../src/main/app/events';
import { createUsbKeyEvents } from '../../../src/main/app/usb-key-events';
import { Pkcs11Library } from '../../../src/main/infra/pkcs11/library';
import { Pkcs11UsbKeyPort } from '../../../src/main/infra/pkcs11/pkcs11-usb-key';
import type { EventMessage } from '../../../src/shared/ipc/events';
import { provisionFaultToken } from '../../helpers/fault-token';
import { provisionSoftHsm, type SoftHsmFixture } from '../../helpers/softhsm';

async function until(predicate: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/** The pushed events of issue #14 on a real SoftHSM2 token store: insert and remove by serial. */
describe('app events', () => {
  let hsm: SoftHsmFixture;
  let port: Pkcs11UsbKeyPort | undefined;

  beforeAll(() => {
    hsm = provisionSoftHsm();
  });
  afterAll(() => {
    port?.close();
    hsm?.cleanup();
  });

  it('drops an event that does not match its schema or has no name in the contract', () => {
    const events = createAppEvents();
    const seen: EventMessage[] = [];
    events.subscribe((m) => seen.push(m));
    events.forward('usbKey.changed', { inserted: 'not a list', removed: [] });
    events.forward('shell.exec', { command: 'rm -rf /' });
    events.forward('stamp.progress', { active: true, done: -1, total: 2 });
    events.emit('stamp.progress', { active: true, done: 1, total: 2, current: 'a.pdf' });
    expect(seen).toEqual([{ event: 'stamp.progress', payload: { active: true, done: 1, total: 2, current: 'a.pdf' } }]);
  });

  it('a listener that throws does not keep the event from the others; unsubscribe stops delivery', () => {
    const events = createAppEvents();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('closed window');
    });
    const off = events.subscribe((m) => seen.push(m.event));
    events.emit('verify.progress', { active: false, done: 0, total: 0 });
    off();
    events.emit('verify.progress', { active: false, done: 0, total: 0 });
    expect(seen).toEqual(['verify.progress']);
  });

  it('pushes usbKey.changed when a key is inserted and removed; retries until a module can be loaded', async () => {
    const events = createAppEvents();
    const changes: EventMessage[] = [];
    events.subscribe((m) => changes.push(m));
    let loadable = false;
    const keyEvents = createUsbKeyEvents({
      port: () => {
        // First run: no module chosen yet; the watcher waits and tries again.
        if (!loadable) throw new Error('no module yet');
        port ??= new Pkcs11UsbKeyPort(Pkcs11Library.load(hsm.modulePath));
        return port;
      },
      events,
      intervalMs: 100,
      retryMs: 100,
    });
    try {
      keyEvents.start();
      loadable = true;
      await new Promise((r) => setTimeout(r, 400));
      hsm.createToken({ label: '行政部印章', soPin: '87654321', userPin: '20240701' });
      await until(() => changes.length > 0);
      expect(changes).toHaveLength(1);
      const inserted = (changes[0]!.payload as { inserted: { serial: string; label: string }[] }).inserted;
      expect(inserted.map((k) => k.label)).toEqual(['行政部印章']);
      const serial = inserted[0]!.serial;
      // Released (a module switch): the watcher stops and watches the next port, which knows the key already.
      keyEvents.release();
      port!.close();
      port = undefined;
      await new Promise((r) => setTimeout(r, 2500));
      expect(changes).toHaveLength(1);
      rmSync(hsm.tokenFolders().find((f) => f.endsWith(serial.slice(-12)))!, { recursive: true });
      await until(() => changes.length > 1);
      expect(changes[1]).toEqual({ event: 'usbKey.changed', payload: { inserted: [], removed: [{ serial, label: '行政部印章' }], changed: [] } });
    } finally {
      keyEvents.stop();
    }
  });
  it('a key that comes while the watcher is down (its looks failing) is announced when watching resumes', async () => {
    // One module per process: the first test's port goes before the fault module loads SoftHSM2.
    port?.close();
    port = undefined;
    const fault = provisionFaultToken({ hsm });
    const faultPort = new Pkcs11UsbKeyPort(Pkcs11Library.load(fault.modulePath));
    const events = createAppEvents();
    const changes: EventMessage[] = [];
    events.subscribe((m) => changes.push(m));
    const keyEvents = createUsbKeyEvents({ port: () => faultPort, events, intervalMs: 100, retryMs: 200 });
    try {
      keyEvents.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(changes).toEqual([]);
      // The driver fails the next 16 slot-list calls (about 3 s of looks): each look fails, the watcher is dropped and retried.
      let looksFailing = 0;
      const list = faultPort.listKeys.bind(faultPort);
      faultPort.listKeys = () => {
        try {
          return list();
        } catch (error) {
          looksFailing++;
          throw error;
        }
      };
      fault.setControl({ note: 'driver failing', deviceErrorAt: Array.from({ length: 16 }, (_, i) => ({ call: 'C_GetSlotList' as const, nth: i + 1 })) });
      await until(() => looksFailing >= 2);
      expect(looksFailing).toBeGreaterThanOrEqual(2);
      // Meanwhile a key is plugged in; then the driver answers again.
      hsm.createToken({ label: '审计部印章', soPin: '87654321', userPin: '20240702' });
      fault.setControl({ note: 'driver answering' });
      await until(() => changes.length > 0);
      expect(changes.map((c) => (c.payload as { inserted: { label: string }[] }).inserted.map((k) => k.label))).toEqual([['审计部印章']]);
    } finally {
      keyEvents.stop();
      faultPort.close();
      fault.cleanup();
    }
  });
  it('the window listing the keys looks through the watcher: a change it sees is announced, and so is its undoing', async () => {
    const own = provisionSoftHsm();
    const ownPort = new Pkcs11UsbKeyPort(Pkcs11Library.load(own.modulePath));
    const events = createAppEvents();
    const changes: EventMessage[] = [];
    events.subscribe((m) => changes.push(m));
    // A watcher whose timed looks never come within the test: only looks on demand happen.
    const keyEvents = createUsbKeyEvents({ port: () => ownPort, events, intervalMs: 600_000 });
    try {
      expect(keyEvents.lookNow()).toBe(true);
      expect(changes).toEqual([]);
      own.createToken({ label: '法务部印章', soPin: '87654321', userPin: '20240703' });
      // The window asks for the key list (usbKey.list looks through the watcher): the key is announced at once.
      expect(keyEvents.lookNow()).toBe(true);
      const inserted = changes.map((c) => (c.payload as { inserted: { serial: string; label: string }[] }).inserted).flat();
      expect(inserted.map((k) => k.label)).toEqual(['法务部印章']);
      rmSync(own.tokenFolders().find((f) => f.endsWith(inserted[0]!.serial.slice(-12)))!, { recursive: true });
      expect(keyEvents.lookNow()).toBe(true);
      expect(changes.at(-1)).toEqual({ event: 'usbKey.changed', payload: { inserted: [], removed: [{ serial: inserted[0]!.serial, label: '法务部印章' }], changed: [] } });
      expect(changes).toHaveLength(2);
    } finally {
      keyEvents.stop();
      ownPort.close();
      own.cleanup();
    }
  });
});

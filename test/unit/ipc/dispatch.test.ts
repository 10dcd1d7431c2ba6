import { describe, expect, it } from 'vitest';
import { YinjianError } from '../../../src/shared/errors/index';
import { CHANNELS, MAX_REQUEST_BYTES, maxRequestBytesOf, requestSize } from '../../../src/shared/ipc/contract';
import { createHandlers, dispatch, type HandlerTable, type MainServices } from '../../../src/main/ipc/handlers';
import type { UsbKeyService } from '../../../src/main/core/usb-key/usb-key-service';

/**
 * The contract's gate, run with no service behind it: everything refused here is refused
 * before a handler runs. The USB-key service is a throwing stand-in because none of these
 * requests may ever reach it.
 */
const unreachable = (): UsbKeyService => {
  throw new Error('a refused request reached the service');
};
const services: MainServices = { usbKeys: unreachable, workstationCode: () => 'WS-TEST' };
const handlers = createHandlers(services);
/** A document's bytes as the contract takes them: an ArrayBuffer of its own. */
const pdfBytes = (): ArrayBuffer => new TextEncoder().encode('%PDF-1.7\n').slice().buffer;

async function codeOf(channel: unknown, payload: unknown, table: HandlerTable = handlers): Promise<string> {
  const result = await dispatch(table, channel, payload);
  return result.ok ? 'OK' : result.error.code;
}

describe('dispatch: the contract refuses before any handler runs', () => {
  it('answers a well-formed request', async () => {
    await expect(dispatch(handlers, 'workstation.id', {})).resolves.toEqual({ ok: true, value: { code: 'WS-TEST' } });
  });

  it('refuses unknown channels, including prototype names', async () => {
    for (const channel of ['nope', '__proto__', 'constructor', 'toString', 42, null, undefined]) {
      expect(await codeOf(channel, {}), String(channel)).toBe('USAGE');
    }
  });

  it('refuses malformed requests: wrong types, extra keys, PINs as text, out-of-range bytes', async () => {
    expect(await codeOf('usbKey.list', { extra: 1 })).toBe('USAGE');
    expect(await codeOf('usbKey.list', 'string')).toBe('USAGE');
    expect(await codeOf('usbKey.changePin', { token: 'k', oldPin: '123456', newPin: [1, 2, 3] })).toBe('USAGE');
    expect(await codeOf('usbKey.changePin', { token: 'k', oldPin: [300], newPin: [1] })).toBe('USAGE');
    expect(await codeOf('usbKey.changePin', { token: '', oldPin: [1], newPin: [1] })).toBe('USAGE');
    expect(await codeOf('stamp.seal', { token: 'k', pin: [1], documents: [{ name: 'a.pdf', bytes: pdfBytes() }], documentType: 'contract', approvalReference: 'r', approver: 'a', placement: { kind: 'last-page' }, seamSeal: false })).toBe('USAGE');
  });

  it('takes documents as ArrayBuffers only: not base64 text, not a view, not shared memory the sender could change after the checks', async () => {
    const bytes = new TextEncoder().encode('%PDF-1.7');
    for (const [what, document] of [
      ['base64 text', { name: 'a.pdf', base64: 'JVBERi0xLjc=' }],
      ['bytes as text', { name: 'a.pdf', bytes: 'JVBERi0xLjc=' }],
      ['a Uint8Array', { name: 'a.pdf', bytes }],
      ['a SharedArrayBuffer', { name: 'a.pdf', bytes: new SharedArrayBuffer(8) }],
      ['a path beside the bytes', { name: 'a.pdf', bytes: pdfBytes(), path: '/etc/passwd' }],
    ] as const) {
      expect(await codeOf('verify.files', { documents: [document] }), what).toBe('USAGE');
    }
    // The ArrayBuffer itself passes the contract and reaches the (absent) service.
    expect(await codeOf('verify.files', { documents: [{ name: 'a.pdf', bytes: pdfBytes() }] })).toBe('SERVICE_UNAVAILABLE');
  });

  it('holds no document to the old 32 MB cap: bytes are not counted against the request bound, and never stringified', async () => {
    const big = new ArrayBuffer(48 * 1024 * 1024);
    expect(await codeOf('verify.files', { documents: [{ name: 'big.pdf', bytes: big }, { name: 'big2.pdf', bytes: big }] })).toBe('SERVICE_UNAVAILABLE');
    expect(requestSize({ documents: [{ name: 'big.pdf', bytes: big }] })).toBeLessThan(100);
  });

  it('refuses structures that are not plain data: nested too deep, cyclic, typed arrays where numbers go', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(await codeOf('register.usage', { filter: { sealId: deep } })).toBe('USAGE');
    const cyclic: Record<string, unknown> = { token: 'k', oldPin: [1], newPin: [1] };
    cyclic.self = cyclic;
    expect(await codeOf('usbKey.changePin', cyclic)).toBe('USAGE');
    expect(await codeOf('usbKey.changePin', { token: 'k', oldPin: new Uint8Array([1, 2]), newPin: [1] })).toBe('USAGE');
    // The bound counts what the JSON would: the same figure within a few bytes.
    const request = { filter: { sealId: 'S-001', staffId: '张三', from: '2026-01-01' } };
    expect(Math.abs(requestSize(request)! - JSON.stringify(request).length)).toBeLessThan(30);
  });

  it('refuses oversized requests by the channel bound', async () => {
    expect(maxRequestBytesOf('usbKey.list')).toBe(MAX_REQUEST_BYTES);
    const big = 'x'.repeat(MAX_REQUEST_BYTES);
    const result = await dispatch(handlers, 'usbKey.changePin', { token: big, oldPin: [1], newPin: [1] });
    expect(result).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(result.ok ? '' : result.error.en).toContain('too large');
  });

  it('carries a refusal as {code, zh, en} and hides unexpected failures behind INTERNAL', async () => {
    const table: HandlerTable = {
      ...handlers,
      'workstation.id': async () => {
        throw new YinjianError('WORKSTATION_ID_UNAVAILABLE', { detail: 'no machine-id' });
      },
      'usbKey.list': async () => {
        throw new Error('secret internals /home/user/.pin');
      },
    };
    const refused = await dispatch(table, 'workstation.id', {});
    expect(refused).toEqual({ ok: false, error: { code: 'WORKSTATION_ID_UNAVAILABLE', zh: expect.stringContaining('no machine-id'), en: expect.stringContaining('no machine-id') } });
    const crashed = await dispatch(table, 'usbKey.list', {});
    expect(crashed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(crashed)).not.toContain('secret internals');
  });

  it('checks responses too: a handler answering outside its schema is an INTERNAL error', async () => {
    const table = { ...handlers, 'workstation.id': async () => ({ code: 42 }) } as unknown as HandlerTable;
    expect(await codeOf('workstation.id', {}, table)).toBe('INTERNAL');
  });

  it('answers SERVICE_UNAVAILABLE for a service not built yet, and zeroes the PIN it was given', async () => {
    const pin = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36];
    const table = createHandlers(services);
    const result = await table['stamp.seal']({ token: 'k', pin, documents: [{ name: 'a.pdf', bytes: pdfBytes() }], documentType: 'internal-letter', approvalReference: 'r', approver: 'a', placement: { kind: 'last-page' }, seamSeal: false }).catch((e: YinjianError) => e.code);
    expect(result).toBe('SERVICE_UNAVAILABLE');
    expect(pin.every((b) => b === 0)).toBe(true);
    for (const channel of ['verify.files', 'register.usage', 'office.issue', 'setup.startDemo'] as const) {
      const request = { 'verify.files': { documents: [{ name: 'a.pdf', bytes: pdfBytes() }] }, 'register.usage': { filter: {} }, 'office.issue': { caToken: 'o', token: 't', unitName: 'u', unitKind: 'department', sealName: 's', sealCode: 'c1', custodianName: 'n', custodianStaffId: 'c', workstationId: 'w', approval: { reference: 'r', approver: 'a' }, caPin: [1], soPin: [2], initialUserPin: [3] }, 'setup.startDemo': {} }[channel];
      expect(await codeOf(channel, request), channel).toBe('SERVICE_UNAVAILABLE');
    }
  });

  it('has a handler for every channel of the contract', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(CHANNELS).sort());
  });
});

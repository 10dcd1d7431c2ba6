import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { ckrName, ckrOf, toTokenError } from '../../../src/main/infra/pkcs11/ckr';
import { RO_SESSION, RW_SESSION } from '../../../src/main/infra/pkcs11/login';
import { faultControlText, parseFaultState } from '../../helpers/fault-token';

describe('fault-module control file', () => {
  it('writes one key=value line per setting, in the syntax the C module parses', () => {
    expect(
      faultControlText({
        note: 'round 2',
        maxTries: 3,
        signDelayMs: 300,
        removeAt: { call: 'C_Sign', nth: 1 },
        deviceErrorAt: [
          { call: 'C_FindObjects', nth: 2 },
          { call: 'C_Login', nth: 1 },
        ],
        toBeChanged: ['0123456789abcdef'],
        initPinToBeChanged: false,
      }),
    ).toBe(
      '# round 2\nmax_tries=3\nsign_delay_ms=300\nremove_at=C_Sign:1\ndevice_error_at=C_FindObjects:2\n' +
        'device_error_at=C_Login:1\nto_be_changed=0123456789abcdef\ninit_pin_to_be_changed=0\n',
    );
    expect(faultControlText({})).toBe('');
  });

  it.each([
    [{ maxTries: 0 }, /maxTries/],
    [{ signDelayMs: -1 }, /signDelayMs/],
    [{ removeAt: { call: 'C_Sign' as const, nth: 0 } }, /from 1/],
    [{ toBeChanged: ['serial longer than sixteen'] }, /not a token serial/],
    [{ note: 'two\nlines' }, /one line/],
  ])('refuses a control the module would misread: %o', (control, message) => {
    expect(() => faultControlText(control)).toThrow(message);
  });

  it('reads the state file the module writes', () => {
    const state = parseFaultState('control 1f2e\ntoken abc failures=2 change=1 removed=0\ntoken def failures=0 change=0 removed=1\n');
    expect(state.get('abc')).toEqual({ failures: 2, toBeChanged: true, removed: false });
    expect(state.get('def')).toEqual({ failures: 0, toBeChanged: false, removed: true });
    expect(state.size).toBe(2);
  });
});

describe('CKR values pkcs11js throws without its Pkcs11Error wrapper', () => {
  // pkcs11js 2.1.7 throws plain Errors from C_FindObjects; the fault module showed a device
  // error there surfacing as TOKEN_OPERATION_FAILED.
  it('reads the value from a raw "CKR_NAME:value" message', () => {
    const raw = new Error(`CKR_DEVICE_ERROR:${pkcs11js.CKR_DEVICE_ERROR}`);
    expect(ckrOf(raw)).toBe(pkcs11js.CKR_DEVICE_ERROR);
    expect(toTokenError(raw).code).toBe('DEVICE_ERROR');
    expect(toTokenError(new Error(`CKR_DEVICE_REMOVED:${pkcs11js.CKR_DEVICE_REMOVED}`)).code).toBe('DEVICE_REMOVED');
  });

  it('leaves other errors alone', () => {
    expect(ckrOf(new Error('CKR_DEVICE_ERROR happened: 48'))).toBeUndefined();
    expect(toTokenError(new Error('boom')).code).toBe('TOKEN_OPERATION_FAILED');
  });
});

describe('PKCS#11 values written as literals (loading login.ts must not load the native library)', () => {
  it('the session flags are pkcs11js\'s CKF_SERIAL_SESSION and CKF_RW_SESSION', () => {
    expect(RW_SESSION).toBe(pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    expect(RO_SESSION).toBe(pkcs11js.CKF_SERIAL_SESSION);
  });

  it('the CKR tables built on first use name and map values as before', () => {
    expect(ckrName(pkcs11js.CKR_PIN_LOCKED)).toBe('CKR_PIN_LOCKED');
    expect(ckrName(0x7ffffff0)).toBe('CKR_0x7ffffff0');
    expect(toTokenError(new Error(`CKR_PIN_LOCKED:${pkcs11js.CKR_PIN_LOCKED}`)).code).toBe('PIN_LOCKED');
  });
});

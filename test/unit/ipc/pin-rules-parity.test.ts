import { describe, expect, it } from 'vitest';
import { assertPinPolicy, evaluatePinRules as mainRules } from '../../../src/main/core/usb-key/pin-policy';
import { evaluatePinRules as screenRules, pinArrayOf, pinBytesOf } from '../../../src/shared/usb-key/pin-rules';

describe('PIN rules on the screen are the rules the main process enforces (M4)', () => {
  it('is one evaluation, not a copy that could drift', () => {
    expect(mainRules).toBe(screenRules);
  });

  const samples = ['', '1', '123456', '654321', 'abcdef', '111111', '20240701', 'Seal#2026', 'a'.repeat(17), 'pässwort', '12 34 56', 'Ab1!Ab1!'];
  it.each(samples)('%j: the dialog shows all rules passing exactly when the main process accepts the PIN', (pin) => {
    const old = pinBytesOf('20240701');
    const allOk = screenRules(pinBytesOf(pin), old).every((r) => r.ok);
    let accepted = true;
    try {
      assertPinPolicy(pinBytesOf(pin), old);
    } catch {
      accepted = false;
    }
    expect(accepted).toBe(allOk);
  });

  it('never turns a non-ASCII character into an accepted byte', () => {
    expect(screenRules(pinBytesOf('密码密码密码')).find((r) => r.rule === 'characters')?.ok).toBe(false);
  });

  it('carries a PIN across IPC as bytes, non-ASCII as 0xff (refused by the key rules), never as text', () => {
    expect(pinArrayOf('Ab1#')).toEqual([65, 98, 49, 35]);
    expect(pinArrayOf('密1')).toEqual([0xff, 49]);
  });
});

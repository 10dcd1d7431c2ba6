import { describe, expect, it } from 'vitest';
import { evaluatePinRules as mainRules } from '../../../src/main/core/usb-key/pin-policy';
import { evaluatePinRules as screenRules, pinBytesOf } from '../../../src/shared/usb-key/pin-rules';

describe('PIN rules on the screen are the rules the main process enforces (M4)', () => {
  const samples = ['', '1', '123456', '654321', 'abcdef', '111111', '20240701', 'Seal#2026', 'a'.repeat(17), 'pässwort', '12 34 56', 'Ab1!Ab1!'];
  it.each(samples)('%j', (pin) => {
    const old = pinBytesOf('20240701');
    expect(screenRules(pinBytesOf(pin), old)).toEqual(mainRules(pinBytesOf(pin), old));
    expect(screenRules(pinBytesOf(pin))).toEqual(mainRules(pinBytesOf(pin)));
  });

  it('never turns a non-ASCII character into an accepted byte', () => {
    expect(screenRules(pinBytesOf('密码密码密码')).find((r) => r.rule === 'characters')?.ok).toBe(false);
  });
});


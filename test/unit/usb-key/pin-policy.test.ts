import { describe, expect, it } from 'vitest';
import { assertPinPolicy, evaluatePinRules } from '../../../src/main/core/usb-key/pin-policy';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const codeOf = (fn: () => void): string => {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('PIN policy (M4: the new PIN must not be trivially guessable)', () => {
  it.each([
    ['Seal-2024', undefined, 'OK'],
    ['a1b2c3', undefined, 'OK'],
    ['135790', undefined, 'OK'],
    ['12345', undefined, 'PIN_POLICY_LENGTH'],
    ['x'.repeat(16), undefined, 'PIN_POLICY_ONE_CHARACTER'],
    ['abcdefghijklmnopq', undefined, 'PIN_POLICY_LENGTH'],
    ['000000', undefined, 'PIN_POLICY_ONE_CHARACTER'],
    ['abcdef', undefined, 'PIN_POLICY_SEQUENCE'],
    ['987654', undefined, 'PIN_POLICY_SEQUENCE'],
    ['1234567890', undefined, 'OK'], // wraps 9→0, so not a strict run
    ['密码123456', undefined, 'PIN_POLICY_CHARACTERS'],
    ['pin with\ttab', undefined, 'PIN_POLICY_CHARACTERS'],
    ['Seal-2024', 'Seal-2024', 'PIN_POLICY_SAME_AS_OLD'],
    ['Seal-2025', 'Seal-2024', 'OK'],
  ])('%s (old %s) → %s', (newPin, oldPin, expected) => {
    expect(codeOf(() => assertPinPolicy(b(newPin), oldPin === undefined ? undefined : b(oldPin)))).toBe(expected);
  });

  it('lists every rule so the UI can show them while the user types', () => {
    const rules = evaluatePinRules(b('123456'));
    expect(rules.map((r) => r.rule)).toEqual(['characters', 'length', 'one-character', 'sequence', 'same-as-old']);
    expect(rules.filter((r) => !r.ok).map((r) => r.rule)).toEqual(['sequence']);
  });
});

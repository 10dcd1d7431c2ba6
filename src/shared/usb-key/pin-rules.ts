/**
 * The PIN policy's rules (M4), in one place for both sides: the forced PIN-change dialog shows
 * them while the user types, and src/main/core/usb-key/pin-policy.ts enforces them with typed
 * errors, so the screen never promises what the key then refuses.
 */
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 16;

export type PinRule = 'length' | 'characters' | 'one-character' | 'sequence' | 'same-as-old';

export interface PinRuleResult {
  readonly rule: PinRule;
  readonly ok: boolean;
}

function isRun(pin: Uint8Array, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) if ((pin[i] as number) - (pin[i - 1] as number) !== step) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Every rule with its outcome, in display order. */
export function evaluatePinRules(newPin: Uint8Array, oldPin?: Uint8Array): PinRuleResult[] {
  const printable = newPin.every((b) => b >= 0x20 && b <= 0x7e);
  const oneCharacter = newPin.length > 0 && newPin.every((b) => b === newPin[0]);
  const sequence = newPin.length > 1 && (isRun(newPin, 1) || isRun(newPin, -1));
  return [
    { rule: 'characters', ok: printable },
    { rule: 'length', ok: newPin.length >= PIN_MIN_LENGTH && newPin.length <= PIN_MAX_LENGTH },
    { rule: 'one-character', ok: !oneCharacter },
    { rule: 'sequence', ok: !sequence },
    { rule: 'same-as-old', ok: oldPin === undefined || !sameBytes(newPin, oldPin) },
  ];
}

/**
 * A typed PIN as bytes. Characters outside one byte become 0xff, which the characters rule
 * rejects, so a non-ASCII PIN is never silently truncated into a different one.
 */
export function pinBytesOf(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[i] = code <= 0x7f ? code : 0xff;
  }
  return bytes;
}

/**
 * The PIN as the number array the IPC contract carries, with the intermediate bytes zeroed;
 * the caller zeroes the array after the call.
 */
export function pinArrayOf(text: string): number[] {
  const bytes = pinBytesOf(text);
  const array = Array.from(bytes);
  bytes.fill(0);
  return array;
}

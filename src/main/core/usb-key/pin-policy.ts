import { YinjianError } from '../../../shared/errors/index';

/**
 * The PIN policy for a new USB-key PIN. The regulation (M4) demands the initial PIN be changed
 * at first use; a new PIN that is trivially guessable would defeat that, so the client refuses:
 * fewer than 6 or more than 16 characters, one character repeated, an ascending or descending
 * run (123456, 654321, abcdef), and the old PIN itself. A rejected PIN names the rule it broke.
 *
 * PINs arrive as Buffers (zeroed by their owner after use); this check reads them in place and
 * never copies them into a string.
 */
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 16;

export type PinRule = 'length' | 'characters' | 'one-character' | 'sequence' | 'same-as-old';

export interface PinRuleResult {
  readonly rule: PinRule;
  readonly ok: boolean;
}

function isPrintableAscii(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

function isRun(pin: Uint8Array, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    if ((pin[i] as number) - (pin[i - 1] as number) !== step) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Every rule with its outcome, in the order the UI lists them while the user types. */
export function evaluatePinRules(newPin: Uint8Array, oldPin?: Uint8Array): PinRuleResult[] {
  const printable = newPin.every(isPrintableAscii);
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

const ERROR_OF_RULE = {
  length: () => new YinjianError('PIN_POLICY_LENGTH', { min: PIN_MIN_LENGTH, max: PIN_MAX_LENGTH }),
  characters: () => new YinjianError('PIN_POLICY_CHARACTERS'),
  'one-character': () => new YinjianError('PIN_POLICY_ONE_CHARACTER'),
  sequence: () => new YinjianError('PIN_POLICY_SEQUENCE'),
  'same-as-old': () => new YinjianError('PIN_POLICY_SAME_AS_OLD'),
} as const satisfies Record<PinRule, () => YinjianError>;

/** Throws the error of the first rule the new PIN breaks. */
export function assertPinPolicy(newPin: Uint8Array, oldPin?: Uint8Array): void {
  const broken = evaluatePinRules(newPin, oldPin).find((r) => !r.ok);
  if (broken) throw ERROR_OF_RULE[broken.rule]();
}

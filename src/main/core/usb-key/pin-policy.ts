import { YinjianError } from '../../../shared/errors/index';
import { evaluatePinRules, PIN_MAX_LENGTH, PIN_MIN_LENGTH, type PinRule } from '../../../shared/usb-key/pin-rules';

/**
 * The PIN policy for a new USB-key PIN. The regulation (M4) demands the initial PIN be changed
 * at first use; a new PIN that is trivially guessable would defeat that, so the client refuses:
 * non-ASCII characters, fewer than 6 or more than 16 characters, one character repeated, an
 * ascending or descending run (123456, 654321, abcdef), and the old PIN itself. A rejected PIN
 * names the rule it broke.
 *
 * The rules themselves live in src/shared so the forced PIN-change dialog evaluates exactly
 * what the main process enforces; PINs are read in place as bytes and never copied to strings.
 */
export { evaluatePinRules, PIN_MAX_LENGTH, PIN_MIN_LENGTH, type PinRule, type PinRuleResult } from '../../../shared/usb-key/pin-rules';

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

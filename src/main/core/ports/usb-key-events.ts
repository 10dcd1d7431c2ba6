/**
 * Rule M5: every login, failed PIN, refusal and PIN change is in the tamper-evident audit log.
 * The USB-key service reports what happened here; the composition root writes it to the
 * register's hash-chained audit log. Details never carry a PIN.
 */
export type UsbKeyEventAction = 'LOGIN' | 'PIN_FAILED' | 'PIN_CHANGED' | 'LOGIN_REFUSED' | 'PIN_RESET';

export interface UsbKeyEvents {
  record(action: UsbKeyEventAction, tokenSerial: string, details?: Readonly<Record<string, string | number | boolean>>): void;
}

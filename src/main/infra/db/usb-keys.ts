import type Database from 'better-sqlite3';
import { registerTransaction } from './transaction';
import type { FirstUseLedger } from '../../core/ports/first-use-ledger';
import type { Actor } from '../../core/register/index';
import type { AuditLog } from './audit-log';
import { isoTime, requireText, timeOrNull } from './column-codec';

interface UsbKeyRow {
  token_serial: string;
  seal_id: string | null;
  initial_pin: number;
  issued_at: string | null;
  pin_changed_at: string | null;
}

export interface UsbKeyRecord {
  readonly tokenSerial: string;
  readonly sealId: string | null;
  readonly initialPin: boolean;
  readonly issuedAt: Date | null;
  readonly pinChangedAt: Date | null;
}

/**
 * The USB keys this register knows, by token serial, and whether each still has the PIN it
 * was issued with (M4). Implements the FirstUseLedger port.
 */
export class UsbKeys implements FirstUseLedger {
  private readonly bySerial: Database.Statement<[string], UsbKeyRow>;
  private readonly upsertIssued: Database.Statement<{ token_serial: string; seal_id: string | null; issued_at: string }>;
  private readonly upsertChanged: Database.Statement<{ token_serial: string; at: string }>;
  private readonly upsertReset: Database.Statement<{ token_serial: string }>;
  private readonly issueInTransaction: (k: { tokenSerial: string; sealId: string | null; at: Date }, actor: Actor) => void;

  constructor(db: Database.Database, audit: AuditLog) {
    this.bySerial = db.prepare('SELECT * FROM usb_keys WHERE token_serial = ?');
    // An issued key starts with its initial PIN, even if the serial was known before (a key
    // re-initialised by the office gets a fresh initial PIN).
    this.upsertIssued = db.prepare(
      `INSERT INTO usb_keys (token_serial, seal_id, initial_pin, issued_at, pin_changed_at)
       VALUES (@token_serial, @seal_id, 1, @issued_at, NULL)
       ON CONFLICT (token_serial) DO UPDATE SET seal_id = excluded.seal_id, initial_pin = 1,
         issued_at = excluded.issued_at, pin_changed_at = NULL`,
    );
    this.upsertChanged = db.prepare(
      `INSERT INTO usb_keys (token_serial, seal_id, initial_pin, issued_at, pin_changed_at)
       VALUES (@token_serial, NULL, 0, NULL, @at)
       ON CONFLICT (token_serial) DO UPDATE SET initial_pin = 0, pin_changed_at = excluded.pin_changed_at`,
    );
    // The office's SO reset gives the key an initial PIN again (M4); when it was issued stays.
    this.upsertReset = db.prepare(
      `INSERT INTO usb_keys (token_serial, seal_id, initial_pin, issued_at, pin_changed_at)
       VALUES (@token_serial, NULL, 1, NULL, NULL)
       ON CONFLICT (token_serial) DO UPDATE SET initial_pin = 1`,
    );
    this.issueInTransaction = registerTransaction(db, (k: { tokenSerial: string; sealId: string | null; at: Date }, actor: Actor) => {
      requireText('tokenSerial', k.tokenSerial);
      this.upsertIssued.run({ token_serial: k.tokenSerial, seal_id: k.sealId, issued_at: isoTime(k.at, 'issuedAt') });
      audit.append({ actor, action: 'KEY_ISSUED', subject: k.tokenSerial, details: { sealId: k.sealId, firstUseChangeRequired: true } });
    });
  }

  /** M4: the office hands out a key with an initial PIN that must be changed before signing. */
  recordIssued(key: { tokenSerial: string; sealId: string | null; at: Date }, actor: Actor): void {
    this.issueInTransaction(key, actor);
  }

  isInitialPin(tokenSerial: string): boolean {
    return this.bySerial.get(tokenSerial)?.initial_pin === 1;
  }

  recordPinChanged(tokenSerial: string, at: Date): void {
    requireText('tokenSerial', tokenSerial);
    this.upsertChanged.run({ token_serial: tokenSerial, at: isoTime(at, 'pinChangedAt') });
  }

  recordInitialPin(tokenSerial: string, _at: Date): void {
    requireText('tokenSerial', tokenSerial);
    this.upsertReset.run({ token_serial: tokenSerial });
  }

  get(tokenSerial: string): UsbKeyRecord | undefined {
    const row = this.bySerial.get(tokenSerial);
    if (row === undefined) return undefined;
    return {
      tokenSerial: row.token_serial,
      sealId: row.seal_id,
      initialPin: row.initial_pin === 1,
      issuedAt: timeOrNull(row.issued_at),
      pinChangedAt: timeOrNull(row.pin_changed_at),
    };
  }
}

import { YinjianError } from '../../../shared/errors/index';
import type { FirstUseLedger } from '../ports/first-use-ledger';
import type { UsbKeyEvents } from '../ports/usb-key-events';
import type { UsbKeyInfo, UsbKeyPort, UsbKeySession } from '../ports/usb-key';
import { INITIAL_PIN_RECORD_LABEL, isInitialPin } from './initial-pin';
import { assertPinPolicy } from './pin-policy';

/** Where the "initial PIN" verdict of rule M4 came from. */
export type InitialPinSource = 'token-flag' | 'first-use-marker' | 'register';

export interface UsbKeyStatus extends UsbKeyInfo {
  /** M4: the user PIN is still the initial one (any source says so). */
  readonly initialPin: boolean;
  readonly initialPinSources: readonly InitialPinSource[];
}

/** Zeroes a PIN buffer: a PIN never outlives the operation it was given for. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

/**
 * The domain's door to USB keys. It enforces rule M4 whatever the key model: a key whose
 * user PIN is still the initial one can do nothing but change its PIN. A key counts as
 * initial when the token says CKF_USER_PIN_TO_BE_CHANGED, when it carries the first-use
 * marker that issuance writes, or when the local register says so — real keys differ in
 * which of these they support, so any one is enough, and a PIN change clears all three.
 *
 * Every method that takes a PIN takes ownership of its buffer and zeroes it before returning.
 */
export class UsbKeyService {
  constructor(
    private readonly port: UsbKeyPort,
    private readonly ledger?: FirstUseLedger,
    private readonly now: () => Date = () => new Date(),
    private readonly events?: UsbKeyEvents,
  ) {}

  /** Records the outcome of a PIN operation (M5) and passes the error on unchanged. */
  private recordFailure(serial: string, error: unknown): void {
    if (!(error instanceof YinjianError)) return;
    if (error.code === 'PIN_INCORRECT' || error.code === 'PIN_LOCKED') {
      this.events?.record('PIN_FAILED', serial, { code: error.code });
    } else if (error.code === 'INITIAL_PIN_MUST_CHANGE' || error.code === 'PIN_IS_INITIAL') {
      this.events?.record('LOGIN_REFUSED', serial, { code: error.code });
    }
  }

  async status(info: UsbKeyInfo): Promise<UsbKeyStatus> {
    const sources: InitialPinSource[] = [];
    if (info.flags.userPinToBeChanged) sources.push('token-flag');
    if (await this.port.hasFirstUseMarker(info.serial)) sources.push('first-use-marker');
    if (this.ledger?.isInitialPin(info.serial)) sources.push('register');
    return { ...info, initialPin: sources.length > 0, initialPinSources: sources };
  }

  async list(): Promise<UsbKeyStatus[]> {
    const keys = this.port.listKeys();
    const statuses: UsbKeyStatus[] = [];
    for (const key of keys) statuses.push(await this.status(key));
    return statuses;
  }

  async info(serialOrLabel: string): Promise<UsbKeyStatus> {
    return this.status(this.port.findKey(serialOrLabel));
  }

  /** The certificates stored on the key as public objects, read without a PIN (which seal it carries). */
  async publicCertificates(serialOrLabel: string): Promise<{ keyId: Uint8Array; label: string; der: Uint8Array }[]> {
    return this.port.listPublicCertificates(this.port.findKey(serialOrLabel).serial);
  }

  /** M4: refuses every operation but a PIN change on a key whose PIN is still initial. */
  async assertPinChanged(serialOrLabel: string): Promise<UsbKeyStatus> {
    const status = await this.info(serialOrLabel);
    if (status.initialPin) throw new YinjianError('INITIAL_PIN_MUST_CHANGE', { sources: status.initialPinSources.join(',') });
    return status;
  }

  /**
   * Opens a logged-in session for signing. Refused with INITIAL_PIN_MUST_CHANGE before the PIN
   * is even tried when the key is still on its initial PIN (M4), and with PIN_IS_INITIAL when
   * the key's initial-PIN record matches (see loginForSigning).
   */
  async openForSigning(serialOrLabel: string, pin: Uint8Array): Promise<UsbKeySession> {
    const { session, checked } = await this.loginForSigning(serialOrLabel, pin);
    await checked;
    return session;
  }

  /**
   * Logs in for signing and returns the session at once, with `checked`: the last M4 check,
   * still running on the thread pool (issue #15: its scrypt, ~0.1–0.15 s of CPU, overlaps
   * the stamping's reading and gating). A PIN set back to the initial one with another tool
   * (so neither the token flag nor our marker says so) is recognised by the key's private
   * initial-PIN record (issue #12): `checked` then rejects with PIN_IS_INITIAL, the session
   * already closed and LOGIN_REFUSED recorded. It resolves once LOGIN is recorded. The PIN
   * buffer is zeroed when `checked` settles, or at once when the login itself fails.
   *
   * The caller must await `checked` before the key signs or writes and before anything is
   * recorded about a document (core/stamp/pipeline.ts): until then the session only reads.
   * `checked` never goes unobserved (a handler is attached here), so a caller that stops
   * early leaves no unhandled rejection.
   */
  async loginForSigning(serialOrLabel: string, pin: Uint8Array): Promise<{ session: UsbKeySession; checked: Promise<void> }> {
    let serial: string | undefined;
    let session: UsbKeySession;
    let records: Uint8Array[];
    try {
      serial = this.port.findKey(serialOrLabel).serial;
      await this.assertPinChanged(serial);
      session = await this.port.openSession(serial, pin);
      try {
        records = await session.readRecords(INITIAL_PIN_RECORD_LABEL);
      } catch (error) {
        await session.close().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (serial !== undefined) this.recordFailure(serial, error);
      wipe(pin);
      throw error;
    }
    const opened = session;
    const loggedIn = serial;
    const checked = (async (): Promise<void> => {
      try {
        let initial = false;
        for (const record of records) if (!initial) initial = await isInitialPin(record, pin);
        if (initial) throw new YinjianError('PIN_IS_INITIAL');
        this.events?.record('LOGIN', loggedIn);
      } catch (error) {
        await opened.close().catch(() => undefined);
        this.recordFailure(loggedIn, error);
        throw error;
      } finally {
        wipe(pin);
      }
    })();
    checked.catch(() => undefined);
    return { session: opened, checked };
  }

  /**
   * Opens a session without the M4 check. Only the office's issuance uses it, on a key it has
   * just initialised (whose PIN is initial by design) and on its own CA key.
   */
  async openForIssuance(serialOrLabel: string, pin: Uint8Array): Promise<UsbKeySession> {
    try {
      return await this.port.openSession(this.port.findKey(serialOrLabel).serial, pin);
    } finally {
      wipe(pin);
    }
  }

  /**
   * The office unlocks a key whose PIN is locked or forgotten: with the SO PIN it sets a new
   * initial user PIN, which the custodian must change before signing again (M4). The new PIN
   * passes the same policy, since the custodian types it at least once.
   */
  async resetUserPin(serialOrLabel: string, soPin: Uint8Array, initialUserPin: Uint8Array): Promise<void> {
    try {
      assertPinPolicy(initialUserPin);
      const key = this.port.findKey(serialOrLabel);
      await this.port.resetUserPin(key.serial, soPin, initialUserPin);
      // M4: the register knows the PIN is initial again, also where the key holds no marker.
      this.ledger?.recordInitialPin(key.serial, this.now());
      this.events?.record('PIN_RESET', key.serial);
    } finally {
      wipe(soPin, initialUserPin);
    }
  }

  /** Changes the user PIN under the PIN policy and clears all three initial-PIN sources (M4). */
  async changePin(serialOrLabel: string, oldPin: Uint8Array, newPin: Uint8Array): Promise<void> {
    try {
      assertPinPolicy(newPin, oldPin);
      const key = this.port.findKey(serialOrLabel);
      try {
        await this.port.changePin(key.serial, oldPin, newPin);
      } catch (error) {
        this.recordFailure(key.serial, error);
        throw error;
      }
      this.ledger?.recordPinChanged(key.serial, this.now());
      this.events?.record('PIN_CHANGED', key.serial);
    } finally {
      wipe(oldPin, newPin);
    }
  }
}

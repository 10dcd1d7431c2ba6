import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { IpcError, UsbKeyStatusDto } from '../../../../shared/ipc/contract';
import { evaluatePinRules, pinArrayOf, pinBytesOf } from '../../../../shared/usb-key/pin-rules';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { usbKeyStore } from './usb-key-store';

/**
 * M4's forced PIN change. It opens by itself when a key still on its initial PIN is present and
 * cannot be dismissed while that key is in: no close button, Escape does nothing, the rest of
 * the window is inert behind it. Pulling the key out is the only way to stop.
 */
export function PinChangeDialog({ usbKey }: { usbKey: UsbKeyStatusDto }) {
  const t = useT();
  const errorText = useErrorText();
  const [oldPin, setOldPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    firstField.current?.focus();
    const swallowEscape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') event.preventDefault();
    };
    window.addEventListener('keydown', swallowEscape, true);
    return () => window.removeEventListener('keydown', swallowEscape, true);
  }, []);

  const oldBytes = pinBytesOf(oldPin);
  const newBytes = pinBytesOf(newPin);
  const rules = evaluatePinRules(newBytes, oldPin === '' ? undefined : oldBytes);
  const mismatch = confirm !== '' && confirm !== newPin;
  const ready = oldPin !== '' && newPin !== '' && rules.every((r) => r.ok) && confirm === newPin && !busy;
  oldBytes.fill(0);
  newBytes.fill(0);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    const oldArray = pinArrayOf(oldPin);
    const newArray = pinArrayOf(newPin);
    try {
      await call('usbKey.changePin', { token: usbKey.serial, oldPin: oldArray, newPin: newArray });
      setOldPin('');
      setNewPin('');
      setConfirm('');
      await usbKeyStore.getState().refresh();
    } catch (caught) {
      setError(ipcErrorOf(caught));
      setOldPin('');
      await usbKeyStore.getState().refresh();
    } finally {
      oldArray.fill(0);
      newArray.fill(0);
      setBusy(false);
    }
  }

  const flags = usbKey.flags;
  return (
    <div className="modal-backdrop" data-testid="pin-dialog-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="pin-title" data-testid="pin-dialog">
        <h2 id="pin-title">{t('pin.title')}</h2>
        <p>{t('pin.explain')}</p>
        <p className="muted">{t('pin.key', { label: usbKey.label, serial: usbKey.serial })}</p>
        {flags.userPinLocked && (
          <p className="alert alert-bad" role="alert" data-testid="pin-locked">
            {t('pin.locked')}
          </p>
        )}
        {!flags.userPinLocked && flags.userPinFinalTry && <p className="alert alert-bad" role="alert" data-testid="tries-left">{t('pin.finalTry')}</p>}
        {!flags.userPinLocked && !flags.userPinFinalTry && flags.userPinCountLow && <p className="alert alert-warn" role="alert" data-testid="tries-left">{t('pin.triesLow')}</p>}
        {!flags.userPinLocked && (
          <form onSubmit={submit} className="form">
            <label>
              {t('pin.old')}
              <input ref={firstField} type="password" autoComplete="off" value={oldPin} onChange={(e) => setOldPin(e.target.value)} data-testid="old-pin" />
            </label>
            <label>
              {t('pin.new')}
              <input type="password" autoComplete="new-password" value={newPin} onChange={(e) => setNewPin(e.target.value)} data-testid="new-pin" />
            </label>
            <label>
              {t('pin.confirm')}
              <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="confirm-pin" />
            </label>
            <div className="pin-rules" aria-live="polite">
              <strong>{t('pin.rules')}</strong>
              <ul>
                {rules.map((r) => (
                  <li key={r.rule} className={newPin === '' ? 'rule-pending' : r.ok ? 'rule-ok' : 'rule-bad'} data-testid={`rule-${r.rule}`} data-ok={newPin !== '' && r.ok}>
                    {newPin === '' ? '○' : r.ok ? '✓' : '✗'} {t(`pin.rule.${r.rule}`)}
                  </li>
                ))}
              </ul>
            </div>
            {mismatch && <p className="alert alert-warn">{t('pin.mismatch')}</p>}
            {error && (
              <p className="alert alert-bad" role="alert" data-testid="pin-error" data-code={error.code}>
                {errorText(error)}
              </p>
            )}
            <button type="submit" className="primary" disabled={!ready} data-testid="pin-submit">
              {busy ? t('pin.working') : t('pin.submit')}
            </button>
          </form>
        )}
        <p className="muted small">{t('pin.cannotDismiss')}</p>
      </div>
    </div>
  );
}

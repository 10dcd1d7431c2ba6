import { useState, type FormEvent } from 'react';
import { call } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { usbKeyStore, useUsbKeys } from '../usb-key/usb-key-store';
import { usePinAction } from '../usb-key/use-pin-action';

const EMPTY = { soPin: '', initialPin: '', initialPinAgain: '' };

/**
 * 解锁 (M4): a custodian's locked key brought to the office is unlocked with its SO PIN and given
 * a new initial PIN, which the custodian must change before the key signs again. The PINs live
 * in password fields, emptied at submit; the arrays sent are zeroed after the call.
 */
export function UnlockForm({ onClose }: { onClose(): void }) {
  const t = useT();
  const errorText = useErrorText();
  const keys = useUsbKeys((s) => s.keys) ?? [];
  const [token, setToken] = useState('');
  const [pins, setPins] = useState(EMPTY);
  const [done, setDone] = useState<{ serial: string; label: string } | undefined>();
  const { busy, error, run } = usePinAction();
  const mismatch = pins.initialPinAgain !== '' && pins.initialPin !== pins.initialPinAgain;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || mismatch) return;
    setDone(undefined);
    await run([pins.soPin, pins.initialPin], () => setPins(EMPTY), async ([soPin, initialUserPin]) => {
      setDone(await call('office.unlock', { token: token.trim(), soPin: soPin!, initialUserPin: initialUserPin! }));
      // Unlocked, on an initial PIN again: the key bar shows it now.
      void usbKeyStore.getState().refresh();
    });
  }

  const pinField = (name: keyof typeof EMPTY, label: 'office.form.keySoPin' | 'office.form.initialPin' | 'office.form.initialPinAgain') => (
    <label>
      {t(label)}
      <input type="password" autoComplete="off" required value={pins[name]} onChange={(e) => setPins({ ...pins, [name]: e.target.value })} data-testid={`unlock-${name}`} />
    </label>
  );

  return (
    <section className="office-key-form card" data-testid="office-form-unlock">
      <h2>{t('office.action.unlock')}</h2>
      <p className="muted">{t('office.unlock.explain')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('office.unlock.token')}
          <select value={token} required onChange={(e) => setToken(e.target.value)} data-testid="unlock-token">
            <option value="" />
            {keys.map((k) => (
              <option key={k.serial} value={k.serial}>
                {k.label}（{k.serial}）{k.flags.userPinLocked ? ` · ${t('office.unlock.locked')}` : ''}
              </option>
            ))}
          </select>
        </label>
        {pinField('soPin', 'office.form.keySoPin')}
        {pinField('initialPin', 'office.form.initialPin')}
        {pinField('initialPinAgain', 'office.form.initialPinAgain')}
        {mismatch && <p className="alert alert-warn">{t('office.form.pinMismatch')}</p>}
        <div className="actions">
          <button type="submit" disabled={busy || mismatch} data-testid="unlock-submit">
            {busy ? t('common.working') : t('office.action.unlock')}
          </button>
          <button type="button" onClick={onClose}>
            {t('office.form.close')}
          </button>
        </div>
      </form>
      {done && (
        <p className="alert alert-ok" role="status" data-testid="unlock-result">
          {t('office.unlock.done', { label: done.label, serial: done.serial })}
        </p>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="unlock-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

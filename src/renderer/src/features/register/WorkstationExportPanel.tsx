import { useState, type FormEvent } from 'react';
import type { ResponseOf } from '../../../../shared/ipc/contract';
import { call } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { signingKey, useUsbKeys } from '../usb-key/usb-key-store';
import { usePinAction } from '../usb-key/use-pin-action';

type Exported = Extract<ResponseOf<'export.workstation'>, { cancelled: false }>;

/**
 * 导出供总裁办检查 (S6) on the workstation: the usage register and the audit log, signed by this
 * computer's seal key (so the office can tell which seal on which computer made it), saved
 * where the person chooses in the main process's save dialog. The PIN is handled as on the
 * stamp screen: a password field emptied at submit, bytes zeroed after the call.
 */
export function WorkstationExportPanel() {
  const t = useT();
  const errorText = useErrorText();
  const keys = useUsbKeys((s) => s.keys);
  // The seal key to sign with: the stamping key by default; the person may choose another.
  const usable = (keys ?? []).filter((k) => !k.initialPin);
  const [chosen, setChosen] = useState<string | undefined>();
  const key = usable.find((k) => k.serial === chosen) ?? signingKey(keys);
  const [pin, setPin] = useState('');
  const [exported, setExported] = useState<Exported | undefined>();
  const { busy, error, run } = usePinAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || !key) return;
    setExported(undefined);
    await run([pin], () => setPin(''), async ([pinArray]) => {
      const answer = await call('export.workstation', { token: key.serial, pin: pinArray! });
      if (!answer.cancelled) setExported(answer);
    });
  }

  return (
    <section className="card" data-testid="workstation-export">
      <h2>{t('export.title')}</h2>
      <p className="muted">{t('export.explain')}</p>
      {key ? (
        <form className="form inline-form" onSubmit={(e) => void submit(e)}>
          <label className="inline">
            {t('export.keyLabel')}
            <select value={key.serial} onChange={(e) => setChosen(e.target.value)} data-testid="export-token">
              {usable.map((k) => (
                <option key={k.serial} value={k.serial}>
                  {t('export.key', { label: k.label, seal: k.seal ? `${k.seal.name}（${k.seal.code}）` : '—' })}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            {t('stamp.pin')}
            <input type="password" autoComplete="off" required value={pin} onChange={(e) => setPin(e.target.value)} data-testid="export-pin" />
          </label>
          <button type="submit" className="primary" disabled={busy || pin === ''} data-testid="export-submit">
            {busy ? t('common.working') : t('export.submit')}
          </button>
        </form>
      ) : (
        <p className="alert alert-warn">{t('export.noKey')}</p>
      )}
      {exported && (
        <p className="alert alert-ok" role="status" data-testid="export-result">
          {t('export.done', { path: exported.path, usage: exported.usageRows, audit: exported.auditRows, workstation: exported.workstation })}
        </p>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="export-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

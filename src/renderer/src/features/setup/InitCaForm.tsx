import { useState, type FormEvent } from 'react';
import type { ResponseOf } from '../../../../shared/ipc/contract';
import { call } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { useUsbKeys } from '../usb-key/usb-key-store';
import { usePinAction } from '../usb-key/use-pin-action';

type GroupCa = ResponseOf<'office.initCa'>;

/** A fingerprint in groups of two, as the office reads it out to workstations and receivers. */
function grouped(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/**
 * 建立集团印章根证书 (M1, `office init-ca`): on the office's computer, the group seal CA key pair
 * is generated on the office USB key (non-extractable) and the root certificate self-signed.
 * Its fingerprint is shown: the office reads it out to every workstation and receiver.
 */
export function InitCaForm({ onDone }: { onDone(): void }) {
  const t = useT();
  const errorText = useErrorText();
  const keys = useUsbKeys((s) => s.keys) ?? [];
  const [fields, setFields] = useState<Record<string, string>>({ keyType: 'rsa2048', years: '25' });
  const [pin, setPin] = useState('');
  const [ca, setCa] = useState<GroupCa | undefined>();
  const { busy, error, run } = usePinAction();
  const value = (name: string) => fields[name] ?? '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run([pin], () => setPin(''), async ([pinArray]) => {
      const years = Number(value('years'));
      setCa(
        await call('office.initCa', {
          token: value('token'),
          groupName: value('groupName').trim(),
          ...(value('commonName').trim() ? { commonName: value('commonName').trim() } : {}),
          ...(Number.isInteger(years) && years > 0 ? { years } : {}),
          keyType: value('keyType') === 'p256' ? 'p256' : 'rsa2048',
          pin: pinArray!,
        }),
      );
      onDone();
    });
  }

  return (
    <section className="card" data-testid="init-ca">
      <h2>{t('initCa.title')}</h2>
      <p className="muted">{t('initCa.explain')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('initCa.token')}
          <select value={value('token')} required onChange={(e) => setFields({ ...fields, token: e.target.value })} data-testid="init-ca-token">
            <option value="" />
            {keys.map((k) => (
              <option key={k.serial} value={k.serial}>
                {k.label}（{k.serial}）
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('initCa.groupName')}
          <input value={value('groupName')} required onChange={(e) => setFields({ ...fields, groupName: e.target.value })} data-testid="init-ca-groupName" />
        </label>
        <label>
          {t('initCa.commonName')}
          <input value={value('commonName')} onChange={(e) => setFields({ ...fields, commonName: e.target.value })} data-testid="init-ca-commonName" />
        </label>
        <div className="grid-2">
          <label>
            {t('initCa.years')}
            <input value={value('years')} inputMode="numeric" onChange={(e) => setFields({ ...fields, years: e.target.value })} data-testid="init-ca-years" />
          </label>
          <label>
            {t('office.form.keyType')}
            <select value={value('keyType')} onChange={(e) => setFields({ ...fields, keyType: e.target.value })} data-testid="init-ca-keyType">
              <option value="rsa2048">RSA 2048</option>
              <option value="p256">ECDSA P-256</option>
            </select>
          </label>
        </div>
        <label>
          {t('initCa.pin')}
          <input type="password" autoComplete="off" required value={pin} onChange={(e) => setPin(e.target.value)} data-testid="init-ca-pin" />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} data-testid="init-ca-submit">
            {busy ? t('common.working') : t('initCa.submit')}
          </button>
        </div>
      </form>
      {ca && (
        <div className="alert alert-ok" role="status" data-testid="init-ca-result">
          <p>{t('initCa.done', { subject: ca.subject, group: ca.groupName })}</p>
          <p>
            {t('trust.fingerprint')}
            <code data-testid="init-ca-fingerprint">{grouped(ca.sha256)}</code>
          </p>
          <p className="muted">{t('initCa.readOut')}</p>
        </div>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="init-ca-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

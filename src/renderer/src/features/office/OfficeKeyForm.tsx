import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { IssuedSealDto, ResponseOf } from '../../../../shared/ipc/contract';
import { call } from '../../api/client';
import { useErrorText, useT, type MessageKey } from '../../i18n/i18n';
import { usbKeyStore } from '../usb-key/usb-key-store';
import { usePinAction } from '../usb-key/use-pin-action';

export type KeyFormMode = 'issue' | 'change' | 'reissue' | 'publish';

type Published = ResponseOf<'office.publish'>;

interface Props {
  readonly mode: KeyFormMode;
  /** The seal chosen in the list (change, re-issue). */
  readonly seal?: { id: string; code: string; name: string };
  readonly approval: { reference: string; approver: string };
  onDone(): void;
  onClose(): void;
}

/** The date of a certificate bound in Beijing time, as the regulation's dates are (E1). */
function beijingDate(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}

const EMPTY_PINS = { caPin: '', soPin: '', initialPin: '', initialPinAgain: '' };

/**
 * The office console's forms that need the USB keys' PINs (S2–S5 and publication): the PINs are
 * typed into password fields, cross IPC as byte arrays that are zeroed after the call, and the
 * fields are cleared after every submit, whatever the outcome.
 */
export function OfficeKeyForm({ mode, seal, approval, onDone, onClose }: Props) {
  const t = useT();
  const errorText = useErrorText();
  const [keys, setKeys] = useState<{ serial: string; label: string }[]>([]);
  const [fields, setFields] = useState<Record<string, string>>({ unitKind: 'department', keyType: 'rsa2048', cause: 'damage' });
  const [pins, setPins] = useState(EMPTY_PINS);
  const { busy, error, run } = usePinAction();
  const [issued, setIssued] = useState<IssuedSealDto | undefined>();
  const [published, setPublished] = useState<Published | undefined>();

  useEffect(() => {
    call('usbKey.list', {}).then(
      (list) => setKeys(list.map((k) => ({ serial: k.serial, label: k.label }))),
      () => setKeys([]),
    );
  }, []);

  const value = (name: string): string => fields[name] ?? '';
  const text = (name: string, label: MessageKey, options: { required?: boolean; hint?: boolean; list?: boolean } = {}): ReactNode => (
    <label>
      {t(label)}
      {options.hint ? `（${t('office.form.unchanged')}）` : ''}
      <input
        value={value(name)}
        required={options.required}
        list={options.list ? 'office-keys' : undefined}
        onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
        data-testid={`office-${name}`}
      />
    </label>
  );
  const pinField = (name: keyof typeof EMPTY_PINS, label: MessageKey): ReactNode => (
    <label>
      {t(label)}
      <input type="password" autoComplete="off" required value={pins[name]} onChange={(e) => setPins({ ...pins, [name]: e.target.value })} data-testid={`office-${name}`} />
    </label>
  );
  const choice = (name: string, label: MessageKey, options: readonly [string, MessageKey | string][]): ReactNode => (
    <label>
      {t(label)}
      <select value={value(name)} onChange={(e) => setFields({ ...fields, [name]: e.target.value })} data-testid={`office-${name}`}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l.startsWith('office.') ? t(l as MessageKey) : l}
          </option>
        ))}
      </select>
    </label>
  );

  const needsIssuancePins = mode !== 'publish';
  const mismatch = needsIssuancePins && pins.initialPinAgain !== '' && pins.initialPin !== pins.initialPinAgain;
  const optional = (name: string): string | undefined => value(name).trim() || undefined;
  const keyType = value('keyType') === 'p256' ? ('p256' as const) : ('rsa2048' as const);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || mismatch) return;
    setIssued(undefined);
    setPublished(undefined);
    const validity = { ...(optional('validFrom') ? { validFrom: optional('validFrom') } : {}), ...(optional('validTo') ? { validTo: optional('validTo') } : {}) };
    const tokenLabel = optional('tokenLabel');
    // The fields are emptied at once: the typed PINs live on only in the arrays, zeroed after the call.
    await run([pins.caPin, pins.soPin, pins.initialPin], () => setPins(EMPTY_PINS), async ([caPin, soPin, initialUserPin]) => {
      if (!caPin || !soPin || !initialUserPin) return;
      if (mode === 'publish') {
        // The folder is chosen in the main process's own dialog, never typed here (issue #14).
        setPublished(await call('office.publish', { caToken: value('caToken').trim(), caPin, ...(value('chooseFolder') === 'yes' ? { chooseFolder: true } : {}) }));
      } else if (mode === 'issue') {
        setIssued(
          await call('office.issue', {
            caToken: value('caToken').trim(),
            token: value('token').trim(),
            ...(tokenLabel ? { tokenLabel } : {}),
            unitName: value('unitName').trim(),
            unitKind: value('unitKind') === 'company' ? 'company' : 'department',
            sealName: value('sealName').trim(),
            sealCode: value('sealCode').trim(),
            custodianName: value('custodianName').trim(),
            custodianStaffId: value('custodianStaffId').trim(),
            workstationId: value('workstationId').trim(),
            approval,
            keyType,
            ...validity,
            caPin,
            soPin,
            initialUserPin,
          }),
        );
      } else {
        if (!seal) return;
        const common = { sealId: seal.id, caToken: value('caToken').trim(), token: value('token').trim(), ...(tokenLabel ? { tokenLabel } : {}), approval, keyType, ...validity, caPin, soPin, initialUserPin };
        if (mode === 'change') {
          const changes = ['sealName', 'custodianName', 'custodianStaffId', 'workstationId'].flatMap((name) => (optional(name) ? [[name, optional(name)!] as const] : []));
          setIssued(await call('office.change', { ...common, ...Object.fromEntries(changes) }));
        } else {
          setIssued(await call('office.reissue', { ...common, cause: value('cause') === 'loss' ? 'loss' : 'damage' }));
        }
      }
      onDone();
      // The key just written carries a new seal and an initial PIN: the key bar shows it now.
      void usbKeyStore.getState().refresh();
    });
  }

  const title: MessageKey = `office.action.${mode}`;
  return (
    <section className="office-key-form" data-testid={`office-form-${mode}`}>
      <h2>
        {t(title)}
        {seal && mode !== 'issue' && mode !== 'publish' ? ` — ${seal.name}（${seal.code}）` : ''}
      </h2>
      <datalist id="office-keys">
        {keys.map((k) => (
          <option key={k.serial} value={k.serial}>
            {k.label}
          </option>
        ))}
      </datalist>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {text('caToken', 'office.form.caToken', { required: true, list: true })}
        {mode !== 'publish' && (
          <>
            {text('token', mode === 'reissue' ? 'office.form.newToken' : 'office.form.sealToken', { required: true, list: true })}
            {text('tokenLabel', 'office.form.tokenLabel')}
          </>
        )}
        {mode === 'issue' && (
          <>
            {text('unitName', 'office.form.unitName', { required: true })}
            {choice('unitKind', 'office.form.unitKind', [
              ['department', 'office.form.unitKind.department'],
              ['company', 'office.form.unitKind.company'],
            ])}
            {text('sealName', 'office.form.sealName', { required: true })}
            {text('sealCode', 'office.form.sealCode', { required: true })}
            {text('custodianName', 'office.form.custodianName', { required: true })}
            {text('custodianStaffId', 'office.form.custodianStaffId', { required: true })}
            {text('workstationId', 'office.form.workstation', { required: true })}
          </>
        )}
        {mode === 'change' && (
          <>
            {text('sealName', 'office.form.sealName', { hint: true })}
            {text('custodianName', 'office.form.custodianName', { hint: true })}
            {text('custodianStaffId', 'office.form.custodianStaffId', { hint: true })}
            {text('workstationId', 'office.form.workstation', { hint: true })}
          </>
        )}
        {mode === 'reissue' &&
          choice('cause', 'office.form.cause', [
            ['damage', 'office.form.cause.damage'],
            ['loss', 'office.form.cause.loss'],
          ])}
        {mode !== 'publish' && (
          <>
            {text('validFrom', 'office.form.validFrom')}
            {text('validTo', 'office.form.validTo')}
            {choice('keyType', 'office.form.keyType', [
              ['rsa2048', 'RSA 2048'],
              ['p256', 'ECDSA P-256'],
            ])}
          </>
        )}
        {mode === 'publish' && (
          <label className="checkbox">
            <input type="checkbox" checked={value('chooseFolder') === 'yes'} onChange={(e) => setFields({ ...fields, chooseFolder: e.target.checked ? 'yes' : '' })} data-testid="publish-choose-folder" />
            {t('office.form.chooseFolder')}
          </label>
        )}
        {pinField('caPin', 'office.form.caPin')}
        {needsIssuancePins && (
          <>
            {pinField('soPin', 'office.form.soPin')}
            {pinField('initialPin', 'office.form.initialPin')}
            {pinField('initialPinAgain', 'office.form.initialPinAgain')}
            {mismatch && <p className="alert alert-warn">{t('office.form.pinMismatch')}</p>}
            <p className="muted">{t('office.form.erases')}</p>
          </>
        )}
        <div className="actions">
          <button type="submit" disabled={busy || mismatch} data-testid="office-submit">
            {busy ? t('common.working') : t(title)}
          </button>
          <button type="button" onClick={onClose}>
            {t('office.form.close')}
          </button>
        </div>
      </form>
      {issued && (
        <div className="alert alert-ok" role="status" data-testid="office-result">
          <p>
            {t('office.result.issued', {
              code: issued.sealCode,
              name: issued.sealName,
              label: issued.tokenLabel,
              token: issued.tokenSerial,
              certificate: issued.certificateSerial,
              from: beijingDate(issued.validFrom),
              to: beijingDate(issued.validTo),
            })}
          </p>
          <p>{t('office.result.firstUse')}</p>
        </div>
      )}
      {published && (
        <div className="alert alert-ok" role="status" data-testid="office-result">
          <p>{t('office.result.published', { sequence: published.sequence, revoked: published.revokedSerials.length, folder: published.folder })}</p>
          <ul>
            {[published.crl, published.snapshot, published.root].map((path) => (
              <li key={path}>{path}</li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

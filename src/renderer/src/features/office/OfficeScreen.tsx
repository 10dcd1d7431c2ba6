import { useEffect, useState } from 'react';
import type { IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT, type MessageKey } from '../../i18n/i18n';
import { DenyListPanel } from './DenyListPanel';
import { OfficeKeyForm, type KeyFormMode } from './OfficeKeyForm';

type SealRow = ResponseOf<'office.seals'>[number];

const SEAL_ACTIONS = ['office.change', 'office.cancel', 'office.reportLoss', 'office.reissue'] as const;
const GLOBAL_ACTIONS = ['office.issue', 'office.publish', 'office.inspectionReport'] as const;
/** Actions that need the USB keys' PINs: they open a form (OfficeKeyForm). */
const KEY_FORMS: Readonly<Record<string, KeyFormMode>> = { 'office.issue': 'issue', 'office.change': 'change', 'office.reissue': 'reissue', 'office.publish': 'publish' };

/**
 * 总裁办控制台 (M1, S2–S6): shown only while the office's CA key is in. Every action records
 * the written application's approval (reference and approver), without which it is refused.
 */
export function OfficeScreen() {
  const t = useT();
  const errorText = useErrorText();
  const [seals, setSeals] = useState<SealRow[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [reference, setReference] = useState('');
  const [approver, setApprover] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();
  const [form, setForm] = useState<KeyFormMode | undefined>();

  const selectedSeal = seals.find((s) => s.id === selected);
  const reload = () => call('office.seals', {}).then(setSeals, (caught) => setError(ipcErrorOf(caught)));
  useEffect(() => {
    void reload();
  }, []);

  async function run(action: (typeof SEAL_ACTIONS)[number] | (typeof GLOBAL_ACTIONS)[number]) {
    setError(undefined);
    setMessage(undefined);
    const approval = { reference: reference.trim(), approver: approver.trim() };
    const keyForm = KEY_FORMS[action];
    if (keyForm !== undefined) {
      if ((keyForm === 'change' || keyForm === 'reissue') && !selected) {
        setMessage(t('office.selectSeal'));
        return;
      }
      setForm(keyForm);
      return;
    }
    try {
      switch (action) {
        case 'office.inspectionReport':
          setMessage(t('common.path', { path: (await call(action, {})).path }));
          break;
        default: {
          if (!selected) {
            setMessage(t('office.selectSeal'));
            return;
          }
          if (action === 'office.cancel') await call(action, { sealId: selected, approval });
          else if (action === 'office.reportLoss') await call(action, { sealId: selected, lostAt: new Date().toISOString(), approval });
          setMessage(t('office.done'));
          await reload();
        }
      }
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  return (
    <div className="office-screen">
      <h1>{t('office.title')}</h1>
      <p className="muted">{t('office.explain')}</p>
      <h2>{t('office.seals')}</h2>
      <table>
        <thead>
          <tr>
            <th />
            <th>{t('office.col.code')}</th>
            <th>{t('office.col.name')}</th>
            <th>{t('office.col.unit')}</th>
            <th>{t('office.col.state')}</th>
            <th>{t('office.col.custodian')}</th>
          </tr>
        </thead>
        <tbody>
          {seals.map((s) => (
            <tr key={s.id}>
              <td>
                <input type="radio" name="seal" checked={selected === s.id} onChange={() => setSelected(s.id)} />
              </td>
              <td>{s.code}</td>
              <td>{s.name}</td>
              <td>{s.unit}</td>
              <td>{t(`seal.state.${s.state}`)}</td>
              <td>{s.custodian}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form inline-form">
        <label>
          {t('office.approvalReference')}
          <input value={reference} onChange={(e) => setReference(e.target.value)} />
        </label>
        <label>
          {t('office.approver')}
          <input value={approver} onChange={(e) => setApprover(e.target.value)} />
        </label>
      </div>
      <div className="actions">
        {SEAL_ACTIONS.map((a) => (
          <button key={a} type="button" onClick={() => void run(a)}>
            {t(`office.action.${a.slice('office.'.length)}` as MessageKey)}
          </button>
        ))}
        {GLOBAL_ACTIONS.map((a) => (
          <button key={a} type="button" onClick={() => void run(a)}>
            {t(`office.action.${a.slice('office.'.length)}` as MessageKey)}
          </button>
        ))}
      </div>
      {form && (
        <OfficeKeyForm
          key={form}
          mode={form}
          {...(selectedSeal ? { seal: selectedSeal } : {})}
          approval={{ reference: reference.trim(), approver: approver.trim() }}
          onDone={() => void reload()}
          onClose={() => setForm(undefined)}
        />
      )}
      {message && <p>{message}</p>}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
      <DenyListPanel />
    </div>
  );
}

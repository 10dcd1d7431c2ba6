import { useEffect, useState } from 'react';
import type { IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT, type MessageKey } from '../../i18n/i18n';
import { InspectionPanel } from '../inspection/InspectionPanel';
import { DenyListPanel } from './DenyListPanel';
import { ScannedDocumentsPanel } from './ScannedDocumentsPanel';
import { OfficeKeyForm, type KeyFormMode } from './OfficeKeyForm';
import { SealPanel } from './SealPanel';
import { UnlockForm } from './UnlockForm';

type SealRow = ResponseOf<'office.seals'>[number];

/** Tasks that need USB keys and their PINs: each opens its form. */
const KEY_TASKS = ['issue', 'change', 'reissue', 'publish', 'unlock'] as const;
type KeyTask = (typeof KEY_TASKS)[number];
/** Tasks on the seal chosen in the list. */
const ON_SEAL: ReadonlySet<KeyTask> = new Set<KeyTask>(['change', 'reissue']);

/**
 * 总裁办控制台 (M1, S2–S6, M3, M4): shown only while the office's CA key is in. Every lifecycle
 * step records the written application's approval (reference and approver), without which the
 * main process refuses it (APPROVAL_REQUIRED). Below the seals: the chosen seal's panel
 * (lifecycle, delegations, may-use), the inspection of workstation exports (S6) and the U2
 * deny list.
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
  const [form, setForm] = useState<KeyTask | undefined>();

  const selectedSeal = seals.find((s) => s.id === selected);
  const approval = { reference: reference.trim(), approver: approver.trim() };
  const reload = () => call('office.seals', {}).then(setSeals, (caught) => setError(ipcErrorOf(caught)));
  useEffect(() => {
    void reload();
  }, []);

  function open(task: KeyTask) {
    setError(undefined);
    setMessage(undefined);
    if (ON_SEAL.has(task) && !selected) {
      setMessage(t('office.selectSeal'));
      return;
    }
    setForm(task);
  }

  return (
    <div className="office-screen">
      <h1>{t('office.title')}</h1>
      <p className="muted">{t('office.explain')}</p>
      <h2>{t('office.seals')}</h2>
      <table data-testid="office-seals">
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
            <tr key={s.id} data-testid="office-seal-row" data-code={s.code} data-state={s.state}>
              <td>
                <input type="radio" name="seal" checked={selected === s.id} onChange={() => setSelected(s.id)} aria-label={s.code} data-testid={`select-seal-${s.code}`} />
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
          <input value={reference} onChange={(e) => setReference(e.target.value)} data-testid="office-approval-reference" />
        </label>
        <label>
          {t('office.approver')}
          <input value={approver} onChange={(e) => setApprover(e.target.value)} data-testid="office-approver" />
        </label>
      </div>
      <div className="actions">
        {KEY_TASKS.map((task) => (
          <button key={task} type="button" onClick={() => open(task)} data-testid={`office-open-${task}`}>
            {t(`office.action.${task}` as MessageKey)}
          </button>
        ))}
      </div>
      {form === 'unlock' && <UnlockForm onClose={() => setForm(undefined)} />}
      {form && form !== 'unlock' && (
        <OfficeKeyForm
          key={form}
          mode={form as KeyFormMode}
          {...(selectedSeal ? { seal: selectedSeal } : {})}
          approval={approval}
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
      {selectedSeal && <SealPanel seal={selectedSeal} approval={approval} onChanged={() => void reload()} />}
      <InspectionPanel />
      <DenyListPanel />
      <ScannedDocumentsPanel />
    </div>
  );
}

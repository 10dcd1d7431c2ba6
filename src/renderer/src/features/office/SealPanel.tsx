import { useEffect, useState, type FormEvent } from 'react';
import type { IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useLocale, useT, type MessageKey } from '../../i18n/i18n';
import { formatTime } from '../../i18n/labels';

type SealRow = ResponseOf<'office.seals'>[number];
type Delegation = ResponseOf<'office.delegations'>[number];
type MayUse = ResponseOf<'office.mayUse'>;

/** Lifecycle steps on the chosen seal that need no USB key: each records the written approval (S3, S5). */
const STEPS = ['office.cancel', 'office.reportLoss', 'office.confirmLoss', 'office.withdrawLoss'] as const;
type Step = (typeof STEPS)[number];

interface Props {
  readonly seal: SealRow;
  readonly approval: { reference: string; approver: string };
  onChanged(): void;
}

/**
 * One seal at the office console: its lifecycle without a key (cancel, report, confirm or
 * withdraw a loss: S3, S5), its delegations (M3: list, record, end early) and the may-use check.
 * Every refusal is the main process's typed error, shown as it comes.
 */
export function SealPanel({ seal, approval, onChanged }: Props) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const errorText = useErrorText();
  const [lostAt, setLostAt] = useState('');
  const [delegations, setDelegations] = useState<Delegation[]>([]);
  const [proxy, setProxy] = useState<Record<string, string>>({});
  const [check, setCheck] = useState<Record<string, string>>({});
  const [mayUse, setMayUse] = useState<MayUse | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  const loadDelegations = () => call('office.delegations', { sealId: seal.id }).then(setDelegations, (caught) => setError(ipcErrorOf(caught)));
  useEffect(() => {
    setMessage(undefined);
    setError(undefined);
    setMayUse(undefined);
    void loadDelegations();
  }, [seal.id]);

  async function run(action: () => Promise<unknown>, done: MessageKey) {
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      setMessage(t(done));
      onChanged();
      await loadDelegations();
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  const step = (action: Step) =>
    run(async () => {
      if (action === 'office.reportLoss') await call(action, { sealId: seal.id, lostAt: lostAt.trim(), approval });
      else await call(action, { sealId: seal.id, approval });
    }, `office.done.${action.slice('office.'.length)}` as MessageKey);

  const delegate = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () =>
        call('office.delegate', {
          sealId: seal.id,
          proxyName: (proxy.proxyName ?? '').trim(),
          proxyStaffId: (proxy.proxyStaffId ?? '').trim(),
          approverName: (proxy.approverName ?? '').trim(),
          approverStaffId: (proxy.approverStaffId ?? '').trim(),
          ...(proxy.approverRole === 'general_manager' || proxy.approverRole === 'department_head' ? { approverRole: proxy.approverRole } : {}),
          reason: (proxy.reason ?? '').trim(),
          startsAt: (proxy.startsAt ?? '').trim(),
          endsAt: (proxy.endsAt ?? '').trim(),
        }),
      'office.done.delegate',
    );
  };

  const checkMayUse = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setMayUse(undefined);
    try {
      setMayUse(await call('office.mayUse', { sealId: seal.id, staffId: (check.staffId ?? '').trim(), ...(check.name?.trim() ? { name: check.name.trim() } : {}), ...(check.at?.trim() ? { at: check.at.trim() } : {}) }));
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  };

  const input = (state: Record<string, string>, set: (next: Record<string, string>) => void, name: string, label: MessageKey, required = true) => (
    <label>
      {t(label)}
      <input value={state[name] ?? ''} required={required} onChange={(e) => set({ ...state, [name]: e.target.value })} data-testid={`seal-${name}`} />
    </label>
  );

  return (
    <section className="card seal-panel" data-testid="seal-panel">
      <h2>{t('office.sealPanel.title', { code: seal.code, name: seal.name, state: t(`seal.state.${seal.state}`) })}</h2>
      <div className="actions">
        <label className="inline">
          {t('office.lostAt')}
          <input value={lostAt} placeholder="YYYY-MM-DD HH:MM" onChange={(e) => setLostAt(e.target.value)} data-testid="seal-lostAt" />
        </label>
        {STEPS.map((a) => (
          <button key={a} type="button" onClick={() => void step(a)} data-testid={`seal-${a.slice('office.'.length)}`}>
            {t(`office.action.${a.slice('office.'.length)}` as MessageKey)}
          </button>
        ))}
      </div>

      <h3>{t('office.delegations.title')}</h3>
      {delegations.length === 0 ? (
        <p className="muted">{t('office.delegations.none')}</p>
      ) : (
        <table data-testid="delegations">
          <thead>
            <tr>
              <th>{t('office.delegations.proxy')}</th>
              <th>{t('office.delegations.approver')}</th>
              <th>{t('office.delegations.reason')}</th>
              <th>{t('office.delegations.period')}</th>
              <th>{t('office.delegations.state')}</th>
            </tr>
          </thead>
          <tbody>
            {delegations.map((d) => (
              <tr key={d.id} data-testid="delegation-row">
                <td>
                  {d.proxyName}（{d.proxyStaffId}）
                </td>
                <td>{d.approverName}</td>
                <td>{d.reason}</td>
                <td>
                  {formatTime(d.startsAt, locale)} – {formatTime(d.endsAt, locale)}
                </td>
                <td>
                  {d.revokedAt ? (
                    t('office.delegations.revoked', { at: formatTime(d.revokedAt, locale) })
                  ) : (
                    <button type="button" onClick={() => void run(() => call('office.revokeDelegation', { sealId: seal.id, delegationId: d.id }), 'office.done.revokeDelegation')} data-testid="revoke-delegation">
                      {t('office.delegations.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="form delegate-form" onSubmit={delegate} data-testid="delegate-form">
        <h3>{t('office.action.delegate')}</h3>
        <div className="grid-2">
          {input(proxy, setProxy, 'proxyName', 'office.delegate.proxyName')}
          {input(proxy, setProxy, 'proxyStaffId', 'office.delegate.proxyStaffId')}
          {input(proxy, setProxy, 'approverName', 'office.delegate.approverName')}
          {input(proxy, setProxy, 'approverStaffId', 'office.delegate.approverStaffId')}
          <label>
            {t('office.delegate.approverRole')}
            <select value={proxy.approverRole ?? ''} onChange={(e) => setProxy({ ...proxy, approverRole: e.target.value })} data-testid="seal-approverRole">
              <option value="">{t('office.delegate.role.bySeal')}</option>
              <option value="general_manager">{t('office.delegate.role.general_manager')}</option>
              <option value="department_head">{t('office.delegate.role.department_head')}</option>
            </select>
          </label>
          {input(proxy, setProxy, 'startsAt', 'office.delegate.startsAt')}
          {input(proxy, setProxy, 'endsAt', 'office.delegate.endsAt')}
        </div>
        {input(proxy, setProxy, 'reason', 'office.delegate.reason')}
        <p className="muted">{t('office.delegate.explain')}</p>
        <div className="actions">
          <button type="submit" data-testid="delegate-submit">
            {t('office.action.delegate')}
          </button>
        </div>
      </form>

      <form className="form" onSubmit={(e) => void checkMayUse(e)} data-testid="may-use-form">
        <h3>{t('office.mayUse.title')}</h3>
        <div className="grid-2">
          {input(check, setCheck, 'staffId', 'office.mayUse.staffId')}
          {input(check, setCheck, 'at', 'office.mayUse.at', false)}
        </div>
        <div className="actions">
          <button type="submit" data-testid="may-use-submit">
            {t('office.mayUse.check')}
          </button>
        </div>
        {mayUse && (
          <p className={mayUse.allowed ? 'alert alert-ok' : 'alert alert-bad'} role="status" data-testid="may-use-result" data-allowed={String(mayUse.allowed)} data-code={mayUse.allowed ? undefined : mayUse.refusal.code}>
            {mayUse.allowed
              ? t(mayUse.capacity === 'custodian' ? 'office.mayUse.custodian' : 'office.mayUse.proxy', { at: formatTime(mayUse.at, locale) })
              : t('office.mayUse.refused', { at: formatTime(mayUse.at, locale), reason: errorText(mayUse.refusal) })}
          </p>
        )}
      </form>

      {message && (
        <p className="alert alert-ok" role="status" data-testid="seal-message">
          {message}
        </p>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="seal-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

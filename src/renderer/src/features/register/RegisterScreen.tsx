import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { DOCUMENT_TYPES, type AuditStateDto, type IpcError, type UsageEntryDto, type UsageFilterDto } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useLocale, useT } from '../../i18n/i18n';
import { auditActionLabel, formatTime } from '../../i18n/labels';
import { useApp } from '../../shell/app-store';
import { WorkstationExportPanel } from './WorkstationExportPanel';

/** 用印登记簿 (U3, S6): the usage register with filters and exports, and the audit log's integrity (M5). */
export function RegisterScreen() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const errorText = useErrorText();
  // S6: the export is the workstation's; the office computer inspects exports instead.
  const officeConsole = useApp((s) => s.status?.officeConsole === true);
  const [filter, setFilter] = useState<UsageFilterDto>({});
  const [entries, setEntries] = useState<UsageEntryDto[] | undefined>();
  const [audit, setAudit] = useState<AuditStateDto | undefined>();
  const [error, setError] = useState<IpcError | undefined>();
  const [exported, setExported] = useState<string | undefined>();

  const load = useCallback(async (f: UsageFilterDto) => {
    setError(undefined);
    try {
      setEntries(await call('register.usage', { filter: f }));
      setAudit(await call('register.audit', {}));
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }, []);

  useEffect(() => {
    void load({});
  }, [load]);

  const field = (name: keyof UsageFilterDto) => ({
    value: filter[name] ?? '',
    onChange: (e: { target: { value: string } }) => setFilter({ ...filter, [name]: e.target.value || undefined }),
  });

  async function exportAs(channel: 'register.exportCsv' | 'register.exportPdf') {
    setError(undefined);
    setExported(undefined);
    try {
      setExported((await call(channel, { filter })).path);
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  return (
    <div className="register-screen">
      <h1>{t('register.title')}</h1>
      <form
        className="filters"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void load(filter);
        }}
      >
        <label>
          {t('register.filter.seal')}
          <input {...field('sealId')} />
        </label>
        <label>
          {t('register.filter.person')}
          <input {...field('staffId')} />
        </label>
        <label>
          {t('register.filter.from')}
          <input type="date" {...field('from')} />
        </label>
        <label>
          {t('register.filter.to')}
          <input type="date" {...field('to')} />
        </label>
        <label>
          {t('register.filter.type')}
          <select {...field('documentType')}>
            <option value="">{t('register.filter.any')}</option>
            {DOCUMENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`stamp.type.${type}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          {t('register.search')}
        </button>
        <button type="button" onClick={() => void exportAs('register.exportCsv')} data-testid="export-csv">
          {t('register.exportCsv')}
        </button>
        <button type="button" onClick={() => void exportAs('register.exportPdf')}>
          {t('register.exportPdf')}
        </button>
      </form>
      {exported && <p data-testid="exported">{t('register.exported', { path: exported })}</p>}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
      <h2>{t('register.usage')}</h2>
      {entries?.length === 0 && <p className="muted">{t('register.empty')}</p>}
      {entries && entries.length > 0 && (
        <table data-testid="usage-table">
          <thead>
            <tr>
              <th>{t('register.col.at')}</th>
              <th>{t('register.col.seal')}</th>
              <th>{t('register.col.operator')}</th>
              <th>{t('register.col.title')}</th>
              <th>{t('register.col.type')}</th>
              <th>{t('register.col.pages')}</th>
              <th>{t('register.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="usage-row">
                <td>{formatTime(e.at, locale)}</td>
                <td>{e.sealName ?? e.sealId}</td>
                <td>{e.operatorName}</td>
                <td>{e.documentTitle}</td>
                <td>{(DOCUMENT_TYPES as readonly string[]).includes(e.documentType) ? t(`stamp.type.${e.documentType as (typeof DOCUMENT_TYPES)[number]}`) : e.documentType}</td>
                <td>{e.pages}</td>
                <td>{e.status === 'ok' ? t('register.status.ok') : t('register.status.failed', { code: e.errorCode ?? '' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('register.audit')}</h2>
      {audit && (
        <>
          <p className={audit.ok ? 'alert alert-ok' : 'alert alert-bad'} data-testid="audit-state" data-ok={audit.ok}>
            {audit.ok ? t('register.auditOk', { rows: audit.rows }) : t('register.auditBroken', { seq: audit.brokenSeq ?? 0, reason: audit.reason ?? '' })}
          </p>
          <table>
            <thead>
              <tr>
                <th>{t('register.audit.col.seq')}</th>
                <th>{t('register.col.at')}</th>
                <th>{t('register.audit.col.actor')}</th>
                <th>{t('register.audit.col.action')}</th>
                <th>{t('register.audit.col.subject')}</th>
              </tr>
            </thead>
            <tbody>
              {audit.recent.map((r) => (
                <tr key={r.seq}>
                  <td>{r.seq}</td>
                  <td>{formatTime(r.at, locale)}</td>
                  <td>{r.actorName}</td>
                  <td title={r.action} data-testid="audit-action">{auditActionLabel(r.action, locale)}</td>
                  <td>{r.subject}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!officeConsole && <WorkstationExportPanel />}
    </div>
  );
}

import { useState } from 'react';
import type { DoctorReportDto, IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useLocale, useT } from '../../i18n/i18n';

type Check = DoctorReportDto['moduleChecks'][number];

const BADGE = { ok: 'badge-ok', degraded: 'badge-warn', fail: 'badge-bad' } as const;

/**
 * The key doctor in the set-up screen (issue 17), the window's face of `yinjian token doctor`:
 * the office checks a driver (one of the catalog's, or the one in use) and its keys before
 * buying a model in bulk. Needs no PIN and changes nothing on any key. Each requirement shows
 * its verdict and, when it is not ok, what to do.
 */
export function DoctorPanel({ modules }: { modules: ResponseOf<'setup.modules'> }) {
  const t = useT();
  const errorText = useErrorText();
  const locale = useLocale((s) => s.locale);
  const [report, setReport] = useState<DoctorReportDto | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  const text = (zh: string, en: string): string => (locale === 'zh-CN' ? zh : en);

  async function run(moduleId?: string) {
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      setReport(await call('setup.doctor', moduleId ? { moduleId } : {}));
    } catch (caught) {
      setError(ipcErrorOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const checkRow = (c: Check, key: string) => (
    <li key={key} className="doctor-check" data-testid={`doctor-check-${key}`} data-verdict={c.verdict}>
      <span className={`badge ${BADGE[c.verdict]}`}>{t(`setup.doctorVerdict.${c.verdict}`)}</span> <code>{c.id}</code> {text(c.zh, c.en)}
      {c.todoZh && c.todoEn && (
        <div className="muted" data-testid={`doctor-todo-${key}`}>
          {t('setup.doctorTodo')}
          {text(c.todoZh, c.todoEn)}
        </div>
      )}
    </li>
  );

  return (
    <section className="card" data-testid="doctor-panel">
      <h2>{t('setup.doctor')}</h2>
      <p>{t('setup.doctorExplain')}</p>
      <div className="doctor-actions">
        <button type="button" disabled={busy} onClick={() => void run()} data-testid="doctor-run-current">
          {t('setup.doctorCurrent')}
        </button>{' '}
        {modules
          .filter((m) => m.installedPath)
          .map((m) => (
            <button key={m.id} type="button" disabled={busy} onClick={() => void run(m.id)} data-testid={`doctor-run-${m.id}`}>
              {t('setup.doctorModule', { product: `${m.vendor} ${m.product}` })}
            </button>
          ))}
      </div>
      {busy && <p className="muted">{t('setup.doctorBusy')}</p>}
      {error && (
        <p className="alert alert-bad" role="alert" data-testid="doctor-error" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
      {report && (
        <div data-testid="doctor-report" data-verdict={report.verdict}>
          <p data-testid="doctor-verdict">
            <span className={`badge ${BADGE[report.verdict]}`}>{t(`setup.doctorVerdict.${report.verdict}`)}</span> {t(`setup.doctorSummary.${report.verdict}`)}
          </p>
          <p data-testid="doctor-module">
            {t('setup.doctorModuleLine', { path: report.module.path, library: `${report.module.manufacturer} / ${report.module.libraryDescription} ${report.module.libraryVersion}`, profile: report.module.profile })}
          </p>
          <p className="muted">{report.module.profileNotes}</p>
          <ul className="doctor-checks">{report.moduleChecks.map((c) => checkRow(c, `module-${c.id}`))}</ul>
          {report.tokens.map((token) => (
            <div key={token.slot} className="doctor-token" data-testid={`doctor-token-${token.info?.label || token.slot}`}>
              <h3>
                {token.info
                  ? t('setup.doctorKey', { label: token.info.label || '—', serial: token.keyName ?? token.info.serial, model: `${token.info.manufacturer} ${token.info.model}` })
                  : t('setup.doctorEmptySlot', { slot: token.slotDescription || token.slot })}
                {token.hidden && <span className="muted"> {t('setup.doctorInternal')}</span>}
              </h3>
              <ul className="doctor-checks">{token.checks.map((c) => checkRow(c, `${token.info?.label || token.slot}-${c.id}`))}</ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

import { useState } from 'react';
import type { InspectionResultDto, IpcError } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useLocale, useT } from '../../i18n/i18n';
import { formatTime } from '../../i18n/labels';

const TYPE_LABEL: Readonly<Record<string, 'inspection.type.formal' | 'inspection.type.letter'>> = {
  'internal-formal-document': 'inspection.type.formal',
  'internal-document': 'inspection.type.formal',
  'internal-letter': 'inspection.type.letter',
};

/**
 * 用印检查 (S6) at the office: a workstation's export picked in the main process's dialog is
 * checked (signature by the seal bound to that computer, the audit hash chain, continuity with
 * the head imported last time, a usage row for every stamping); the findings and figures are
 * shown, and the session's report is saved as a PDF where the person chooses.
 */
export function InspectionPanel() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const errorText = useErrorText();
  const [results, setResults] = useState<InspectionResultDto[]>([]);
  const [saved, setSaved] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  async function inspect() {
    setError(undefined);
    setSaved(undefined);
    try {
      const answer = await call('office.inspect', {});
      if (!answer.cancelled) setResults((r) => [answer.result, ...r]);
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  async function save() {
    setError(undefined);
    setSaved(undefined);
    try {
      const answer = await call('office.saveInspectionReport', {});
      if (!answer.cancelled) setSaved(answer.path);
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  return (
    <section className="card" data-testid="inspection">
      <h2>{t('inspection.title')}</h2>
      <p className="muted">{t('inspection.explain')}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void inspect()} data-testid="inspect-export">
          {t('inspection.import')}
        </button>
        <button type="button" disabled={results.length === 0} onClick={() => void save()} data-testid="save-inspection-report">
          {t('inspection.saveReport')}
        </button>
      </div>
      {results.map((r, i) => (
        <div key={`${r.source}-${i}`} className={`inspection-result alert ${r.ok ? 'alert-ok' : 'alert-bad'}`} data-testid="inspection-result" data-ok={String(r.ok)}>
          <p>
            <strong>{r.ok ? t('inspection.passed', { source: r.source }) : t('inspection.failed', { source: r.source })}</strong>
          </p>
          <p>
            {t('inspection.workstation', { workstation: r.workstationId ?? '—' })} · {r.signed ? t('inspection.signed', { seal: r.signerSeal ?? '—' }) : t('inspection.unsigned')}
            {r.exportedAt ? ` · ${t('inspection.exportedAt', { at: formatTime(r.exportedAt, locale) })}` : ''}
          </p>
          {r.figures && (
            <p data-testid="inspection-figures">
              {t('inspection.figures', {
                stampings: r.figures.stampings,
                failed: r.figures.failedStampings,
                refusals: r.figures.refusals,
                pins: r.figures.failedPinAttempts,
                rows: r.figures.newAuditRows,
              })}
              {Object.entries(r.figures.stampingsByType).map(([type, n]) => ` · ${TYPE_LABEL[type] ? t(TYPE_LABEL[type]) : type} ${n}`)}
            </p>
          )}
          {r.findings.length > 0 && (
            <ul className="findings">
              {r.findings.map((f, j) => (
                <li key={j} data-code={f.code} className={f.severity === 'error' ? 'change-bad' : undefined}>
                  <code>{f.code}</code> {locale === 'zh-CN' ? f.zh : f.en}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="inspection-saved">
          {t('inspection.saved', { path: saved })}
        </p>
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="inspection-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

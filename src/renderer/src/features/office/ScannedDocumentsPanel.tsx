import { useEffect, useState } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';

/**
 * 扫描件 (U2, issue #13): whether a page the stamping gate cannot read (a scan OCR cannot make
 * out) is refused, the default, or needs the custodian's confirmation document by document.
 * The same use case as `yinjian office scanned-documents`; published with the next snapshot,
 * audited (SETTING_CHANGED). What OCR does read is still judged: a scanned contract is refused.
 */
export function ScannedDocumentsPanel() {
  const t = useT();
  const errorText = useErrorText();
  const [saved, setSaved] = useState<boolean | undefined>();
  const [allowed, setAllowed] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  useEffect(() => {
    call('office.scannedDocuments', {}).then(
      ({ allowed: current }) => {
        setSaved(current);
        setAllowed(current);
      },
      (caught) => setError(ipcErrorOf(caught)),
    );
  }, []);

  async function save() {
    setError(undefined);
    setMessage(undefined);
    try {
      const { allowed: stored } = await call('office.setScannedDocuments', { allowed });
      setSaved(stored);
      setAllowed(stored);
      setMessage(t('office.scanned.saved'));
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  return (
    <section className="scanned-documents" data-testid="scanned-documents" data-allowed={saved === undefined ? undefined : String(saved)}>
      <h2>{t('office.scanned.title')}</h2>
      <p className="muted small">{t('office.scanned.explain')}</p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={allowed}
          disabled={saved === undefined}
          onChange={(e) => {
            setAllowed(e.target.checked);
            setMessage(undefined);
          }}
          data-testid="scanned-allowed"
        />{' '}
        {t('office.scanned.allow')}
      </label>
      <p className="small" data-testid="scanned-state">
        {saved === undefined ? '' : saved ? t('office.scanned.stateAllowed') : t('office.scanned.stateRefused')}
      </p>
      <button type="button" className="primary" disabled={saved === undefined || saved === allowed} onClick={() => void save()} data-testid="scanned-save">
        {t('office.scanned.save')}
      </button>
      {message && <p data-testid="scanned-message">{message}</p>}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

import { useEffect, useState } from 'react';
import type { IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { usbKeyStore } from '../usb-key/usb-key-store';

type TrustState = ResponseOf<'trust.state'>;
type PickedRoot = Extract<ResponseOf<'trust.pickRoot'>, { cancelled: false }>;
type Imported = Extract<ResponseOf<'trust.importSnapshot'>, { cancelled: false }>;
type ImportedCrl = Extract<ResponseOf<'trust.importCrl'>, { cancelled: false }>;

/** A fingerprint in groups of two, as the office reads it out. */
function grouped(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/**
 * Workstation set-up and receiver trust (M1): the group root picked in the main process's
 * dialog, its fingerprint shown for comparison and confirmed by the person; then register
 * snapshots, only newer ones after the first (the main process refuses a rollback).
 */
export function TrustScreen() {
  const t = useT();
  const errorText = useErrorText();
  const [state, setState] = useState<TrustState | undefined>();
  const [picked, setPicked] = useState<PickedRoot | undefined>();
  const [confirmed, setConfirmed] = useState(false);
  const [imported, setImported] = useState<Imported | undefined>();
  const [importedCrl, setImportedCrl] = useState<ImportedCrl | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  const load = () => call('trust.state', {}).then(setState, (caught) => setError(ipcErrorOf(caught)));
  useEffect(() => {
    void load();
  }, []);

  async function run(action: () => Promise<void>) {
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  const pickRoot = () =>
    run(async () => {
      const root = await call('trust.pickRoot', {});
      setConfirmed(false);
      setPicked(root.cancelled ? undefined : root);
    });

  const importSnapshot = () =>
    run(async () => {
      const result = await call('trust.importSnapshot', picked && confirmed ? { confirmedRootSha256: picked.sha256 } : {});
      if (result.cancelled) return;
      setImported(result);
      // The snapshot names the seals on the keys plugged in: the key bar shows them now.
      void usbKeyStore.getState().refresh();
      setPicked(undefined);
      setConfirmed(false);
      await load();
    });

  const importCrl = () =>
    run(async () => {
      setImportedCrl(undefined);
      const result = await call('trust.importCrl', {});
      if (result.cancelled) return;
      setImportedCrl(result);
      await load();
    });

  const first = state !== undefined && state.root === null;
  return (
    <div className="trust-screen">
      <h1>{t('trust.title')}</h1>
      <p>{t('trust.explain')}</p>
      <section className="card" data-testid="trust-state">
        {state?.root ? (
          <>
            <p>
              <strong>{t('trust.root', { subject: state.root.subject })}</strong>
            </p>
            <p>
              {t('trust.fingerprint')}
              <code data-testid="trusted-fingerprint">{grouped(state.root.sha256)}</code>
            </p>
            {state.root.since && <p className="muted">{t('trust.since', { since: new Date(state.root.since).toLocaleString() })}</p>}
          </>
        ) : (
          state && <p className="alert alert-warn">{t('trust.none')}</p>
        )}
        {state?.snapshot ? (
          <p data-testid="trusted-snapshot">
            {t('trust.snapshot', {
              sequence: state.snapshot.sequence,
              group: state.snapshot.group,
              seals: state.snapshot.seals,
              issuedAt: new Date(state.snapshot.issuedAt).toLocaleString(),
              importedAt: new Date(state.snapshot.importedAt).toLocaleString(),
            })}
          </p>
        ) : (
          state && <p className="muted">{t('trust.noSnapshot')}</p>
        )}
        {state?.crl ? (
          <p data-testid="trusted-crl">
            {t('trust.crl', {
              number: state.crl.crlNumber ?? '—',
              revoked: state.crl.revoked,
              thisUpdate: new Date(state.crl.thisUpdate).toLocaleString(),
              nextUpdate: state.crl.nextUpdate ? new Date(state.crl.nextUpdate).toLocaleString() : '—',
              importedAt: state.crl.importedAt ? new Date(state.crl.importedAt).toLocaleString() : '—',
            })}
          </p>
        ) : (
          state && <p className="muted">{t('trust.noCrl')}</p>
        )}
      </section>
      <section className="card">
        {first && (
          <>
            <button type="button" onClick={() => void pickRoot()} data-testid="pick-root">
              {t('trust.pickRoot')}
            </button>
            {picked && (
              <div className="fingerprint-check" data-testid="root-check">
                <p>{t('trust.compare')}</p>
                <p>
                  <strong>{picked.subject}</strong>
                </p>
                <p>
                  <code data-testid="picked-fingerprint">{grouped(picked.sha256)}</code>
                </p>
                <label className="checkbox">
                  <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="confirm-root" />
                  {t('trust.confirm')}
                </label>
              </div>
            )}
          </>
        )}
        <button type="button" className="primary" disabled={first && !(picked && confirmed)} onClick={() => void importSnapshot()} data-testid="import-snapshot">
          {t('trust.import')}
        </button>
        {imported && (
          <p className="alert alert-ok" role="status" data-testid="import-result">
            {t('trust.imported', { sequence: imported.sequence, group: imported.group, seals: imported.seals })}
          </p>
        )}
        {!first && state !== undefined && (
          <div className="actions">
            <button type="button" onClick={() => void importCrl()} data-testid="import-crl">
              {t('trust.importCrl')}
            </button>
          </div>
        )}
        {importedCrl && (
          <p className="alert alert-ok" role="status" data-testid="import-crl-result">
            {t('trust.importedCrl', { number: importedCrl.crlNumber ?? '—', revoked: importedCrl.revoked })}
          </p>
        )}
        {error && (
          <p className="alert alert-bad" role="alert" data-code={error.code} data-testid="trust-error">
            {errorText(error)}
          </p>
        )}
      </section>
    </div>
  );
}

import { useEffect, useState } from 'react';
import type { IpcError, ResponseOf } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { useApp } from '../../shell/app-store';
import { usbKeyStore } from '../usb-key/usb-key-store';
import { DoctorPanel } from './DoctorPanel';
import { InitCaForm } from './InitCaForm';

/** First run: find the USB key's driver from the catalog, or start the clearly marked demo mode. */
export function SetupScreen() {
  const t = useT();
  const errorText = useErrorText();
  const status = useApp((s) => s.status);
  const loadStatus = useApp((s) => s.loadStatus);
  const go = useApp((s) => s.go);
  const [modules, setModules] = useState<ResponseOf<'setup.modules'>>([]);
  const [error, setError] = useState<IpcError | undefined>();
  const [caSetUp, setCaSetUp] = useState(false);

  useEffect(() => {
    call('setup.modules', {}).then(setModules, (caught) => setError(ipcErrorOf(caught)));
  }, []);

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      await loadStatus();
      await usbKeyStore.getState().refresh();
      go('stamp');
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  return (
    <div className="setup-screen">
      <h1>{t('setup.title')}</h1>
      <p>{t('setup.explain')}</p>
      {status && <p className="muted">{t('setup.workstation', { code: status.workstationCode })}</p>}
      <section className="card">
        <h2>{t('setup.demo')}</h2>
        <p>{t('setup.demoExplain')}</p>
        {status && !status.demoAvailable && <p className="alert alert-warn">{t('setup.demoUnavailable')}</p>}
        <button type="button" className="primary" disabled={!status?.demoAvailable} onClick={() => void act(() => call('setup.startDemo', {}))} data-testid="start-demo">
          {t('setup.demo')}
        </button>
      </section>
      <section className="card">
        <h2>{t('setup.catalog')}</h2>
        <ul className="module-list">
          {modules.map((m) => (
            <li key={m.id}>
              <strong>{m.vendor}</strong> {m.product}{' '}
              {m.installedPath ? (
                <>
                  <span className="badge badge-ok">{t('setup.installed', { path: m.installedPath })}</span>{' '}
                  <button type="button" onClick={() => void act(() => call('setup.useModule', { moduleId: m.id }))} data-testid={`use-module-${m.id}`}>
                    {t('setup.use')}
                  </button>
                </>
              ) : (
                <span className="muted">{t('setup.notInstalled')}</span>
              )}
            </li>
          ))}
        </ul>
        <p className="muted">{t('setup.pickExplain')}</p>
        <button
          type="button"
          data-testid="pick-module"
          onClick={() =>
            void (async () => {
              setError(undefined);
              try {
                // The main process opens its own file dialog; the page never names a path.
                const picked = await call('setup.pickModule', {});
                if (picked.cancelled) return;
                await act(async () => picked);
              } catch (caught) {
                setError(ipcErrorOf(caught));
              }
            })()
          }
        >
          {t('setup.pick')}
        </button>
      </section>
      {status && status.moduleReady && !status.demoMode && (!status.officeConsole || caSetUp) && (
        <InitCaForm
          onDone={() => {
            // The form stays to show the new root's fingerprint; the office console appears beside it.
            setCaSetUp(true);
            void loadStatus();
          }}
        />
      )}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
      <DoctorPanel modules={modules} />
    </div>
  );
}

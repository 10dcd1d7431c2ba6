import { useEffect } from 'react';
import { useLocale, useT, type MessageKey } from './i18n/i18n';
import { OfficeScreen } from './features/office/OfficeScreen';
import { RegisterScreen } from './features/register/RegisterScreen';
import { SetupScreen } from './features/setup/SetupScreen';
import { TrustScreen } from './features/trust/TrustScreen';
import { StampScreen } from './features/stamp/StampScreen';
import { PinChangeDialog } from './features/usb-key/PinChangeDialog';
import { UsbKeyBar } from './features/usb-key/UsbKeyBar';
import { keyNeedingPinChange, useUsbKeys } from './features/usb-key/usb-key-store';
import { usbKeyStore } from './features/usb-key/usb-key-store';
import { VerifyScreen } from './features/verify/VerifyScreen';
import { useApp, type Screen } from './shell/app-store';
import { subscribe } from './api/client';


const NAV: { screen: Screen; label: MessageKey }[] = [
  { screen: 'stamp', label: 'nav.stamp' },
  { screen: 'verify', label: 'nav.verify' },
  { screen: 'register', label: 'nav.register' },
  { screen: 'trust', label: 'nav.trust' },
  { screen: 'office', label: 'nav.office' },
  { screen: 'setup', label: 'nav.setup' },
];

export function App() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const toggleLocale = useLocale((s) => s.toggle);
  const { screen, status, go, loadStatus } = useApp();
  const keys = useUsbKeys((s) => s.keys);
  // M4's forced change is for the custodian at first use. On the office computer (its CA key
  // in), a key it has just issued keeps its initial PIN for the custodian to change: the bar
  // shows that state, and the key still cannot sign (the main process refuses, M4).
  const pinKey = status?.officeConsole ? undefined : keyNeedingPinChange(keys);

  useEffect(() => {
    void loadStatus();
    void usbKeyStore.getState().refresh();
    // The main process's key watcher pushes insert/remove; the list is asked for only then.
    return subscribe('usbKey.changed', () => void usbKeyStore.getState().refresh());
  }, [loadStatus]);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = `${t('app.title')} · ${t('app.subtitle')}`;
  }, [locale, t]);

  const nav = NAV.filter((item) => item.screen !== 'office' || status?.officeConsole);
  return (
    <>
    <div className="app" inert={pinKey ? true : undefined} data-locale={locale}>
      {status?.demoMode && (
        <div className="demo-banner" role="status" data-testid="demo-banner">
          {t('app.demoBanner')}
          {status.demoPin && (
            <>
              {' · '}
              {t('app.demoPin')} <code data-testid="demo-pin">{status.demoPin}</code>
            </>
          )}
        </div>
      )}
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">印</span>
          <span>
            <strong>{t('app.title')}</strong> <span className="muted">{t('app.subtitle')}</span>
          </span>
        </div>
        <nav aria-label="main">
          {nav.map((item) => (
            <button key={item.screen} className={item.screen === screen ? 'tab active' : 'tab'} aria-current={item.screen === screen ? 'page' : undefined} onClick={() => go(item.screen)} data-testid={`nav-${item.screen}`}>
              {t(item.label)}
            </button>
          ))}
        </nav>
        <button className="link" onClick={toggleLocale} aria-label={t('app.languageLabel')} data-testid="language">
          {t('app.language')}
        </button>
      </header>
      <UsbKeyBar />
      <main className="screen">
        {screen === 'stamp' && <StampScreen />}
        {screen === 'verify' && <VerifyScreen />}
        {screen === 'register' && <RegisterScreen />}
        {screen === 'trust' && <TrustScreen />}
        {screen === 'office' && status?.officeConsole && <OfficeScreen />}
        {screen === 'setup' && <SetupScreen />}
      </main>
    </div>
    {pinKey && <PinChangeDialog key={pinKey.serial} usbKey={pinKey} />}
    </>
  );
}

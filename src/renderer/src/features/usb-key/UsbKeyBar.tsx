import type { UsbKeyStatusDto } from '../../../../shared/ipc/contract';
import { useErrorText, useT } from '../../i18n/i18n';
import { useApp } from '../../shell/app-store';
import { useUsbKeys } from './usb-key-store';

function PinState({ usbKey }: { usbKey: UsbKeyStatusDto }) {
  const t = useT();
  if (usbKey.flags.userPinLocked) return <span className="badge badge-bad" data-testid="pin-state">{t('usbKey.pinLocked')}</span>;
  if (usbKey.initialPin) return <span className="badge badge-warn" data-testid="pin-state">{t('usbKey.pinInitial')}</span>;
  if (usbKey.flags.userPinCountLow || usbKey.flags.userPinFinalTry) return <span className="badge badge-warn" data-testid="pin-state">{t('usbKey.pinLow')}</span>;
  return <span className="badge badge-ok" data-testid="pin-state">{t('usbKey.pinChanged')}</span>;
}

/** Always visible: whether a key is in, its seal and unit, the seal's state and the PIN's (M4). */
export function UsbKeyBar() {
  const t = useT();
  const errorText = useErrorText();
  const keys = useUsbKeys((s) => s.keys);
  const error = useUsbKeys((s) => s.error);
  const modulePath = useApp((s) => s.status?.modulePath);
  return (
    <section className="usb-key-bar" aria-label={t('usbKey.bar')} data-testid="usb-key-bar">
      {keys === undefined && <span>{t('usbKey.looking')}</span>}
      {error && <span className="badge badge-bad">{t('usbKey.moduleError', { message: errorText(error) })}</span>}
      {keys?.length === 0 && !error && (
        <span className="usb-key-absent" data-testid="usb-key-absent">
          <span className="key-icon absent" aria-hidden="true" />
          <strong>{t('usbKey.absent')}</strong> · {t('usbKey.absentHint')}
        </span>
      )}
      {keys?.map((usbKey) => (
        <span key={usbKey.serial} className="usb-key" data-testid="usb-key">
          <span className="key-icon present" aria-hidden="true" />
          <strong>{usbKey.label}</strong>
          <span className="muted">{t('usbKey.serial', { serial: usbKey.serial })}</span>
          {usbKey.seal ? (
            <>
              <span data-testid="seal-name">{usbKey.seal.name}</span>
              <span className="muted">{usbKey.seal.unit}</span>
              <span className={usbKey.seal.state === 'ACTIVE' ? 'badge badge-ok' : 'badge badge-bad'}>{t(`seal.state.${usbKey.seal.state}`)}</span>
            </>
          ) : (
            <span className="muted">{t('usbKey.sealUnknown')}</span>
          )}
          <PinState usbKey={usbKey} />
        </span>
      ))}
      {modulePath && (
        <span className="muted module-path" data-testid="module-path" title={modulePath}>
          {t('usbKey.module', { path: modulePath })}
        </span>
      )}
    </section>
  );
}

import { useEffect, useState } from 'react';
import type { UsbKeyStatusDto, YinjianApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    yinjian: YinjianApi;
  }
}

/** The first screen: the USB-key bar. The stamping, verification and office screens follow (issue #6). */
export function App() {
  const [keys, setKeys] = useState<UsbKeyStatusDto[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    void window.yinjian.invoke('usbKey.list', {}).then((result) => {
      if (result.ok) setKeys(result.value);
      else setError(`${result.error.zh} / ${result.error.en}`);
    });
  }, []);

  return (
    <main style={{ fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif', padding: 24 }}>
      <h1>印鉴 Yinjian</h1>
      {error && <p role="alert">{error}</p>}
      {keys === undefined && !error && <p>正在查找 USB Key… / Looking for USB keys…</p>}
      {keys?.length === 0 && <p>请插入印章 USB Key / Please plug in the seal's USB key</p>}
      <ul>
        {keys?.map((key) => (
          <li key={key.serial}>
            {key.label}（{key.serial}）{key.initialPin ? ' — 首次使用须修改 PIN / change the initial PIN first' : ''}
          </li>
        ))}
      </ul>
    </main>
  );
}

import type { ErrorSpec } from './index';

/**
 * Errors of the app's front door (the window, its IPC and the first-run setup). A channel of the
 * contract whose service is not built yet answers SERVICE_UNAVAILABLE, so the screen shows a
 * clear message instead of failing silently.
 */
export const UI_ERRORS = {
  SERVICE_UNAVAILABLE: {
    category: 'internal',
    zh: '此功能（{service}）在本版本中尚未提供',
    en: 'This function ({service}) is not available in this version',
  },
  IPC_SENDER_REFUSED: {
    category: 'usage',
    zh: '拒绝来自未知页面的请求',
    en: 'Request from an unknown frame refused',
  },
  IPC_TRANSPORT_FAILED: {
    category: 'internal',
    zh: '与后台服务的连接中断：{detail}',
    en: 'The connection to the background service failed: {detail}',
  },
  MODULE_NOT_IN_CATALOG: {
    category: 'usage',
    zh: '驱动目录中没有此 USB Key 驱动（{id}），或它未安装在本机',
    en: 'The USB key driver {id} is not in the catalog, or not installed on this computer',
  },
  MODULE_NOT_PKCS11: {
    category: 'input',
    zh: '所选文件不是 PKCS#11 驱动模块：{path}（{detail}）',
    en: 'The chosen file is not a PKCS#11 driver module: {path} ({detail})',
  },
  TRUST_ROOT_NOT_CONFIRMED: {
    category: 'refused',
    zh: '首次导入前须选择集团根证书并核对、确认其 SHA-256 指纹',
    en: 'Before the first import, choose the group root and check and confirm its SHA-256 fingerprint',
  },
  FOLDER_NOT_CHOSEN: {
    category: 'usage',
    zh: '未选择文件夹，未写出任何文件',
    en: 'No folder was chosen; nothing was written',
  },
  DEMO_UNAVAILABLE: {
    category: 'input',
    zh: '演示模式需要 SoftHSM2 软件 USB Key（{detail}）',
    en: 'Demo mode needs the SoftHSM2 software USB key ({detail})',
  },
} as const satisfies Record<string, ErrorSpec>;

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
  DEMO_UNAVAILABLE: {
    category: 'input',
    zh: '演示模式需要 SoftHSM2 软件 USB Key（{detail}）',
    en: 'Demo mode needs the SoftHSM2 software USB key ({detail})',
  },
} as const satisfies Record<string, ErrorSpec>;

import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';

/**
 * Security settings, in one clearly marked place (architecture.md, after VS Code and Signal):
 * context isolation, sandbox, no Node in the renderer, a strict CSP, no navigation, no new
 * windows (links go to the OS browser), every permission request denied, DevTools only in
 * development.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createMainWindow(options: { preloadPath: string; rendererUrl?: string; rendererFile: string; dev: boolean }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 640,
    title: '印鉴 Yinjian',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: options.preloadPath, devTools: options.dev },
  });
  const contents = window.webContents;
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  if (options.rendererUrl) void window.loadURL(options.rendererUrl);
  else void window.loadFile(options.rendererFile);
  return window;
}

/** Applies the CSP header and denies every permission request (camera, notifications, …). */
export function hardenSession(): void {
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export function rendererPaths(baseDir: string): { preloadPath: string; rendererFile: string } {
  return { preloadPath: join(baseDir, '../preload/index.cjs'), rendererFile: join(baseDir, '../renderer/index.html') };
}

import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY, WEB_PREFERENCES, isExternalWebLink } from './security';

export { CONTENT_SECURITY_POLICY, WEB_PREFERENCES } from './security';

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
    if (isExternalWebLink(url)) void shell.openExternal(url);
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

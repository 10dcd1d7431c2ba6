import { BrowserWindow, app, session, shell } from 'electron';
import { join } from 'node:path';
import { APP_START_URL, CONTENT_SECURITY_POLICY, WEB_PREFERENCES, isAllowedExternalUrl, isNavigationAllowed } from './security';

export { CONTENT_SECURITY_POLICY, WEB_PREFERENCES } from './security';

export function createMainWindow(options: { preloadPath: string; rendererUrl?: string; dev: boolean }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 640,
    title: '印鉴 Yinjian',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: options.preloadPath, devTools: options.dev },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.rendererUrl ?? APP_START_URL);
  return window;
}

/**
 * The app-wide guard (after Signal's): every web contents ever created, this window's and any
 * other, may not navigate away from the app, open windows, attach a <webview> or redirect.
 * Links pass to the OS browser only when isAllowedExternalUrl says so.
 */
export function guardAllWebContents(devServerUrl?: string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isNavigationAllowed(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isNavigationAllowed(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
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

export function rendererPaths(baseDir: string): { preloadPath: string; rendererDir: string } {
  return { preloadPath: join(baseDir, '../preload/index.cjs'), rendererDir: join(baseDir, '../renderer') };
}

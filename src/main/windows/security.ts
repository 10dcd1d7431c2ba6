/**
 * Security settings and policies, in one clearly marked place (architecture.md, after VS Code
 * and Signal). No electron import here: every decision the Electron wiring makes (which frame
 * may call, where a page may navigate, which link may leave the app, which file the app://
 * scheme serves) is a pure function, so a plain-Node test holds it against regression (the
 * Electron binary cannot run on the build machines) and the browser-test host serves the
 * renderer under the very same CSP.
 *
 * - contextIsolation, sandbox, no Node in the renderer or its workers: a compromised page gets
 *   neither Node nor the preload's scope.
 * - webSecurity on, no insecure content, no <webview>.
 * - DevTools only in development (set by createMainWindow).
 * - The renderer is served from the privileged custom scheme app://yinjian/, never file://:
 *   a file:// origin is shared by every local file (a downloaded HTML file would be "the app").
 */
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** The custom scheme the renderer is served from, registered as privileged (standard, secure). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'yinjian';
/** The one origin whose main frame may call the main process. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The window's start page. */
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's CSP: everything from the app itself, no remote content, no eval, no inline
 * script or style, no plugins, no framing, no form posts. connect-src 'self' is what lets the
 * browser tests' loopback WebSocket through (same host and port); the packaged app has no
 * network peer at all. img-src allows data:/blob: for the seal impression and the pdf.js pages.
 * React's style={…} sets properties through the CSSOM, which style-src does not govern, so no
 * 'unsafe-inline' is needed for it.
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
] as const;

export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.join('; ');

/** A <meta> CSP cannot carry frame-ancestors (browsers ignore it there); the header does. */
export const META_CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * The origin the renderer is trusted under: app://yinjian in the installed app; the dev
 * server's exact origin (http://localhost:port) only in development.
 */
export function trustedOrigin(devServerUrl?: string): string {
  if (devServerUrl) {
    const dev = parsed(devServerUrl);
    if (dev && (dev.protocol === 'http:' || dev.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(dev.hostname)) return dev.origin;
  }
  return APP_ORIGIN;
}

/**
 * May this frame call the main process? Only the app's own top-level frame, by exact origin:
 * not file:// (any local file shares it), not a prefix match (app://yinjian.evil), not an
 * iframe (the caller passes isMainFrame from Electron's senderFrame).
 */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, devServerUrl?: string): boolean {
  if (!isMainFrame || !frameUrl) return false;
  const url = parsed(frameUrl);
  if (!url) return false;
  if (url.username || url.password) return false;
  // A standard custom scheme has a real origin; URL() reports 'null' for unknown schemes, so
  // the app origin is compared by its parts.
  const origin = url.protocol === `${APP_SCHEME}:` ? `${APP_SCHEME}://${url.host}` : url.origin;
  return origin === trustedOrigin(devServerUrl);
}

/** A page of the app may only move within the app (a reload, a hash); anything else is refused. */
export function isNavigationAllowed(targetUrl: string, devServerUrl?: string): boolean {
  return isTrustedSender(targetUrl, true, devServerUrl);
}

/**
 * Links that may leave the app for the OS browser: https only, to these hosts only. The app
 * itself needs none to work; the list holds the regulation's public sources a screen may cite.
 */
export const EXTERNAL_LINK_ALLOW_LIST: readonly string[] = ['www.gov.cn', 'flk.npc.gov.cn'];

export function isAllowedExternalUrl(url: string, allowList: readonly string[] = EXTERNAL_LINK_ALLOW_LIST): boolean {
  const target = parsed(url);
  if (!target || target.protocol !== 'https:') return false;
  if (target.username || target.password || target.port) return false;
  return allowList.includes(target.hostname);
}

/**
 * The file app://yinjian/<path> serves from the built renderer folder, or undefined: another
 * host, an encoded or literal `..`, a backslash, a NUL or an absolute path never leaves it.
 */
export function appFileFor(requestUrl: string, rendererDir: string): string | undefined {
  const url = parsed(requestUrl);
  if (!url || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const relativePath = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  if (isAbsolute(relativePath)) return undefined;
  const root = resolve(rendererDir);
  const file = normalize(resolve(root, relativePath));
  const inside = relative(root, file);
  if (!inside || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) return undefined;
  return file;
}

/** Content types the app:// scheme serves; anything else is application/octet-stream. */
export const APP_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bcmap': 'application/octet-stream',
};

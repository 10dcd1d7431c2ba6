/**
 * Security settings, in one clearly marked place (architecture.md, after VS Code and Signal).
 * No electron import here, so a plain-Node test can hold these values against regression and the
 * browser-test host can serve the renderer under the very same CSP.
 *
 * - contextIsolation, sandbox, no Node in the renderer or its workers: a compromised page gets
 *   neither Node nor the preload's scope.
 * - webSecurity on, no insecure content, no <webview>.
 * - DevTools only in development (set by createMainWindow).
 */
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

/**
 * The renderer's CSP: everything from the app itself, no remote content, no eval, no plugins,
 * no framing, no form posts. connect-src 'self' is what lets the browser tests' loopback
 * WebSocket through (same host and port); the packaged app loads from file:// and has no
 * network peer at all. img-src allows data:/blob: for the seal impression and the pdf.js pages.
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
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

/** Only web links leave the app, and only to the OS browser. */
export function isExternalWebLink(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

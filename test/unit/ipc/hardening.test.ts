import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, META_CONTENT_SECURITY_POLICY, WEB_PREFERENCES, isAllowedExternalUrl } from '../../../src/main/windows/security';

const REPO = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(resolve(REPO, path), 'utf8');

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0] as string, parts.slice(1)]),
  );
}

function metaCsp(html: string): string {
  const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSP meta tag');
  return match[1] as string;
}

describe('window hardening cannot silently regress', () => {
  it('isolates the renderer: context isolation, sandbox, no Node anywhere, no webview', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('allows only the app itself in the CSP: no remote origin, no eval, no inline script, no plugins, no framing', () => {
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval|https?:|\*/);
    // No inline style either (issue #14): React sets styles through the CSSOM, which CSP allows.
    for (const [name, sources] of csp) expect(sources, name).not.toContain("'unsafe-inline'");
  });

  it('puts the same CSP in the page itself and in the browser-test page', () => {
    expect(metaCsp(read('src/renderer/index.html'))).toBe(META_CONTENT_SECURITY_POLICY);
    expect(metaCsp(read('test/e2e/renderer/index.html'))).toBe(META_CONTENT_SECURITY_POLICY);
    expect(META_CONTENT_SECURITY_POLICY.split('; ')).toEqual(CSP_DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')));
  });

  it('creates the window with these preferences, DevTools only in development, no navigation, no new windows', () => {
    const source = read('src/main/windows/main-window.ts');
    expect(source).toMatch(/webPreferences:\s*\{\s*\.\.\.WEB_PREFERENCES,\s*preload: options\.preloadPath,\s*devTools: options\.dev\s*\}/);
    // The guard covers every web contents the app ever creates, not only this window's.
    expect(source).toMatch(/app\.on\('web-contents-created'/);
    expect(source).toMatch(/on\('will-navigate', \(event, url\) => \{\s*if \(!isNavigationAllowed\(url, devServerUrl\)\) event\.preventDefault\(\);/);
    expect(source).toMatch(/if \(isAllowedExternalUrl\(url\)\) void shell\.openExternal\(url\);\s*return \{ action: 'deny' \}/);
    expect(source).not.toMatch(/loadFile|file:\/\//);
    const entry = read('src/main/index.ts');
    expect(entry).toMatch(/registerAppScheme\(\);\s*guardAllWebContents\(rendererUrl\);/);
    expect(entry).toMatch(/isTrustedSender\(frameUrl, isMainFrame, rendererUrl\)/);
    expect(source).toMatch(/setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\(false\)\)/);
    expect(source).toMatch(/'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/);
  });

  it('sends only allow-listed https links to the OS browser', () => {
    expect(isAllowedExternalUrl('https://www.gov.cn/')).toBe(true);
    expect(isAllowedExternalUrl('https://example.org/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('smb://host/share')).toBe(false);
  });

  it('packages with the Electron fuses set and native modules outside the ASAR', () => {
    const builder = read('electron-builder.yml');
    for (const fuse of ['runAsNode: false', 'enableCookieEncryption: true', 'enableNodeOptionsEnvironmentVariable: false', 'enableNodeCliInspectArguments: false', 'enableEmbeddedAsarIntegrityValidation: true', 'onlyLoadAppFromAsar: true']) {
      expect(builder).toContain(fuse);
    }
    expect(builder).toMatch(/asarUnpack:[\s\S]*\*\*\/\*\.node/);
  });

  it('builds the preload as CommonJS (the sandbox cannot load an ES module preload) and keeps test code out of the app build', () => {
    const config = read('electron.vite.config.ts');
    expect(config).toMatch(/format: 'cjs', entryFileNames: 'index\.cjs'/);
    expect(config).not.toMatch(/test\//);
    expect(read('src/renderer/index.html')).toContain('./src/main.tsx');
    expect(read('src/renderer/src/main.tsx')).not.toMatch(/ws-transport|WebSocket/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  APP_START_URL,
  CONTENT_SECURITY_POLICY,
  EXTERNAL_LINK_ALLOW_LIST,
  appFileFor,
  isAllowedExternalUrl,
  isNavigationAllowed,
  isTrustedSender,
  trustedOrigin,
} from '../../../src/main/windows/security';

/**
 * The Electron wiring's decisions as pure functions (issue #14): the binding asks isTrustedSender,
 * the web-contents guard asks isNavigationAllowed and isAllowedExternalUrl, the app:// handler
 * asks appFileFor. Electron cannot run here; these are what it runs.
 */
describe('who may call the main process (sender check by the app:// origin)', () => {
  it('trusts the app’s own main frame on app://yinjian, and nothing else', () => {
    expect(APP_ORIGIN).toBe('app://yinjian');
    expect(isTrustedSender(APP_START_URL, true)).toBe(true);
    expect(isTrustedSender('app://yinjian/index.html#/verify', true)).toBe(true);
  });

  it('refuses an iframe even of the app’s own origin', () => {
    expect(isTrustedSender(APP_START_URL, false)).toBe(false);
  });

  it('refuses file:// (every local file shares that origin), look-alike hosts and other schemes', () => {
    for (const url of [
      'file:///opt/Yinjian/resources/app.asar/out/renderer/index.html',
      'file:///home/user/Downloads/evil.html',
      'app://yinjian.evil/index.html',
      'app://evil/index.html',
      'app://user:pw@yinjian/index.html',
      'https://yinjian/index.html',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      '',
      'not a url',
    ]) {
      expect(isTrustedSender(url, true), url).toBe(false);
    }
    expect(isTrustedSender(undefined, true)).toBe(false);
  });

  it('trusts the dev server only when given, only on loopback, and then only its exact origin', () => {
    expect(trustedOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    expect(isTrustedSender('http://localhost:5173/index.html', true, 'http://localhost:5173/')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/index.html', true, 'http://localhost:5173/')).toBe(false);
    expect(isTrustedSender(APP_START_URL, true, 'http://localhost:5173/')).toBe(false);
    // A dev URL that is not loopback is ignored: the app origin stays the only trusted one.
    expect(trustedOrigin('https://example.org/')).toBe(APP_ORIGIN);
    expect(isTrustedSender('https://example.org/', true, 'https://example.org/')).toBe(false);
  });
});

describe('where a page may navigate (web-contents-created guard)', () => {
  it('stays inside the app and refuses everything else', () => {
    expect(isNavigationAllowed('app://yinjian/index.html')).toBe(true);
    for (const url of ['https://example.org/', 'file:///etc/passwd', 'app://other/', 'chrome://settings', 'http://127.0.0.1:9/']) {
      expect(isNavigationAllowed(url), url).toBe(false);
    }
  });
});

describe('which links leave the app (shell.openExternal allow-list)', () => {
  it('opens only https links to the listed hosts', () => {
    expect(EXTERNAL_LINK_ALLOW_LIST.length).toBeGreaterThan(0);
    for (const host of EXTERNAL_LINK_ALLOW_LIST) expect(isAllowedExternalUrl(`https://${host}/some/page`)).toBe(true);
  });

  it('refuses any other URL a page asks to open', () => {
    for (const url of [
      'https://example.org/',
      'https://www.gov.cn.evil.example/',
      'https://evil.example/?https://www.gov.cn/',
      'http://www.gov.cn/',
      'https://www.gov.cn:8443/',
      'https://user@www.gov.cn/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://host/share',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'mailto:a@b.c',
      'nonsense',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});

describe('what the app:// scheme serves', () => {
  const root = mkdtempSync(join(tmpdir(), 'yinjian-appscheme-'));
  const renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
  writeFileSync(join(renderer, 'assets', 'a.js'), '');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves files of the renderer folder', () => {
    expect(appFileFor('app://yinjian/', renderer)).toBe(join(renderer, 'index.html'));
    expect(appFileFor('app://yinjian/index.html', renderer)).toBe(join(renderer, 'index.html'));
    expect(appFileFor('app://yinjian/assets/a.js?v=1', renderer)).toBe(join(renderer, 'assets', 'a.js'));
  });

  it('never leaves it: traversal, encoded traversal, backslashes, NUL, other hosts', () => {
    for (const url of [
      'app://yinjian/../secret.txt',
      'app://yinjian/%2e%2e/secret.txt',
      'app://yinjian/assets/%2e%2e/%2e%2e/secret.txt',
      'app://yinjian/..%2fsecret.txt',
      'app://yinjian/..%5csecret.txt',
      'app://yinjian/%2fetc%2fpasswd',
      'app://yinjian/index.html%00.js',
      'app://yinjian/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      const file = appFileFor(url, renderer);
      if (file !== undefined) expect(file.startsWith(renderer + '/'), url).toBe(true);
      expect(file === join(root, 'secret.txt') || file === '/etc/passwd', url).toBe(false);
    }
    // The URL parser folds a leading /%2e%2e/ back to the root; an encoded slash is caught after decoding.
    expect(appFileFor('app://yinjian/%2e%2e/secret.txt', renderer)).toBe(join(renderer, 'secret.txt'));
    expect(appFileFor('app://yinjian/..%2fsecret.txt', renderer)).toBeUndefined();
    expect(appFileFor('app://other/index.html', renderer)).toBeUndefined();
  });

  it('is served with a CSP that has no unsafe-inline, unsafe-eval or remote source', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});

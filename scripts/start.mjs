// `npm start`: the desktop app in development (electron-vite dev). Without Electron's binary
// (npm ci with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or an offline install) it says how to get it
// instead of ending in a stack trace. Issue #15.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON = join(ROOT, 'node_modules', 'electron');

/** Where node_modules/electron says its binary is (the same rule as its index.js), or undefined. */
function electronBinary() {
  const pathFile = join(ELECTRON, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name || 'electron');
  return name ? join(ELECTRON, 'dist', name) : undefined;
}

const binary = electronBinary();
if (!existsSync(join(ELECTRON, 'package.json')) || !binary || !existsSync(binary)) {
  process.stderr.write(
    [
      `错误 ELECTRON_NOT_INSTALLED：未找到 Electron 可执行文件（${binary ?? join(ELECTRON, 'path.txt')}），无法启动窗口。`,
      '  安装方法：联网后运行 node node_modules/electron/install.js（或不设 ELECTRON_SKIP_BINARY_DOWNLOAD 重新 npm ci）；',
      '  内网可先设置 ELECTRON_MIRROR 指向镜像。命令行无需 Electron：npx yinjian --help',
      `Error ELECTRON_NOT_INSTALLED: Electron's binary was not found (${binary ?? join(ELECTRON, 'path.txt')}), so the window cannot start.`,
      '  To install it: with network access run `node node_modules/electron/install.js` (or run npm ci again without ELECTRON_SKIP_BINARY_DOWNLOAD);',
      '  behind a firewall set ELECTRON_MIRROR to a mirror first. The command line needs no Electron: npx yinjian --help',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const child = spawn(join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite'), ['dev', ...process.argv.slice(2)], { stdio: 'inherit', shell: process.platform === 'win32' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * The data folder and its settings.json, without the rest of the composition root
 * (composition.ts): `yinjian verify` reads its time zone from here without loading the
 * register's SQLite or the PKCS#11 layer (issue #15).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { YinjianError } from '../../shared/errors/index';

/** What settings.json holds. */
export interface AppSettings {
  pkcs11Module?: string;
  /** IANA zone for the times the command line reads and prints (default Asia/Shanghai). */
  timeZone?: string;
}

/** The OS user-data folder, where Electron keeps the app's data too (app.getPath('userData')). */
export function defaultDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Yinjian');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Yinjian');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Yinjian');
}

export function settingsPathIn(settingsDir: string): string {
  return join(settingsDir, 'settings.json');
}

/** settings.json of `settingsDir`: {} when there is none, SETTINGS_INVALID when it is not JSON. */
export function readSettings(settingsDir: string): AppSettings {
  const path = settingsPathIn(settingsDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as AppSettings) : {};
  } catch (cause) {
    throw new YinjianError('SETTINGS_INVALID', { path }, { cause });
  }
}

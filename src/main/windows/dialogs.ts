import { BrowserWindow, dialog } from 'electron';
import type { MainDialogs } from '../app/dialogs';

const MODULE_EXTENSIONS: Record<string, string[]> = { win32: ['dll'], darwin: ['dylib', 'so'], linux: ['so'] };

/** Electron's native dialogs, attached to the focused window: the only way a path reaches the main process. */
export function electronDialogs(): MainDialogs {
  const parent = (): BrowserWindow | undefined => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const show = async (options: Electron.OpenDialogOptions): Promise<string | undefined> => {
    const window = parent();
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return result.canceled ? undefined : result.filePaths[0];
  };
  return {
    pickModuleFile: () =>
      show({
        title: '选择 USB Key 驱动模块 / Choose the USB key driver module',
        properties: ['openFile'],
        filters: [{ name: 'PKCS#11', extensions: MODULE_EXTENSIONS[process.platform] ?? ['so'] }],
      }),
    pickFile: (purpose) =>
      show({
        title: purpose === 'group-root' ? '选择集团根证书 / Choose the group root certificate' : '选择登记簿快照 / Choose the register snapshot',
        properties: ['openFile'],
        filters: [purpose === 'group-root' ? { name: 'PEM / DER', extensions: ['pem', 'crt', 'cer', 'der'] } : { name: 'PKCS#7', extensions: ['p7m'] }],
      }),
    pickFolder: (purpose) =>
      show({
        title: purpose === 'publish' ? '选择发布文件夹 / Choose the publication folder' : '选择导出文件夹 / Choose the export folder',
        properties: ['openDirectory', 'createDirectory'],
      }),
  };
}

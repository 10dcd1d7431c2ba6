import { BrowserWindow, dialog } from 'electron';
import type { MainDialogs, OpenPurpose, SavePurpose } from '../app/dialogs';

const MODULE_EXTENSIONS: Record<string, string[]> = { win32: ['dll'], darwin: ['dylib', 'so'], linux: ['so'] };

const OPEN: Readonly<Record<OpenPurpose, { title: string; filter: Electron.FileFilter }>> = {
  'group-root': { title: '选择集团根证书 / Choose the group root certificate', filter: { name: 'PEM / DER', extensions: ['pem', 'crt', 'cer', 'der'] } },
  snapshot: { title: '选择登记簿快照 / Choose the register snapshot', filter: { name: 'PKCS#7', extensions: ['p7m'] } },
  crl: { title: '选择集团吊销列表 / Choose the group CRL', filter: { name: 'CRL', extensions: ['crl', 'der'] } },
  'workstation-export': { title: '选择专用计算机的检查导出文件 / Choose a workstation export', filter: { name: 'Yinjian export', extensions: ['p7m', 'json'] } },
};

const SAVE: Readonly<Record<SavePurpose, { title: string; filter: Electron.FileFilter }>> = {
  'workstation-export': { title: '保存检查导出文件 / Save the export for inspection', filter: { name: 'Yinjian export', extensions: ['p7m', 'json'] } },
  'inspection-report': { title: '保存检查报告 / Save the inspection report', filter: { name: 'PDF', extensions: ['pdf'] } },
};

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
    pickFile: (purpose) => show({ title: OPEN[purpose].title, properties: ['openFile'], filters: [OPEN[purpose].filter] }),
    pickFolder: (purpose) =>
      show({
        title: purpose === 'publish' ? '选择发布文件夹 / Choose the publication folder' : '选择导出文件夹 / Choose the export folder',
        properties: ['openDirectory', 'createDirectory'],
      }),
    // Issue #14: the verifier reads these files itself; the main process passes only their paths.
    pickFiles: async () => {
      const window = parent();
      const options: Electron.OpenDialogOptions = { title: '选择要验章的文件 / Choose files to verify', properties: ['openFile', 'multiSelections'], filters: [{ name: 'PDF', extensions: ['pdf'] }] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths;
    },
    saveFile: async (purpose, suggestedName) => {
      const window = parent();
      const options: Electron.SaveDialogOptions = { title: SAVE[purpose].title, defaultPath: suggestedName, filters: [SAVE[purpose].filter], properties: ['createDirectory', 'showOverwriteConfirmation'] };
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? undefined : result.filePath;
    },
  };
}

import { YinjianError } from '../../../shared/errors/index';
import type { UsbKeyStatus } from '../../core/usb-key/usb-key-service';
import { catalogModules, installedCatalogCandidates } from '../../infra/pkcs11/catalog';
import type { Command } from '../command';
import { table } from '../output';

function flagWords(key: UsbKeyStatus): string[] {
  const f = key.flags;
  const words: string[] = [];
  if (f.userPinLocked) words.push('PIN已锁定/locked');
  else if (f.userPinFinalTry) words.push('最后一次机会/final-try');
  else if (f.userPinCountLow) words.push('尝试次数少/count-low');
  if (key.initialPin) words.push('须修改初始PIN/initial-PIN');
  if (!f.userPinInitialized) words.push('未设用户PIN/no-user-PIN');
  if (f.writeProtected) words.push('写保护/write-protected');
  return words;
}

const tokenOption = {
  token: { type: 'string', valueName: 'S', description: 'USB Key 序列号或标签 / the key\'s serial number or label' },
} as const;

export const tokenList: Command = {
  options: {},
  examples: [
    { line: 'yinjian token list', zh: '列出已插入的 USB Key', en: 'list the USB keys plugged in' },
    { line: 'yinjian token list --module /usr/lib/softhsm/libsofthsm2.so', zh: '使用指定的驱动模块', en: 'use a given driver module' },
  ],
  async run(context) {
    const keys = await context.usbKeys().list();
    return {
      json: { tokens: keys },
      text: keys.length
        ? table(
            ['标签 Label', '序列号 Serial', '厂商 Manufacturer', '型号 Model', '状态 State'],
            keys.map((k) => [k.label, k.serial, k.manufacturer, k.model, flagWords(k).join(' ') || '正常/ok']),
          )
        : `未发现 USB Key（已查询驱动模块 ${context.modulePath() ?? '?'}；--module 或 $YINJIAN_PKCS11_MODULE 可指定其他模块，yinjian token modules 列出已知模块）\n` +
          `No USB key found (module tried: ${context.modulePath() ?? '?'}; choose another with --module or $YINJIAN_PKCS11_MODULE; yinjian token modules lists known ones)`,
    };
  },
};

export const tokenInfo: Command = {
  options: tokenOption,
  examples: [
    { line: 'yinjian token info --token 行政部印章', zh: '按标签查看一个 USB Key', en: 'show one USB key by its label' },
  ],
  async run(context, args) {
    const token = args.options.token;
    if (typeof token !== 'string') throw new YinjianError('USAGE', { detail: '--token is required' });
    const key = await context.usbKeys().info(token);
    const lines = [
      `标签 Label:          ${key.label}`,
      `序列号 Serial:       ${key.serial}`,
      `厂商 Manufacturer:   ${key.manufacturer}`,
      `型号 Model:          ${key.model}`,
      `初始 PIN Initial PIN: ${key.initialPin ? `是 yes (${key.initialPinSources.join(', ')})` : '否 no'}`,
      ...Object.entries(key.flags).map(([name, value]) => `  ${name}: ${value ? 'yes' : 'no'}`),
    ];
    return { json: { token: key }, text: lines.join('\n') };
  },
};

export const tokenChangePin: Command = {
  options: tokenOption,
  details:
    'PIN 从无回显提示读取；使用 --pin-stdin 时从标准输入读取两行：原 PIN、新 PIN。\n' +
    'PINs are read at a no-echo prompt; with --pin-stdin, from standard input, two lines: old PIN, new PIN.\n' +
    'New PIN policy: 6-16 printable ASCII characters, not one character repeated, not an ascending or descending run, not the old PIN.',
  examples: [
    { line: 'yinjian token change-pin --token 行政部印章', zh: '首次使用时修改初始 PIN（规定 M4）', en: 'change the initial PIN at first use (M4)' },
  ],
  async run(context, args) {
    const token = args.options.token;
    if (typeof token !== 'string') throw new YinjianError('USAGE', { detail: '--token is required' });
    const service = context.usbKeys();
    const key = await service.info(token);
    const pins = context.pinSource();
    const oldPin = await pins.next({ zh: '原 PIN', en: 'Current PIN' });
    let newPin: Buffer | undefined;
    try {
      newPin = await pins.next({ zh: '新 PIN', en: 'New PIN' });
      if (!context.options.pinStdin) {
        const again = await pins.next({ zh: '再次输入新 PIN', en: 'New PIN again' });
        const same = again.equals(newPin);
        again.fill(0);
        if (!same) throw new YinjianError('USAGE', { detail: 'the two new PINs differ' });
      }
    } catch (error) {
      oldPin.fill(0);
      newPin?.fill(0);
      throw error;
    }
    await service.changePin(key.serial, oldPin, newPin);
    return {
      json: { token: { serial: key.serial, label: key.label }, pinChanged: true },
      text: `USB Key ${key.label} (${key.serial}) 的 PIN 已修改 / PIN changed`,
    };
  },
};

export const tokenModules: Command = {
  options: {},
  async run() {
    const installed = new Set(installedCatalogCandidates().map((c) => c.path));
    const modules = catalogModules().map((m) => ({ ...m, installed: m.paths.filter((p) => installed.has(p)) }));
    return {
      json: { modules },
      text: table(
        ['厂商 Vendor', '产品 Product', '本机 Installed'],
        modules.map((m) => [m.vendor, m.product, m.installed.join(', ') || '-']),
      ),
    };
  },
};

export const tokenResetPin: Command = {
  options: tokenOption,
  details:
    'PIN 从无回显提示读取；使用 --pin-stdin 时从标准输入读取两行：SO PIN、新的初始用户 PIN。\n' +
    'PINs are read at a no-echo prompt; with --pin-stdin, two lines: the SO PIN, then the new initial user PIN.',
  examples: [
    { line: 'yinjian token reset-pin --token 行政部印章 --pin-stdin', zh: '总裁办解锁：标准输入两行，SO PIN 和新的初始 PIN', en: 'the office unlocks a key: two lines on standard input, the SO PIN and the new initial PIN' },
  ],
  async run(context, args) {
    const token = args.options.token;
    if (typeof token !== 'string') throw new YinjianError('USAGE', { detail: '--token is required' });
    // The same use case as the office console's unlock form (src/main/app/office.ts); loaded
    // here only, so `token list` does not pay for the office's modules at start-up (issue #15).
    const { officeTasksOf } = await import('./office');
    const key = await officeTasksOf(context).unlock(token, async () => {
      const pins = context.pinSource();
      const soPin = await pins.next({ zh: 'SO PIN', en: 'SO PIN' });
      try {
        return { soPin, initialUserPin: await pins.next({ zh: '新的初始用户 PIN', en: 'New initial user PIN' }) };
      } catch (error) {
        soPin.fill(0);
        throw error;
      }
    });
    return {
      json: { token: { serial: key.serial, label: key.label }, pinReset: true, initialPin: true },
      text: `USB Key ${key.label} (${key.serial}) 已解锁并设定初始 PIN，保管人首次使用须修改 / unlocked; the custodian must change the initial PIN before signing`,
    };
  },
};

import { diagnoseModule, type DoctorCheck, type DoctorReport } from '../../app/token-doctor';
import type { Command } from '../command';

const MARK = { ok: '✔ ok', degraded: '▲ degraded', fail: '✘ FAIL' } as const;

function line(c: DoctorCheck): string {
  const todo = c.todoZh ? `\n      → ${c.todoZh} / ${c.todoEn}` : '';
  return `  ${MARK[c.verdict].padEnd(11)} ${c.id.padEnd(14)} ${c.zh} / ${c.en}${todo}`;
}

export function doctorText(report: DoctorReport): string {
  const m = report.module;
  const out = [
    `模块 Module: ${m.path}`,
    `  ${m.manufacturer} / ${m.libraryDescription} ${m.libraryVersion} → 型号配置 profile: ${m.profile}`,
    `  ${m.profileNotes}`,
    ...report.moduleChecks.map(line),
  ];
  for (const t of report.tokens) {
    out.push('');
    if (!t.info) {
      out.push(`槽 Slot ${t.slot} (${t.slotDescription}): 无 Key / empty`, ...t.checks.map(line));
      continue;
    }
    out.push(`槽 Slot ${t.slot} (${t.slotDescription}): "${t.info.label}" 序列号 serial ${t.info.serial}, ${t.info.manufacturer} ${t.info.model}${t.hidden ? ' [内部令牌 internal]' : ''}`);
    if (!t.hidden && t.keyName && t.keyName !== t.info.serial) out.push(`  程序中的名称 named in the app (--token): ${t.keyName}`);
    if (!t.hidden) out.push(`  PIN ${t.pinLength?.min}–${t.pinLength?.max}; 会话 sessions ${t.sessions?.open}/${t.sessions?.max}; 公开存储 public memory ${t.memory?.freePublic}/${t.memory?.totalPublic}; ${t.mechanisms?.length ?? 0} mechanisms`);
    out.push(...t.checks.map(line));
  }
  const verdictText = { ok: '可用 usable', degraded: '可用，有限制 usable with the limits above', fail: '不可用 not usable as a seal key' }[report.verdict];
  out.push('', `结论 Verdict: ${MARK[report.verdict]} — ${verdictText}`);
  return out.join('\n');
}

/**
 * `yinjian token doctor`: loads a module (--module, $YINJIAN_PKCS11_MODULE, the saved setting
 * or the catalog), lists its slots and keys and probes what the app needs without changing
 * any key. The office runs it on every new key model before buying in bulk; --json for its
 * records. Exit code 1 when no key in the module can serve as a seal key.
 */
export const tokenDoctor: Command = {
  options: {
    'module-params': {
      type: 'string',
      valueName: 'PARAMS',
      description: "模块初始化参数（NSS：configdir='sql:目录' …）/ C_Initialize library parameters (NSS: configdir='sql:DIR' …)",
    },
  },
  details:
    '不需要 PIN，不修改 USB Key（写入测试只建立会话对象并立即删除）。\n' +
    'Needs no PIN and changes nothing on the key (the write test creates a session object and destroys it at once).\n' +
    'Module parameters may also come from $YINJIAN_PKCS11_PARAMS.',
  examples: [
    { line: 'yinjian token doctor --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', zh: '检查一个新型号 USB Key 的驱动模块', en: 'check a new key model\'s driver module' },
  ],
  async run(context, args) {
    const params = args.options['module-params'];
    const libraryParameters = (typeof params === 'string' ? params : undefined) ?? (process.env.YINJIAN_PKCS11_PARAMS || undefined);
    const report = diagnoseModule({
      ...(context.options.module ? { explicit: context.options.module } : {}),
      ...(process.env.YINJIAN_PKCS11_MODULE ? { env: process.env.YINJIAN_PKCS11_MODULE } : {}),
      ...(context.settings().pkcs11Module ? { saved: context.settings().pkcs11Module } : {}),
      ...(libraryParameters ? { libraryParameters } : {}),
    });
    return { json: { doctor: report }, text: doctorText(report), ...(report.verdict === 'fail' ? { exitCode: 1 } : {}) };
  },
};

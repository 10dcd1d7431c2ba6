import type { Command, CommandEntry } from './command';

/**
 * Every command: its words, its one-line summary, and its module loaded on demand. Some
 * commands pull in pdf.js, pdf-lib, fontkit, resvg or SQLite, which cost a second of start-up
 * that `yinjian --help` or `yinjian token list` should not pay: the summaries live here so the
 * top-level help loads no command at all (issue #15). The order is the order help lists them in.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: ['sample'],
    summary: { zh: '生成示例 PDF：可盖章的内部通知，或应被拒绝的合同（规定 U1、U2）', en: 'Write a sample PDF: an internal notice that may be sealed, or a contract the gate must refuse (rules U1, U2)' },
    load: async () => (await import('./commands/sample')).sample,
  },
  {
    name: ['token', 'list'],
    summary: { zh: '列出已插入的 USB Key', en: 'List the USB keys that are plugged in' },
    load: async () => (await import('./commands/token')).tokenList,
  },
  {
    name: ['token', 'info'],
    summary: { zh: '显示一个 USB Key 的详细信息', en: 'Show one USB key in detail' },
    load: async () => (await import('./commands/token')).tokenInfo,
  },
  {
    name: ['token', 'change-pin'],
    summary: { zh: '修改 USB Key 的用户 PIN 码（首次使用必须修改，规定 M4）', en: 'Change the USB key\'s user PIN (required at first use, rule M4)' },
    load: async () => (await import('./commands/token')).tokenChangePin,
  },
  {
    name: ['token', 'reset-pin'],
    summary: { zh: '总裁办用 SO PIN 解锁 USB Key 并设定新的初始 PIN（保管人首次使用须修改，规定 M4）', en: 'The office unlocks a USB key with its SO PIN and sets a new initial PIN (the custodian must change it before signing, rule M4)' },
    load: async () => (await import('./commands/token')).tokenResetPin,
  },
  {
    name: ['token', 'modules'],
    summary: { zh: '列出已知的 USB Key 驱动模块及本机是否安装', en: 'List known USB-key driver modules and whether they are installed here' },
    load: async () => (await import('./commands/token')).tokenModules,
  },
  {
    name: ['token', 'doctor'],
    summary: { zh: '检查 USB Key 驱动模块与 Key 是否满足本程序要求（不修改 Key）', en: 'Check a USB-key module and its keys against what the app needs, changing nothing' },
    load: async () => (await import('./commands/token-doctor')).tokenDoctor,
  },
  {
    name: ['workstation', 'id'],
    summary: { zh: '显示本机的专用计算机标识（发放印章时报给总裁办，规定 M4、S1）', en: 'Show this computer\'s workstation id, which the office binds the seal to (rules M4, S1)' },
    load: async () => (await import('./commands/workstation')).workstationId,
  },
  {
    name: ['stamp'],
    summary: { zh: '为 PDF 文件加盖电子印章', en: 'Seal PDF documents with the e-seal on a USB key' },
    load: async () => (await import('./commands/stamp')).stamp,
  },
  {
    name: ['verify'],
    summary: { zh: '离线验证 PDF 上的全部签章（完整性、信任、注销、签名后修改、用印规定）', en: 'Verify every seal of PDF files offline (integrity, trust, revocation, changes after signing, sealing rules)' },
    load: async () => (await import('./commands/verify')).verify,
  },
  {
    name: ['ltv', 'extend'],
    summary: { zh: '为已盖章文件补充验证数据并加新的文档时间戳（PAdES B-LTA 续期）', en: 'Add fresh validation data and a new document timestamp to sealed files (PAdES B-LTA renewal)' },
    load: async () => (await import('./commands/ltv')).ltvExtend,
  },
  {
    name: ['register', 'import'],
    summary: { zh: '导入总裁办签发的登记簿快照（验签、防回退）', en: 'Import the office\'s signed register snapshot (signature checked, rollback refused)' },
    load: async () => (await import('./commands/register')).registerImport,
  },
  {
    name: ['register', 'show'],
    summary: { zh: '显示本机信任的登记簿快照', en: 'Show the register snapshot this computer trusts' },
    load: async () => (await import('./commands/register')).registerShow,
  },
  {
    name: ['register', 'export'],
    summary: { zh: '导出本机用印登记簿和审计日志，供总裁办检查（规定 S6）', en: 'Export this computer\'s usage register and audit log for the office\'s inspection (S6)' },
    load: async () => (await import('./commands/inspection')).registerExport,
  },
  {
    name: ['audit', 'check'],
    summary: { zh: '检查审计日志的哈希链是否完整未被篡改（规定 M5）', en: 'Check that the audit log\'s hash chain is complete and untampered (M5)' },
    load: async () => (await import('./commands/audit')).auditCheck,
  },
  {
    name: ['office', 'init-ca'],
    summary: { zh: '在总裁办 USB Key 上建立集团印章根证书', en: 'Set up the group seal CA on the office USB key' },
    load: async () => (await import('./commands/office')).officeInitCa,
  },
  {
    name: ['office', 'issue'],
    summary: { zh: '制发电子印章到印章管理人员的 USB Key（规定 M1、S2）', en: 'Issue a seal onto its custodian\'s USB key (rules M1, S2)' },
    load: async () => (await import('./commands/office')).officeIssue,
  },
  {
    name: ['office', 'change'],
    summary: { zh: '变更印章：以新资料重新制发，原证书以 superseded 吊销（规定 S3）', en: 'Change a seal: re-issue with new data, the old certificate revoked as superseded (S3)' },
    load: async () => (await import('./commands/office')).officeChange,
  },
  {
    name: ['office', 'reissue'],
    summary: { zh: '补办印章：新 USB Key、新密钥、新证书，原证书作废（规定 S4、S5）', en: 'Re-issue a seal onto a new USB key; the old certificate is superseded (S4, S5)' },
    load: async () => (await import('./commands/office')).officeReissue,
  },
  {
    name: ['office', 'cancel'],
    summary: { zh: '注销/销毁印章：吊销（cessationOfOperation），交回的 Key 上的密钥一并销毁（规定 S3）', en: 'Cancel/destroy a seal: revoked (cessationOfOperation); key objects destroyed on the returned key (S3)' },
    load: async () => (await import('./commands/office')).officeCancel,
  },
  {
    name: ['office', 'report-loss'],
    summary: { zh: '印章挂失：立即吊销（keyCompromise，自丢失时间起）（规定 S5）', en: 'Register a lost seal: revoked at once (keyCompromise, from the loss time) (S5)' },
    load: async () => (await import('./commands/office')).officeReportLoss,
  },
  {
    name: ['office', 'confirm-loss'],
    summary: { zh: '总裁办确认挂失（规定 S5）', en: 'The office confirms a reported loss (S5)' },
    load: async () => (await import('./commands/office')).officeConfirmLoss,
  },
  {
    name: ['office', 'withdraw-loss'],
    summary: { zh: '总裁办撤销挂失；证书仍保持吊销（规定 S5）', en: 'The office withdraws a loss report; the certificate stays revoked (S5)' },
    load: async () => (await import('./commands/office')).officeWithdrawLoss,
  },
  {
    name: ['office', 'delegate'],
    summary: { zh: '登记代理管理：代理人、批准人、事由、起止时间（规定 M3）', en: 'Record proxy custody: proxy, approver, reason, start and end (M3)' },
    load: async () => (await import('./commands/office')).officeDelegate,
  },
  {
    name: ['office', 'delegations'],
    summary: { zh: '列出某印章的代理登记（含已撤销的，规定 M3）', en: 'List a seal\'s delegations, revoked ones included (M3)' },
    load: async () => (await import('./commands/office')).officeDelegations,
  },
  {
    name: ['office', 'revoke-delegation'],
    summary: { zh: '提前终止代理（规定 M3）；各专用机在导入下一期登记簿快照后生效', en: 'End a delegation early (M3); workstations apply it from the next snapshot' },
    load: async () => (await import('./commands/office')).officeRevokeDelegation,
  },
  {
    name: ['office', 'may-use'],
    summary: { zh: '查询某人在某时能否使用某印章（规定 M3）', en: 'May person P use seal S at time T? (M3)' },
    load: async () => (await import('./commands/office')).officeMayUse,
  },
  {
    name: ['office', 'list'],
    summary: { zh: '列出登记簿中的全部印章', en: 'List every seal in the register' },
    load: async () => (await import('./commands/office')).officeList,
  },
  {
    name: ['office', 'deny-list'],
    summary: { zh: '查看或修改禁用文种（不得加盖电子印章的文件类型，规定 U2）', en: 'Show or change the deny list: document kinds an e-seal may never be used on (U2)' },
    load: async () => (await import('./commands/office')).officeDenyListCommand,
  },
  {
    name: ['office', 'scanned-documents'],
    summary: { zh: '查看或设置是否允许扫描件用印（文字识别读不清的页须保管人逐份确认，规定 U2）', en: 'Show or set whether scanned documents are allowed (pages OCR cannot read need the custodian\'s confirmation per document, U2)' },
    load: async () => (await import('./commands/office')).officeScannedDocumentsCommand,
  },
  {
    name: ['office', 'publication-points'],
    summary: {
      zh: '查看或设置 CRL 与根证书的发布地址（写入此后签发的印章证书：CRL 分发点、AIA）',
      en: 'Show or set where the CRL and the CA certificate are published (carried by seal certificates issued from now on: CRL DP, AIA)',
    },
    load: async () => (await import('./commands/office')).officePublicationPointsCommand,
  },
  {
    name: ['office', 'timestamp-policy'],
    summary: { zh: '查看或设置集团可信时间戳服务（RFC 3161）及“印章必须带可信时间戳”规定', en: 'Show or set the group\'s RFC 3161 time-stamp authority and the rule "a seal must carry a trusted timestamp"' },
    load: async () => (await import('./commands/timestamp-policy')).officeTimestampPolicy,
  },
  {
    name: ['office', 'publish'],
    summary: { zh: '发布吊销列表（CRL）和签名的登记簿快照', en: 'Publish the CRL and the signed register snapshot' },
    load: async () => (await import('./commands/office')).officePublish,
  },
  {
    name: ['office', 'inspect'],
    summary: { zh: '检查各计算机导出的用印登记簿和审计日志，打印检查报告（规定 S6）', en: 'Inspect workstation exports of the usage register and audit log and print the inspection report (S6)' },
    load: async () => (await import('./commands/inspection')).officeInspect,
  },
  {
    name: ['office', 'repin'],
    summary: { zh: '误导入后重新确认某计算机的已导入链头（需申请编号、批准人和原因，记入审计日志）', en: 'Re-pin a workstation\'s imported head after a wrong import (application reference, approver and reason; audited)' },
    load: async () => (await import('./commands/inspection')).officeRepin,
  },
];

/** The command the leading words name (the longest match), if any. */
export function findCommand(words: readonly string[]): CommandEntry | undefined {
  return COMMANDS.filter((c) => c.name.every((w, i) => words[i] === w)).sort((a, b) => b.name.length - a.name.length)[0];
}

/** Every command, loaded (tests and tools; the CLI itself loads one). */
export async function allCommands(): Promise<readonly (CommandEntry & { command: Command })[]> {
  return Promise.all(COMMANDS.map(async (entry) => ({ ...entry, command: await entry.load() })));
}

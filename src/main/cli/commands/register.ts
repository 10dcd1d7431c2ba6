import { YinjianError } from '../../../shared/errors/index';
import { pinnedGroupRoot, readTrustedSnapshot } from '../../core/office/index';
import { readCertificateFile } from '../../infra/office/index';
import { importPublication, keepGroupCrl } from '../../app/workstation-trust';
import type { Command } from '../command';
import { table } from '../output';
import { readInputFile } from './office';

/**
 * `yinjian register …` on a workstation: import the office's signed register snapshot (M1
 * filing) and show what this computer trusts.
 */
export const registerImport: Command = {
  usage: 'FILE',
  options: {
    trust: {
      type: 'string',
      valueName: 'ROOT.pem',
      description: '首次导入时明确信任的集团根证书（总裁办发布的 group-root.pem）/ the group root to trust at the first import (group-root.pem from the office)',
    },
    // One spelling for trust roots across commands (verify --trust); the old one still works, with a note.
    'trust-root': { type: 'string', valueName: 'ROOT.pem', deprecatedFor: 'trust', description: '' },
    crl: {
      type: 'string',
      valueName: 'FILE.crl',
      description: '同时导入的集团吊销列表（默认取快照旁的 group-seal-ca.crl）；盖章时嵌入文件（PAdES B-LT）/ the group CRL to import with it (default: group-seal-ca.crl next to the snapshot); embedded in sealed files (PAdES B-LT)',
    },
  },
  details:
    '首次导入必须用 --trust 指定集团根证书，之后只接受由该根证书签署、序号更高的快照。\n' +
    'The first import must name the group root with --trust; after that, only snapshots signed by that root\n' +
    'with a higher sequence number are accepted. A tampered, foreign-signed or older snapshot is refused and nothing changes.',
  examples: [
    { line: 'yinjian register import register-snapshot-000001.p7m --trust group-root.pem', zh: '首次导入并信任集团根证书', en: 'first import, trusting the group root' },
    { line: 'yinjian register import register-snapshot-000002.p7m', zh: '之后的导入（只接受更新的快照）', en: 'a later import (only a newer snapshot is accepted)' },
  ],
  async run(context, args) {
    if (args.positionals.length !== 1) throw new YinjianError('USAGE', { detail: 'register import needs exactly one FILE' });
    const file = args.positionals[0]!;
    const trustRoot = args.options.trust;
    const raw = readInputFile(file);
    const trustRootDer = typeof trustRoot === 'string' ? readCertificateFile(trustRoot) : undefined;
    const register = context.register();
    // The same use case as the window's trust screen (src/main/app/workstation-trust.ts).
    const result = await importPublication(register, raw, { ...(trustRootDer ? { trustRootDer } : {}), source: file, actor: context.actor() });
    const s = result.snapshot;
    // Issue 16: the publication's CRL, kept for the DSS of every seal made here (B-LT); the window does the same.
    const crl = keepGroupCrl(register, { ...(typeof args.options.crl === 'string' ? { crlPath: args.options.crl } : {}), snapshotPath: file, actor: context.actor() });
    return {
      json: {
        sequence: s.sequence,
        issuedAt: s.issuedAt,
        group: s.group,
        seals: s.seals.length,
        delegations: s.delegations.length,
        rootPinned: result.pinned,
        rootSha256: result.root.sha256Fingerprint,
        crlNumber: crl?.crlNumber === undefined ? null : String(crl.crlNumber),
      },
      text: [
        ...(crl ? [`已导入吊销列表第 ${String(crl.crlNumber ?? '?')} 号（盖章时嵌入文件）/ Imported CRL number ${String(crl.crlNumber ?? '?')} (embedded in sealed files)`] : []),
        `已导入第 ${s.sequence} 号登记簿快照 / Imported register snapshot ${s.sequence} (${context.time().format(s.issuedAt)})`,
        `集团 Group: ${s.group}; 印章 seals: ${s.seals.length}; 代理 delegations: ${s.delegations.length}`,
        result.pinned ? `已信任集团根证书 / Group root now trusted: SHA-256 ${result.root.sha256Fingerprint}` : `集团根证书 Group root: SHA-256 ${result.root.sha256Fingerprint}`,
      ].join('\n'),
    };
  },
};

export const registerShow: Command = {
  options: {},
  examples: [
    { line: 'yinjian register show', zh: '显示本机信任的快照', en: 'show the snapshot trusted here' },
  ],
  async run(context) {
    const register = context.register();
    const snapshot = await readTrustedSnapshot(register);
    const root = pinnedGroupRoot(register);
    if (snapshot === undefined) {
      return { json: { snapshot: null, rootSha256: root?.sha256Fingerprint ?? null }, text: `尚未导入登记簿快照（数据目录 ${context.dataDir}）/ No register snapshot imported yet in ${context.dataDir}` };
    }
    return {
      json: { snapshot },
      text: [
        `快照 Snapshot ${snapshot.sequence} (${context.time().format(snapshot.issuedAt)}), 集团 Group: ${snapshot.group}`,
        table(
          ['编码 Code', '名称 Name', '单位 Unit', '状态 State', '管理人员 Custodian', '证书序列号 Serial', '吊销 Revoked'],
          snapshot.seals.map((s) => [s.sealCode, s.sealName, s.unit, s.state, s.custodianStaffId, s.serialHex, s.revokedAt ? `${context.time().format(s.revokedAt)} ${s.revocationReason ?? ''}` : '-']),
        ),
        `禁用文种 Deny list (U2): ${snapshot.denyList.join('、')}`,
        snapshot.scannedDocumentsAllowed === true ? '扫描件 Scanned documents (U2): 允许，须保管人逐份确认 allowed on the custodian\'s confirmation' : '扫描件 Scanned documents (U2): 读不清即拒绝 refused when unreadable',
      ].join('\n'),
    };
  },
};

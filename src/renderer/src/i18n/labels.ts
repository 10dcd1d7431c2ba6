import type { Locale } from './i18n';

/**
 * Names for codes the main process sends as data (audit actions, kinds of change after
 * signing), in both languages. A code not listed here is shown as it is, so a new one is
 * visible rather than hidden.
 */
const AUDIT_ACTION: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  LOGIN: ['登录 USB Key', 'USB key login'],
  LOGOUT: ['退出 USB Key', 'USB key logout'],
  PIN_FAILED: ['PIN 码错误', 'Wrong PIN'],
  LOGIN_REFUSED: ['拒绝登录', 'Login refused'],
  PIN_RESET: ['重置 PIN 码', 'PIN reset'],
  PIN_CHANGED: ['修改 PIN 码', 'PIN changed'],
  STAMP: ['盖章', 'Stamped'],
  STAMP_FAILED: ['盖章失败', 'Stamping failed'],
  STAMP_REFUSED: ['拒绝盖章', 'Stamping refused'],
  STAMP_PENDING: ['盖章（文件保存中）', 'Stamped, file being saved'],
  USE_REQUEST_RECORDED: ['登记用印申请', 'Use request recorded'],
  SEAL_ISSUED: ['制发印章', 'Seal issued'],
  SEAL_CHANGED: ['变更印章', 'Seal changed'],
  SEAL_REISSUED: ['补办印章', 'Seal re-issued'],
  SEAL_LOSS_REPORTED: ['印章挂失', 'Loss reported'],
  SEAL_LOSS_CONFIRMED: ['确认挂失', 'Loss confirmed'],
  SEAL_LOSS_WITHDRAWN: ['撤销挂失', 'Loss withdrawn'],
  SEAL_CANCELLED: ['注销印章', 'Seal cancelled'],
  SEAL_REVOKED: ['吊销证书', 'Certificate revoked'],
  CUSTODIAN_ASSIGNED: ['指定管理人员', 'Custodian assigned'],
  WORKSTATION_BOUND: ['绑定专用计算机', 'Workstation bound'],
  KEY_ISSUED: ['制发密钥盘', 'USB key issued'],
  WORKSTATION_MISMATCH: ['非专用计算机', 'Wrong workstation'],
  DELEGATION_CREATED: ['登记代理', 'Proxy recorded'],
  DELEGATION_REVOKED: ['撤销代理', 'Proxy revoked'],
  REGISTER_IMPORTED: ['导入登记簿', 'Register imported'],
  UNIT_REGISTERED: ['登记单位', 'Unit registered'],
  CUSTODIAN_REGISTERED: ['登记管理人员', 'Custodian registered'],
  WORKSTATION_REGISTERED: ['登记专用计算机', 'Workstation registered'],
  SETTING_CHANGED: ['修改设置', 'Setting changed'],
  CA_SET_UP: ['建立根证书', 'Group CA set up'],
  REGISTER_PUBLISHED: ['发布登记簿', 'Register published'],
  GROUP_ROOT_PINNED: ['信任集团根证书', 'Group root pinned'],
  SEAL_KEY_DESTROYED: ['销毁印章密钥', 'Seal key destroyed'],
};

const CHANGE_KIND: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  'page-content-changed': ['页面内容被修改', 'page content changed'],
  'page-resources-changed': ['页面资源被修改', 'page resources changed'],
  'page-changed': ['页面被修改', 'page changed'],
  'page-tree-changed': ['页面结构被修改', 'page tree changed'],
  'pages-added': ['增加了页面', 'pages added'],
  'pages-removed': ['删除了页面', 'pages removed'],
  'annotation-added': ['增加了批注', 'annotation added'],
  'annotation-changed': ['批注被修改', 'annotation changed'],
  'signature-added': ['增加了签章', 'signature added'],
  'signature-dictionary-changed': ['签章信息被修改', 'signature dictionary changed'],
  'catalog-changed': ['文档目录被修改', 'document catalog changed'],
  'object-overridden': ['对象被替换', 'object overridden'],
  'unlisted-object': ['修订中含有未列入交叉引用表的对象', 'object carried by an update but not listed in its cross-reference'],
  'drawn-object-changed': ['页面所用的对象（兼作文档信息、元数据或验证数据）被修改', 'object drawn by a page (also document info, metadata or validation data) changed'],
  'form-field-filled': ['填写了表单', 'form field filled'],
};

function label(table: Readonly<Record<string, readonly [string, string]>>, code: string, locale: Locale): string {
  const entry = table[code];
  return entry ? entry[locale === 'zh-CN' ? 0 : 1] : code;
}

export const auditActionLabel = (code: string, locale: Locale): string => label(AUDIT_ACTION, code, locale);
export const changeKindLabel = (code: string, locale: Locale): string => label(CHANGE_KIND, code, locale);

/** A timestamp the way the reader writes it: 2026年7月1日 09:30:00 in Chinese, locale style in English. */
export function formatTime(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
}

import pkcs11js from 'pkcs11js';
import type { SignatureAlgorithm } from '../../core/ports/signer';
import type { UsbKeyInfo } from '../../core/ports/usb-key';
import { ckrName, ckrOf } from './ckr';
import { usableMechanisms } from './key-session';
import type { Pkcs11Library } from './library';
import { RW_SESSION } from './login';
import { findObjects } from './objects';
import { planMechanism } from './signer';
import { SlotDirectory } from './slots';
import { decodeTokenInfo, unpad } from './token-info';

/**
 * `yinjian token doctor`: what a module and its keys can do for the app, probed without
 * changing the key. No PIN is asked; nothing is written to the token (the marker test creates a
 * session object, which vanishes with the session, and destroys it at once). Each requirement
 * gets a verdict and, when it is not `ok`, what the office should do.
 */
export type Verdict = 'ok' | 'degraded' | 'fail';

export interface DoctorCheck {
  readonly id: string;
  readonly verdict: Verdict;
  readonly zh: string;
  readonly en: string;
  /** What to do, when the verdict is not ok. */
  readonly todoZh?: string;
  readonly todoEn?: string;
}

export interface DoctorToken {
  readonly slot: string;
  readonly slotDescription: string;
  /** What the token reports (its own serial number). */
  readonly info: UsbKeyInfo | null;
  /** The name the app gives the key (`--token`, the register): the serial, or serial/label/model where serials are shared. */
  readonly keyName?: string;
  readonly pinLength?: { min: number; max: number };
  readonly memory?: { totalPublic: string; freePublic: string; totalPrivate: string; freePrivate: string };
  readonly sessions?: { open: string; max: string };
  readonly mechanisms?: readonly string[];
  readonly hidden: boolean;
  readonly checks: readonly DoctorCheck[];
}

export interface DoctorReport {
  readonly module: {
    readonly path: string;
    readonly manufacturer: string;
    readonly libraryDescription: string;
    readonly libraryVersion: string;
    readonly profile: string;
    readonly profileNotes: string;
  };
  readonly moduleChecks: readonly DoctorCheck[];
  readonly tokens: readonly DoctorToken[];
  /** The worst verdict over the module and every seal-key candidate. */
  readonly verdict: Verdict;
}

const UNAVAILABLE = (1n << 64n) - 1n;
/** CK_UNAVAILABLE_INFORMATION (all bits set, in a 64- or 32-bit CK_ULONG) and CK_EFFECTIVELY_INFINITE (0 for counts) read as words. */
const figure = (value: bigint | number): string => (BigInt(value) === UNAVAILABLE || BigInt(value) === 0xffffffffn ? 'unknown' : String(value));

function check(id: string, verdict: Verdict, zh: string, en: string, todo?: [string, string]): DoctorCheck {
  return { id, verdict, zh, en, ...(todo ? { todoZh: todo[0], todoEn: todo[1] } : {}) };
}

function mechanismName(value: number): string {
  const entry = Object.entries(pkcs11js).find(([name, v]) => name.startsWith('CKM_') && v === value);
  return entry ? entry[0] : `0x${value.toString(16)}`;
}

function worst(checks: readonly DoctorCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'degraded')) return 'degraded';
  return 'ok';
}

function probeToken(library: Pkcs11Library, slots: SlotDirectory, slot: Buffer, info: UsbKeyInfo, keyName: string, duplicateName: boolean): DoctorToken['checks'] {
  const api = library.api;
  const profile = library.profile;
  const f = info.flags;
  const checks: DoctorCheck[] = [];
  checks.push(
    f.tokenInitialized && f.userPinInitialized
      ? check('initialised', 'ok', '已初始化，已设用户 PIN', 'initialised, user PIN set')
      : check('initialised', 'fail', '未初始化或未设用户 PIN', 'not initialised, or no user PIN', ['发放前由总裁办初始化（yinjian office issue）', 'the office initialises it when issuing (yinjian office issue)']),
  );
  // Read-write: the flag, then a read-write session opened and closed (changes nothing).
  let rw = !f.writeProtected;
  let rwDetail = '';
  if (rw) {
    try {
      api.C_CloseSession(api.C_OpenSession(slot, RW_SESSION));
    } catch (error) {
      rw = false;
      rwDetail = ` (${ckrName(ckrOf(error) ?? 0)})`;
    }
  }
  checks.push(
    rw
      ? check('writable', 'ok', '可写（读写会话可打开）', 'writable (a read-write session opens)')
      : check('writable', 'fail', `只读${rwDetail}`, `read-only${rwDetail}`, ['此 Key 无法存放印章密钥和证书：换一个 Key 或关闭写保护', 'this key cannot hold the seal\'s key and certificate: use another key or lift the write protection']),
  );
  if (f.userPinLocked) checks.push(check('pin-state', 'fail', 'PIN 已锁定', 'the user PIN is locked', ['总裁办用 SO PIN 解锁（yinjian token reset-pin）', 'the office unlocks it with the SO PIN (yinjian token reset-pin)']));
  else if (f.userPinFinalTry || f.userPinCountLow) checks.push(check('pin-state', 'degraded', '近期输错过 PIN', 'wrong PINs were entered recently', ['下次务必输入正确的 PIN', 'enter the right PIN next time']));
  else checks.push(check('pin-state', 'ok', 'PIN 状态正常', 'PIN state normal'));
  if (duplicateName) {
    checks.push(check('serial', 'fail', `另一个 Key 的序列号、标签和型号与此 Key 相同（${keyName}）：程序无法区分`, `another key has the same serial, label and model (${keyName}): the app cannot tell them apart`, ['给每个 Key 设不同的标签', 'give every key its own label']));
  } else if (keyName !== info.serial) {
    checks.push(check('serial', 'degraded', `序列号 ${info.serial} 不唯一：程序以"序列号/标签/型号"称呼此 Key：${keyName}`, `serial ${info.serial} is not unique: the app names this key serial/label/model: ${keyName}`, ['每个 Key 使用不同的标签，发放后不要改标签', 'give every key its own label and keep it after issuing']));
  } else checks.push(check('serial', 'ok', `序列号 ${info.serial}`, `serial ${info.serial}`));

  let offered: number[];
  try {
    offered = api.C_GetMechanismList(slot);
  } catch {
    offered = [];
  }
  const usable = usableMechanisms(library, offered);
  const canGenerate = (mechanism: number, bits: number): boolean => {
    if (!usable.has(mechanism)) return false;
    try {
      const m = api.C_GetMechanismInfo(slot, mechanism);
      return (m.flags & pkcs11js.CKF_GENERATE_KEY_PAIR) !== 0 && (m.maxKeySize === 0 || m.maxKeySize >= bits);
    } catch {
      return false;
    }
  };
  const rsa = canGenerate(pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN, 2048) && profile.keyTypes.includes('rsa2048');
  const ec = canGenerate(pkcs11js.CKM_EC_KEY_PAIR_GEN, 256) && profile.keyTypes.includes('p256');
  const kinds = [rsa ? 'RSA-2048' : '', ec ? 'EC P-256' : ''].filter(Boolean).join(', ');
  checks.push(
    rsa && ec
      ? check('keygen', 'ok', `可在 Key 内生成：${kinds}`, `generates on the key: ${kinds}`)
      : rsa || ec
        ? check('keygen', 'degraded', `只能生成 ${kinds}`, `generates ${kinds} only`, [`发放时选择 ${rsa ? 'rsa2048' : 'p256'} 密钥`, `issue with key type ${rsa ? 'rsa2048' : 'p256'}`])
        : check('keygen', 'fail', '不能在 Key 内生成印章密钥', 'cannot generate a seal key on the key', ['换用支持 RSA-2048 或 P-256 的 Key', 'use a key model with RSA-2048 or P-256']),
  );
  const plans: string[] = [];
  const missing: string[] = [];
  for (const algorithm of ['RSA_PKCS1_SHA256', 'RSA_PSS_SHA256', 'ECDSA_P256_SHA256'] as SignatureAlgorithm[]) {
    try {
      plans.push(`${algorithm} → ${mechanismName(planMechanism(algorithm, usable).mechanism.mechanism)}`);
    } catch {
      missing.push(algorithm);
    }
  }
  checks.push(
    missing.length === 0
      ? check('sign', 'ok', `签名机制：${plans.join('; ')}`, `signing: ${plans.join('; ')}`)
      : plans.length
        ? check('sign', 'degraded', `签名机制：${plans.join('; ')}；不支持 ${missing.join(', ')}`, `signing: ${plans.join('; ')}; not offered: ${missing.join(', ')}`, ['印章使用 Key 支持的算法', 'seals use an algorithm the key offers'])
        : check('sign', 'fail', '无可用签名机制', 'no usable signing mechanism', ['换用其他型号', 'use another key model']),
  );
  // Space: the module's free-memory figure when it gives one; the profile's object limit otherwise.
  let ti: pkcs11js.TokenInfo | undefined;
  try {
    ti = api.C_GetTokenInfo(slot);
  } catch {
    ti = undefined;
  }
  let publicObjects: number;
  let session: Buffer | undefined;
  try {
    session = api.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    publicObjects = findObjects(api, session, []).length;
  } catch {
    publicObjects = -1;
  }
  const free = ti ? figure(ti.freePublicMemory) : 'unknown';
  const room = profile.maxObjects === null ? null : profile.maxObjects - Math.max(publicObjects, 0);
  checks.push(
    room !== null && room < 5
      ? check('space', 'fail', `空间不足：最多 ${profile.maxObjects} 个对象，已有 ${publicObjects}`, `too full: at most ${profile.maxObjects} objects, ${publicObjects} present`, ['总裁办初始化（清空）后再发放', 'the office initialises (empties) it before issuing'])
      : check('space', 'ok', `公开对象 ${publicObjects < 0 ? '?' : publicObjects} 个，剩余公开存储 ${free}`, `${publicObjects < 0 ? '?' : publicObjects} public objects, free public memory ${free}`),
  );
  // Marker dry run: a public CKO_DATA *session* object, created and destroyed in a read-write session.
  let markerProbe = 'not tried';
  if (rw) {
    let rwSession: Buffer | undefined;
    try {
      rwSession = api.C_OpenSession(slot, RW_SESSION);
      const object = api.C_CreateObject(rwSession, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        { type: pkcs11js.CKA_LABEL, value: 'yinjian-doctor-probe' },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from('probe') },
      ]);
      api.C_DestroyObject(rwSession, object);
      markerProbe = 'session object accepted';
    } catch (error) {
      markerProbe = `refused ${ckrName(ckrOf(error) ?? 0)}`;
    } finally {
      if (rwSession) {
        try {
          api.C_CloseSession(rwSession);
        } catch {
          // gone
        }
      }
    }
  }
  checks.push(
    profile.marker === 'public-data'
      ? check('marker', markerProbe === 'session object accepted' ? 'ok' : 'degraded', `首次使用标记可写（试写会话对象：${markerProbe}）`, `first-use marker can be written (dry run with a session object: ${markerProbe})`, markerProbe === 'session object accepted' ? undefined : ['以登记簿为准执行首次改 PIN（规定 M4）', 'the register enforces the first PIN change (M4)'])
      : check('marker', 'degraded', `此型号不能存放首次使用标记（试写会话对象：${markerProbe}）`, `this model cannot hold the first-use marker (dry run with a session object: ${markerProbe})`, ['首次改 PIN 由本机登记簿强制（规定 M4）：在发放这台电脑上导入登记簿', 'the register enforces the first PIN change (M4): import the office\'s register snapshot on the workstation']),
  );
  const sources = profile.firstUseSources.join(', ');
  checks.push(check('first-use', profile.firstUseSources.length === 3 ? 'ok' : 'degraded', `首次使用（M4）依据：${sources}`, `first-use rule (M4) sources: ${sources}`, profile.firstUseSources.length === 3 ? undefined : ['保持登记簿最新', 'keep the register current']));
  const pinLength = slots.pinLength(slot);
  checks.push(
    pinLength.max < 16
      ? check('pin-length', 'degraded', `PIN 长度 ${pinLength.min}–${pinLength.max}`, `PIN length ${pinLength.min}–${pinLength.max}`, [`PIN 不超过 ${pinLength.max} 位`, `PINs of at most ${pinLength.max} characters`])
      : check('pin-length', 'ok', `PIN 长度 ${pinLength.min}–${pinLength.max}`, `PIN length ${pinLength.min}–${pinLength.max}`),
  );
  const unlock =
    profile.officeUnlock === 'none'
      ? check('office-unlock', 'degraded', '不能用 SO PIN 重置用户 PIN', 'the SO PIN cannot reset the user PIN', ['忘记 PIN 时只能重新初始化并重新发放', 'a forgotten PIN means re-initialising and re-issuing the key'])
      : profile.lockout === 'device-wide'
        ? check('office-unlock', 'degraded', 'PIN 锁定作用于整个设备（TPM 防字典攻击）', 'PIN lockout is device-wide (the TPM\'s dictionary-attack lockout)', ['由设备所有者清除锁定后再用 SO PIN 重置', 'the device owner clears the lockout, then the SO PIN resets the PIN'])
        : profile.lockout === 'none'
          ? check('office-unlock', 'degraded', 'SO PIN 可重置用户 PIN；输错 PIN 不会锁定', 'the SO PIN resets the user PIN; wrong PINs never lock', ['仅限测试与演示使用', 'for tests and demonstrations only'])
          : check('office-unlock', 'ok', 'SO PIN 可解锁并重置用户 PIN', 'the SO PIN unlocks and resets the user PIN');
  checks.push(unlock);
  if (session) {
    try {
      api.C_CloseSession(session);
    } catch {
      // gone
    }
  }
  return checks;
}

/** Probes the module and every slot with a token. Changes nothing on any key. */
export function diagnose(library: Pkcs11Library): DoctorReport {
  const api = library.api;
  const profile = library.profile;
  const slots = new SlotDirectory(library);
  const moduleChecks: DoctorCheck[] = [
    profile.id === 'default'
      ? check('profile', 'degraded', '未知型号：使用保守配置', 'unknown model: conservative profile', ['运行一致性测试并在 native/pkcs11-modules.json 中登记此型号', 'run the conformance suite and add the model to native/pkcs11-modules.json'])
      : check('profile', 'ok', `已知型号：${profile.id}`, `known model: ${profile.id}`),
    profile.staticSlotList
      ? check('slot-list', 'degraded', '插拔后需重新初始化模块才能看到变化（程序自动处理）', 'keys plugged or pulled are seen only after re-initialising the module (the app does it)')
      : check('slot-list', 'ok', '插拔即时可见', 'keys plugged or pulled are seen at once'),
  ];
  const tokens: DoctorToken[] = [];
  const all = api.C_GetSlotList(false);
  const present = slots.allTokens();
  const nameCount = new Map<string, number>();
  for (const t of present) nameCount.set(t.info.serial, (nameCount.get(t.info.serial) ?? 0) + 1);
  for (const slot of all) {
    const slotInfo = api.C_GetSlotInfo(slot);
    const entry = present.find((p) => p.slot.equals(slot));
    if (!entry) {
      tokens.push({ slot: slot.toString('hex'), slotDescription: unpad(slotInfo.slotDescription), info: null, hidden: false, checks: [check('present', 'fail', '槽中无 Key', 'no key in this slot', ['插入 USB Key', 'plug the USB key in'])] });
      continue;
    }
    const ti = api.C_GetTokenInfo(slot);
    const hidden = profile.hiddenTokens.includes(entry.info.label);
    let mechanisms: string[];
    try {
      mechanisms = api.C_GetMechanismList(slot).map(mechanismName);
    } catch {
      mechanisms = [];
    }
    tokens.push({
      slot: slot.toString('hex'),
      slotDescription: unpad(slotInfo.slotDescription),
      info: decodeTokenInfo(ti),
      keyName: entry.info.serial,
      pinLength: slots.pinLength(slot),
      memory: { totalPublic: figure(ti.totalPublicMemory), freePublic: figure(ti.freePublicMemory), totalPrivate: figure(ti.totalPrivateMemory), freePrivate: figure(ti.freePrivateMemory) },
      sessions: { open: figure(ti.sessionCount), max: figure(ti.maxSessionCount) },
      mechanisms,
      hidden,
      checks: hidden
        ? [check('internal', 'ok', '模块内部令牌，不作为印章 Key', 'the module\'s internal token, not a seal key')]
        : !entry.info.flags.tokenInitialized
          ? [check('initialised', 'degraded', '空白 Key（未初始化）', 'blank key (not initialised)', ['总裁办发放时初始化（yinjian office issue）；初始化后再运行检查', 'the office initialises it when issuing (yinjian office issue); run the doctor again afterwards'])]
          : probeToken(library, slots, slot, decodeTokenInfo(ti), entry.info.serial, (nameCount.get(entry.info.serial) ?? 0) > 1),
    });
  }
  const candidates = tokens.filter((t) => !t.hidden && t.info?.flags.tokenInitialized);
  const verdict = candidates.length === 0 ? 'fail' : worst([...moduleChecks, ...candidates.flatMap((t) => t.checks)]);
  return {
    module: { path: library.path, manufacturer: library.manufacturer, libraryDescription: library.libraryDescription, libraryVersion: library.libraryVersion, profile: profile.id, profileNotes: profile.notes },
    moduleChecks,
    tokens,
    verdict,
  };
}

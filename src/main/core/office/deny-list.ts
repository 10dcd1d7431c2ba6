import { YinjianError } from '../../../shared/errors/index';
import type { Actor } from '../register/index';
import type { OfficeRegister } from './ports';

/**
 * U2: the document types an e-seal must never be used on (合同、协议、委托书、工作介绍信 and the
 * like). The office publishes the list in every register snapshot, so it can change it
 * without a software release; this is the default it starts from. Variants are listed as
 * words, simplified and traditional: the stamping gate normalises the document's text
 * (full-width forms, spacing, traditional characters) before it matches them.
 */
export const DEFAULT_DOCUMENT_TYPE_DENY_LIST: readonly string[] = [
  '合同',
  '合約',
  '合约',
  '協議',
  '协议',
  '補充協議',
  '补充协议',
  '委托书',
  '委託書',
  '授权委托书',
  '授權委託書',
  '授权书',
  '授權書',
  '介绍信',
  '介紹信',
  '工作介绍信',
  '工作介紹信',
];

/**
 * The register setting holding the office's words (a JSON array): the office's own list on the
 * office computer, the one mirrored from the imported snapshot on a workstation.
 */
export const DENY_WORDS_SETTING = 'office.documentTypeDenyList';

/** Longest word the office may list (a document kind's name, not a sentence). */
export const MAX_DENY_WORD_LENGTH = 40;

/**
 * The office's word list as the register keeps it (a JSON array of words, setting
 * `office.documentTypeDenyList`, the office's own or mirrored from its snapshot). A malformed
 * value is an error, never silently the default: a register that lost its list must not stamp
 * under a weaker one unnoticed.
 */
export function parseDenyWords(text: string, setting: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${setting} is not a list of words` }, { cause });
  }
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string' && w.trim() !== '' && w.length <= MAX_DENY_WORD_LENGTH)) {
    throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${setting} is not a list of words` });
  }
  return parsed as string[];
}

/** The U2 deny list the office publishes: the saved one, else the regulation's default. */
export function officeDenyList(register: Pick<OfficeRegister, 'settings'>): readonly string[] {
  const saved = register.settings.get(DENY_WORDS_SETTING);
  return saved === undefined ? DEFAULT_DOCUMENT_TYPE_DENY_LIST : parseDenyWords(saved, DENY_WORDS_SETTING);
}

/**
 * U2: the office configures the deny list (words, simplified or traditional). The regulation's
 * own kinds stay in force at stamping whatever the list says (policy/document-type.ts,
 * withDeniedWords). Published with the next snapshot; audited with the list before and after.
 */
export function setOfficeDenyList(register: Pick<OfficeRegister, 'settings' | 'audit' | 'transaction'>, words: readonly string[], actor: Actor): readonly string[] {
  if (actor.office !== true) throw new YinjianError('OFFICE_ONLY', { action: 'SETTING_CHANGED' });
  const cleaned: string[] = [];
  for (const word of words.map((w) => w.trim())) {
    if (word === '' || word.length > MAX_DENY_WORD_LENGTH || /\p{Cc}/u.test(word)) throw new YinjianError('DENY_WORD_INVALID', { word, max: MAX_DENY_WORD_LENGTH });
    if (!cleaned.includes(word)) cleaned.push(word);
  }
  if (cleaned.length === 0) throw new YinjianError('DENY_WORD_INVALID', { word: '', max: MAX_DENY_WORD_LENGTH });
  const previous = officeDenyList(register);
  register.transaction(() => {
    register.settings.set(DENY_WORDS_SETTING, JSON.stringify(cleaned));
    register.audit.append({ actor, action: 'SETTING_CHANGED', subject: DENY_WORDS_SETTING, details: { previous: [...previous], words: cleaned } });
  });
  return cleaned;
}

/**
 * Document types (U1, U2): what the custodian declares, and what the document's own text says
 * it is. The declared type is signed into the signature as a commitment type; the text check is
 * the second line of defence against sealing a contract declared as a letter.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { SealedDocumentType } from '../pki/oids';
import { textColumns, textLines, type PageText, type TextLine } from './document-text';

/** The names a custodian may use to declare a type; only the two allowed ones map to a type. */
const DECLARED_TYPES: Readonly<Record<string, SealedDocumentType>> = {
  'internal-document': 'internal-formal-document',
  'internal-formal-document': 'internal-formal-document',
  内部正式文件: 'internal-formal-document',
  'internal-letter': 'internal-letter',
  内部函件: 'internal-letter',
};

/** Chinese labels of the allowed types, for the usage register and messages. */
export const DOCUMENT_TYPE_LABEL: Readonly<Record<SealedDocumentType, string>> = {
  'internal-formal-document': '内部正式文件',
  'internal-letter': '内部函件',
};

/** U1/U2: only internal formal documents and internal letters; anything else is refused. */
export function declaredDocumentType(declared: string): SealedDocumentType {
  const type = DECLARED_TYPES[declared.trim()];
  if (type === undefined) throw new YinjianError('DOCUMENT_TYPE_FORBIDDEN', { type: declared });
  return type;
}

/** One forbidden document kind of the deny list: a canonical term and the words that name it. */
export interface DeniedDocumentKind {
  /** Canonical name, simplified Chinese (what a refusal reports). */
  readonly term: string;
  /** Words that name the kind, simplified Chinese or English; variants come from normalisation. */
  readonly words: readonly string[];
  /**
   * Label words that open lines only a document of this kind has, as sets that must all be
   * present on one page (or a page and the next): both parties of a contract, 委托人 and 受托人.
   */
  readonly formMarkers?: readonly (readonly string[])[];
  /**
   * Patterns over a page's text run together (normalised, no spaces): the sentence only this
   * kind has, such as a letter of introduction's 兹介绍…前往…联系.
   */
  readonly formPatterns?: readonly RegExp[];
}

/**
 * U2's default deny list; the office may configure another (the register's deny list). The
 * longer word of a pair comes first (授权委托书 before 委托书) so the report names the
 * most specific one. Traditional characters, full-width forms and spaced-out characters are
 * not listed: normaliseForMatching folds them onto these words.
 */
export const DEFAULT_DENY_LIST: readonly DeniedDocumentKind[] = [
  {
    term: '合同',
    words: ['合同', 'contract'],
    formMarkers: [
      ['甲方', '乙方'],
      ['买方', '卖方'],
      ['出卖人', '买受人'],
      ['出租人', '承租人'],
      ['发包人', '承包人'],
      ['供方', '需方'],
      ['合同编号'],
      // English forms of the same labels (issue 13): 甲方/乙方, 买方/卖方 and 出卖人/买受人,
      // 出租人/承租人, 发包人/承包人, 供方/需方, 合同编号.
      ['party a', 'party b'],
      ['buyer', 'seller'],
      ['lessor', 'lessee'],
      ['landlord', 'tenant'],
      ['employer', 'contractor'],
      ['supplier', 'purchaser'],
      ['contract no.'],
      ['contract no:'],
    ],
  },
  { term: '协议', words: ['协议', 'agreement'], formMarkers: [['协议编号'], ['agreement no.'], ['agreement no:']] },
  {
    term: '授权委托书',
    words: ['授权委托书', '委托书', 'power of attorney', 'letter of authorization', 'letter of authorisation', 'authorization letter', 'authorisation letter'],
    formMarkers: [
      ['委托人', '受托人'],
      ['委托人', '被委托人'],
      ['委托方', '受托方'],
      ['授权人', '被授权人'],
      ['principal', 'attorney-in-fact'],
      ['principal', 'agent'],
      ['grantor', 'attorney'],
      ['grantor', 'grantee'],
    ],
  },
  {
    term: '介绍信',
    words: ['介绍信', 'letter of introduction', 'introduction letter'],
    formMarkers: [['兹介绍'], ['this is to introduce']],
    // 兹介绍 X 同志前往 Y 联系/接洽/办理: the one sentence every letter of introduction has,
    // wherever the line breaks fall (a scan's OCR may put it at any place in a line); in
    // English, "This is to introduce / We hereby introduce X … who will visit / contact".
    formPatterns: [
      /(兹|特此|现)介绍.{0,80}?前往.{0,80}?(联系|接洽|办理|洽谈|联络)/u,
      /介绍.{0,40}?(同志|先生|女士|等\d*人).{0,40}?前往.{0,80}?(联系|接洽|办理|洽谈|联络)/u,
      /(thisistointroduce|thisletteristointroduce|herebyintroduce|wishtointroduce|liketointroduce).{0,200}?(contact|visit|liaise|discuss)/u,
    ],
  },
];

/**
 * The deny list in force: the regulation's kinds (never removed by configuration: U2 names
 * them) extended by the office's configured words (U2: "the deny list is configurable by the
 * office"), published in every register snapshot. A word that ends with a kind's word (补充协议,
 * 工作介紹信) joins that kind, so a stand-alone heading of it is caught and the refusal names the
 * kind; any other word becomes a kind of its own (合约, 授权书), matched the same way. Spellings
 * that normalise alike (合約 / 合约) are one kind, named by the simplified spelling when listed.
 */
export function withDeniedWords(kinds: readonly DeniedDocumentKind[], words: readonly string[]): DeniedDocumentKind[] {
  const extended = kinds.map((k) => ({ ...k, words: [...k.words] }));
  const added: { term: string; words: string[] }[] = [];
  const known = (key: string): boolean => [...extended, ...added].some((k) => k.words.some((w) => normalisedWord(w) === key));
  for (const word of words) {
    const key = normalisedWord(word);
    if (key === '' || known(key)) {
      // Another spelling of a word already listed: keep it with its kind (for the record).
      const own = added.find((k) => k.words.some((w) => normalisedWord(w) === key));
      if (own && !own.words.includes(word)) {
        own.words.push(word);
        if (normalisedWord(word) === word) own.term = word;
      }
      continue;
    }
    const parent = extended.find((k) => k.words.some((w) => key.endsWith(normalisedWord(w))));
    if (parent) parent.words.push(word);
    else added.push({ term: word, words: [word] });
  }
  return [...extended, ...added];
}

/**
 * Traditional → simplified for the characters of the deny list's words (and a few that appear
 * with them), so 協議, 授權委託書, 介紹信 match their simplified entries. A full conversion table
 * is not needed: only the deny list's own characters matter.
 */
const TRADITIONAL_TO_SIMPLIFIED: Readonly<Record<string, string>> = {
  協: '协', 議: '议', 託: '托', 權: '权', 紹: '绍', 書: '书', 約: '约', 編: '编', 號: '号', 簽: '签', 訂: '订',
  買: '买', 賣: '卖', 茲: '兹', 聯: '联', 繫: '系', 係: '系', 蓋: '盖', 貴: '贵', 處: '处', 辦: '办', 談: '谈', 給: '给',
  認: '认', 轉: '转', 證: '证', 擔: '担', 發: '发', 單: '单', 門: '门', 內: '内', 實: '实', 務: '务', 與: '与', 為: '为',
};

/**
 * Folds the ways a word can be written onto one spelling: NFKC (full-width Latin and digits,
 * the ideographic space U+3000, compatibility and Kangxi-radical ideographs onto their unified
 * forms), traditional onto simplified, lower case, and every space and invisible format
 * character and every combining mark removed, so 合\u3000同, 合 同, 合\uFE00同, ＣＯＮＴＲＡＣＴ and
 * c o n t r a c t all read as one word.
 */
export function normaliseForMatching(text: string): string {
  // The gate reads every page (issue #13): the same line is matched against every kind, word
  // and marker, so its normal form is remembered (bounded) instead of recomputed each time.
  const known = normalised.get(text);
  if (known !== undefined) return known;
  let out = text.normalize('NFKC').toLowerCase();
  out = out.replace(/[\u4e00-\u9fff]/gu, (ch) => TRADITIONAL_TO_SIMPLIFIED[ch] ?? ch);
  // Marks too (U2): a variation selector or a combining mark after 合 (合\uFE00同) draws nothing
  // a reader sees, and kept the word from matching.
  out = out.replace(/[\s\p{Cf}\p{M}\u00a0]/gu, '');
  if (normalised.size >= MAX_NORMALISED) normalised.clear();
  normalised.set(text, out);
  return out;
}

const normalised = new Map<string, string>();
const MAX_NORMALISED = 20_000;
const spacedForms = new Map<string, string>();

/** A line as English labels are matched: NFKC, lower case, runs of spaces as one (remembered like normaliseForMatching). */
function spacedForm(line: string): string {
  const known = spacedForms.get(line);
  if (known !== undefined) return known;
  const out = line.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
  if (spacedForms.size >= MAX_NORMALISED) spacedForms.clear();
  spacedForms.set(line, out);
  return out;
}

function normalisedWord(word: string): string {
  return normaliseForMatching(word);
}

export type DocumentTextFinding = 'title' | 'heading' | 'form';

export type DocumentTextVerdict =
  | { readonly forbidden: false; readonly linesRead: number; readonly pagesRead: number }
  | {
      readonly forbidden: true;
      readonly term: string;
      readonly where: DocumentTextFinding;
      readonly line: string;
      /** 1-based page on which the finding stands (U2: the refusal names the page). */
      readonly page: number;
      /** The words of the finding as they matched (deny-list words or form labels), to mark. */
      readonly words: readonly string[];
    };

/**
 * What may follow the kind word at the end of a title, in the compact form: 书, a bracketed
 * note, 草案, 副本, a number; and the English tails a letter-spaced or run-together title keeps
 * (S E R V I C E A G R E E M E N T N o . 1, CONTRACT page 1 of 4, AGREEMENT-DRAFT); a page or a
 * date after a Chinese title (采购合同 第1页, 采购合同2026年7月1日); a closing quote or
 * book-title mark (《房屋租赁合同》 was let through, U2). No two alternatives match
 * the same text (a digit, not a run of them; 年 only after a digit): `(\d+)+$` or `(\d|\d+年)+$`
 * backtrack exponentially on a long number followed by text, and this runs on every line.
 */
const TITLE_TAIL = /(书|草案|草稿|范本|文本|正本|副本|[》〉」』”’"']|\d|[（(【[][^）)】\]]*[）)】\]]|(?<=\d)[年月日页]|[第共](?=\d)|no\.?|page|of|draft|copy|v\.?(?=\d)|[#\-–—/])+$/u;

/*
 * English titles (issue 13) are read by words on the line's spaced form (NFKC, lower case, one
 * space between words), not by the compact form's end: English puts the kind last
 * (Service Agreement) or first (Agreement on Cooperation, Contract for Services), and a title
 * often carries a number, a page, a date or a note after it (SERVICE AGREEMENT No.1, LEASE
 * CONTRACT page 1, Sales Contract (Draft), Loan Agreement dated 1 July 2026). A line is the
 * kind's title when, word by word:
 *  - at most six words come before the kind, none of them an article, a preposition or a verb
 *    (Notice on the Agreement, Minutes of the Meeting on the Service Agreement, Please sign the
 *    contract are about a contract, not one; 附件：/Attachment: is a label);
 *  - after it come only tails (EN_TITLE_TAIL: No.1, #5, page 1 of 4, v2, a date, a bracketed
 *    note, Draft, Copy), then at most one qualifier opened by for/of/between/on/dated…
 *    (EN_TITLE_QUALIFIER) in which no verb stands (Contract for Services, not "Contract for
 *    supplies shall be signed"); Contract Management Measures and Contract Notice name no kind.
 * The patterns are compiled once: the head per deny-list word (prepared), the rest here.
 */

/** Words that cannot stand before the kind in its title: articles, determiners, prepositions, verbs. */
const EN_NOT_BEFORE_KIND =
  'the|a|an|this|that|these|those|our|your|its|their|his|her|my|on|about|regarding|concerning|re|of|to|for|under|in|into|with|from|by|at|upon|per|as|if|when|which|who|shall|will|must|should|may|can|would|could|is|are|was|were|be|been|being|has|have|had|do|does|did|please|not|no|sign|signed|attached|see';

/** Verbs and modals: a line that has one after the kind is a sentence about the kind. */
const EN_VERB = 'shall|will|must|should|would|could|is|are|was|were|be|been|being|has|have|had|do|does|did|please|not';

/** One word before the kind: no clause punctuation, no label colon, not in EN_NOT_BEFORE_KIND. */
const EN_MODIFIER = `(?!(?:${EN_NOT_BEFORE_KIND}) )[^ ,;:!?，。；：！？、]+ `;

/** One tail after the kind (sticky: read one by one from where the kind ends, no backtracking between them). */
const EN_TITLE_TAIL = new RegExp(
  [
    '[ ,:\\-–—/]*(?:',
    [
      'no\\.? ?[\\w\\-/.]*\\d[\\w\\-/.]*',
      '# ?[\\w\\-/.]+',
      '\\([^)]*\\)|\\[[^\\]]*\\]|【[^】]*】',
      'page ?\\d+(?: ?(?:of|/) ?\\d+)?|p\\. ?\\d+',
      '\\d{1,4} ?年(?: ?\\d{1,2} ?月(?: ?\\d{1,2} ?日)?)?|\\d{1,2} ?月(?: ?\\d{1,2} ?日)?|第 ?\\d{1,4} ?页(?: ?共 ?\\d{1,4} ?页)?',
      '(?:version|ver\\.?|v\\.?|rev(?:ision)?\\.?|edition) ?\\d[\\w.]*',
      '\\d[\\d\\-/.]*(?:st|nd|rd|th)?',
      '(?:draft|copy|original|template|sample|specimen|form|final|counterpart|duplicate|translation|english|chinese|version|edition|text|revised|amended|i{1,3}|iv|vi{0,3}|ix|x' +
        '|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?',
    ].join('|'),
    ')(?![\\w])',
  ].join(''),
  'uy',
);

/** The qualifier after the kind and its tails, to the line's end, without a verb or sentence punctuation. */
const EN_TITLE_QUALIFIER = new RegExp(
  `[ ,]*(?:for|of|between|among|amongst|on|with|regarding|concerning|relating to|in respect of|dated|made|entered|to|by|under|in)(?![\\w])(?![^;!?]*\\b(?:${EN_VERB})\\b)[^;!?。；！？]*$`,
  'uy',
);

/** Nothing more on the line but a full stop or closing quote (SERVICE AGREEMENT., “Sales Contract”). */
const EN_TITLE_END = /[ .”"’']*$/uy;

/** Sentence punctuation on a spaced English line (a comma or colon may separate a title's tail). */
const EN_SENTENCE_PUNCTUATION = /[;!?。；！？]/u;

/** A line letter-spaced from its start (c o n t r a c t): read on its compact form, as Chinese is. */
const LETTER_SPACED = /^(?:\S ){3,}\S/u;

/** The longest English line that can still be a title (spaced characters). */
const MAX_EN_TITLE_LENGTH = 100;

/** A line that reads as running text, not as a title: sentence or clause punctuation, a label colon. */
const RUNNING_TEXT = /[，。；！？、,;!?:：]/u;

/** Sentence and clause punctuation (not a label colon). */
const SENTENCE_PUNCTUATION = /[，。；！？,;!?]/u;

/** The longest line that can still be a title (normalised characters). */
const MAX_TITLE_LENGTH = 40;

/** The longest line that can still be a stand-alone heading with its tail (normalised characters). */
const MAX_HEADING_LENGTH = 2 * MAX_TITLE_LENGTH;

/** A line of a page as the matching reads it, its normal forms computed once. */
interface LineForms {
  readonly text: string;
  /** normaliseForMatching(text): no spaces, simplified, lower case. */
  readonly compact: string;
  /** The first UTF-16 unit of `compact` (NaN when empty): a marker can only open a line that starts like it. */
  readonly first: number;
  /** `compact` without a title's tail (书, 草案, a bracketed note…), computed when first asked. */
  stripped?: string;
  /** RUNNING_TEXT.test(text.normalize('NFKC')), computed when first asked. */
  running?: boolean;
}

function lineForms(text: string): LineForms {
  const compact = normaliseForMatching(text);
  return { text, compact, first: compact.charCodeAt(0) };
}

function strippedOf(line: LineForms): string {
  return (line.stripped ??= line.compact.replace(TITLE_TAIL, ''));
}

/** A deny-list word and a form marker as they are matched, normalised once per deny list. */
interface PreparedWord {
  readonly word: string;
  readonly normal: string;
  readonly latin: boolean;
}

interface PreparedTitleWord extends PreparedWord {
  /**
   * English words: the head of a title up to the kind's end, on the spaced form (sticky, from
   * 0): up to six words that are not EN_NOT_BEFORE_KIND, then the word (a plural s allowed).
   */
  readonly head: RegExp | undefined;
}

interface PreparedMarker extends PreparedWord {
  /** First UTF-16 unit a line's compact form must start with (see LineForms.first). */
  readonly first: number;
  /**
   * English labels: matched on the line's spaced form, "The " allowed before, at a word's end,
   * followed by a colon or bracket, nothing, or a value in which no verb stands (Party A
   * Huaxia Group, not Party A shall pay).
   */
  readonly pattern: RegExp | undefined;
  /** The label's opening words are enough (兹介绍, 合同编号, this is to introduce). */
  readonly loose: boolean;
}

interface PreparedKind {
  readonly kind: DeniedDocumentKind;
  readonly words: readonly PreparedTitleWord[];
  readonly markerSets: readonly { readonly markers: readonly string[]; readonly prepared: readonly PreparedMarker[] }[];
}

interface PreparedList {
  readonly kinds: readonly PreparedKind[];
  /** A stand-alone heading: the first kind and word (deny-list order) by normalised word. */
  readonly headings: ReadonlyMap<string, { readonly kind: DeniedDocumentKind; readonly word: string }>;
  /** The first UTF-16 unit of every heading: a line that starts with none of them is no heading. */
  readonly headingFirsts: ReadonlySet<number>;
  /**
   * The first UTF-16 unit of every form marker (and LATIN_T when an English marker may follow
   * "The"): a page none of whose lines starts with one has no form marker set (opensWithLabel).
   */
  readonly markerFirsts: ReadonlySet<number>;
}

const preparedLists = new WeakMap<readonly DeniedDocumentKind[], PreparedList>();

function prepared(denyList: readonly DeniedDocumentKind[]): PreparedList {
  let list = preparedLists.get(denyList);
  if (list) return list;
  const headings = new Map<string, { kind: DeniedDocumentKind; word: string }>();
  const kinds = denyList.map((kind) => {
    const words = kind.words.map((word) => {
      const normal = normalisedWord(word);
      if (!headings.has(normal)) headings.set(normal, { kind, word });
      const latin = /^[a-z]/u.test(normal);
      const head = latin ? new RegExp(`[“"‘']?(?:${EN_MODIFIER}){0,6}${escapeRegExp(spacedForm(word))}s?(?![a-z'’\\-])`, 'uy') : undefined;
      return { word, normal, latin, head };
    });
    const markerSets = (kind.formMarkers ?? []).map((markers) => ({
      markers,
      prepared: markers.map((marker) => {
        const normal = normalisedWord(marker);
        const latin = /^[a-z]/u.test(normal);
        const label = escapeRegExp(spacedForm(marker));
        return {
          word: marker,
          normal,
          latin,
          first: normal.charCodeAt(0),
          // A marker of its own is loose unless it ends in its own punctuation (Contract No.),
          // whose value must then read as a value (Contract No. 15 was terminated is a sentence).
          loose: markers.length === 1 && !/[.:]$/u.test(marker),
          pattern: latin ? new RegExp(`^(?:the )?${label}(?![a-z'’\\-])(?: ?(?:[:(\\[【]|$)| (?![^:]*\\b(?:${EN_VERB})\\b)[^;!?。；！？]*$)`, 'u') : undefined,
        };
      }),
    }));
    return { kind, words, markerSets };
  });
  const markerFirsts = new Set<number>();
  for (const { markerSets } of kinds) {
    for (const { prepared: set } of markerSets) {
      for (const m of set) {
        markerFirsts.add(m.first);
        if (m.latin) markerFirsts.add(LATIN_T);
      }
    }
  }
  list = { kinds, headings, headingFirsts: new Set([...headings.keys()].map((h) => h.charCodeAt(0))), markerFirsts };
  preparedLists.set(denyList, list);
  return list;
}

/** A short line without clause punctuation or label colon whose compact form ends with `w` (after a title's tail). */
function compactTitleEndsWith(line: LineForms, w: string): boolean {
  const compact = line.compact;
  if (compact.length > MAX_TITLE_LENGTH) return false;
  if ((line.running ??= RUNNING_TEXT.test(line.text.normalize('NFKC')))) return false;
  return (strippedOf(line) || compact).endsWith(w) || compact.endsWith(w);
}

/** Is the line an English title of the word's kind? (See EN_MODIFIER, EN_TITLE_TAIL, EN_TITLE_QUALIFIER.) */
function englishTitleNames(line: LineForms, word: PreparedTitleWord): boolean {
  const spaced = spacedForm(line.text);
  if (spaced.length > MAX_EN_TITLE_LENGTH) return false;
  // One word (CONTRACT, SERVICEAGREEMENT) or letter-spaced (C O N T R A C T N o . 1): by its
  // compact form, as a Chinese title is read.
  if (!spaced.includes(' ') || LETTER_SPACED.test(spaced)) return compactTitleEndsWith(line, word.normal);
  if (EN_SENTENCE_PUNCTUATION.test(spaced)) return false;
  const head = word.head as RegExp;
  head.lastIndex = 0;
  if (!head.test(spaced)) return false;
  let at = head.lastIndex;
  while (at < spaced.length) {
    EN_TITLE_TAIL.lastIndex = at;
    if (!EN_TITLE_TAIL.test(spaced)) break;
    at = EN_TITLE_TAIL.lastIndex;
  }
  EN_TITLE_END.lastIndex = at;
  if (EN_TITLE_END.test(spaced)) return true;
  EN_TITLE_QUALIFIER.lastIndex = at;
  return EN_TITLE_QUALIFIER.test(spaced);
}

function titleNamesKind(line: LineForms, kind: PreparedKind): string | undefined {
  const compact = line.compact;
  if (compact === '') return undefined;
  for (const word of kind.words) {
    // Only a line that holds the word can name it (cheap, and most lines do not).
    if (!compact.includes(word.normal)) continue;
    if (word.latin) {
      if (englishTitleNames(line, word)) return word.word;
      continue;
    }
    // Chinese puts the kind of a document last (采购合同, 授权委托书): a title that ends with
    // the word is that kind; 关于加强合同管理的通知 ends with 通知 and is a notice.
    if (compactTitleEndsWith(line, word.normal)) return word.word;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * Does `line` open with the label `marker`? A label of a party (甲方, 买方, 委托人) counts when
 * what follows reads as a label's value: a colon or bracket (甲方：, 甲方（盖章）), nothing, or a
 * short line without sentence punctuation (甲方 华夏建设集团有限公司). A sentence that merely
 * starts with the word (买方应于十日内付款。) is running text. `loose` (a marker of its own, such
 * as 兹介绍 or 合同编号) only needs the opening words.
 */
function opensWithLabel(line: LineForms, marker: PreparedMarker): boolean {
  const m = marker.normal;
  const compact = line.compact;
  if (marker.pattern) {
    // English: the label, or "The" and the label (The Buyer:), opens the compact form. Followed
    // there by a colon or bracket, or by nothing, it is a label however it is spaced
    // (P A R T Y A :, full-width ＰＡＲＴＹ Ａ：, Buyer alone over a signature line); else by its words.
    let at = 0;
    if (line.first !== marker.first) {
      if (line.first !== LATIN_T || !compact.startsWith('the') || !compact.startsWith(m, 3)) return false;
      at = 3;
    } else if (!compact.startsWith(m)) return false;
    if (marker.loose) return true;
    const next = compact.charCodeAt(at + m.length);
    if (Number.isNaN(next) || LABEL_OPENERS.has(next)) return true;
    return marker.pattern.test(spacedForm(line.text));
  }
  // Neither form can start with the marker unless the compact form starts with its first unit.
  if (line.first !== marker.first) return false;
  if (!compact.startsWith(m)) return false;
  if (marker.loose) return true;
  const rest = compact.slice(m.length);
  if (rest === '' || !/^\p{Script=Han}/u.test(rest)) return true;
  return rest.length <= MAX_TITLE_LENGTH && !SENTENCE_PUNCTUATION.test(rest);
}

/** What makes the opening word(s) of a line a label when it follows them in the compact form: a colon or bracket. */
const LABEL_OPENERS: ReadonlySet<number> = new Set([...':([【'].map((c) => c.charCodeAt(0)));

/** 't': an English label may follow "The" (The Buyer:). */
const LATIN_T = 't'.charCodeAt(0);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
}

type Finding = Omit<Extract<DocumentTextVerdict, { forbidden: true }>, 'forbidden'>;

/** Title-like lines of a page: the first page's upper half, a later page's top third. */
function titleCandidates(page: PageText, lines: readonly TextLine[]): TextLine[] {
  const bodySize = median(lines.map((l) => l.fontSize));
  if (page.pageIndex === 0) {
    const middle = page.box.y + page.box.height / 2;
    return lines.filter((l) => l.y >= middle && l.fontSize >= bodySize * 0.95);
  }
  // A later page starts a new document when its top line, or a line set larger than the
  // page's body text near its top, is a title (a contract after a cover page). A notice's
  // later pages keep their body size, so "附件：采购合同" further down is not a title.
  const topThird = page.box.y + (page.box.height * 2) / 3;
  const top = lines.reduce<TextLine | undefined>((best, l) => (best === undefined || l.y > best.y ? l : best), undefined);
  return lines.filter((l) => l.y >= topThird && (l === top || l.fontSize >= bodySize * 1.1));
}

const NO_MARKER_SETS: PreparedKind['markerSets'] = [];

/** Does some line open with `marker`? (Loops, not callbacks: this runs for every page.) */
function someLineOpens(lines: readonly LineForms[], marker: PreparedMarker): boolean {
  for (const line of lines) if (opensWithLabel(line, marker)) return true;
  return false;
}

function markerSetAt(markers: readonly PreparedMarker[], lines: readonly LineForms[]): boolean {
  for (const m of markers) if (!someLineOpens(lines, m)) return false;
  return true;
}

function pageFinding(page: PageText, textLinesOfPage: readonly TextLine[], lines: readonly LineForms[], next: readonly LineForms[], list: PreparedList): Finding | undefined {
  const at = page.pageIndex + 1;
  const candidates = titleCandidates(page, textLinesOfPage);
  for (const candidate of candidates) {
    const line = lines[textLinesOfPage.indexOf(candidate)] as LineForms;
    for (const kind of list.kinds) {
      const word = titleNamesKind(line, kind);
      if (word !== undefined) return { term: kind.kind.term, where: 'title', line: line.text, page: at, words: [word] };
    }
  }
  for (const line of lines) {
    // A heading is short: a long line is not stripped of its tail at all (TITLE_TAIL is tried
    // from every position of the line, quadratic in its length).
    if (line.compact.length > MAX_HEADING_LENGTH) continue;
    // Stripping removes a tail only: a heading is a prefix of the line, so the line starts with
    // a heading's first character, or TITLE_TAIL need not run at all (it did on every line).
    if (!list.headingFirsts.has(line.first)) continue;
    const heading = list.headings.get(strippedOf(line));
    if (heading !== undefined) return { term: heading.kind.term, where: 'heading', line: line.text, page: at, words: [heading.word] };
  }
  // The form: on this page, or begun on it and finished on the next (parties across a page break).
  let withNext: readonly LineForms[] | undefined;
  let joined: { own: number; both: string } | undefined;
  // A marker opens none of this page's lines unless one starts with its first character; most
  // pages have no line that starts like any marker, and skip the marker sets altogether.
  const starts = new Set<number>();
  let markerMayOpen = false;
  for (const line of lines) {
    starts.add(line.first);
    if (list.markerFirsts.has(line.first)) markerMayOpen = true;
  }
  for (const { kind, markerSets } of list.kinds) {
    for (const { markers, prepared: set } of markerMayOpen ? markerSets : NO_MARKER_SETS) {
      let opens = false;
      for (const m of set) {
        if ((starts.has(m.first) || (m.latin && starts.has(LATIN_T))) && someLineOpens(lines, m)) {
          opens = true;
          break;
        }
      }
      if (!opens) continue;
      withNext ??= next.length === 0 ? lines : [...lines, ...next];
      if (markerSetAt(set, withNext)) return { term: kind.term, where: 'form', line: markers.join(' / '), page: at, words: [...markers] };
    }
    if (!kind.formPatterns || kind.formPatterns.length === 0) continue;
    joined ??= {
      both: normaliseForMatching([...lines, ...next].map((l) => l.text).join('')),
      own: normaliseForMatching(lines.map((l) => l.text).join('')).length,
    };
    for (const pattern of kind.formPatterns) {
      const found = pattern.exec(joined.both);
      if (found && found.index < joined.own) return { term: kind.term, where: 'form', line: found[0], page: at, words: [found[0]] };
    }
  }
  return undefined;
}

/**
 * U2: does the document's own text say it is a forbidden kind? Every page is read, in order,
 * and the first finding names its page. Three findings per page:
 *
 * - title: on the first page, a line of its title region (its upper half, at least body-size
 *   type); on a later page, its top line or a line set larger than its body near its top;
 *   which is a title — short, no clause punctuation or label colon — and ends with a kind word
 *   (after 书, 草案, a bracketed note, a page or a date…). 采购合同, 合\u3000同, 授權委託書.
 *   English titles are read word by word (englishTitleNames): the kind last or first, a
 *   number, page, date or note after it (SERVICE AGREEMENT No.1, LEASE CONTRACT page 1,
 *   Agreement on Cooperation), letter-spaced (C O N T R A C T) and full-width alike; a kind
 *   after a preposition (Notice on the Service Agreement) or before more words (Contract
 *   Management Measures) is what the title is about, not what it is.
 *   A contract placed behind a notice's cover page starts its page with its title.
 * - heading: a line anywhere that is nothing but the word (合同 or 介绍信 on its own).
 * - form: the labels only that kind of document has, at the start of lines of one page (or
 *   carried over to the next): both parties 甲方 … 乙方, 买方 … 卖方, 委托人 … 受托人, Party A …
 *   Party B, Buyer … Seller, Lessor … Lessee, Principal … Agent, signature lines such as
 *   甲方（盖章） or PARTY A (Seal):; 兹介绍, 合同编号 or Contract No.; and the letter of
 *   introduction's sentence 兹介绍…前往…联系 (This is to introduce … contact) wherever its line
 *   breaks fall. An English label opens its line followed by a colon, a bracket, nothing, or a
 *   value without a verb: "Buyer shall pay within ten days." is a sentence.
 *
 * How a notice that mentions a contract in passing gets through: the mention sits in running
 * text (有关合同已于上月签订，请各部门……), so its line has clause punctuation or does not end
 * with the word, it is not a line on its own, and a notice has no party labels. Its title ends
 * with 通知 / 函 / 决定, the kind Chinese titles name last. Only titles, stand-alone headings and
 * form markers count; words in sentences never do.
 */
export function classifyDocumentText(pages: readonly PageText[], denyList: readonly DeniedDocumentKind[] = DEFAULT_DENY_LIST): DocumentTextVerdict {
  const ordered = [...pages].sort((a, b) => a.pageIndex - b.pageIndex);
  const list = prepared(denyList);
  // Each page's lines, and its columns of text set vertically a character a run (U2).
  const lines = ordered.map((page) => {
    const across = textLines(page);
    const down = textColumns(across);
    return down.length === 0 ? across : [...across, ...down];
  });
  const forms = lines.map((own) => own.map((line) => lineForms(line.text)));
  let linesRead = 0;
  for (let i = 0; i < ordered.length; i++) {
    const page = ordered[i] as PageText;
    const own = lines[i] as TextLine[];
    linesRead += own.length;
    const following = ordered[i + 1]?.pageIndex === page.pageIndex + 1 ? (forms[i + 1] as LineForms[]) : [];
    const finding = pageFinding(page, own, forms[i] as LineForms[], following, list);
    if (finding) return { forbidden: true, ...finding };
  }
  return { forbidden: false, linesRead, pagesRead: ordered.length };
}

const WHERE_LABEL: Readonly<Record<DocumentTextFinding, string>> = {
  title: '标题 title',
  heading: '独立标题行 stand-alone heading',
  form: '格式条款 form of the document',
};

/** The verdict as a guard: DOCUMENT_CONTENT_FORBIDDEN when the text names a forbidden kind (U2). */
export function assertDocumentTextAllowed(pages: readonly PageText[], denyList?: readonly DeniedDocumentKind[]): DocumentTextVerdict {
  const verdict = classifyDocumentText(pages, denyList);
  if (verdict.forbidden) {
    throw new YinjianError('DOCUMENT_CONTENT_FORBIDDEN', { term: verdict.term, page: verdict.page, where: `${WHERE_LABEL[verdict.where]}: ${verdict.line}` });
  }
  return verdict;
}

/**
 * Document types (U1, U2): what the custodian declares, and what the document's own text says
 * it is. The declared type is signed into the signature as a commitment type; the text check is
 * the second line of defence against sealing a contract declared as a letter.
 */
import { YinjianError } from '../../../shared/errors/index';
import type { SealedDocumentType } from '../pki/oids';
import { textLines, type PageText, type TextLine } from './document-text';

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
  /** Opening words of a line that only a document of this kind has (its form: parties, 兹介绍…). */
  readonly formMarkers?: readonly (readonly string[])[];
}

/**
 * U2's default deny list; the office may configure another (the register's deny list). The
 * longer word of a pair comes first (授权委托书 before 委托书) so the report names the
 * most specific one. Traditional characters, full-width forms and spaced-out characters are
 * not listed: normaliseForMatching folds them onto these words.
 */
export const DEFAULT_DENY_LIST: readonly DeniedDocumentKind[] = [
  { term: '合同', words: ['合同', 'contract'], formMarkers: [['甲方', '乙方'], ['合同编号'], ['party a', 'party b']] },
  { term: '协议', words: ['协议', 'agreement'], formMarkers: [['协议编号']] },
  { term: '授权委托书', words: ['授权委托书', '委托书', 'power of attorney'], formMarkers: [['委托人', '受托人'], ['委托人', '被委托人']] },
  { term: '介绍信', words: ['介绍信', 'letter of introduction'], formMarkers: [['兹介绍'], ['this is to introduce']] },
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
};

/**
 * Folds the ways a word can be written onto one spelling: NFKC (full-width Latin and digits,
 * the ideographic space U+3000, compatibility and Kangxi-radical ideographs onto their unified
 * forms), traditional onto simplified, lower case, and every space and invisible format
 * character removed, so 合\u3000同, 合 同, ＣＯＮＴＲＡＣＴ and c o n t r a c t all read as one word.
 */
export function normaliseForMatching(text: string): string {
  let out = text.normalize('NFKC').toLowerCase();
  out = out.replace(/[\u4e00-\u9fff]/gu, (ch) => TRADITIONAL_TO_SIMPLIFIED[ch] ?? ch);
  return out.replace(/[\s\p{Cf}\u00a0]/gu, '');
}

function normalisedWord(word: string): string {
  return normaliseForMatching(word);
}

export type DocumentTextFinding = 'title' | 'heading' | 'form';

export type DocumentTextVerdict =
  | { readonly forbidden: false; readonly linesRead: number }
  | { readonly forbidden: true; readonly term: string; readonly where: DocumentTextFinding; readonly line: string };

/** What may follow the kind word at the end of a title: 书, a bracketed note, 草案, 副本… */
const TITLE_TAIL = /(书|草案|范本|文本|正本|副本|\d+|[（(【[][^）)】\]]*[）)】\]])+$/u;

/** A line that reads as running text, not as a title: sentence or clause punctuation, a label colon. */
const RUNNING_TEXT = /[，。；！？、,;!?:：]/u;

/** The longest line that can still be a title (normalised characters). */
const MAX_TITLE_LENGTH = 40;

function titleNamesKind(line: string, kind: DeniedDocumentKind): string | undefined {
  const compact = normaliseForMatching(line);
  if (compact === '' || compact.length > MAX_TITLE_LENGTH || RUNNING_TEXT.test(line.normalize('NFKC'))) return undefined;
  const stripped = compact.replace(TITLE_TAIL, '') || compact;
  for (const word of kind.words) {
    const w = normalisedWord(word);
    // Chinese puts the kind of a document last (采购合同, 授权委托书): a title that ends with
    // the word is that kind; 关于加强合同管理的通知 ends with 通知 and is a notice.
    if (stripped.endsWith(w) || compact.endsWith(w)) return word;
    // English puts it first or last: "Contract for Services", "Service Agreement".
    if (/^[a-z]/.test(w) && (compact.startsWith(`${w}for`) || compact.startsWith(`${w}of`) || compact.startsWith(`${w}between`) || compact.startsWith(`${w}no`))) {
      return word;
    }
  }
  return undefined;
}

function lineStartsWith(lines: readonly string[], marker: string): boolean {
  const m = normalisedWord(marker);
  return lines.some((line) => line.startsWith(m));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
}

/**
 * U2: does the document's own text say it is a forbidden kind? Three findings, in order:
 *
 * - title: a line of the first page's title region (its upper half, at least body-size type)
 *   that is a title — short, no clause punctuation or label colon — and ends with a kind word
 *   (after 书, 草案, a bracketed note…). 采购合同, 合\u3000同, 授權委託書, SERVICE AGREEMENT.
 * - heading: the same kind of line anywhere in the pages read, when it is nothing but the word
 *   (a contract behind a cover page: a line 合同 or 介绍信 on its own).
 * - form: the opening words only that kind of document has, at the start of lines: both
 *   parties 甲方 … 乙方, 委托人 … 受托人, 兹介绍, 合同编号.
 *
 * How a notice that mentions a contract in passing gets through: the mention sits in running
 * text (有关合同已于上月签订，请各部门……), so its line has clause punctuation or does not end
 * with the word, it is not a line on its own, and a notice has no party labels. Its title ends
 * with 通知 / 函 / 决定, the kind Chinese titles name last. Only titles, stand-alone headings and
 * form markers count; words in sentences never do.
 */
export function classifyDocumentText(pages: readonly PageText[], denyList: readonly DeniedDocumentKind[] = DEFAULT_DENY_LIST): DocumentTextVerdict {
  const allLines: { line: TextLine; page: PageText }[] = [];
  for (const page of pages) for (const line of textLines(page)) allLines.push({ line, page });
  const linesRead = allLines.length;

  const first = pages.find((p) => p.pageIndex === 0);
  if (first) {
    const lines = allLines.filter((l) => l.page === first).map((l) => l.line);
    const bodySize = median(lines.map((l) => l.fontSize));
    const middle = first.box.y + first.box.height / 2;
    const titleRegion = lines.filter((l) => l.y >= middle && l.fontSize >= bodySize * 0.95);
    for (const line of titleRegion) {
      for (const kind of denyList) {
        const word = titleNamesKind(line.text, kind);
        if (word !== undefined) return { forbidden: true, term: kind.term, where: 'title', line: line.text };
      }
    }
  }
  for (const { line } of allLines) {
    const compact = normaliseForMatching(line.text).replace(TITLE_TAIL, '');
    for (const kind of denyList) {
      if (kind.words.some((w) => compact === normalisedWord(w))) return { forbidden: true, term: kind.term, where: 'heading', line: line.text };
    }
  }
  const compactLines = allLines.map(({ line }) => normaliseForMatching(line.text));
  for (const kind of denyList) {
    for (const markers of kind.formMarkers ?? []) {
      if (markers.every((m) => lineStartsWith(compactLines, m))) {
        return { forbidden: true, term: kind.term, where: 'form', line: markers.join(' / ') };
      }
    }
  }
  return { forbidden: false, linesRead };
}

const WHERE_LABEL: Readonly<Record<DocumentTextFinding, string>> = {
  title: '标题 title',
  heading: '独立标题行 stand-alone heading',
  form: '格式条款 form of the document',
};

/** The verdict as a guard: DOCUMENT_CONTENT_FORBIDDEN when the text names a forbidden kind (U2). */
export function assertDocumentTextAllowed(pages: readonly PageText[], denyList?: readonly DeniedDocumentKind[]): DocumentTextVerdict {
  const verdict = classifyDocumentText(pages, denyList);
  if (verdict.forbidden) throw new YinjianError('DOCUMENT_CONTENT_FORBIDDEN', { term: verdict.term, where: `${WHERE_LABEL[verdict.where]}: ${verdict.line}` });
  return verdict;
}

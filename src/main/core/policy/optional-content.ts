/**
 * U2: optional content (layers, OCGs) as each reader shows it, on screen and printed.
 *
 * A group's state is not one thing. The default configuration (/OCProperties /D: BaseState, ON,
 * OFF) is what poppler shows and prints. A group's /Usage says its state on screen (/View
 * /ViewState) and in print (/Print /PrintState), and readers apply it differently:
 * - Acrobat applies a usage only through the configuration's /AS (auto-state) entries: on the
 *   View event for groups listed with the View category, on the Print event for those listed
 *   with the Print category (ISO 32000-1 §8.11.4.4);
 * - MuPDF lets the usage of the event (View on screen, Print when printing) override the
 *   default state, /AS or not (checked with `mutool run`, page.toPixmap(…, 'Print'));
 * - pdf.js shows a group when the default state is ON and the event's usage is not OFF.
 *
 * The exploit: a contract's title and parties pictured in a group OFF by default, its usage
 * /View OFF, /Print ON, applied on the Print event: every screen shows harmless clauses, a
 * printout from MuPDF (and, by the specification, Acrobat) shows the contract, and the gate,
 * whose OCR draws the page as pdf.js shows it on screen, sealed it.
 *
 * The gate's OCR draws a page as pdf.js shows it on screen (infra/ocr/page-render.ts); here are
 * the other ways, each a full assignment of states, that differ from it on the groups a page
 * uses: the page is drawn and read again in each (page-gate.ts), and every reading counts.
 * Not modelled: the zoom, language and export categories, alternate configurations (/Configs),
 * radio-button groups and a reader's own layer panel (a person can switch any layer on).
 */
import { PdfArray, PdfDict, PdfName, type PdfDocument, type PdfValue } from '../pdf/index';
import { refKey } from './content-text';

/** One way of showing the document's optional content that differs from the default rendering. */
export interface LayerView {
  /** What shows this way, for a message (zh + en). */
  readonly label: string;
  /** pdf.js's rendering intent to draw it with (annotations flagged for print are drawn on 'print'). */
  readonly intent: 'display' | 'print';
  /** Every group of the document (refKey) and whether it is shown. */
  readonly visible: ReadonlyMap<number, boolean>;
}

interface GroupState {
  /** The default configuration's state. */
  readonly base: boolean;
  /** /Usage /View /ViewState and /Print /PrintState, where given. */
  readonly view: boolean | undefined;
  readonly print: boolean | undefined;
  /** Listed in an /AS entry for the View (Print) event with the View (Print) category. */
  readonly autoView: boolean;
  readonly autoPrint: boolean;
}

/** Bounds against hostile files. */
const MAX_GROUPS = 1024;

const groupsCache = new WeakMap<PdfDocument, ReadonlyMap<number, GroupState> | null>();

function usageState(document: PdfDocument, group: PdfDict, category: 'View' | 'Print'): boolean | undefined {
  const usage = document.latest.resolveDict(group.get('Usage'));
  const entry = document.latest.resolveDict(usage?.get(category));
  const state = document.resolve(entry?.get(category === 'View' ? 'ViewState' : 'PrintState'));
  return state instanceof PdfName ? (state.value === 'ON' ? true : state.value === 'OFF' ? false : undefined) : undefined;
}

function keysOf(document: PdfDocument, value: PdfValue | undefined): number[] {
  const list = document.latest.resolveArray(value);
  const keys: number[] = [];
  for (const item of list?.items.slice(0, MAX_GROUPS) ?? []) {
    const key = refKey(item);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

function namesOf(document: PdfDocument, value: PdfValue | undefined): string[] {
  const resolved = document.resolve(value);
  const items = resolved instanceof PdfArray ? resolved.items.map((item) => document.resolve(item)) : [resolved];
  return items.flatMap((item) => (item instanceof PdfName ? [item.value] : []));
}

/** The document's groups and their states (undefined: no optional content, or none with a usage). */
function documentGroups(document: PdfDocument): ReadonlyMap<number, GroupState> | undefined {
  const cached = groupsCache.get(document);
  if (cached !== undefined) return cached ?? undefined;
  let groups: Map<number, GroupState> | null = null;
  try {
    const properties = document.latest.resolveDict(document.catalog().get('OCProperties'));
    const listed = properties ? document.latest.resolveArray(properties.get('OCGs')) : undefined;
    if (properties && listed) {
      const config = document.latest.resolveDict(properties.get('D'));
      const baseOn = document.resolve(config?.get('BaseState')) instanceof PdfName ? (document.resolve(config?.get('BaseState')) as PdfName).value !== 'OFF' : true;
      const on = new Set(keysOf(document, config?.get('ON')));
      const off = new Set(keysOf(document, config?.get('OFF')));
      const autoView = new Set<number>();
      const autoPrint = new Set<number>();
      for (const item of document.latest.resolveArray(config?.get('AS'))?.items.slice(0, 64) ?? []) {
        const application = document.latest.resolveDict(item);
        const event = document.resolve(application?.get('Event'));
        const categories = namesOf(document, application?.get('Category'));
        const into = event instanceof PdfName && event.value === 'View' && categories.includes('View') ? autoView : event instanceof PdfName && event.value === 'Print' && categories.includes('Print') ? autoPrint : undefined;
        for (const key of into ? keysOf(document, application?.get('OCGs')) : []) into?.add(key);
      }
      let withUsage = false;
      const found = new Map<number, GroupState>();
      for (const item of listed.items.slice(0, MAX_GROUPS)) {
        const key = refKey(item);
        const group = document.latest.resolveDict(item);
        if (key === undefined || !group) continue;
        const state: GroupState = {
          // The default configuration: BaseState, then ON, then OFF (pdf.js's order).
          base: off.has(key) ? false : on.has(key) ? true : baseOn,
          view: usageState(document, group, 'View'),
          print: usageState(document, group, 'Print'),
          autoView: autoView.has(key),
          autoPrint: autoPrint.has(key),
        };
        if (state.view !== undefined || state.print !== undefined) withUsage = true;
        found.set(key, state);
      }
      // Without a usage every reader shows the default configuration: nothing differs.
      if (withUsage) groups = found;
    }
  } catch {
    groups = null;
  }
  groupsCache.set(document, groups);
  return groups ?? undefined;
}

/** How pdf.js shows a group on screen: what the gate's OCR draws by default. */
const shownByDefault = (g: GroupState): boolean => g.base && g.view !== false;

const READERS: readonly { readonly label: string; readonly intent: LayerView['intent']; readonly shown: (g: GroupState) => boolean }[] = [
  { label: '打印时所见 as printed', intent: 'print', shown: (g) => (g.autoPrint && g.print !== undefined ? g.print : g.base) },
  { label: '打印时所见 as printed', intent: 'print', shown: (g) => g.print ?? g.base },
  { label: '打印时所见 as printed', intent: 'print', shown: (g) => g.base && g.print !== false },
  { label: '部分阅读器屏幕所见 as some readers show it on screen', intent: 'display', shown: (g) => g.base },
  { label: '部分阅读器屏幕所见 as some readers show it on screen', intent: 'display', shown: (g) => (g.autoView && g.view !== undefined ? g.view : g.base) },
  { label: '部分阅读器屏幕所见 as some readers show it on screen', intent: 'display', shown: (g) => g.view ?? g.base },
];

/**
 * The ways readers show the optional content of a page marked with `groups` (refKeys,
 * content-text.ts's optionalGroups) that differ from the default rendering on those groups,
 * each once; `printOnly`: the page has annotations shown only in print, so the printed page
 * differs even where its groups do not. Empty for a page without optional content or a document
 * whose groups have no usage (no work for ordinary pages).
 */
export function layerViews(document: PdfDocument, groups: ReadonlySet<number> | undefined, printOnly = false): LayerView[] {
  const states = groups && groups.size > 0 ? documentGroups(document) : undefined;
  const used = states ? [...(groups as ReadonlySet<number>)].filter((key) => states.has(key)) : [];
  const views: LayerView[] = [];
  const seen = new Set<string>([used.map((key) => (shownByDefault(states?.get(key) as GroupState) ? 1 : 0)).join('')]);
  for (const reader of READERS) {
    if (!states || used.length === 0) break;
    const signature = used.map((key) => (reader.shown(states.get(key) as GroupState) ? 1 : 0)).join('');
    if (seen.has(signature)) continue;
    seen.add(signature);
    const visible = new Map<number, boolean>();
    for (const [key, state] of states) visible.set(key, reader.shown(state));
    views.push({ label: reader.label, intent: reader.intent, visible });
  }
  // Annotations printed and never on screen: the page as printed, its groups as by default.
  if (printOnly && !views.some((view) => view.intent === 'print')) views.push({ label: READERS[0]?.label ?? 'as printed', intent: 'print', visible: new Map() });
  return views;
}

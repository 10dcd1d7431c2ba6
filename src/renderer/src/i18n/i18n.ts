import { create } from 'zustand';
import type { IpcError } from '../../../shared/ipc/contract';
import { en, zhCN, type MessageKey } from './messages';

export type Locale = 'zh-CN' | 'en';

const TABLES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a test can catch it. */
export function translate(locale: Locale, key: MessageKey, params?: Readonly<Record<string, string | number>>): string {
  const template = TABLES[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? String(params[name]) : whole));
}

interface LocaleState {
  readonly locale: Locale;
  setLocale(locale: Locale): void;
  toggle(): void;
}

/** Chinese by default; the choice is per window session (no storage: the CSP page keeps no state). */
export const useLocale = create<LocaleState>((set, get) => ({
  locale: 'zh-CN',
  setLocale: (locale) => set({ locale }),
  toggle: () => set({ locale: get().locale === 'zh-CN' ? 'en' : 'zh-CN' }),
}));

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** The translate function of the current locale; components re-render when it changes. */
export function useT(): Translate {
  const locale = useLocale((s) => s.locale);
  return (key, params) => translate(locale, key, params);
}

/** Errors from the main process carry both languages; show the one in use. */
export function useErrorText(): (error: IpcError) => string {
  const locale = useLocale((s) => s.locale);
  return (error) => (locale === 'zh-CN' ? error.zh : error.en);
}

export type { MessageKey };

import { describe, expect, it } from 'vitest';
import { en, zhCN } from '../../../src/renderer/src/i18n/messages';
import { translate } from '../../../src/renderer/src/i18n/i18n';
import { markedCharacters } from '../../../src/renderer/src/features/stamp/Highlighted';
import { keyNeedingPinChange, signingKey } from '../../../src/renderer/src/features/usb-key/usb-key-store';
import type { UsbKeyStatusDto } from '../../../src/shared/ipc/contract';

describe('i18n tables', () => {
  it('has every key in both languages with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(en[key]), key).toEqual(names(zhCN[key]));
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and leaves a missing one visible', () => {
    expect(translate('zh-CN', 'usbKey.serial', { serial: 'ab12' })).toBe('序列号 ab12');
    expect(translate('en', 'usbKey.serial', { serial: 'ab12' })).toBe('Serial ab12');
    expect(translate('en', 'usbKey.serial')).toBe('Serial {serial}');
  });
});

describe('forbidden words are marked as the policy matched them (U2)', () => {
  const marked = (line: string, words: string[]) =>
    Array.from(line)
      .filter((_, i) => markedCharacters(line, words)[i])
      .join('');
  it('marks the word in a title, spaced out with ideographic spaces, and in English of any case', () => {
    expect(marked('技术服务合同', ['合同'])).toBe('合同');
    expect(marked('合\u3000同', ['合同'])).toBe('合同');
    expect(marked('SERVICE AGREEMENT', ['agreement'])).toBe('AGREEMENT');
    expect(marked('关于加强管理的通知', ['合同'])).toBe('');
  });
});

describe('USB-key store selectors', () => {
  const key = (serial: string, initialPin: boolean, locked = false): UsbKeyStatusDto => ({
    label: serial,
    serial,
    manufacturer: 'm',
    model: 'm',
    initialPin,
    initialPinSources: initialPin ? ['first-use-marker'] : [],
    flags: { tokenInitialized: true, userPinInitialized: true, loginRequired: true, writeProtected: false, userPinCountLow: false, userPinFinalTry: false, userPinLocked: locked, userPinToBeChanged: false, soPinCountLow: false, soPinFinalTry: false, soPinLocked: false, soPinToBeChanged: false },
  });
  it('asks for a PIN change for a key on its initial PIN, never signs with it', () => {
    expect(keyNeedingPinChange([key('a', false), key('b', true)])?.serial).toBe('b');
    // A key that locked on its initial PIN keeps the dialog, which then says it is locked.
    expect(keyNeedingPinChange([key('b', true, true)])?.serial).toBe('b');
    expect(signingKey([key('b', true), key('a', false)])?.serial).toBe('a');
    expect(signingKey([key('b', true)])).toBeUndefined();
    expect(keyNeedingPinChange(undefined)).toBeUndefined();
  });
});

import { useEffect, useState, type FormEvent } from 'react';
import type { IpcError } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';

/**
 * 禁用文种 (U2): the office's deny list, published with the next register snapshot and
 * enforced on every workstation that imports it. The regulation's own kinds (合同、协议、委托书、
 * 介绍信) stay forbidden whatever the list says; this list adds variants and other kinds.
 */
export function DenyListPanel() {
  const t = useT();
  const errorText = useErrorText();
  const [saved, setSaved] = useState<string[] | undefined>();
  const [words, setWords] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  useEffect(() => {
    call('office.denyList', {}).then(
      ({ words: current }) => {
        setSaved(current);
        setWords(current);
      },
      (caught) => setError(ipcErrorOf(caught)),
    );
  }, []);

  function add(event: FormEvent) {
    event.preventDefault();
    const added = draft
      .split(/[,，、\s]+/u)
      .map((w) => w.trim())
      .filter((w) => w !== '' && !words.includes(w));
    if (added.length > 0) setWords([...words, ...added]);
    setDraft('');
    setMessage(undefined);
  }

  async function save() {
    setError(undefined);
    setMessage(undefined);
    try {
      const { words: stored } = await call('office.setDenyList', { words });
      setSaved(stored);
      setWords(stored);
      setMessage(t('office.denyList.saved'));
    } catch (caught) {
      setError(ipcErrorOf(caught));
    }
  }

  const changed = saved !== undefined && (saved.length !== words.length || saved.some((w, i) => w !== words[i]));
  return (
    <section className="deny-list" data-testid="deny-list">
      <h2>{t('office.denyList.title')}</h2>
      <p className="muted small">{t('office.denyList.explain')}</p>
      <ul className="word-list">
        {words.map((word) => (
          <li key={word} className="badge" data-testid="deny-word">
            {word}{' '}
            <button type="button" className="link" aria-label={t('office.denyList.remove', { word })} onClick={() => setWords(words.filter((w) => w !== word))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form className="form inline-form" onSubmit={add}>
        <label>
          {t('office.denyList.add')}
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={t('office.denyList.placeholder')} data-testid="deny-word-input" />
        </label>
        <button type="submit">{t('office.denyList.addButton')}</button>
        <button type="button" className="primary" disabled={!changed || words.length === 0} onClick={() => void save()} data-testid="deny-list-save">
          {t('office.denyList.save')}
        </button>
      </form>
      {message && <p data-testid="deny-list-message">{message}</p>}
      {error && (
        <p className="alert alert-bad" role="alert" data-code={error.code}>
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

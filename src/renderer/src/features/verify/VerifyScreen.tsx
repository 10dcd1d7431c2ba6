import { useEffect, useState } from 'react';
import { DOCUMENT_TYPES, type DocumentTypeDto, type FileReportDto, type IpcError, type SignatureReportDto, type VerdictDto } from '../../../../shared/ipc/contract';
import { call, ipcErrorOf, subscribe } from '../../api/client';
import { useErrorText, useLocale, useT } from '../../i18n/i18n';
import { changeKindLabel, formatTime } from '../../i18n/labels';
import { FileDrop } from '../FileDrop';
import { documentInputOf, type OpenedFile } from '../files';

interface Row {
  readonly name: string;
  /** The dropped file's bytes (for the PDF report); absent for a file picked in the main process's dialog, which the window never reads. */
  readonly file: OpenedFile | undefined;
  readonly report: FileReportDto | undefined;
  readonly error: IpcError | undefined;
}

/** Acrobat-like status classes: green for valid, amber for changes or trust, red for the rest. */
export function verdictTone(verdict: VerdictDto): 'ok' | 'warn' | 'bad' {
  if (verdict === 'VALID') return 'ok';
  if (verdict === 'VALID_WITH_CHANGES' || verdict === 'UNTRUSTED' || verdict === 'UNSIGNED' || verdict === 'UNSUPPORTED') return 'warn';
  return 'bad';
}

/**
 * Issue #12: a VALID that rests on a trusted root alone, with no current CRL or register
 * snapshot (REVOCATION_NOT_CHECKED), is never shown as a plain green VALID.
 */
export function revocationUnchecked(findings: readonly { code: string }[]): boolean {
  return findings.some((f) => f.code === 'REVOCATION_NOT_CHECKED');
}

export function VerdictBadge({ verdict, unchecked = false }: { verdict: VerdictDto; unchecked?: boolean }) {
  const t = useT();
  const qualified = unchecked && (verdict === 'VALID' || verdict === 'VALID_WITH_CHANGES');
  return (
    <span
      className={`badge badge-${qualified ? 'warn' : verdictTone(verdict)}`}
      data-testid="verdict"
      data-verdict={verdict}
      data-revocation={qualified ? 'not-checked' : undefined}
    >
      {t(`verdict.${verdict}`)}
      {qualified ? t('verdict.revocationNotChecked') : ''}
    </span>
  );
}

function SignatureDetail({ signature }: { signature: SignatureReportDto }) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  // The signed type is a code (U1); one of ours is shown in words, anything else as signed.
  const documentTypeLabel = (type: string | undefined): string =>
    type === undefined ? t('common.none') : (DOCUMENT_TYPES as readonly string[]).includes(type) ? t(`stamp.type.${type as DocumentTypeDto}`) : type;
  return (
    <article className="signature" data-testid="signature-detail">
      <h3>
        {t('verify.signature', { field: signature.field })} <VerdictBadge verdict={signature.verdict} unchecked={revocationUnchecked(signature.findings)} />
      </h3>
      {signature.impressionPng && <img className="impression" src={`data:image/png;base64,${signature.impressionPng}`} alt="" />}
      <dl>
        <dt>{t('verify.unit')}</dt>
        <dd>{signature.seal?.unit ?? t('common.none')}</dd>
        <dt>{t('verify.sealName')}</dt>
        <dd>{signature.seal?.name ?? t('common.none')}</dd>
        <dt>{t('verify.sealCode')}</dt>
        <dd>{signature.seal?.code ?? t('common.none')}</dd>
        <dt>{t('verify.signer')}</dt>
        <dd>{signature.signer ? `${signature.signer.subject} (${signature.signer.serialHex})` : t('common.none')}</dd>
        <dt>{t('verify.chain')}</dt>
        <dd>
          <ol>
            {signature.chain.map((c) => (
              <li key={c.sha256}>{c.subject}</li>
            ))}
          </ol>
        </dd>
        <dt>{t('verify.times')}</dt>
        <dd>
          {signature.claimedTime && <div>{t('verify.claimedTime')}: {formatTime(signature.claimedTime, locale)}</div>}
          {signature.timestampTime && <div>{t('verify.timestampTime')}: {formatTime(signature.timestampTime, locale)}</div>}
          {signature.trustedTime && <div>{t('verify.trustedTime')}: {formatTime(signature.trustedTime, locale)}</div>}
        </dd>
        <dt>{t('verify.changes')}</dt>
        <dd data-testid="changes">
          {signature.changes.length === 0 ? (
            t('verify.noChanges')
          ) : (
            <ul>
              {signature.changes.map((c, i) => (
                <li key={i} className={c.level === 'other' ? 'change-bad' : ''} data-kind={c.kind}>
                  {c.page !== undefined ? t('verify.changeOnPage', { page: c.page, kind: changeKindLabel(c.kind, locale) }) : t('verify.changeKind', { kind: changeKindLabel(c.kind, locale) })}
                  {c.detail ? ` — ${c.detail}` : ''}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('verify.policy')}</dt>
        <dd>
          <div>
            {t('verify.documentType')}: {documentTypeLabel(signature.policy.documentType)}
          </div>
          <div>
            {t('verify.approvalReference')}: {signature.policy.approvalReference ?? t('common.none')}
          </div>
        </dd>
      </dl>
      {signature.findings.length > 0 && (
        <>
          <h4>{t('verify.findings')}</h4>
          <ul data-testid="findings">
            {signature.findings.map((f, i) => (
              <li key={i}>{locale === 'zh-CN' ? f.zh : f.en}</li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

/** 验章: drop one or many files; a status per file; the detail of each signature; the PDF report. */
export function VerifyScreen() {
  const t = useT();
  const errorText = useErrorText();
  const [rows, setRows] = useState<Row[]>([]);
  const [selected, setSelected] = useState<number | undefined>();
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<string | undefined>();
  const [exportError, setExportError] = useState<IpcError | undefined>();
  // The verifier pushes how far a batch of picked files is (issue #14: pushed, not polled).
  const [progress, setProgress] = useState<{ done: number; total: number; current?: string } | undefined>();
  useEffect(
    () =>
      subscribe('verify.progress', (p) => setProgress(p.active ? { done: p.done, total: p.total, ...(p.current !== undefined ? { current: p.current } : {}) } : undefined)),
    [],
  );

  async function verify(files: OpenedFile[]) {
    setBusy(true);
    setExported(undefined);
    const next: Row[] = [];
    for (const file of files) {
      try {
        const { reports } = await call('verify.files', { documents: [documentInputOf(file)] });
        next.push({ name: file.name, file, report: reports[0], error: undefined });
      } catch (caught) {
        next.push({ name: file.name, file, report: undefined, error: ipcErrorOf(caught) });
      }
      setRows([...next]);
    }
    setSelected(next.length > 0 ? 0 : undefined);
    setBusy(false);
  }

  /**
   * Issue #14: the main process shows its own open dialog and the verifier reads the chosen
   * files where they lie; the window sends no path and no bytes, and gets a verdict or a typed
   * refusal per file.
   */
  async function pickAndVerify() {
    setBusy(true);
    setExported(undefined);
    try {
      const picked = await call('verify.pickFiles', {});
      if (!picked.cancelled) {
        const next = picked.files.map((f) => ({ name: f.name, file: undefined, report: f.report, error: f.error }));
        setRows(next);
        setSelected(next.length > 0 ? 0 : undefined);
      }
    } catch (caught) {
      setRows([{ name: t('verify.pickFiles'), file: undefined, report: undefined, error: ipcErrorOf(caught) }]);
      setSelected(undefined);
    } finally {
      setBusy(false);
    }
  }

  async function exportReport(row: Row) {
    if (!row.file) return;
    setExportError(undefined);
    try {
      setExported((await call('verify.exportReport', { document: documentInputOf(row.file) })).path);
    } catch (caught) {
      setExportError(ipcErrorOf(caught));
    }
  }

  const row = selected === undefined ? undefined : rows[selected];
  return (
    <div className="verify-screen">
      <h1>{t('verify.title')}</h1>
      <FileDrop onFiles={(f) => void verify(f)} testId="verify-files" />
      <p>
        <button type="button" onClick={() => void pickAndVerify()} disabled={busy} data-testid="verify-pick">
          {t('verify.pickFiles')}
        </button>
      </p>
      {busy && !progress && <p>{t('common.working')}</p>}
      {busy && progress && (
        <div data-testid="verify-progress" data-done={progress.done} data-total={progress.total}>
          <progress max={progress.total} value={progress.done} /> {t('verify.progress', progress)}
          {progress.current && <div className="muted small">{t('stamp.current', { name: progress.current })}</div>}
        </div>
      )}
      <div className="two-panes">
        <section aria-label={t('verify.files')}>
          <ul className="file-list">
            {rows.map((r, i) => (
              <li key={i} className={i === selected ? 'selected' : ''} data-testid="verify-row">
                <button type="button" className="link" onClick={() => setSelected(i)}>
                  {r.name}
                </button>{' '}
                {r.report && <VerdictBadge verdict={r.report.verdict} unchecked={r.report.signatures.some((sig) => revocationUnchecked(sig.findings))} />}
                {r.error && (
                  <span className="badge badge-bad" data-testid="verify-error" data-code={r.error.code}>
                    {errorText(r.error)}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={t('verify.detail')}>
          {!row && <p className="muted">{t('verify.selectHint')}</p>}
          {row?.report && (
            <>
              {row.report.signatures.length === 0 && <p>{t('verify.noSignature')}</p>}
              {row.report.signatures.map((s, i) => (
                <SignatureDetail key={i} signature={s} />
              ))}
              {row.file && (
                <button type="button" onClick={() => void exportReport(row)}>
                  {t('verify.export')}
                </button>
              )}
              {exported && <p>{t('verify.exported', { path: exported })}</p>}
              {exportError && <p className="alert alert-bad">{errorText(exportError)}</p>}
            </>
          )}
        </section>
      </div>
    </div>
  );
}

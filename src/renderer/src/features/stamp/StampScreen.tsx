import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { DOCUMENT_TYPES, type DocumentTypeDto, type IpcError, type PlacementDto, type ResponseOf, type StampOutcomeDto } from '../../../../shared/ipc/contract';
import { pinArrayOf } from '../../../../shared/usb-key/pin-rules';
import { call, ipcErrorOf, subscribe } from '../../api/client';
import { useErrorText, useT } from '../../i18n/i18n';
import { openPdf } from '../../pdf/pdf-document';
import { FileDrop } from '../FileDrop';
import { documentInputOf, type OpenedFile } from '../files';
import { signingKey, usbKeyStore, useUsbKeys } from '../usb-key/usb-key-store';
import { Highlighted } from './Highlighted';
import { PdfPreview, type SealPosition } from './PdfPreview';

/** How often the progress bar asks the main process how far the batch is. */

type DocumentCheck = ResponseOf<'stamp.checkDocument'>;

interface OpenedPdf extends OpenedFile {
  readonly doc: PDFDocumentProxy | undefined;
  readonly check: DocumentCheck | undefined;
  readonly checkError: IpcError | undefined;
}

/**
 * U2 as the stamping gate applies it (issue #13): the main process reads every page, by its
 * text layer where that can be trusted and by OCR where it is missing or suspect; the same
 * refusal stamping would give, with the page and the marked words.
 */
async function openAndCheck(file: OpenedFile): Promise<OpenedPdf> {
  let doc: PDFDocumentProxy | undefined;
  try {
    doc = await openPdf(file.bytes);
    const check = await call('stamp.checkDocument', { document: documentInputOf(file) });
    return { ...file, doc, check, checkError: undefined };
  } catch (caught) {
    return { ...file, doc, check: undefined, checkError: ipcErrorOf(caught) };
  }
}

/** Whether a checked document may go to the key: allowed, or confirmed by the custodian where the office allows scans. */
function checkPasses(file: OpenedPdf, confirmed: ReadonlySet<string>): boolean {
  return file.check?.outcome === 'allowed' || (file.check?.outcome === 'confirm-scanned' && confirmed.has(file.name));
}

/** 盖章: open or drop PDFs, choose an allowed type, record the approval, place the seal, sign (U1–U3). */
export function StampScreen() {
  const t = useT();
  const errorText = useErrorText();
  const usbKey = signingKey(useUsbKeys((s) => s.keys));
  const [files, setFiles] = useState<OpenedPdf[]>([]);
  const [checking, setChecking] = useState(false);
  const [selected, setSelected] = useState(0);
  const [documentType, setDocumentType] = useState<DocumentTypeDto>('internal-formal-document');
  const [approvalReference, setApprovalReference] = useState('');
  const [approver, setApprover] = useState('');
  const [placementKind, setPlacementKind] = useState<PlacementDto['kind']>('last-page');
  const [keyword, setKeyword] = useState('');
  const [position, setPosition] = useState<SealPosition | undefined>();
  const [seamSeal, setSeamSeal] = useState(false);
  const [pin, setPin] = useState('');
  const [impression, setImpression] = useState<ResponseOf<'stamp.impression'> | undefined>();
  const [progress, setProgress] = useState<{ done: number; total: number; current?: string } | undefined>();
  const [stopping, setStopping] = useState(false);
  const [outcomes, setOutcomes] = useState<StampOutcomeDto[]>([]);
  const [error, setError] = useState<IpcError | undefined>();
  /** OCR progress of the document being checked (pushed as ocr.progress), and the stop. */
  const [ocr, setOcr] = useState<{ document: string; done: number; total: number; current?: string } | undefined>();
  const [confirmedScans, setConfirmedScans] = useState<ReadonlySet<string>>(new Set());

  const serial = usbKey?.serial;
  useEffect(() => {
    setImpression(undefined);
    if (!serial) return;
    call('stamp.impression', { token: serial }).then(setImpression, () => undefined);
  }, [serial]);

  async function open(opened: OpenedFile[]) {
    setChecking(true);
    setOutcomes([]);
    setError(undefined);
    setConfirmedScans(new Set());
    const unsubscribe = subscribe('ocr.progress', (p) => setOcr({ document: p.document, done: p.done, total: p.total, ...(p.current !== undefined ? { current: p.current } : {}) }));
    const checked: OpenedPdf[] = [];
    try {
      for (const file of opened) {
        const result = await openAndCheck(file);
        checked.push(result);
        setOcr(undefined);
        // A stop ends the whole check: the files not yet read stay unchecked (not sealable).
        if (result.check?.outcome === 'cancelled') {
          for (const rest of opened.slice(checked.length)) checked.push({ ...rest, doc: undefined, check: { outcome: 'cancelled' }, checkError: undefined });
          break;
        }
      }
    } finally {
      unsubscribe();
      setOcr(undefined);
    }
    setFiles(checked);
    setSelected(0);
    setChecking(false);
  }

  async function stopCheck() {
    await call('stamp.stopCheck', {}).catch(() => undefined);
  }

  const current = files[selected];
  const blocked = files.filter((f) => !checkPasses(f, confirmedScans));
  const scanned = files.filter((f) => f.check?.outcome === 'confirm-scanned');
  const placement: PlacementDto | undefined =
    placementKind === 'last-page' ? { kind: 'last-page' } : placementKind === 'keyword' ? (keyword.trim() ? { kind: 'keyword', keyword: keyword.trim() } : undefined) : position ? { kind: 'position', ...position } : undefined;
  const locked = usbKey?.flags.userPinLocked === true;
  // A refusal about the key (wrong or locked PIN) is stale once the office has unlocked it.
  const wasLocked = useRef(locked);
  useEffect(() => {
    if (wasLocked.current && !locked) setError(undefined);
    wasLocked.current = locked;
  }, [locked]);
  const ready = !!usbKey && !locked && files.length > 0 && blocked.length === 0 && !checking && approvalReference.trim() !== '' && approver.trim() !== '' && placement !== undefined && pin !== '' && !progress;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || !usbKey || !placement) return;
    setError(undefined);
    setOutcomes([]);
    setStopping(false);
    setProgress({ done: 0, total: files.length });
    // One call for the batch: the key logs in once with one PIN (as `yinjian stamp` does), and
    // every document ends with a usage row even when the key fails part-way (U3). The progress
    // bar follows the main process's own count while the call runs.
    let finished = false;
    // The main process pushes the batch's progress (issue #14: no polling).
    const unsubscribe = subscribe('stamp.progress', (p) => {
      // An event that arrives after the batch ended must not bring the bar back.
      if (p.active && !finished) setProgress({ done: p.done, total: p.total, ...(p.current !== undefined ? { current: p.current } : {}) });
    });
    const pinArray = pinArrayOf(pin);
    // The field does not keep the PIN on screen while the batch runs.
    setPin('');
    try {
      const { outcomes: got } = await call('stamp.seal', {
        token: usbKey.serial,
        pin: pinArray,
        documents: files.map(documentInputOf),
        documentType,
        approvalReference: approvalReference.trim(),
        approver: approver.trim(),
        placement,
        seamSeal,
        ...(scanned.length > 0 ? { scannedConfirmed: true } : {}),
      });
      setOutcomes(got);
    } catch (caught) {
      // The key refused the PIN (wrong, locked) or failed at login: nothing was sealed.
      setError(ipcErrorOf(caught));
    } finally {
      finished = true;
      unsubscribe();
      pinArray.fill(0);
      setProgress(undefined);
      setStopping(false);
      // The key's PIN flags (tries, locked) may have changed: show them now, not at the next poll.
      void usbKeyStore.getState().refresh();
    }
  }

  async function stop() {
    setStopping(true);
    await call('stamp.stop', {}).catch(() => undefined);
  }

  const sealImage = impression ? { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(impression.svg)}`, widthMm: impression.widthMm, heightMm: impression.heightMm } : undefined;
  return (
    <div className="stamp-screen">
      <h1>{t('stamp.title')}</h1>
      {!usbKey && <p className="alert alert-warn" data-testid="stamp-no-key">{t('stamp.noKey')}</p>}
      <FileDrop onFiles={(f) => void open(f)} testId="stamp-files" />
      {checking && <p>{t('stamp.checking')}</p>}
      {checking && ocr && (
        <div data-testid="ocr-progress" data-done={ocr.done} data-total={ocr.total} data-page={ocr.current ?? ''}>
          <progress max={ocr.total} value={ocr.done} /> {t('stamp.ocrProgress', { page: ocr.current ?? '', done: ocr.done, total: ocr.total })}
          <div className="muted small">{ocr.document}</div>
          <button type="button" onClick={() => void stopCheck()} data-testid="ocr-stop">
            {t('stamp.ocrStop')}
          </button>
        </div>
      )}
      {files.length > 0 && (
        <ul className="file-list">
          {files.map((file, i) => (
            <li key={`${file.name}-${i}`} className={i === selected ? 'selected' : ''}>
              <button type="button" className="link" onClick={() => setSelected(i)}>
                {file.name}
              </button>{' '}
              {file.doc && <span className="muted">{t('common.pages', { count: file.doc.numPages })}</span>}{' '}
              {file.check?.outcome === 'allowed' && (
                <span className="badge badge-ok" data-testid="check-allowed">
                  {t('stamp.allowed')}
                  {file.check.ocrPages.length > 0 && <> · {t('stamp.ocrRead', { pages: file.check.ocrPages.join(', ') })}</>}
                </span>
              )}
              {file.checkError && <span className="badge badge-bad">{errorText(file.checkError)}</span>}
              {file.check?.outcome === 'cancelled' && (
                <div className="alert alert-warn" role="alert" data-testid="check-cancelled">
                  {t('stamp.checkCancelled')}
                </div>
              )}
              {file.check?.outcome === 'refused' && (
                <div className="alert alert-bad" role="alert" data-testid="check-refused" data-code={file.check.error.code}>
                  <strong>{t('stamp.checkRefused')}</strong> {errorText(file.check.error)}
                </div>
              )}
              {file.check?.outcome === 'confirm-scanned' && (
                <div className="alert alert-warn" role="alert" data-testid="check-confirm-scanned" data-code={file.check.error.code}>
                  <div className="muted small">{errorText(file.check.error)}</div>
                  <label className="inline">
                    <input
                      type="checkbox"
                      data-testid="confirm-scanned"
                      checked={confirmedScans.has(file.name)}
                      onChange={(e) => {
                        const next = new Set(confirmedScans);
                        if (e.target.checked) next.add(file.name);
                        else next.delete(file.name);
                        setConfirmedScans(next);
                      }}
                    />{' '}
                    {t('stamp.confirmScanned', { pages: file.check.pages })}
                  </label>
                </div>
              )}
              {file.check?.outcome === 'forbidden' && (
                <div className="alert alert-bad" role="alert" data-testid="forbidden">
                  <strong>{t('stamp.forbidden', { term: file.check.term })}</strong>
                  <div data-testid="forbidden-page">{t('stamp.forbiddenPage', { page: file.check.page })}</div>
                  <div>
                    {t(`stamp.forbiddenWhere.${file.check.where}`)}: <Highlighted line={file.check.line} words={file.check.words} />
                  </div>
                  <div className="muted small">{t('stamp.typeRule')}</div>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="stamp-layout">
        <div>{current?.doc && <PdfPreview doc={current.doc} seal={sealImage} position={placementKind === 'position' ? position : undefined} onPlace={placementKind === 'position' ? setPosition : undefined} />}</div>
        <form className="form stamp-form" onSubmit={(e) => void submit(e)}>
          <label>
            {t('stamp.type')}
            <select value={documentType} onChange={(e) => setDocumentType(e.target.value as DocumentTypeDto)} data-testid="document-type">
              {DOCUMENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`stamp.type.${type}`)}
                </option>
              ))}
            </select>
          </label>
          <p className="muted small">{t('stamp.typeRule')}</p>
          <label>
            {t('stamp.approvalReference')}
            <input value={approvalReference} onChange={(e) => setApprovalReference(e.target.value)} data-testid="approval-reference" />
          </label>
          <label>
            {t('stamp.approver')}
            <input value={approver} onChange={(e) => setApprover(e.target.value)} data-testid="approver" />
          </label>
          <fieldset>
            <legend>{t('stamp.placement')}</legend>
            {(['last-page', 'keyword', 'position'] as const).map((kind) => (
              <label key={kind} className="inline">
                <input type="radio" name="placement" checked={placementKind === kind} onChange={() => setPlacementKind(kind)} /> {t(`stamp.placement.${kind}`)}
              </label>
            ))}
            {placementKind === 'keyword' && <input placeholder={t('stamp.keyword')} value={keyword} onChange={(e) => setKeyword(e.target.value)} />}
            {placementKind === 'position' && <p className="muted small">{t('stamp.dragHint')}</p>}
          </fieldset>
          <label className="inline">
            <input type="checkbox" checked={seamSeal} onChange={(e) => setSeamSeal(e.target.checked)} /> {t('stamp.seam')}
          </label>
          {sealImage && (
            <figure className="seal-real-size">
              <img src={sealImage.src} alt="" style={{ width: `${sealImage.widthMm}mm`, height: `${sealImage.heightMm}mm` }} />
              <figcaption className="muted small">{t('stamp.realSize', { width: sealImage.widthMm, height: sealImage.heightMm })}</figcaption>
            </figure>
          )}
          {locked && (
            <p className="alert alert-bad" role="alert" data-testid="stamp-locked">
              {t('stamp.locked')}
            </p>
          )}
          {!locked && usbKey?.flags.userPinFinalTry && (
            <p className="alert alert-bad" role="alert" data-testid="stamp-tries">
              {t('stamp.finalTry')}
            </p>
          )}
          {!locked && !usbKey?.flags.userPinFinalTry && usbKey?.flags.userPinCountLow && (
            <p className="alert alert-warn" role="alert" data-testid="stamp-tries">
              {t('stamp.triesLow')}
            </p>
          )}
          <label>
            {t('stamp.pin')}
            <input type="password" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} disabled={locked} data-testid="stamp-pin" />
          </label>
          <button type="submit" className="primary" disabled={!ready} data-testid="stamp-submit">
            {t('stamp.submit')}
          </button>
          {progress && (
            <div data-testid="stamp-progress" data-done={progress.done} data-total={progress.total} data-current={progress.current ?? ''}>
              <progress max={progress.total} value={progress.done} /> {t('stamp.progress', progress)}
              {progress.current && <div className="muted small">{t('stamp.current', { name: progress.current })}</div>}
              <button type="button" onClick={() => void stop()} disabled={stopping} data-testid="stamp-stop">
                {stopping ? t('stamp.stopping') : t('stamp.stop')}
              </button>
            </div>
          )}
          {error && (
            <p className="alert alert-bad" role="alert" data-testid="stamp-error" data-code={error.code}>
              {errorText(error)}
            </p>
          )}
        </form>
      </div>
      {outcomes.length > 0 && (
        <section data-testid="stamp-results">
          <h2>{t('stamp.results')}</h2>
          <ul>
            {outcomes.map((o, i) => (
              <li key={i} data-testid="stamp-outcome" data-ok={o.ok} data-code={o.error?.code}>
                <strong>{o.name}</strong>: {o.ok ? t('stamp.ok') : t('stamp.failed')}
                {o.begun === false && <span className="muted"> ({t('stamp.notBegun')})</span>}
                {o.outputPath && <div className="muted">{t('common.path', { path: o.outputPath })}</div>}
                {o.verdict && <div>{t('stamp.verifiedAs', { verdict: t(`verdict.${o.verdict}`) })}</div>}
                {o.error && <div className="alert alert-bad">{errorText(o.error)}</div>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { renderPage } from '../../pdf/pdf-document';
import { useT } from '../../i18n/i18n';

/** Where the seal's centre sits, in points from the page's lower-left corner. */
export interface SealPosition {
  readonly page: number;
  readonly x: number;
  readonly y: number;
}

const PREVIEW_SCALE = 0.9;
/** Thumbnails large enough to tell the pages apart (about 110 px wide for A4). */
const THUMB_SCALE = 0.25;

function Thumbnail({ doc, page, active, onSelect }: { doc: PDFDocumentProxy; page: number; active: boolean; onSelect: () => void }) {
  const t = useT();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void renderPage(doc, page, canvas.current, THUMB_SCALE).catch(() => undefined);
  }, [doc, page]);
  return (
    <button type="button" className={active ? 'thumb active' : 'thumb'} onClick={onSelect} aria-label={t('stamp.page', { page })}>
      <canvas ref={canvas} />
      <span>{page}</span>
    </button>
  );
}

/**
 * pdf.js preview with page thumbnails. With `sealImage` and `onPlace`, the seal is shown at its
 * real size relative to the page and can be dragged to where it goes.
 */
export function PdfPreview({ doc, seal, position, onPlace }: { doc: PDFDocumentProxy; seal?: { src: string; widthMm: number; heightMm: number } | undefined; position?: SealPosition | undefined; onPlace?: ((p: SealPosition) => void) | undefined }) {
  const [page, setPage] = useState(doc.numPages);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | undefined>();

  useEffect(() => setPage(doc.numPages), [doc]);
  useEffect(() => {
    if (canvas.current) void renderPage(doc, page, canvas.current, PREVIEW_SCALE).then(setSize).catch(() => undefined);
  }, [doc, page]);

  const mmToPx = (mm: number) => (mm / 25.4) * 72 * PREVIEW_SCALE;
  const place = (event: PointerEvent<HTMLDivElement>) => {
    if (!onPlace || !size || event.buttons !== 1) return;
    const box = event.currentTarget.getBoundingClientRect();
    const x = (event.clientX - box.left) / PREVIEW_SCALE;
    const y = size.height - (event.clientY - box.top) / PREVIEW_SCALE;
    onPlace({ page, x: Math.max(0, Math.min(size.width, x)), y: Math.max(0, Math.min(size.height, y)) });
  };
  const shown = position && position.page === page ? position : undefined;
  return (
    <div className="preview">
      <div className="thumbs">
        {Array.from({ length: Math.min(doc.numPages, 200) }, (_, i) => (
          <Thumbnail key={i} doc={doc} page={i + 1} active={page === i + 1} onSelect={() => setPage(i + 1)} />
        ))}
      </div>
      <div className="page-view" onPointerDown={place} onPointerMove={place} data-testid="page-view">
        <canvas ref={canvas} />
        {seal && shown && size && (
          <img
            className="seal-on-page"
            src={seal.src}
            alt=""
            draggable={false}
            style={{
              width: mmToPx(seal.widthMm),
              height: mmToPx(seal.heightMm),
              left: shown.x * PREVIEW_SCALE - mmToPx(seal.widthMm) / 2,
              top: (size.height - shown.y) * PREVIEW_SCALE - mmToPx(seal.heightMm) / 2,
            }}
          />
        )}
      </div>
    </div>
  );
}

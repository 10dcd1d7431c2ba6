import { useRef, useState, type DragEvent } from 'react';
import { useT } from '../i18n/i18n';
import { readFiles, type OpenedFile } from './files';

/** A drop zone with a file chooser; accepts PDFs only, one or many. */
export function FileDrop({ onFiles, multiple = true, testId }: { onFiles: (files: OpenedFile[]) => void; multiple?: boolean; testId: string }) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const drop = async (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    onFiles(await readFiles(event.dataTransfer.files));
  };
  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void drop(e)}
    >
      {t('common.dropHere')}{' '}
      <button type="button" onClick={() => input.current?.click()}>
        {t('common.chooseFiles')}
      </button>
      <input
        ref={input}
        type="file"
        accept="application/pdf,.pdf"
        multiple={multiple}
        hidden
        data-testid={testId}
        onChange={async (e) => {
          if (e.target.files) onFiles(await readFiles(e.target.files));
          e.target.value = '';
        }}
      />
    </div>
  );
}

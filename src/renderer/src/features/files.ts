import type { DocumentInput } from '../../../shared/ipc/contract';

/** A PDF the user opened or dropped, read into memory. */
export interface OpenedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export async function readFiles(list: FileList | readonly File[]): Promise<OpenedFile[]> {
  const files = Array.from(list).filter((f) => f.name.toLowerCase().endsWith('.pdf') || f.type === 'application/pdf');
  return Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
}

/**
 * A document as it crosses to the main process: its bytes as an ArrayBuffer (issue #14: binary,
 * not base64 text). The file's own buffer when the view covers all of it (IPC copies it, so the
 * window keeps its bytes for the preview); a copy of just the view's bytes otherwise.
 */
export function documentInputOf(file: OpenedFile): DocumentInput {
  const { bytes } = file;
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return { name: file.name, bytes: whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer };
}

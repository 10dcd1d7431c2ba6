import type { DocumentInput } from '../../../shared/ipc/contract';
import { base64Of } from '../pdf/pdf-document';

/** A PDF the user opened or dropped, read into memory. */
export interface OpenedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export async function readFiles(list: FileList | readonly File[]): Promise<OpenedFile[]> {
  const files = Array.from(list).filter((f) => f.name.toLowerCase().endsWith('.pdf') || f.type === 'application/pdf');
  return Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
}

export function documentInputOf(file: OpenedFile): DocumentInput {
  return { name: file.name, base64: base64Of(file.bytes) };
}

import { closeSharedOcr } from '../infra/ocr/tesseract-ocr';
import { runCli } from './main';

/** Writes `text` and a newline, resolving once the stream has taken it (a pipe drains before exit). */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(`${text}\n`, () => resolve());
  });
}

/**
 * The `yinjian` command as a process: runs one command line on this process's standard
 * streams and returns the exit code once everything printed has been handed to the streams.
 * The compiled `yinjian` command (out/cli/yinjian.mjs, from ./index.ts) and the app binary
 * started as `<app> cli …` (src/main/entry.ts → out/cli/process.mjs) both start here.
 */
export async function runCliProcess(argv: readonly string[]): Promise<number> {
  const pending: Promise<void>[] = [];
  const code = await runCli(argv, {
    stdout: (text) => void pending.push(write(process.stdout, text)),
    stderr: (text) => void pending.push(write(process.stderr, text)),
  });
  await Promise.all(pending);
  // The OCR worker is kept for the next document (infra/ocr/tesseract-ocr.ts): a command is done, end it now.
  await closeSharedOcr();
  return code;
}

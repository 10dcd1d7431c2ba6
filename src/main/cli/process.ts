import { fstatSync, writeSync } from 'node:fs';
import { closeAllBeforeExit } from '../infra/process/at-exit';
import { runCli } from './main';

/**
 * A writer for fd 1 or 2 when it is a pipe or a file: writeSync, which needs neither node:net
 * nor a stream (creating process.stdout over a pipe loads both: most of `yinjian --help`'s own
 * start-up, issue #15). The bytes are the UTF-8 a stream would write there. A terminal, a
 * socket or anything else gets undefined: the process's stream (a Windows console needs its
 * Unicode path). A reader that went away (EPIPE, `| head`) ends the output quietly.
 */
function directWriter(fd: 1 | 2): ((text: string) => void) | undefined {
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isFile()) return undefined;
  } catch {
    return undefined;
  }
  let closed = false;
  return (text) => {
    const bytes = Buffer.from(`${text}\n`, 'utf8');
    for (let done = 0; done < bytes.length && !closed; ) {
      try {
        done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') closed = true;
        // A pipe left non-blocking by whoever started us: wait a moment for the reader.
        else if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        else throw error;
      }
    }
  };
}

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
  const stdout = directWriter(1);
  const stderr = directWriter(2);
  const code = await runCli(argv, {
    stdout: stdout ?? ((text) => void pending.push(write(process.stdout, text))),
    stderr: stderr ?? ((text) => void pending.push(write(process.stderr, text))),
  });
  await Promise.all(pending);
  // A worker kept for the next document (the OCR engine, infra/ocr/tesseract-ocr.ts): a command is done, end it now.
  await closeAllBeforeExit();
  return code;
}

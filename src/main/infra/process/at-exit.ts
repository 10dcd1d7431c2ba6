/**
 * What a command-line process must end before it exits (a worker thread kept for the next
 * document, e.g. the shared OCR engine): the module that starts such a thing signs it in here,
 * and the CLI (cli/process.ts) runs whatever signed in once the command is done. The CLI does
 * not import the modules themselves, so `yinjian --help` and `verify` load none of them
 * (issue #15).
 */
const closers = new Set<() => Promise<void>>();

/** Signs in `close` (once, however often it is called) to run before a CLI process exits. */
export function closeBeforeExit(close: () => Promise<void>): void {
  closers.add(close);
}

/** Runs everything signed in, each once, and forgets it. */
export async function closeAllBeforeExit(): Promise<void> {
  const pending = [...closers];
  closers.clear();
  await Promise.all(pending.map((close) => close()));
}

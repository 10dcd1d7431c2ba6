/**
 * A file changed behind stat()'s back (native/mapped-writer): its bytes change through a shared
 * mapping of pages already dirty, so its size, mtime, ctime and inode stay as they were. What a
 * change check built on fstat cannot see, and a writer with access to the file can do.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../native/mapped-writer/', import.meta.url));
const PROGRAM = fileURLToPath(new URL('../../native/build/mapped-writer/mapped-writer', import.meta.url));

/** Builds the helper with make (a no-op when up to date); fails loudly without a compiler. */
function build(): string {
  try {
    execFileSync('make', ['-s', '-C', SOURCE], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8') ?? String(error);
    throw new Error(`Building native/mapped-writer failed (it needs make and a C compiler):\n${stderr}`, { cause: error });
  }
  return PROGRAM;
}

export interface MappedWriter {
  /** Writes `bytes` at `offset` through the mapping; resolves once they are in the file. */
  write(offset: number, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Maps `path` (its pages made dirty now, which stamps its times once) for writes stat() does not see. */
export async function mapForWrites(path: string): Promise<MappedWriter> {
  const child: ChildProcessWithoutNullStreams = spawn(build(), [path], { stdio: 'pipe' });
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const nextLine = (): Promise<string> =>
    lines.length > 0
      ? Promise.resolve(lines.shift() as string)
      : Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), ended.then(() => Promise.reject(new Error(`mapped-writer ended: ${stderr}`)))]);
  const expect = async (want: string): Promise<void> => {
    const line = await nextLine();
    if (line !== want) throw new Error(`mapped-writer said ${JSON.stringify(line)}, not ${want}: ${stderr}`);
  };
  await expect('ready');
  return {
    async write(offset, bytes) {
      child.stdin.write(`${offset} ${Buffer.from(bytes).toString('hex')}\n`);
      await expect('ok');
    },
    async close() {
      child.stdin.end();
      await ended;
    },
  };
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The `yinjian` command as npm installs it: package.json's "bin", the compiled CLI
 * out/cli/yinjian.mjs (rebuilt when stale by test/setup/build-cli.ts before the run), never the
 * TypeScript sources.
 */
export const YINJIAN_BIN = fileURLToPath(new URL('../../out/cli/yinjian.mjs', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON when --json was given (or stderr for failures). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the real `yinjian` binary as a child process, feeding `stdin` (e.g. PIN lines). */
export function runYinjian(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [YINJIAN_BIN, ...args], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          return JSON.parse(stdout.trim() || stderr.trim()) as T;
        },
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs fuzz cases in a child process (case-runner.ts) with a wall-clock bound per case and a
 * memory bound on the child: a case that hangs is killed and reported, a case that exhausts the
 * heap shows as the child's death, and the child is restarted for the next case.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseOutcome } from '../helpers/fuzz';

const RUNNER = fileURLToPath(new URL('./case-runner.ts', import.meta.url));

export type RunResult = { readonly kind: 'outcome'; readonly outcome: CaseOutcome } | { readonly kind: 'timeout'; readonly ms: number } | { readonly kind: 'died'; readonly detail: string };

export class CaseRunner {
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(
    private readonly anchors: readonly Uint8Array[],
    private readonly warmUp: Uint8Array,
    private readonly options: { readonly timeoutMs: number; readonly heapMb: number },
  ) {}

  private async start(): Promise<ChildProcess> {
    this.stderr = '';
    const child = fork(RUNNER, [], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${this.options.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`case runner exited at start (${code}): ${this.stderr}`)));
      child.send({ kind: 'trust', anchors: [...this.anchors], warmUp: this.warmUp });
    });
    child.removeAllListeners('exit');
    this.child = child;
    return child;
  }

  async run(id: number, bytes: Uint8Array, text: boolean): Promise<RunResult> {
    const child = this.child ?? (await this.start());
    const started = performance.now();
    const result = await new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        resolve({ kind: 'timeout', ms: performance.now() - started });
      }, this.options.timeoutMs);
      const onMessage = (m: { kind: string; id: number; outcome: CaseOutcome }): void => {
        if (m.kind !== 'outcome' || m.id !== id) return;
        cleanup();
        resolve({ kind: 'outcome', outcome: m.outcome });
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        resolve({ kind: 'died', detail: `exit ${code} ${signal ?? ''} ${this.stderr.slice(-1500)}` });
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ kind: 'case', id, bytes, text });
    });
    if (result.kind !== 'outcome') this.stop();
    return result;
  }

  stop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
  }
}

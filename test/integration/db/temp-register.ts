import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway directory for real register files; `dispose()` removes it. */
export function tempRegisterDir(): { dir: string; file(name?: string): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-register-'));
  return {
    dir,
    file: (name = 'register.sqlite') => join(dir, name),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A process that opens a register the moment it is told to (test/integration/db/
 * concurrent-migration.test.ts): argv PATH READY GO. It writes READY, waits until GO exists,
 * opens and closes the register, and prints OK or the refusal's code.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { openRegister } from '../../../src/main/infra/db/index';
import { YinjianError } from '../../../src/shared/errors/index';

const [path, ready, go] = process.argv.slice(2) as [string, string, string];
writeFileSync(ready, '');
while (!existsSync(go)) {
  // spin: both openers start within a few microseconds of each other
}
try {
  openRegister(path).close();
  process.stdout.write('OK');
} catch (error) {
  process.stdout.write(error instanceof YinjianError ? `${error.code}: ${JSON.stringify((error as unknown as { params?: unknown }).params ?? {})}` : String(error));
}

/**
 * A process that holds the write lock of a register for a while (test/integration/db/
 * concurrent-migration.test.ts): argv PATH READY HOLD_MS. It opens the file with plain SQLite,
 * begins a write transaction (BEGIN IMMEDIATE: the RESERVED lock of rollback-journal mode),
 * writes READY, keeps the transaction open for HOLD_MS and rolls it back: what another service
 * host does for a moment while it stamps a new register as ours or switches it to WAL.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const [path, ready, holdMs] = process.argv.slice(2) as [string, string, string];
const db = new Database(path, { fileMustExist: true });
db.exec('BEGIN IMMEDIATE');
writeFileSync(ready, '');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
db.exec('ROLLBACK');
db.close();

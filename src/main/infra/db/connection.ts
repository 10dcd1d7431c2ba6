import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { YinjianError } from '../../../shared/errors/index';
import { LATEST_REGISTER_VERSION, MIGRATIONS, migrateRegister, registerVersion, type Migration } from './migrations/index';

/**
 * `PRAGMA application_id` of a Yinjian register: "YJRG". Stamped into a new file before
 * anything else, so an existing SQLite file without it belongs to someone else.
 */
export const REGISTER_APPLICATION_ID = 0x594a5247;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Offset of the application id in the SQLite header (big-endian 32-bit). */
const APPLICATION_ID_OFFSET = 68;
const HEADER_SIZE = 100;

export interface OpenRegisterOptions {
  /** Migrate only up to this version (migration tests); defaults to the latest. */
  readonly targetVersion?: number;
  readonly migrations?: readonly Migration[];
  /** How long a writer waits for another connection's lock, in ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Open an existing register without writing to it (audit check, the office's inspection of
   * a workstation's register, S6): nothing is created or migrated, and the register must
   * already be at the version this program knows.
   */
  readonly readonly?: boolean;
}

type FileKind = { kind: 'missing' } | { kind: 'empty' } | { kind: 'ours' };

/**
 * Decides what the file is from its header bytes alone, without opening it with SQLite: even
 * a read-only SQLite connection may create -wal/-shm files or roll back a hot journal, and a
 * file that is not ours must be left exactly as it was. Our application id is written to the
 * main file in rollback-journal mode before WAL is switched on, so it is always in the header.
 */
function inspectFile(path: string): FileKind {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new YinjianError('REGISTER_NOT_OPENABLE', { path });
    size = stat.size;
  } catch (cause) {
    if (cause instanceof YinjianError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new YinjianError('REGISTER_NOT_OPENABLE', { path }, { cause });
  }
  // SQLite treats a zero-length file as an empty database; there is nothing in it to harm.
  if (size === 0) return { kind: 'empty' };
  if (size < HEADER_SIZE) throw new YinjianError('REGISTER_FOREIGN', { path });
  const header = Buffer.alloc(HEADER_SIZE);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, header, 0, HEADER_SIZE, 0);
  } catch (cause) {
    throw new YinjianError('REGISTER_NOT_OPENABLE', { path }, { cause });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) throw new YinjianError('REGISTER_FOREIGN', { path });
  if (header.readUInt32BE(APPLICATION_ID_OFFSET) !== REGISTER_APPLICATION_ID) {
    throw new YinjianError('REGISTER_FOREIGN', { path });
  }
  return { kind: 'ours' };
}

function connect(path: string, fileMustExist: boolean, busyTimeoutMs: number, readonly: boolean): Database.Database {
  try {
    const db = new Database(path, { fileMustExist, readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    return db;
  } catch (cause) {
    throw new YinjianError('REGISTER_NOT_OPENABLE', { path }, { cause });
  }
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Switches the register to WAL, waiting up to `busyTimeoutMs` for another connection's write
 * lock. SQLite does not call the busy handler here: the pragma already holds a read lock when
 * it asks for the write lock, and waiting while holding it could deadlock, so SQLite returns
 * SQLITE_BUSY at once. Another process opening the same new register (the app's second service
 * host, the CLI) holds that lock for a moment while it stamps the file as ours or switches it;
 * the switch is tried again after a short pause, its read lock released in between.
 */
function switchToWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (let pauseMs = 2; ; pauseMs = Math.min(pauseMs * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw cause;
    }
    Atomics.wait(pauseCell, 0, 0, pauseMs);
  }
}

/**
 * Opens (or creates) a register file and brings its schema to the latest version.
 * Refuses with REGISTER_FOREIGN a file that is not a Yinjian register, without writing to
 * it, and with REGISTER_TOO_NEW a register written by a newer Yinjian.
 */
export function openRegisterDatabase(path: string, options: OpenRegisterOptions = {}): Database.Database {
  const migrations = options.migrations ?? MIGRATIONS;
  const supported = migrations.length === 0 ? 0 : Math.max(...migrations.map((m) => m.version));
  const target = options.targetVersion ?? (options.migrations === undefined ? LATEST_REGISTER_VERSION : supported);
  const file = inspectFile(path);
  if (options.readonly === true && file.kind !== 'ours') throw new YinjianError('REGISTER_NOT_OPENABLE', { path });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = connect(path, file.kind === 'ours', busyTimeoutMs, options.readonly === true);
  try {
    if (file.kind === 'ours') {
      const found = registerVersion(db);
      if (found > supported) throw new YinjianError('REGISTER_TOO_NEW', { found, supported });
      if (options.readonly === true) {
        if (found !== target) throw new YinjianError('REGISTER_NEEDS_UPGRADE', { path, found, supported: target });
        db.pragma('foreign_keys = ON');
        return db;
      }
    } else {
      // A new file: stamp it as ours in its very first write, in rollback-journal mode, so the
      // id lands in the main file header where inspectFile() reads it.
      // IMMEDIATE: take the write lock first, waiting for another process creating it too.
      db.transaction(() => db.pragma(`application_id = ${REGISTER_APPLICATION_ID}`)).immediate();
    }
    // WAL: readers never block the writer. synchronous=FULL: a committed stamping record
    // survives a power cut (WAL's default NORMAL may lose the last transactions).
    switchToWal(db, busyTimeoutMs);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateRegister(db, target, migrations);
    return db;
  } catch (cause) {
    db.close();
    if (cause instanceof YinjianError) throw cause;
    throw new YinjianError('REGISTER_NOT_OPENABLE', { path }, { cause });
  }
}

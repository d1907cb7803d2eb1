// Whether this process can write, which is what a load balancer needs to know: a database
// that reads but cannot write (a full disk, a PostgreSQL standby after a failover, a file
// made read-only) fails every sign-up while a read-only health check says ok.
//
// The answer is the outcome of the latest write, the process's own or a probe: every
// transaction and lone write that fails for want of the database (StoreError
// 'unavailable') turns it false at once, the next that succeeds turns it true. The probe
// (one UPDATE of store_health, migration 015) runs when health is asked and the last probe
// is more than a second old, so a process nobody writes to still finds out, and a flood of
// health checks costs at most one write a second. On SQLite the probe also looks at the
// free space of the data directory: a write can still land in WAL space the file already
// holds while the next checkpoint or a larger transaction has nowhere to go.
import { statfsSync } from 'node:fs';
import { StoreError, type Db, type DriverDb, type Param, type Tx } from './db.ts';

export interface WriteHealth {
  ok: boolean;
  /** Why not, for a person reading /healthz. */
  error?: string;
}

/** Shared, so the success of each write (accounting on the RADIUS path among them) allocates nothing. */
const OK: WriteHealth = { ok: true };

/** Below this much free space in SQLite's data directory the process says it cannot write. */
export const MIN_FREE_BYTES = 1024 * 1024;
const PROBE_EVERY_MS = 1000;

const refusedForWantOfDb = (err: unknown) => err instanceof StoreError && err.code === 'unavailable';

export function trackWrites(inner: DriverDb, o: { sqliteDir?: string; now?: () => number } = {}): Db {
  const now = o.now ?? Date.now;
  let health = OK;
  let probedAt = -Infinity;
  let probing: Promise<void> | undefined;

  const note = (err: unknown) => {
    if (err === undefined) health = OK;
    else if (refusedForWantOfDb(err)) health = { ok: false, error: `cannot write: ${(err as Error).message}` };
  };
  async function watched<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      note(undefined);
      return result;
    } catch (err) {
      note(err);
      throw err;
    }
  }

  function freeSpaceProblem(): string | undefined {
    if (!o.sqliteDir) return undefined;
    try {
      const s = statfsSync(o.sqliteDir);
      const free = s.bavail * s.bsize;
      return free < MIN_FREE_BYTES
        ? `cannot write: ${free} bytes free in ${o.sqliteDir} (the disk is full)`
        : undefined;
    } catch (err) {
      return `cannot write: ${(err as Error).message}`;
    }
  }

  async function probe(): Promise<void> {
    probedAt = now();
    const space = freeSpaceProblem();
    if (space) {
      health = { ok: false, error: space };
      return;
    }
    try {
      await watched(() => inner.run('UPDATE store_health SET written_at = ? WHERE id = 1', [now()]));
    } catch (err) {
      // Anything else (the table missing, say) also means this process cannot do its job.
      if (!refusedForWantOfDb(err)) health = { ok: false, error: `cannot write: ${(err as Error).message}` };
    }
  }

  return {
    dialect: inner.dialect,
    all: (sql, params) => inner.all(sql, params),
    get: (sql, params) => inner.get(sql, params),
    run: (sql: string, params?: Param[]) => watched(() => inner.run(sql, params)),
    write: (...statements) => watched(() => inner.write(...statements)),
    tx: <T>(fn: (tx: Tx) => Promise<T>) => watched(() => inner.tx(fn)),
    exclusive: (name, fn) => inner.exclusive(name, fn),
    ping: () => inner.ping(),
    close: () => inner.close(),
    async canWrite() {
      if (now() - probedAt >= PROBE_EVERY_MS) await (probing ??= probe().finally(() => (probing = undefined)));
      return health;
    },
  };
}

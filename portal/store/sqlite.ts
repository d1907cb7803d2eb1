// SQLite through sqlite3: one writer connection (transactions queue behind a mutex,
// because statements on one connection would otherwise join whichever transaction
// is open) and several read-only connections, which WAL lets run beside the writer and
// beside each other (each connection runs one statement at a time, on its own worker
// thread). Reads go round-robin over the readers through prepared statements kept per
// connection, so a hot query (the RADIUS auth path) is parsed and planned once.
import sqlite3 from 'sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError, type DriverDb, type Param, type Queryable, type Row, type Tx } from './db.ts';
import { inlineParams } from './sql-literal.ts';
import { REQUIREMENT_UNMET } from './requirements.ts';

type Conn = sqlite3.Database;

function open(file: string, mode: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new sqlite3.Database(file, mode, (err) => (err ? reject(mapError(err)) : resolve(c)));
  });
}

export function mapError(err: unknown): StoreError {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError('busy', `database busy: ${msg}`, err);
    case 'SQLITE_CONSTRAINT':
      if (msg.includes(REQUIREMENT_UNMET)) return new StoreError('unmet', msg, err);
      return new StoreError(/UNIQUE|PRIMARY/.test(msg) ? 'conflict' : 'invalid', msg, err);
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
    case 'SQLITE_MISUSE':
      return new StoreError('unavailable', `database unavailable: ${msg}`, err);
    default:
      return new StoreError('invalid', msg, err);
  }
}

const norm = (params: Param[]) =>
  params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : typeof p === 'bigint' ? Number(p) : p));

/**
 * Statements prepared once per connection and SQL text, each stepped to SQLITE_DONE, which
 * ends the read transaction: a cached statement left mid-result would pin an old WAL
 * snapshot (stale reads, a WAL that never checkpoints). Calls on one statement run in order.
 * Why prepared: node-sqlite3 runs an unprepared statement (Database#run/all/get) as two trips
 * to the worker thread, one to prepare it and one to run it, each answered on the main
 * thread; a prepared one is one trip. On the writer, whose trips every other write waits
 * behind, that halves the trips of each statement a transaction sends.
 * The cache is bounded, in case some caller builds SQL text per call.
 */
const PLAIN_WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

class StatementCache {
  private statements = new Map<string, Promise<sqlite3.Statement>>();

  constructor(
    private conn: Conn,
    private max = 256,
  ) {}

  private statement(sql: string): Promise<sqlite3.Statement> {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size >= this.max) {
        const [oldest, gone] = this.statements.entries().next().value!;
        this.statements.delete(oldest);
        gone.then(
          (g) => g.finalize(),
          () => undefined,
        );
      }
      st = new Promise<sqlite3.Statement>((res, rej) => {
        const prepared: sqlite3.Statement = this.conn.prepare(sql, (err) => (err ? rej(mapError(err)) : res(prepared)));
      });
      // A statement that failed to prepare (bad SQL) is not kept: the next call reports it again.
      st.catch(() => this.statements.delete(sql));
      this.statements.set(sql, st);
    }
    return st;
  }

  async all<T>(sql: string, params: Param[]): Promise<T[]> {
    const st = await this.statement(sql);
    return new Promise<T[]>((res, rej) =>
      st.all(norm(params), (err: Error | null, rows: unknown[]) => (err ? rej(mapError(err)) : res(rows as T[]))),
    );
  }

  /**
   * node-sqlite3's Statement#run steps once: a statement that answers rows (RETURNING, a
   * SELECT) would be left mid-result, in progress until its next use. Those go unprepared
   * (prepared, run and finalized: two trips); a plain write steps to its end in one.
   */
  async run(sql: string, params: Param[]): Promise<{ changes: number }> {
    if (!PLAIN_WRITE.test(sql) || /\bRETURNING\b/i.test(sql))
      return new Promise<{ changes: number }>((res, rej) =>
        this.conn.run(sql, norm(params), function (this: sqlite3.RunResult, err: Error | null) {
          if (err) rej(mapError(err));
          else res({ changes: this.changes });
        }),
      );
    const st = await this.statement(sql);
    return new Promise<{ changes: number }>((res, rej) =>
      st.run(norm(params), function (this: sqlite3.RunResult, err: Error | null) {
        if (err) rej(mapError(err));
        else res({ changes: this.changes });
      }),
    );
  }

  /**
   * The first row, through all(): the queries asked this way return one row (a key, an
   * aggregate, LIMIT 1), and all() ends the read in one trip to the worker thread where
   * get() needs a second one to reset the statement (a quarter of a RADIUS cache miss).
   */
  async get<T>(sql: string, params: Param[]): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async finalize(): Promise<void> {
    const all = [...this.statements.values()];
    this.statements.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (st) => new Promise<void>((res) => st.finalize(() => res())),
          () => undefined,
        ),
      ),
    );
  }
}

/**
 * Statements through `cache` (prepared once per connection and SQL text). `before`: what must
 * reach the connection ahead of each statement (a transaction's deferred writes).
 */
function queryable(cache: StatementCache, before?: () => Promise<void>): Queryable {
  return {
    dialect: 'sqlite',
    async all<T = Row>(sql: string, params: Param[] = []) {
      await before?.();
      return cache.all<T>(sql, params);
    },
    async get<T = Row>(sql: string, params: Param[] = []) {
      await before?.();
      return cache.get<T>(sql, params);
    },
    async run(sql: string, params: Param[] = []) {
      await before?.();
      return cache.run(sql, params);
    },
  };
}

function exec(c: Conn, sql: string): Promise<void> {
  return new Promise((res, rej) => c.exec(sql, (err) => (err ? rej(mapError(err)) : res())));
}

/**
 * The database holds every guest's (encrypted) personal data and the ledger: readable by
 * its owner only, like the secret key. SQLite gives -wal and -shm the main file's mode,
 * so creating that one 0600 (whatever the umask) covers them; a file an older release
 * made 0644 is tightened, and so are its -wal and -shm if they exist. Only group and
 * other bits are removed: a file made read-only stays read-only.
 */
function ownerOnly(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw mapError(err);
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const m = statSync(f).mode & 0o777;
      if (m & 0o077) chmodSync(f, m & 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw mapError(err);
    }
  }
}

/** `readers`: read-only connections opened beside the writer (the writer keeps one thread of libuv's pool). */
export async function openSqlite(file: string, readerCount = 2): Promise<DriverDb> {
  const READERS = Math.max(1, Math.min(4, readerCount));
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    ownerOnly(file);
  }
  const writer = await open(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
  const pragmas =
    'PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL;';
  await exec(writer, pragmas);
  const readers: Conn[] = [];
  if (file === ':memory:') readers.push(writer);
  else {
    for (let i = 0; i < READERS; i++) {
      const reader = await open(file, sqlite3.OPEN_READONLY);
      await exec(reader, 'PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;');
      readers.push(reader);
    }
  }
  // The in-memory database has one connection; its reads share the writer's and are not cached.
  const caches = file === ':memory:' ? [] : readers.map((c) => new StatementCache(c));
  let turn = 0;
  const nextCache = () => caches[(turn = (turn + 1) % caches.length)];

  // In-process mutex: one transaction (or lone write) at a time on the writer.
  let tail: Promise<unknown> = Promise.resolve();
  // Items queued behind the one on the writer, and whether the writer is already in a
  // transaction begun for the next of them (see commit()). Every item takes it (takeBegun).
  // The riders' flush (below) is counted apart: it begins its own transaction when it has to.
  let waiting = 0;
  let flushWaiting = 0;
  let begunAhead = false;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    waiting++;
    const run = () => {
      waiting--;
      return fn();
    };
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  const takeBegun = () => {
    const b = begunAhead;
    begunAhead = false;
    return b;
  };
  const tried = (sql: string) =>
    exec(writer, sql).then(
      () => true,
      () => false,
    );

  // Riders (db.write): writes nobody needs an answer from, as SQL text with their values
  // inlined, waiting for the writer's next COMMIT, which carries them in a savepoint of its
  // transaction (no trip of their own). Each is answered after the COMMIT that carried it.
  // A rider is carried once: if it fails, or its carrier does, it runs again in a
  // transaction of its own (`alone`), and only that one's failure is its caller's.
  type Rider = { text: string; resolve: () => void; reject: (e: unknown) => void };
  const riders: Rider[] = [];
  const alone: Rider[] = [];
  const later = (carried: Rider[]) => {
    alone.push(...carried);
    scheduleFlush();
  };

  /**
   * Sends `sql` (ending in COMMIT), with the riders waiting, in one exec. Back to back: when
   * another write waits for the writer, the same exec begins its transaction too, which then
   * has no BEGIN trip of its own (one trip fewer per transaction under load). Should that
   * exec fail, the BEGIN's failure (busy: another process writes) is told from the COMMIT's
   * by whether a transaction is still open: a COMMIT that failed busy leaves it open (SQLite
   * documents so), and it is rolled back and reported; one that went through is not reported
   * as failed. Any other error is reported, as it is without the BEGIN: at worst a
   * transaction that committed is said to have failed, never the reverse. `sql` that begins
   * its own transaction gets no BEGIN after it: its own BEGIN failing would look the same.
   * A rider's failure is told by its savepoint, which only then is still there: the carrier
   * commits without the riders, which run again alone.
   */
  const commit = async (sql: string): Promise<void> => {
    const ahead = waiting - flushWaiting > 0 && !sql.startsWith('BEGIN');
    const carried = riders.splice(0);
    const text = carried.length
      ? `${sql.slice(0, -'COMMIT'.length)}SAVEPOINT riders;\n${carried.map((r) => r.text).join(';\n')};\nRELEASE riders;\nCOMMIT`
      : sql;
    try {
      await exec(writer, ahead ? `${text};\nBEGIN IMMEDIATE` : text);
      begunAhead = ahead;
    } catch (err) {
      if (carried.length && (await tried('ROLLBACK TO riders'))) {
        later(carried);
        return commit('RELEASE riders;\nCOMMIT');
      }
      if (await tried('ROLLBACK')) {
        // Still open: nothing was committed.
        later(carried);
        throw err;
      }
      if (ahead && (err as StoreError).code === 'busy') {
        // The COMMIT went through; only the BEGIN sent after it failed.
        for (const r of carried) r.resolve();
        return;
      }
      // Rolled back by SQLite itself, or (after a BEGIN sent ahead) not known: never run twice.
      if (ahead) for (const r of carried) r.reject(err);
      else later(carried);
      throw err;
    }
    for (const r of carried) r.resolve();
  };

  /** Riders no COMMIT has carried, in a transaction of their own; and each rider to run alone, in one each. */
  const flushRiders = async (): Promise<void> => {
    flushWaiting = 0;
    const solo = alone.splice(0);
    // Others queued behind will COMMIT soon and carry the riders (once more at most: a
    // queue of lone writes, which commit nothing, must not keep them waiting).
    if (riders.length && !solo.length && waiting > 0 && !flushedLate && !closing) {
      flushedLate = true;
      return scheduleFlush();
    }
    flushedLate = false;
    if (riders.length) await own();
    for (const r of solo) await own(r);
  };
  let flushedLate = false;
  let closing = false;
  const own = async (r?: Rider): Promise<void> => {
    const begun = takeBegun();
    try {
      assertWritable();
    } catch (err) {
      if (begun) await tried('ROLLBACK');
      for (const x of r ? [r] : riders.splice(0)) x.reject(err);
      return;
    }
    try {
      await commit(`${begun ? '' : 'BEGIN IMMEDIATE;\n'}${r ? `${r.text};\n` : ''}COMMIT`);
      r?.resolve();
    } catch (err) {
      // commit() has passed on the riders it carried (to run alone) and rolled back.
      r?.reject(err);
    }
  };
  const scheduleFlush = () => {
    if (flushWaiting) return;
    flushWaiting = 1;
    serial(flushRiders).catch(() => undefined);
  };

  // An open descriptor keeps writing after the file is made read-only (and root ignores
  // permissions anyway), so look at the file's write bits, at most once a second: a
  // read-only database is an outage to report, not something to write through.
  let checkedAt = 0;
  let writeError: StoreError | undefined;
  const assertWritable = () => {
    if (file === ':memory:') return;
    const now = Date.now();
    if (now - checkedAt > 1000) {
      checkedAt = now;
      try {
        writeError =
          (statSync(file).mode & 0o222) === 0
            ? new StoreError('unavailable', `database unavailable: ${file} is read-only`)
            : undefined;
      } catch (err) {
        writeError = new StoreError('unavailable', `database unavailable: ${(err as Error).message}`, err);
      }
    }
    if (writeError) throw writeError;
  };

  // Group commit: lone writes that arrive while the writer is busy run together in one
  // transaction when it frees up, each answered only after the COMMIT. One WAL commit for
  // many small writes (a flow row per guest page, a counter) instead of one each.
  type Lone = {
    sql: string;
    params?: Param[];
    resolve: (r: { changes: number }) => void;
    reject: (e: unknown) => void;
  };
  let pending: Lone[] | undefined;
  const runGroup = async () => {
    const items = pending!;
    pending = undefined;
    const begun = takeBegun();
    try {
      assertWritable();
      if (items.length === 1 && !begun) return items[0].resolve(await w.run(items[0].sql, items[0].params));
      if (!begun) await exec(writer, 'BEGIN IMMEDIATE');
      const results: ({ changes: number } | { error: unknown })[] = [];
      for (const it of items) results.push(await w.run(it.sql, it.params).catch((error: unknown) => ({ error })));
      await commit('COMMIT');
      results.forEach((r, i) => ('error' in r ? items[i].reject(r.error) : items[i].resolve(r)));
    } catch (err) {
      await exec(writer, 'ROLLBACK').catch(() => undefined);
      for (const it of items) it.reject(err);
    }
  };

  const writerStatements = new StatementCache(writer);
  const w = queryable(writerStatements);
  const r: Pick<Queryable, 'all' | 'get'> = caches.length
    ? {
        all: <T = Row>(sql: string, params: Param[] = []) => nextCache().all<T>(sql, params),
        get: <T = Row>(sql: string, params: Param[] = []) => nextCache().get<T>(sql, params),
      }
    : queryable(writerStatements);
  const locks = new Set<string>();

  const db: DriverDb = {
    dialect: 'sqlite',
    all: (sql, params) => r.all(sql, params),
    get: (sql, params) => r.get(sql, params),
    run: (sql, params) =>
      new Promise((resolve, reject) => {
        const item = { sql, params, resolve, reject };
        if (pending) return void pending.push(item);
        pending = [item];
        serial(() => runGroup()).catch(() => undefined);
      }),
    write: (...statements) =>
      new Promise<void>((resolve, reject) => {
        if (!statements.length) return resolve();
        riders.push({
          text: statements.map(([sql, params]) => inlineParams('sqlite', sql, params)).join(';\n'),
          resolve,
          reject,
        });
        scheduleFlush();
      }),
    tx<T>(fn: (tx: Tx) => Promise<T>) {
      return serial(async () => {
        // What needs no answer of its own (the BEGIN, deferred writes) waits, as SQL text with
        // its values inlined, and goes in one exec (one trip to the worker thread) with the
        // COMMIT, or just before the transaction's next statement. The writer is this
        // process's alone meanwhile (serial), so a BEGIN sent late begins the same transaction;
        // one the previous transaction's COMMIT sent (commit()) is not sent again.
        let begun = takeBegun();
        const pending: string[] = begun ? [] : ['BEGIN IMMEDIATE'];
        // Settles when the BEGIN IMMEDIATE has run: the first exec sent carries it.
        let began: Promise<void> | undefined = begun ? Promise.resolve() : undefined;
        let ended = false;
        const send = (sql: string) => {
          begun = true;
          return exec(writer, sql);
        };
        // The writer runs what it is given in order (node-sqlite3 queues a statement behind
        // an exec), so a statement need not wait for the exec before it; a read beside on
        // another connection must (readBeside).
        const flush = (): Promise<void> => {
          if (!pending.length) return Promise.resolve();
          const sent = send(pending.splice(0).join(';\n'));
          began ??= sent;
          return sent;
        };
        try {
          assertWritable();
          const result = await fn({
            ...queryable(writerStatements, flush),
            lock: async () => undefined,
            defer: (sql, params) => void pending.push(inlineParams('sqlite', sql, params)),
            // Once BEGIN IMMEDIATE has run, no other connection or process can commit until
            // this COMMIT: a reader then sees what the writer sees, less this transaction's
            // own writes. Read before it, it could see a state some other process is about
            // to change (see Tx.readBeside).
            async readBeside<R = Row>(sql: string, params: Param[] = []) {
              await (began ?? flush());
              const row = await r.get<R>(sql, params);
              if (ended) throw new StoreError('invalid', 'a read beside a transaction came back after it ended');
              return row;
            },
          });
          begun = true;
          await commit([...pending.splice(0), 'COMMIT'].join(';\n'));
          return result;
        } catch (err) {
          if (begun) await exec(writer, 'ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          ended = true;
        }
      });
    },
    async exclusive<T>(name: string, fn: () => Promise<T>) {
      // Lease row: another process holding an unexpired lease wins.
      if (locks.has(name)) return null;
      const now = Date.now();
      const { changes } = await db.run(
        `INSERT INTO job_locks (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE job_locks.expires_at < ?`,
        [name, String(process.pid), now + 10 * 60_000, now],
      );
      if (changes === 0) return null;
      locks.add(name);
      try {
        return await fn();
      } finally {
        locks.delete(name);
        await db
          .run('DELETE FROM job_locks WHERE name = ? AND holder = ?', [name, String(process.pid)])
          .catch(() => undefined);
      }
    },
    async ping() {
      // A read-only or vanished file is seen by its write bits, so a health check writes nothing.
      checkedAt = 0;
      assertWritable();
      await r.get('SELECT 1');
    },
    async close() {
      // The riders' flush runs before the close, not after it.
      closing = true;
      await serial(async () => {
        if (takeBegun()) await exec(writer, 'ROLLBACK').catch(() => undefined);
      });
      await Promise.all([...caches, writerStatements].map((c) => c.finalize()));
      await new Promise<void>((res) => writer.close(() => res()));
      for (const reader of readers) if (reader !== writer) await new Promise<void>((res) => reader.close(() => res()));
    },
  };
  return db;
}

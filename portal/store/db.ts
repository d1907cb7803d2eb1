// The storage interface every capability writes SQL against. SQL uses `?`
// placeholders and the portable subset of SQLite and PostgreSQL; each driver maps
// its errors onto StoreError codes (as FreeRADIUS's SQL drivers do).

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | bigint | null | Buffer | boolean;
export type Row = Record<string, unknown>;

export interface Queryable {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  run(sql: string, params?: Param[]): Promise<{ changes: number }>;
}

export interface Tx extends Queryable {
  /**
   * Serialises this transaction against every other that takes the same locks, across
   * processes (pg_advisory_xact_lock, all in one statement, in the order given; SQLite's
   * BEGIN IMMEDIATE already serialises writers). On PostgreSQL the lock goes to the server
   * with the transaction's next statement, in the same round trip (it resolves at once):
   * it is held before that statement runs, which is all a caller can observe.
   */
  lock(...names: string[]): Promise<void>;
  /**
   * A write whose result the caller does not need (no rows, no `changes`: never a
   * compare-and-set), sent with the transaction's COMMIT in one round trip, or, if the
   * transaction sends another statement first, in one trip before that statement. Its
   * values are written into the SQL text by sql-literal.ts (refused there, at once, when
   * no literal would give one back unchanged). An error of a deferred write (a constraint,
   * say) rejects the transaction, which is rolled back: nothing acknowledged is lost.
   */
  defer(sql: string, params?: Param[]): void;
  /**
   * The first row of a read of COMMITTED data, beside the writer: it costs the transaction
   * no round trip of its own. Only for rows this transaction has not written (on SQLite it
   * cannot see them; on PostgreSQL it would), and only valid while the transaction is open
   * (a read that comes back after it ended rejects).
   * - SQLite: on a read-only connection, in parallel with the writer's own statement, but
   *   never before this transaction's BEGIN IMMEDIATE has run (a BEGIN still waiting is sent
   *   first: by the statement already sending it, or by this read, with what waits beside
   *   it). From that BEGIN to the COMMIT no other connection or process can commit, so the
   *   reader sees exactly the committed state the writer sees.
   * - PostgreSQL: on the transaction's own connection, in order: it rides in the same round
   *   trip as the transaction's next statement, just before it and after the locks taken
   *   before it (each statement takes its own snapshot, so it sees what was committed before
   *   those locks were granted), or goes alone when no statement follows in the same tick.
   */
  readBeside<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
}

/** One statement and its values. */
export type Statement = [sql: string, params?: Param[]];

export interface Db extends Queryable {
  /**
   * Writes whose result nobody reads (no rows, no `changes`: never a compare-and-set),
   * together in one transaction, their values written into the SQL text by sql-literal.ts.
   * Resolves once the COMMIT that carried them went through, so a caller that answers after
   * it never acknowledges a write that could still be lost. On SQLite they take no trip of
   * their own while the writer is busy: they ride on the COMMIT of the transaction on the
   * writer (in a savepoint, so that one failing cannot fail the other: a failing write is
   * run again alone, and so is one whose carrier failed), and only an idle writer sends
   * them by themselves (one trip). On PostgreSQL, whose writers are a pool, they are one
   * round trip of their own.
   */
  write(...statements: Statement[]): Promise<void>;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs fn only if no other process holds `name` (scheduled jobs run once across
   * processes). Resolves null when the lock is held elsewhere.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
  ping(): Promise<void>;
  /** Whether the latest write (this process's or a probe at most once a second) went through (write-health.ts). */
  canWrite(): Promise<{ ok: boolean; error?: string }>;
  close(): Promise<void>;
}

/**
 * A write whose result the caller does not need: deferred to the transaction's COMMIT when
 * `q` is a transaction (Tx.defer), run at once when it is the database.
 */
export async function writeWithCommit(q: Queryable, sql: string, params?: Param[]): Promise<void> {
  if ('defer' in q && typeof q.defer === 'function') (q as Tx).defer(sql, params);
  else await q.run(sql, params);
}

/** What each driver provides; openDb() adds the write-health tracking around it. */
export type DriverDb = Omit<Db, 'canWrite'>;

/** `unmet`: a condition the transaction's COMMIT checked did not hold (requirements.ts). */
export type StoreErrorCode = 'unavailable' | 'conflict' | 'invalid' | 'busy' | 'unmet';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export const isUnavailable = (e: unknown): boolean =>
  e instanceof StoreError && (e.code === 'unavailable' || e.code === 'busy');

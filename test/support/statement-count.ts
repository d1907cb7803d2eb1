// Counts the statements a piece of work sends to the database by instrumenting a Db in
// place (every part of the app that holds it, the SMS message log included, is counted),
// and the round trips that hold the writer: on SQLite the one writer connection is busy
// for each of them, on PostgreSQL a transaction's connection (and the ledger's lock, from
// `lock ledger` to COMMIT). A lone write is one writer trip; a transaction is its BEGIN,
// each statement (and each lock on PostgreSQL, where it is a statement of its own), and
// its COMMIT (deferred writes go with the next of these: no trip of their own, unless a
// statement follows them, which then costs two). Reads outside a transaction go to a reader (SQLite) or any pooled connection
// and hold no writer. Used to pin what one sign-up costs.
import type { Db, Queryable, Tx } from '../../portal/store/db.ts';

export interface StatementLog {
  /** Statements in the order they were sent ('BEGIN' and 'COMMIT' for each transaction; 'lock' is a round trip on PostgreSQL only). */
  sql: string[];
  /** Round trips that held the writer (see above). */
  writerTrips: number;
  /**
   * Round trips made while the ledger was held: on PostgreSQL from its lock to COMMIT; on
   * SQLite, whose one writer is what serialises the ledger, the whole transaction that appended.
   */
  ledgerTrips: number;
  reset(): void;
}

const short = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 120);

/** Counts `db`'s statements from now on into the returned log. */
export function countStatements(db: Db): StatementLog {
  const log: StatementLog = {
    sql: [],
    writerTrips: 0,
    ledgerTrips: 0,
    reset() {
      log.sql.splice(0);
      log.writerTrips = 0;
      log.ledgerTrips = 0;
    },
  };
  const { all, get, run } = { all: db.all.bind(db), get: db.get.bind(db), run: db.run.bind(db) };
  const tx = db.tx.bind(db);
  Object.assign(db, {
    all: (sql: string, params?: never) => (log.sql.push(short(sql)), all(sql, params)),
    get: (sql: string, params?: never) => (log.sql.push(short(sql)), get(sql, params)),
    run: (sql: string, params?: never) => (log.sql.push(short(sql)), log.writerTrips++, run(sql, params)),
    tx<T>(fn: (t: Tx) => Promise<T>) {
      log.sql.push('BEGIN');
      let trips = 1;
      // The trip from which the ledger was held, if this transaction appended.
      let ledgerFrom: number | undefined;
      // Deferred statements waiting for the next trip (Tx.defer).
      let deferred = 0;
      return tx(async (t) => {
        const stmt =
          (fn: 'all' | 'get' | 'run') =>
          (sql: string, params?: never): Promise<never> => {
            log.sql.push(`  ${short(sql)}`);
            // Deferred statements go in a trip of their own ahead of this one.
            trips += deferred ? 2 : 1;
            deferred = 0;
            return (t as Queryable)[fn](sql, params) as Promise<never>;
          };
        // Object.create: what the transaction carries on its prototype chain (access's caches) stays reachable.
        const counted: Tx = Object.assign(Object.create(t) as Tx, {
          all: stmt('all'),
          get: stmt('get'),
          run: stmt('run'),
          defer: (sql: string, params?: never) => {
            log.sql.push(`  (deferred) ${short(sql)}`);
            deferred++;
            t.defer(sql, params);
          },
          lock: (...names: string[]) => {
            log.sql.push(`  lock ${names.join(', ')}`);
            if (db.dialect === 'postgres') {
              trips += deferred ? 2 : 1;
              deferred = 0;
            }
            if (names.includes('ledger')) ledgerFrom ??= db.dialect === 'postgres' ? trips : 0;
            return t.lock(...names);
          },
        });
        const r = await fn(counted);
        // The deferred statements go with the COMMIT, in its trip.
        log.sql.push('COMMIT');
        trips++;
        log.writerTrips += trips;
        if (ledgerFrom !== undefined) log.ledgerTrips += trips - ledgerFrom;
        return r;
      });
    },
  });
  return log;
}

// Counts the statements a piece of work sends to the database by instrumenting a Db in
// place (every part of the app that holds it, the SMS message log included, is counted),
// and the round trips that hold the writer: on SQLite the one writer connection is busy
// for each of them, on PostgreSQL a transaction's connection (and the ledger's lock, from
// `lock ledger` to COMMIT). A lone write is one writer trip; a transaction is a trip per
// statement and one for its COMMIT. Reads outside a transaction go to a reader (SQLite) or any pooled connection
// and hold no writer. What needs no answer of its own waits for the transaction's next
// trip (the store's Tx): its BEGIN, its deferred writes, and on PostgreSQL its locks. On
// PostgreSQL they go in the same simple query as the next statement; on SQLite in one
// exec before it (a trip of their own) or with the COMMIT. A db.write is one trip (see
// below). Used to pin what one sign-up costs.
import type { Db, Queryable, Statement, Tx } from '../../portal/store/db.ts';

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
  const { all, get, run, write } = {
    all: db.all.bind(db),
    get: db.get.bind(db),
    run: db.run.bind(db),
    write: db.write.bind(db),
  };
  const tx = db.tx.bind(db);
  Object.assign(db, {
    all: (sql: string, params?: never) => (log.sql.push(short(sql)), all(sql, params)),
    get: (sql: string, params?: never) => (log.sql.push(short(sql)), get(sql, params)),
    run: (sql: string, params?: never) => (log.sql.push(short(sql)), log.writerTrips++, run(sql, params)),
    // A trip of its own when the writer is idle, as it is here (one step at a time); under
    // load it rides on another transaction's COMMIT (test/store/write.test.ts counts that).
    write: (...statements: Statement[]) => {
      for (const [sql] of statements) log.sql.push(`(write) ${short(sql)}`);
      log.writerTrips++;
      return write(...statements);
    },
    tx<T>(fn: (t: Tx) => Promise<T>) {
      log.sql.push('BEGIN');
      let trips = 0;
      // The trip from which the ledger was held, if this transaction appended.
      let ledgerFrom: number | undefined;
      // Statements waiting for the next trip: the BEGIN, then deferred writes and locks.
      let waiting = 1;
      // A read beside (PostgreSQL) that no statement has taken along yet.
      let besideAlone = false;
      const trip = () => {
        // SQLite sends what waits in an exec of its own; PostgreSQL with the statement.
        trips += waiting && db.dialect === 'sqlite' ? 2 : 1;
        waiting = 0;
        besideAlone = false;
      };
      return tx(async (t) => {
        const stmt =
          (fn: 'all' | 'get' | 'run') =>
          (sql: string, params?: never): Promise<never> => {
            log.sql.push(`  ${short(sql)}`);
            trip();
            return (t as Queryable)[fn](sql, params) as Promise<never>;
          };
        // Object.create: what the transaction carries on its prototype chain (access's caches) stays reachable.
        const counted: Tx = Object.assign(Object.create(t) as Tx, {
          all: stmt('all'),
          get: stmt('get'),
          run: stmt('run'),
          defer: (sql: string, params?: never) => {
            log.sql.push(`  (deferred) ${short(sql)}`);
            waiting++;
            t.defer(sql, params);
          },
          // Tx.readBeside: on SQLite a reader's (the writer's trip only if it has to send the
          // BEGIN itself); on PostgreSQL it rides with the next statement, or goes alone if none
          // follows in the same tick.
          readBeside: (sql: string, params?: never) => {
            log.sql.push(`  (beside) ${short(sql)}`);
            if (db.dialect === 'sqlite' && waiting) {
              trips++;
              waiting = 0;
            } else if (db.dialect === 'postgres') {
              waiting++;
              besideAlone = true;
              queueMicrotask(() => {
                if (besideAlone) trip();
              });
            }
            return t.readBeside(sql, params);
          },
          lock: (...names: string[]) => {
            log.sql.push(`  lock ${names.join(', ')}`);
            if (db.dialect === 'postgres') waiting++;
            // Held from the trip that carries the lock (PostgreSQL), or the whole transaction (SQLite).
            if (names.includes('ledger')) ledgerFrom ??= db.dialect === 'postgres' ? trips : 0;
            return t.lock(...names);
          },
        });
        const r = await fn(counted);
        // What still waits goes with the COMMIT, in its trip.
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
